//! EU DCC test files (eu-digital-green-certificates/dgc-testdata), recognised by content:
//! a JSON object with a `TESTCTX` object and an `EXPECTEDRESULTS` object. Every check of
//! FORMAT.md §4.3 that hcx can run goes through `hcx_protocol` (`qr::dcc`, `base45`,
//! `cose::Sign1` under `Profile::Dcc`, `cbor::Value`); `x509-parser` reads the signer
//! certificate (conformance crate only).
//!
//! A check runs only if its flag is present (as a boolean) and its inputs are present;
//! `true` means the step must succeed, `false` that it must fail. Flags hcx does not
//! check are reported as skips with the reason: `SCHEMAVALIDATION` (needs the DCC JSON
//! schemas, not vendored), `PICTUREDECODE` (needs a QR image decoder), `VALIDOBJECT` and
//! `ENCODE` (issuer-side). Upstream expectations known to be wrong are skipped through
//! `crate::skiplist`, keyed by file SHA-256 and flag.
//!
//! Besides the flags, an end-to-end check (`CHAIN`, FORMAT.md §4.6) derives everything
//! from `PREFIX` as a scanner would and compares each intermediate with the field the file
//! carries; it runs when no decoding-stage flag is `false`.

mod cert;
mod payload;
mod time;

use base64::Engine as _;
use hcx_protocol::cose::{Profile, Sign1};
use hcx_protocol::{base45, qr};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{hex_field, str_field};

/// The EU DCC suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "eu-dcc",
        recognise,
        run,
    }]
}

fn recognise(doc: &Json) -> bool {
    doc.get("TESTCTX").is_some_and(Json::is_object)
        && doc.get("EXPECTEDRESULTS").is_some_and(Json::is_object)
}

/// The outcome of one step: `Ok` if it succeeded with the expected result, `Err(why)` if
/// it failed; `None` if its inputs are missing.
type Step = Option<Result<(), String>>;

/// One flag this suite checks.
struct Check {
    /// The `EXPECTED…` flag.
    flag: &'static str,
    /// The fields the check needs, for the skip reason when they are missing.
    inputs: &'static str,
    run: fn(&Json) -> Step,
}

/// The flags this suite checks, in report order.
const CHECKS: &[Check] = &[
    Check {
        flag: "EXPECTEDUNPREFIX",
        inputs: "PREFIX and BASE45",
        run: unprefix,
    },
    Check {
        flag: "EXPECTEDB45DECODE",
        inputs: "BASE45 and COMPRESSED",
        run: b45decode,
    },
    Check {
        flag: "EXPECTEDCOMPRESSION",
        inputs: "COMPRESSED and COSE",
        run: compression,
    },
    Check {
        flag: "EXPECTEDDECODE",
        inputs: "CBOR",
        run: decode,
    },
    Check {
        flag: "EXPECTEDVERIFY",
        inputs: "COSE or PREFIX, and CERTIFICATE",
        run: verify,
    },
    Check {
        flag: "EXPECTEDEXPIRATIONCHECK",
        inputs: "COSE or PREFIX, CERTIFICATE and VALIDATIONCLOCK",
        run: expiration,
    },
    Check {
        flag: "EXPECTEDKEYUSAGE",
        inputs: "COSE or PREFIX, and CERTIFICATE",
        run: key_usage,
    },
    Check {
        flag: "EXPECTEDVALIDJSON",
        inputs: "PREFIX, COSE or CBOR, and JSON",
        run: valid_json,
    },
];

/// Flags reported as skips, with the reason.
const NOT_CHECKED: &[(&str, &str)] = &[
    (
        "EXPECTEDSCHEMAVALIDATION",
        "not checked: needs the eu-dcc-schema JSON schemas, which are not vendored",
    ),
    (
        "EXPECTEDPICTUREDECODE",
        "not checked: needs a QR image decoder",
    ),
    ("EXPECTEDVALIDOBJECT", "not checked: issuer-side check"),
    ("EXPECTEDENCODE", "not checked: issuer-side check"),
];

/// The decoding stages whose `false` means the PREFIX chain is meant to break.
const CHAIN_FLAGS: &[&str] = &[
    "EXPECTEDUNPREFIX",
    "EXPECTEDB45DECODE",
    "EXPECTEDCOMPRESSION",
    "EXPECTEDDECODE",
];

