//! Wycheproof signature-verification files (C2SP/wycheproof `testvectors_v1`), recognised
//! by their `algorithm`, `schema` and `testGroups` members and dispatched by schema:
//!
//! - `eddsa_verify_schema_v1.json`, curve edwards25519 → `PublicKey::verify(EdDsa)`;
//! - `ecdsa_p1363_verify_schema_v1.json`, secp256r1 + SHA-256 → `PublicKey::verify(Es256)`
//!   (the COSE ES256 `r‖s` form);
//! - `ecdsa_verify_schema_v1.json`, secp256r1 + SHA-256 → `PublicKey::verify_es256_der`.
//!
//! Any other schema, curve or hash is a primitive hcx does not use and `ring` (hcx's only
//! crypto) does not all offer: such a group is skipped as unsupported **by rule**, one skip
//! per group, never by file name. `acceptable` results pass either way (Wycheproof's
//! meaning); `valid`/`invalid` must match.

use hcx_protocol::sign::{Alg, PublicKey, SignatureError};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, hex_field, str_field};

/// The Wycheproof suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "wycheproof",
        recognise,
        run,
    }]
}

fn recognise(doc: &Json) -> bool {
    str_field(doc, "algorithm").is_some()
        && str_field(doc, "schema").is_some()
        && doc.get("testGroups").is_some_and(Json::is_array)
}

/// How a group's signatures are checked.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Ed25519,
    P256Fixed,
    P256Der,
}

/// The verification kind for a group, or why it is not supported.
fn kind(schema: &str, group: &Json) -> Result<Kind, String> {
    let key = group.get("publicKey");
    let curve = key.and_then(|k| str_field(k, "curve")).unwrap_or("?");
    let sha = str_field(group, "sha").unwrap_or("SHA-256");
    match schema {
        "eddsa_verify_schema_v1.json" if curve == "edwards25519" => Ok(Kind::Ed25519),
        "ecdsa_p1363_verify_schema_v1.json" if curve == "secp256r1" && sha == "SHA-256" => {
            Ok(Kind::P256Fixed)
        }
        "ecdsa_verify_schema_v1.json" if curve == "secp256r1" && sha == "SHA-256" => {
            Ok(Kind::P256Der)
        }
        _ => Err(format!(
            "unsupported by rule: {schema} with curve {curve} and {sha} is not an hcx \
             algorithm (hcx verifies Ed25519 and ECDSA P-256/SHA-256 only)"
        )),
    }
}

fn public_key(kind: Kind, group: &Json) -> Option<PublicKey> {
    let key = group.get("publicKey")?;
    match kind {
        Kind::Ed25519 => hex_field(key, "pk")?
            .try_into()
            .ok()
            .map(PublicKey::Ed25519),
        Kind::P256Fixed | Kind::P256Der => hex_field(key, "uncompressed").map(PublicKey::P256),
    }
}

fn verify(kind: Kind, key: &PublicKey, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
    match kind {
        Kind::Ed25519 => key.verify(Alg::EdDsa, msg, sig),
        Kind::P256Fixed => key.verify(Alg::Es256, msg, sig),
        Kind::P256Der => key.verify_es256_der(msg, sig),
    }
}

fn run(doc: &Json, _: &FileCtx, r: &mut Report) {
    let schema = str_field(doc, "schema").unwrap_or_default();
    for (g, group) in array_field(doc, "testGroups").iter().enumerate() {
        let tests = array_field(group, "tests");
        let kind = match kind(schema, group) {
            Ok(k) => k,
            Err(why) => {
                r.skip(&format!("group {g} ({} tests)", tests.len()), why);
                continue;
            }
        };
        let Some(key) = public_key(kind, group) else {
            r.fail(&format!("group {g}"), "public key missing or malformed");
            continue;
        };
        for t in tests {
            let id = t.get("tcId").and_then(Json::as_u64).unwrap_or_default();
            let name = format!("tcId {id} {}", str_field(t, "comment").unwrap_or_default());
            let (Some(msg), Some(sig)) = (hex_field(t, "msg"), hex_field(t, "sig")) else {
                r.fail(&name, "msg or sig missing or not hex");
                continue;
            };
            let got = verify(kind, &key, &msg, &sig);
            match str_field(t, "result") {
                Some("valid") => r.check(&name, got.is_ok(), format!("rejected: {got:?}")),
                Some("invalid") => r.check(&name, got.is_err(), "accepted an invalid signature"),
                Some("acceptable") => r.pass(),
                other => r.fail(&name, format!("unknown result {other:?}")),
            }
        }
    }
}
