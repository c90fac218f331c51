//! CBOR suites: RFC 8949 Appendix A, the deterministic-encoding pairs, and malformed
//! inputs, all run through `hcx_protocol::cbor`.

use hcx_protocol::cbor::{Limits, Mode, Value};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, case_name, hex_field, str_field};

/// The CBOR suites.
pub fn suites() -> Vec<Suite> {
    vec![
        Suite {
            name: "cbor-appendix-a",
            recognise: is_appendix_a,
            run: run_appendix_a,
        },
        Suite {
            name: "cbor-deterministic",
            recognise: is_deterministic,
            run: run_deterministic,
        },
        Suite {
            name: "cbor-malformed",
            recognise: is_malformed,
            run: run_malformed,
        },
    ]
}

const LIMITS: Limits = Limits {
    max_bytes: 1 << 20,
    max_depth: 64,
};

fn decode(bytes: &[u8], mode: Mode) -> Result<Value, hcx_protocol::cbor::DecodeError> {
    Value::decode(bytes, mode, LIMITS)
}

fn entries(doc: &Json) -> Option<&Vec<Json>> {
    doc.as_array().filter(|a| !a.is_empty())
}

fn is_appendix_a(doc: &Json) -> bool {
    entries(doc).is_some_and(|a| {
        a.iter()
            .all(|e| e.get("hex").is_some() && e.get("roundtrip").is_some())
    })
}

fn run_appendix_a(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in entries(doc).into_iter().flatten().enumerate() {
        let name = format!("#{i} {}", str_field(e, "diagnostic").unwrap_or("?"));
        let Some(bytes) = hex_field(e, "hex") else {
            r.fail(&name, "hex field is not hex");
            continue;
        };
        let well_formed = e
            .get("well_formed_rfc8949")
            .and_then(Json::as_bool)
            .unwrap_or(true);
        let roundtrip = e.get("roundtrip").and_then(Json::as_bool).unwrap_or(false);
        let lenient = decode(&bytes, Mode::WellFormed);
        if !well_formed {
            r.check(
                &name,
                lenient.is_err(),
                "accepted an item RFC 8949 makes not well-formed",
            );
            continue;
        }
        let value = match lenient {
            Ok(v) => v,
            Err(err) => {
                r.fail(&name, format!("well-formed item refused: {err}"));
                continue;
            }
        };
        // The strict decoder accepts exactly the items already in canonical form, and
        // the encoder reproduces them byte for byte.
        let strict = decode(&bytes, Mode::Strict);
        let reencoded = value.to_canonical();
        let ok = strict.is_ok() == roundtrip && (reencoded == bytes) == roundtrip;
        r.check(
            &name,
            ok,
            format!(
                "strict={:?}, re-encoded {}",
                strict.err(),
                hex::encode(&reencoded)
            ),
        );
        if let Some(expected) = e.get("decoded") {
            r.check(
                &format!("{name} (value)"),
                json_matches(&value, expected),
                "decoded value differs",
            );
        }
    }
}

/// Whether a CBOR value equals the JSON rendering upstream gives.
fn json_matches(v: &Value, j: &Json) -> bool {
    match (v, j) {
        (Value::Unsigned(n), Json::Number(m)) => {
            m.as_u64() == Some(*n) || m.as_f64().is_some_and(|f| (f - *n as f64).abs() < 1.0)
        }
        (Value::Negative(n), Json::Number(m)) => {
            let want = -1 - i128::from(*n);
            m.as_i64().map(i128::from) == Some(want)
                || m.as_f64().is_some_and(|f| (f - want as f64).abs() < 1.0)
        }
        (Value::Float(f), Json::Number(m)) => m
            .as_f64()
            .is_some_and(|g| g == *f || (g - f).abs() <= f.abs() * 1e-15),
        (Value::Text(s), Json::String(t)) => s == t,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Null, Json::Null) => true,
        (Value::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_matches(x, y))
        }
        (Value::Map(m), Json::Object(o)) => {
            m.len() == o.len()
                && m.iter().all(|(k, v)| match k {
                    Value::Text(k) => o.get(k).is_some_and(|j| json_matches(v, j)),
                    _ => false,
                })
        }
        // Bignums and tags have no JSON form; upstream renders them as numbers.
        (Value::Tag(t @ (2 | 3), inner), Json::Number(m)) => match inner.as_ref() {
            Value::Bytes(b) => m.as_f64().is_some_and(|f| {
                let magnitude = b.iter().fold(0f64, |acc, x| acc * 256.0 + f64::from(*x));
                let big = if *t == 2 { magnitude } else { -1.0 - magnitude };
                (big - f).abs() / f.abs().max(1.0) < 1e-12
            }),
            _ => false,
        },
        _ => false,
    }
}

fn is_deterministic(doc: &Json) -> bool {
    doc.get("pairs").and_then(Json::as_array).is_some_and(|p| {
        p.iter()
            .all(|e| e.get("canonical_hex").is_some() && e.get("non_canonical_hex").is_some())
    })
}

fn run_deterministic(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in array_field(doc, "pairs").iter().enumerate() {
        let name = case_name(e, i);
        let (Some(canon), Some(non)) = (
            hex_field(e, "canonical_hex"),
            hex_field(e, "non_canonical_hex"),
        ) else {
            r.fail(&name, "pair without hex");
            continue;
        };
        let a = decode(&canon, Mode::Strict);
        let b = decode(&non, Mode::Strict);
        let lenient = decode(&non, Mode::WellFormed);
        let same_value = match (&a, &lenient) {
            (Ok(x), Ok(y)) => x.to_canonical() == y.to_canonical(),
            _ => false,
        };
        let encodes = a.as_ref().is_ok_and(|v| v.to_canonical() == canon);
        r.check(
            &name,
            a.is_ok() && b.is_err() && same_value && encodes,
            format!("canonical {:?}, non-canonical {:?}", a.err(), b.ok()),
        );
    }
    for (i, e) in array_field(doc, "invalid_no_canonical_form")
        .iter()
        .enumerate()
    {
        let name = case_name(e, i);
        let Some(bytes) = hex_field(e, "hex") else {
            r.fail(&name, "case without hex");
            continue;
        };
        r.check(
            &name,
            decode(&bytes, Mode::Strict).is_err(),
            "duplicate-key map accepted",
        );
    }
}

fn is_malformed(doc: &Json) -> bool {
    entries(doc).is_some_and(|a| {
        a.iter().all(|e| {
            e.get("hex").is_some() && e.get("kind").is_some() && e.get("roundtrip").is_none()
        })
    })
}

fn run_malformed(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in entries(doc).into_iter().flatten().enumerate() {
        let name = case_name(e, i);
        let Some(bytes) = hex_field(e, "hex") else {
            r.fail(&name, "case without hex");
            continue;
        };
        match str_field(e, "kind") {
            Some("not_well_formed") => r.check(
                &name,
                decode(&bytes, Mode::WellFormed).is_err() && decode(&bytes, Mode::Strict).is_err(),
                "not-well-formed input accepted",
            ),
            // hcx's strict decoder checks tag semantics; the lenient one need not.
            Some("tag_content") => {
                r.check(
                    &name,
                    decode(&bytes, Mode::Strict).is_err(),
                    "bad tag content accepted",
                );
            }
            other => r.fail(&name, format!("unknown kind {other:?}")),
        }
    }
}