fn run(doc: &Json, ctx: &FileCtx, r: &mut Report) {
    let expected = |flag: &str| {
        doc.get("EXPECTEDRESULTS")
            .and_then(|e| e.get(flag))
            .and_then(Json::as_bool)
    };
    for Check {
        flag,
        inputs,
        run: check,
    } in CHECKS
    {
        let Some(want) = expected(flag) else { continue };
        if let Some(reason) = ctx.skip_reason(flag) {
            r.skip(flag, format!("known upstream disagreement: {reason}"));
            continue;
        }
        match check(doc) {
            None => r.skip(flag, format!("inputs missing: the check needs {inputs}")),
            Some(got) => r.check(
                flag,
                got.is_ok() == want,
                format!(
                    "expected {want}, step {}",
                    got.err().unwrap_or_else(|| "succeeded".into())
                ),
            ),
        }
    }
    for (flag, reason) in NOT_CHECKED {
        if expected(flag).is_some() {
            r.skip(flag, reason);
        }
    }
    if !CHAIN_FLAGS.iter().any(|f| expected(f) == Some(false)) {
        // `EXPECTEDVERIFY: false` may mean the COSE structure itself is broken (FORMAT.md
        // §4.3, CBO2), so then the chain stops at the COSE bytes.
        let parse_cose = expected("EXPECTEDVERIFY") != Some(false);
        if let Some(got) = chain(doc, parse_cose) {
            r.check("CHAIN", got.is_ok(), got.err().unwrap_or_default());
        }
    }
}

// ---- inputs ----------------------------------------------------------------------------

fn hex_of(doc: &Json, key: &str) -> Option<Result<Vec<u8>, String>> {
    str_field(doc, key).map(|_| hex_field(doc, key).ok_or_else(|| format!("{key} is not hex")))
}

fn ctx_field<'a>(doc: &'a Json, key: &str) -> Option<&'a str> {
    doc.get("TESTCTX").and_then(|c| str_field(c, key))
}

/// The COSE bytes: the `COSE` field, else derived from `PREFIX` (FORMAT.md §4.6).
fn cose_input(doc: &Json) -> Option<Result<Vec<u8>, String>> {
    hex_of(doc, "COSE").or_else(|| {
        str_field(doc, "PREFIX").map(|p| qr::dcc::decode(p).map_err(|e| format!("PREFIX: {e}")))
    })
}

fn certificate(doc: &Json) -> Option<Result<cert::Dsc, String>> {
    let b64 = ctx_field(doc, "CERTIFICATE")?;
    let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(clean)
            .map_err(|e| format!("CERTIFICATE base64: {e}"))
            .and_then(|der| cert::parse(&der)),
    )
}

/// The claims map of a COSE message's payload.
fn claims(cose: &[u8]) -> Result<hcx_protocol::cbor::Value, String> {
    let m = Sign1::parse(cose, Profile::Dcc).map_err(|e| format!("COSE: {e}"))?;
    payload::decode(m.payload())
}

fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}

// ---- the checks ------------------------------------------------------------------------

fn unprefix(doc: &Json) -> Step {
    let (prefix, b45) = (str_field(doc, "PREFIX")?, str_field(doc, "BASE45")?);
    Some(match qr::dcc::strip_prefix(prefix) {
        Ok(rest) => ensure(rest == b45, || {
            "PREFIX minus HC1: differs from BASE45".into()
        }),
        Err(e) => Err(e.to_string()),
    })
}

fn b45decode(doc: &Json) -> Step {
    let b45 = str_field(doc, "BASE45")?;
    let compressed = hex_of(doc, "COMPRESSED")?;
    Some((|| {
        let got = base45::decode(b45).map_err(|e| e.to_string())?;
        ensure(got == compressed?, || {
            "decoded bytes differ from COMPRESSED".into()
        })
    })())
}

fn compression(doc: &Json) -> Step {
    let compressed = hex_of(doc, "COMPRESSED")?;
    let cose = hex_of(doc, "COSE")?;
    Some((|| {
        let got = qr::dcc::inflate(&compressed?).map_err(|e| e.to_string())?;
        ensure(got == cose?, || "inflated bytes differ from COSE".into())
    })())
}

