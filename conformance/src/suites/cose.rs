//! COSE_Sign1 examples (cose-wg/Examples plus derived and generated cases), run through
//! `hcx_protocol::cose`. Recognised as an array of objects with `cose_hex`, `expect` and
//! `key`.
//!
//! The upstream examples put `kid` (and sometimes `alg`) in the unprotected header, carry
//! short kids and untagged messages, which the hcx profile refuses by design. So each
//! entry's expected verdict is checked with the lenient reading (`Profile::Dcc`), and the
//! strict profile is held to a weaker but still useful rule: it must refuse every message
//! expected to be invalid. For valid entries the rebuilt `Sig_structure` must equal
//! `to_be_signed_hex`, and deterministic (EdDSA) signatures must be reproduced byte for
//! byte from `d`.
//!
//! **The empty protected bucket (cose-wg `sign-pass-01`).** The message carries the
//! protected bstr `h'a0'` but was signed over a zero-length protected bstr. hcx verifies
//! over the protected bytes as received and never substitutes one encoding of an empty
//! bucket for another (RFC 9052 §3 asks recipients to accept both encodings, which the
//! parser does; it does not say the signature may cover a different one). So by rule, an
//! entry expected valid whose received protected bucket is `h'a0'` while the bucket in its
//! `to_be_signed_hex` is empty is reported as a skip with that reason, and the signature is
//! still checked over the upstream `to_be_signed_hex`, so a broken vector would show.

use base64::Engine as _;
use hcx_protocol::cbor::{Limits, Mode, Value};
use hcx_protocol::cose::{CoseError, Profile, Sign1};
use hcx_protocol::sign::{Alg, Ed25519Signer, PublicKey, Signer};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{case_name, has_keys, hex_field, str_field};

/// The COSE_Sign1 suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "cose-sign1",
        recognise,
        run,
    }]
}

fn recognise(doc: &Json) -> bool {
    doc.as_array().is_some_and(|a| {
        !a.is_empty()
            && a.iter()
                .all(|e| has_keys(e, &["cose_hex", "expect", "key"]))
    })
}

const EMPTY_BUCKET_REASON: &str = "received protected bucket h'a0' but signed over h'' \
    (empty-bucket substitution): hcx verifies over the protected bytes as received, by \
    policy; the signature was checked over the upstream to_be_signed instead";

/// A key coordinate in the entry's encoding (`<name>_hex`, or base64url `<name>`).
fn coord(key: &Json, name: &str) -> Option<Vec<u8>> {
    if let Some(h) = hex_field(key, &format!("{name}_hex")) {
        return Some(h);
    }
    let b = str_field(key, name)?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b)
        .ok()
}

fn public_key(key: &Json) -> Option<PublicKey> {
    match (str_field(key, "kty")?, str_field(key, "crv")?) {
        ("OKP", "Ed25519") => coord(key, "x")?.try_into().ok().map(PublicKey::Ed25519),
        ("EC", "P-256") => {
            let mut point = vec![0x04];
            point.extend(coord(key, "x")?);
            point.extend(coord(key, "y")?);
            Some(PublicKey::P256(point))
        }
        _ => None,
    }
}

/// The protected bucket inside an upstream `Sig_structure`.
fn signed_protected(tbs: &[u8]) -> Option<Vec<u8>> {
    let limits = Limits {
        max_bytes: tbs.len(),
        max_depth: 4,
    };
    match Value::decode(tbs, Mode::WellFormed, limits).ok()? {
        Value::Array(items) => match items.into_iter().nth(1)? {
            Value::Bytes(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

fn verdict(bytes: &[u8], profile: Profile, key: &PublicKey, aad: &[u8]) -> Result<(), CoseError> {
    Sign1::parse(bytes, profile)?.verify(key, aad)
}

fn run(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in doc.as_array().into_iter().flatten().enumerate() {
        let name = case_name(e, i);
        let Some(bytes) = hex_field(e, "cose_hex") else {
            r.fail(&name, "cose_hex missing or not hex");
            continue;
        };
        let Some(key) = e.get("key").and_then(public_key) else {
            r.fail(&name, "key missing or of an unsupported type");
            continue;
        };
        let aad = hex_field(e, "external_aad").unwrap_or_default();
        let tbs = hex_field(e, "to_be_signed_hex");
        let valid = match str_field(e, "expect") {
            Some("valid") => true,
            Some("invalid") => false,
            other => {
                r.fail(&name, format!("unknown expect {other:?}"));
                continue;
            }
        };
        let parsed = Sign1::parse(&bytes, Profile::Dcc);

        // The empty-bucket rule (module doc).
        let received_a0 = parsed.as_ref().is_ok_and(|m| m.protected_bytes() == [0xa0]);
        let signed_empty = tbs
            .as_deref()
            .and_then(signed_protected)
            .is_some_and(|p| p.is_empty());
        if valid && received_a0 && signed_empty {
            r.skip(&name, EMPTY_BUCKET_REASON);
            if let (Ok(m), Some(tbs)) = (&parsed, &tbs) {
                let ok = key.verify(m.alg(), tbs, m.signature());
                r.check(
                    &format!("{name} (signature over upstream to_be_signed)"),
                    ok.is_ok(),
                    format!("{ok:?}"),
                );
            }
            continue;
        }

        let got = verdict(&bytes, Profile::Dcc, &key, &aad);
        r.check(
            &name,
            got.is_ok() == valid,
            format!("expected {valid}, got {got:?}"),
        );
        if !valid {
            let strict = verdict(&bytes, Profile::Hcx, &key, &aad);
            r.check(
                &format!("{name} (hcx profile refuses)"),
                strict.is_err(),
                "hcx profile accepted",
            );
            continue;
        }
        let Ok(m) = parsed else { continue };
        if let Some(tbs) = &tbs {
            let rebuilt = m.to_be_signed(&aad);
            r.check(
                &format!("{name} (Sig_structure)"),
                &rebuilt == tbs,
                hex::encode(&rebuilt),
            );
        }
        let deterministic = e.get("deterministic_signature").and_then(Json::as_bool) == Some(true);
        if deterministic && m.alg() == Alg::EdDsa {
            let seed = e
                .get("key")
                .and_then(|k| coord(k, "d"))
                .and_then(|d| <[u8; 32]>::try_from(d).ok());
            let resigned = seed
                .and_then(|s| Ed25519Signer::from_seed(&s).ok())
                .and_then(|s| s.sign(&m.to_be_signed(&aad)).ok());
            r.check(
                &format!("{name} (re-sign)"),
                resigned.as_deref() == Some(m.signature()),
                "EdDSA signature not reproduced from d",
            );
        }
    }
}
