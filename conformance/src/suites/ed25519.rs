//! The RFC 8032 §7.1 Ed25519 suite: for each entry, the public key derived from the seed,
//! the signature reproduced byte for byte (Ed25519 is deterministic) and verification, all
//! through `hcx_protocol::sign`. Recognised as an array of objects with `secret_key`,
//! `public_key`, `message` and `signature`.

use hcx_protocol::sign::{Alg, Ed25519Signer, PublicKey, Signer};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{case_name, has_keys, hex_field};

/// The Ed25519 known-answer suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "ed25519-rfc8032",
        recognise,
        run,
    }]
}

const KEYS: &[&str] = &["secret_key", "public_key", "message", "signature"];

fn recognise(doc: &Json) -> bool {
    doc.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(|e| has_keys(e, KEYS)))
}

fn run(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in doc.as_array().into_iter().flatten().enumerate() {
        let name = case_name(e, i);
        let fields: Option<Vec<Vec<u8>>> = KEYS.iter().map(|k| hex_field(e, k)).collect();
        let Some([seed, public, msg, sig]) = fields.and_then(|f| <[Vec<u8>; 4]>::try_from(f).ok())
        else {
            r.fail(&name, "a field is missing or not hex");
            continue;
        };
        if let Some(len) = e.get("message_len").and_then(Json::as_u64) {
            r.check(
                &format!("{name} (message_len)"),
                len == msg.len() as u64,
                "length differs",
            );
        }
        let Ok(seed) = <[u8; 32]>::try_from(seed) else {
            r.fail(&name, "secret_key is not 32 bytes");
            continue;
        };
        let signer = match Ed25519Signer::from_seed(&seed) {
            Ok(s) => s,
            Err(err) => {
                r.fail(&name, err);
                continue;
            }
        };
        let derived = signer.public_bytes();
        r.check(
            &format!("{name} (public key)"),
            derived[..] == public[..],
            hex::encode(derived),
        );
        let resigned = signer.sign(&msg);
        r.check(
            &format!("{name} (sign)"),
            resigned.as_deref() == Ok(&sig[..]),
            format!("signature differs: {resigned:?}"),
        );
        let key = <[u8; 32]>::try_from(public).map(PublicKey::Ed25519);
        let verdict = key.as_ref().map(|k| k.verify(Alg::EdDsa, &msg, &sig));
        r.check(
            &format!("{name} (verify)"),
            matches!(verdict, Ok(Ok(()))),
            format!("{verdict:?}"),
        );
        // The same signature over a longer message must not verify.
        let mut other = msg.clone();
        other.push(0);
        let verdict = key.as_ref().map(|k| k.verify(Alg::EdDsa, &other, &sig));
        r.check(
            &format!("{name} (verify altered)"),
            matches!(verdict, Ok(Err(_))),
            "altered message verified",
        );
    }
}