fn decode(doc: &Json) -> Step {
    let cbor = hex_of(doc, "CBOR")?;
    let cose = cose_input(doc);
    Some((|| {
        let expected = payload::decode(&cbor?)?;
        let Some(cose) = cose else { return Ok(()) };
        compare_payload(&claims(&cose?)?, &expected)
    })())
}

/// Compares the COSE payload with the `CBOR` field at the level the field is at (whole
/// claims map, or hcert only).
fn compare_payload(
    claims: &hcx_protocol::cbor::Value,
    cbor: &hcx_protocol::cbor::Value,
) -> Result<(), String> {
    let ours = if payload::is_claims(cbor) {
        claims
    } else {
        payload::hcert(claims)?
    };
    ensure(payload::same_value(ours, cbor), || {
        "COSE payload differs from CBOR".into()
    })
}

fn verify(doc: &Json) -> Step {
    let cose = cose_input(doc)?;
    let dsc = certificate(doc)?;
    Some((|| {
        let (cose, dsc) = (cose?, dsc?);
        let m = Sign1::parse(&cose, Profile::Dcc).map_err(|e| format!("COSE: {e}"))?;
        m.check_kid(&dsc.kid).map_err(|e| e.to_string())?;
        m.verify(&dsc.key?, &[]).map_err(|e| e.to_string())
    })())
}

fn expiration(doc: &Json) -> Step {
    let cose = cose_input(doc)?;
    let dsc = certificate(doc)?;
    let clock = ctx_field(doc, "VALIDATIONCLOCK")?;
    Some((|| {
        let (iat, exp) = payload::iat_exp(&claims(&cose?)?)?;
        let dsc = dsc?;
        let now = time::parse(clock)
            .ok_or_else(|| format!("VALIDATIONCLOCK {clock:?}"))?
            .secs;
        let chain = [dsc.not_before, iat, now, exp, dsc.not_after];
        ensure(chain.windows(2).all(|w| w.first() <= w.last()), || {
            format!("notBefore ≤ iat ≤ clock ≤ exp ≤ notAfter fails: {chain:?}")
        })
    })())
}

fn key_usage(doc: &Json) -> Step {
    let cose = cose_input(doc)?;
    let dsc = certificate(doc)?;
    Some((|| {
        let claims = claims(&cose?)?;
        let kind = payload::cert_type(payload::hcert(&claims)?)?;
        match dsc?.dcc_types {
            None => Ok(()),
            Some(types) => ensure(types.contains(&kind), || {
                format!("certificate type {kind} not among the DCC EKUs {types:?}")
            }),
        }
    })())
}

fn valid_json(doc: &Json) -> Step {
    let json = doc.get("JSON")?;
    let source = match (str_field(doc, "PREFIX"), hex_of(doc, "CBOR")) {
        (Some(_), _) | (None, None) => cose_input(doc)?.and_then(|c| claims(&c)),
        (None, Some(cbor)) => cbor.and_then(|c| payload::decode(&c)),
    };
    Some((|| {
        let value = source?;
        let hcert = if payload::is_claims(&value) {
            payload::hcert(&value)?
        } else {
            &value
        };
        ensure(payload::json_eq(hcert, json), || {
            "decoded hcert differs from JSON".into()
        })
    })())
}

/// FORMAT.md §4.6: derive everything from `PREFIX` and compare with each field present.
fn chain(doc: &Json, parse_cose: bool) -> Step {
    let prefix = str_field(doc, "PREFIX")?;
    Some((|| {
        let b45 = qr::dcc::strip_prefix(prefix).map_err(|e| e.to_string())?;
        if let Some(want) = str_field(doc, "BASE45") {
            ensure(b45 == want, || "BASE45 differs".into())?;
        }
        let raw = base45::decode(b45).map_err(|e| e.to_string())?;
        if let Some(want) = hex_of(doc, "COMPRESSED") {
            ensure(raw == want?, || "COMPRESSED differs".into())?;
        }
        let cose = qr::dcc::decode(prefix).map_err(|e| e.to_string())?;
        if let Some(want) = hex_of(doc, "COSE") {
            ensure(cose == want?, || "COSE differs".into())?;
        }
        if !parse_cose {
            return Ok(());
        }
        let claims = claims(&cose)?;
        payload::hcert(&claims)?;
        if let Some(cbor) = hex_of(doc, "CBOR") {
            compare_payload(&claims, &payload::decode(&cbor?)?)?;
        }
        Ok(())
    })())
}
