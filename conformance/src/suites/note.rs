//! Signed-note suite (c2sp.org/signed-note via `hcx_protocol::note`): key pairs, vkey
//! parsing, deterministic signing and note opening with the shared outcome vocabulary
//! (ok / malformed / invalid_signature / unverified / ambiguous).
//!
//! Recognition by content: an object with `vkey_parse`, `sign` or `open` arrays (and no
//! cosignature-only `signature_parse`).

use base64::Engine as _;
use hcx_protocol::note::{Note, NoteSigner, OpenError, OpenedNote, VerifierKey, open};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, case_name, str_field};

/// The signed-note suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "signed-note",
        recognise: is_note_doc,
        run: run_note_doc,
    }]
}

fn is_note_doc(doc: &Json) -> bool {
    ["vkey_parse", "sign", "open"]
        .iter()
        .any(|k| doc.get(*k).is_some_and(Json::is_array))
        && doc.get("signature_parse").is_none()
}

/// The outcome word for an open result.
pub(crate) fn outcome_word(r: &Result<OpenedNote, OpenError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(OpenError::Malformed(_)) => "malformed",
        Err(OpenError::InvalidSignature { .. }) => "invalid_signature",
        Err(OpenError::Unverified) => "unverified",
        Err(OpenError::Ambiguous { .. }) => "ambiguous",
        Err(_) => "other",
    }
}

/// The note bytes of an `open`/`notes` entry: `note` text or `note_base64`.
pub(crate) fn note_bytes(e: &Json) -> Option<Vec<u8>> {
    if let Some(s) = str_field(e, "note") {
        return Some(s.as_bytes().to_vec());
    }
    str_field(e, "note_base64")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
}

fn names(v: &Json) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Json::as_str).collect()
}

/// Opens one case and checks `expect`, `verified` and `unverified`.
pub(crate) fn run_open_case(e: &Json, name: &str, r: &mut Report) -> Option<OpenedNote> {
    let Some(bytes) = note_bytes(e) else {
        r.fail(name, "case without note");
        return None;
    };
    let verifiers: Result<Vec<VerifierKey>, _> = array_field(e, "verifiers")
        .iter()
        .map(|v| {
            v.as_str()
                .map_or(Err(None), |s| VerifierKey::parse(s).map_err(Some))
        })
        .collect();
    let Ok(verifiers) = verifiers else {
        r.fail(
            name,
            format!("a configured vkey does not parse: {verifiers:?}"),
        );
        return None;
    };
    let Some(expect) = str_field(e, "expect") else {
        r.fail(name, "case without expect");
        return None;
    };
    let result = open(&bytes, &verifiers);
    let got = outcome_word(&result);
    if got != expect {
        r.fail(
            name,
            format!("got {got} ({:?}), expected {expect}", result.err()),
        );
        return None;
    }
    let Ok(opened) = result else {
        r.pass();
        return None;
    };
    for (key, lines) in [
        ("verified", &opened.verified),
        ("unverified", &opened.unverified),
    ] {
        let got: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        if let Some(want) = e.get(key).and_then(names)
            && got != want
        {
            r.fail(name, format!("{key} {got:?}, expected {want:?}"));
            return None;
        }
    }
    r.pass();
    Some(opened)
}

fn run_note_doc(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in array_field(doc, "keys").iter().enumerate() {
        let name = format!("key #{i}");
        let Some(vkey) = str_field(e, "vkey") else {
            r.fail(&name, "key without vkey");
            continue;
        };
        let parsed = VerifierKey::parse(vkey);
        let round = parsed.as_ref().is_ok_and(|v| v.to_string() == vkey);
        r.check(&format!("{name} vkey"), round, format!("{parsed:?}"));
        if let Some(skey) = str_field(e, "skey") {
            let s = NoteSigner::parse_private_key(skey);
            let ok = s.as_ref().is_ok_and(|s| {
                s.verifier().to_string() == vkey && s.to_private_key_string() == skey
            });
            r.check(
                &format!("{name} skey"),
                ok,
                format!("{:?}", s.map(|s| s.verifier())),
            );
        }
    }
    for (i, e) in array_field(doc, "vkey_parse").iter().enumerate() {
        let name = format!("vkey #{i} {}", str_field(e, "reason").unwrap_or(""));
        let (Some(vkey), Some(expect)) = (str_field(e, "vkey"), str_field(e, "expect")) else {
            r.fail(&name, "case without vkey/expect");
            continue;
        };
        let parsed = VerifierKey::parse(vkey);
        let mut ok = parsed.is_ok() == (expect == "valid");
        if let (Ok(v), Some(d)) = (&parsed, e.get("decoded")) {
            ok &= str_field(d, "name") == Some(v.name())
                && str_field(d, "key_id") == Some(format!("{:08x}", v.key_id()).as_str())
                && d.get("type").and_then(Json::as_u64) == Some(u64::from(v.key_type().byte()))
                && str_field(d, "public_key") == Some(hex::encode(v.public_key()).as_str());
        }
        if let (Ok(v), Some(t)) = (&parsed, e.get("decoded_type").and_then(Json::as_u64)) {
            ok &= u64::from(v.key_type().byte()) == t;
        }
        r.check(&name, ok, format!("got {parsed:?}, expected {expect}"));
    }
    for (i, e) in array_field(doc, "sign").iter().enumerate() {
        let name = format!("sign #{i}");
        let (Some(skey), Some(text)) = (str_field(e, "skey"), str_field(e, "text")) else {
            r.fail(&name, "case without skey/text");
            continue;
        };
        let signer = match NoteSigner::parse_private_key(skey) {
            Ok(s) => s,
            Err(err) => {
                r.fail(&name, format!("skey does not parse: {err}"));
                continue;
            }
        };
        let note = match str_field(e, "existing_note") {
            Some(existing) => Note::parse(existing.as_bytes()).map(|n| (n.text() == text, n)),
            None => Note::new(text).map(|n| (true, n)),
        };
        let signed = note.and_then(|(same_text, mut n)| {
            n.sign(&signer)?;
            Ok((same_text, n.to_string()))
        });
        match (str_field(e, "expected_note"), signed) {
            (Some(want), Ok((same_text, got))) => {
                r.check(&name, same_text && got == want, format!("got {got:?}"));
            }
            (None, Err(_)) if e.get("expect_error").is_some() => r.pass(),
            (_, other) => r.fail(&name, format!("unexpected outcome {other:?}")),
        }
    }
    for (i, e) in array_field(doc, "open").iter().enumerate() {
        let name = case_name(e, i);
        run_open_case(e, &name, r);
    }
}
