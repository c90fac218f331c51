//! The DCC payload: the CWT claims map inside the COSE payload, its `iat`/`exp` (integers
//! or, in some national issuers' output, floats: truncated to whole seconds), the hcert
//! (`-260 → 1`) and its certificate type, plus the comparisons the checks make: decoded
//! CBOR against CBOR (order-free) and against the `JSON` field (FORMAT.md §4.2–4.3).

use hcx_protocol::cbor::{Limits, MAX_DEPTH, Mode, Value};
use serde_json::Value as Json;

use super::time;

/// Limits for foreign payload CBOR (the largest DCC COSE message is under 1 KiB).
const LIMITS: Limits = Limits {
    max_bytes: 64 * 1024,
    max_depth: MAX_DEPTH,
};

/// CWT claim keys (RFC 8392) and the hcert claim (hcert spec §3.3.1).
const CLAIM_EXP: i64 = 4;
const CLAIM_IAT: i64 = 6;
const CLAIM_HCERT: i64 = -260;

/// Decodes well-formed CBOR (any order, indefinite lengths) with no trailing bytes.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, String> {
    Value::decode(bytes, Mode::WellFormed, LIMITS).map_err(|e| format!("CBOR: {e}"))
}

/// The hcert (`claims[-260][1]`), which must be a map.
pub(crate) fn hcert(claims: &Value) -> Result<&Value, String> {
    match claims
        .map_get_int(CLAIM_HCERT)
        .and_then(|h| h.map_get_int(1))
    {
        Some(v @ Value::Map(_)) => Ok(v),
        Some(_) => Err("hcert claim -260/1 is not a map".into()),
        None => Err("no hcert claim -260/1".into()),
    }
}

/// Whether a CBOR value is a whole claims map (has the hcert claim) rather than an hcert.
pub(crate) fn is_claims(v: &Value) -> bool {
    v.map_get_int(CLAIM_HCERT).is_some()
}

/// A time claim in whole seconds: an integer, or a float truncated (FORMAT.md §4.2).
fn seconds(claims: &Value, key: i64) -> Result<i64, String> {
    match claims.map_get_int(key) {
        Some(Value::Float(f)) if f.is_finite() => Ok(f.trunc() as i64),
        Some(v) => v
            .as_i128()
            .and_then(|i| i64::try_from(i).ok())
            .ok_or_else(|| format!("claim {key} is not a number")),
        None => Err(format!("no claim {key}")),
    }
}

/// `(iat, exp)` in seconds.
pub(crate) fn iat_exp(claims: &Value) -> Result<(i64, i64), String> {
    Ok((seconds(claims, CLAIM_IAT)?, seconds(claims, CLAIM_EXP)?))
}

/// The certificate type: the single key among `v`, `t`, `r` with a non-null value.
pub(crate) fn cert_type(hcert: &Value) -> Result<char, String> {
    let present: Vec<char> = ['v', 't', 'r']
        .into_iter()
        .filter(|k| {
            hcert
                .map_get_text(&k.to_string())
                .is_some_and(|v| *v != Value::Null)
        })
        .collect();
    match present.as_slice() {
        [t] => Ok(*t),
        other => Err(format!("expected exactly one of v/t/r, found {other:?}")),
    }
}

/// Equality of decoded values regardless of map order and encoding width: the canonical
/// encodings (which sort map keys and use shortest forms) are compared.
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    a.to_canonical() == b.to_canonical()
}

/// Whether a decoded hcert equals the `JSON` field: date-times compared as instants
/// (RFC 3339 strings with any offset, or CBOR tags 0/1), integers equal to integer-valued
/// floats.
pub(crate) fn json_eq(v: &Value, j: &Json) -> bool {
    match (v, j) {
        (Value::Map(entries), Json::Object(o)) => {
            entries.len() == o.len()
                && entries.iter().all(|(k, v)| match k {
                    Value::Text(k) => o.get(k).is_some_and(|j| json_eq(v, j)),
                    _ => false,
                })
        }
        (Value::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_eq(x, y))
        }
        (Value::Text(s), Json::String(t)) => s == t || same_instant(s, t),
        (Value::Tag(0, inner), Json::String(t)) => {
            matches!(inner.as_ref(), Value::Text(s) if same_instant(s, t))
        }
        (Value::Tag(1, inner), Json::String(t)) => {
            let secs = match inner.as_ref() {
                Value::Float(f) => Some(*f),
                other => other.as_i128().map(|i| i as f64),
            };
            match (secs, time::parse(t)) {
                (Some(s), Some(i)) => (s - (i.secs as f64 + f64::from(i.nanos) / 1e9)).abs() < 1e-6,
                _ => false,
            }
        }
        (Value::Unsigned(_) | Value::Negative(_), Json::Number(n)) => {
            let want = v.as_i128();
            n.as_i64().map(i128::from) == want
                || n.as_u64().map(i128::from) == want
                || n.as_f64()
                    .is_some_and(|f| want.is_some_and(|w| f == w as f64))
        }
        (Value::Float(f), Json::Number(n)) => n.as_f64() == Some(*f),
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Null, Json::Null) => true,
        _ => false,
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    matches!((time::parse(a), time::parse(b)), (Some(x), Some(y)) if x == y)
}
