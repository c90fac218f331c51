//! Cosignature suite (c2sp.org/tlog-cosignature/v1 via `hcx_protocol::note`): cosigner
//! keys, cosigned notes opened with the shared outcome vocabulary (plus timestamps and
//! signed messages, and re-signing with published test keys must reproduce the line),
//! payload parsing, and the signed-message construction.
//!
//! Recognition by content: an object with `signature_parse` or `signed_message` arrays.

use std::collections::BTreeMap;

use hcx_protocol::note::{
    Cosignature, Cosigner, KeyType, NoteSigner, SignatureLine, VerifierKey, signed_message,
};
use serde_json::Value as Json;

use super::note::run_open_case;
use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, case_name, hex_field, str_field};

/// The cosignature suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "cosignature",
        recognise: is_cosig_doc,
        run: run_cosig_doc,
    }]
}

fn is_cosig_doc(doc: &Json) -> bool {
    ["signature_parse", "signed_message"]
        .iter()
        .any(|k| doc.get(*k).is_some_and(Json::is_array))
}

fn run_cosig_doc(doc: &Json, _: &FileCtx, r: &mut Report) {
    // Cosigners whose secret is published, by name.
    let mut cosigners: BTreeMap<String, Cosigner> = BTreeMap::new();
    for (i, e) in array_field(doc, "keys").iter().enumerate() {
        let name = format!("key #{i}");
        let Some(vkey) = str_field(e, "vkey") else {
            r.fail(&name, "key without vkey");
            continue;
        };
        let parsed = match VerifierKey::parse(vkey) {
            Ok(v) if v.to_string() == vkey => v,
            other => {
                r.fail(&name, format!("vkey does not parse/round-trip: {other:?}"));
                continue;
            }
        };
        let seed: Option<[u8; 32]> = hex_field(e, "ed25519_seed_hex")
            .and_then(|s| s.try_into().ok())
            .or_else(|| {
                str_field(e, "skey_type1")
                    .and_then(|s| NoteSigner::parse_private_key(s).ok())
                    .map(|s| *s.seed())
            });
        match seed {
            Some(seed) if parsed.key_type() == KeyType::CosignatureV1 => {
                match Cosigner::from_seed(parsed.name(), &seed) {
                    Ok(c) if c.verifier() == parsed => {
                        r.pass();
                        cosigners.insert(parsed.name().to_owned(), c);
                    }
                    other => r.fail(&name, format!("cosigner from the seed differs: {other:?}")),
                }
            }
            _ => r.pass(),
        }
    }
    for (i, e) in array_field(doc, "notes").iter().enumerate() {
        let name = case_name(e, i);
        let Some(opened) = run_open_case(e, &name, r) else {
            continue;
        };
        for (who, ts) in e
            .get("cosignature_timestamps")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            let line = opened.verified.iter().find(|l| &l.name == who);
            let got = line
                .and_then(|l| Cosignature::from_line(l).ok())
                .map(|c| c.timestamp);
            r.check(
                &format!("{name} timestamp {who}"),
                got == ts.as_u64(),
                format!("got {got:?}"),
            );
            // A deterministic re-signature with a published key reproduces the line.
            if let (Some(c), Some(line), Some(ts)) = (cosigners.get(who), line, ts.as_u64()) {
                let again = c.cosign(opened.text(), ts);
                r.check(
                    &format!("{name} re-sign {who}"),
                    again.as_ref() == Ok(line),
                    format!("got {again:?}"),
                );
            }
            if let (Some(want), Some(ts)) = (str_field(e, "signed_message"), ts.as_u64()) {
                let got = signed_message(opened.text(), ts);
                r.check(
                    &format!("{name} signed message"),
                    got == want,
                    format!("got {got:?}"),
                );
            }
        }
    }
    for (i, e) in array_field(doc, "signature_parse").iter().enumerate() {
        let name = format!("signature_parse #{i} {}", str_field(e, "why").unwrap_or(""));
        let line_text = match (str_field(e, "line"), str_field(e, "signature_base64")) {
            (Some(l), _) => l.to_owned(),
            (None, Some(b)) => format!("\u{2014} cosigner {b}"),
            (None, None) => {
                r.fail(&name, "case without line or signature_base64");
                continue;
            }
        };
        let line = SignatureLine::parse(&line_text);
        let cosig = line.as_ref().ok().map(Cosignature::from_line);
        let accepted = matches!(cosig, Some(Ok(_)));
        let mut ok = accepted == (str_field(e, "expect") == Some("ok"));
        if let Some(want) = str_field(e, "key_id") {
            ok &= line
                .as_ref()
                .is_ok_and(|l| format!("{:08x}", l.key_id) == want);
        }
        if let Some(want) = str_field(e, "key_name") {
            ok &= line.as_ref().is_ok_and(|l| l.name == want);
        }
        if let (Some(want), Some(Ok(c))) = (e.get("timestamp").and_then(Json::as_u64), &cosig) {
            ok &= c.timestamp == want;
        }
        r.check(&name, ok, format!("line {line:?}, cosignature {cosig:?}"));
    }
    for (i, e) in array_field(doc, "signed_message").iter().enumerate() {
        let name = format!("signed_message #{i}");
        let (Some(body), Some(ts), Some(want)) = (
            str_field(e, "checkpoint_body"),
            e.get("timestamp").and_then(Json::as_u64),
            str_field(e, "signed_message"),
        ) else {
            r.fail(
                &name,
                "case without checkpoint_body/timestamp/signed_message",
            );
            continue;
        };
        let got = signed_message(body, ts);
        r.check(&name, got == want, format!("got {got:?}"));
    }
}
