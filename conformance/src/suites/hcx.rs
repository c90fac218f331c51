//! hcx's own vectors (`conformance/vectors/hcx/*.json`, made by
//! `hcx-conformance generate-hcx-vectors`): recognised by the top-level format marker
//! `"hcx_vectors": 1`, and every case run through `hcx-protocol`: strict decode and
//! re-encode (`cbor`), COSE open (`cose`), detached signatures (`signed`), dynamic venue
//! codes (`venue_hmac`) and offline code verification (`qr`).

use hcx_protocol::identity::Region;
use hcx_protocol::sign::PublicKey;
use hcx_protocol::verify::{ResultCode, TrustStore, TrustedKey, verify_qr_text};
use hcx_protocol::wire::registry::{
    decode_reencode, error_code, open_error_code, open_reencode, verify_signed,
};
use hcx_protocol::wire::{KeyId, StatusSnapshot, VenueDynamic, VenueError, WireMessage};
use serde_json::Value;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, case_name, hex_field, str_field};

/// The suites of this format.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "hcx",
        recognise: is_hcx,
        run: run_hcx,
    }]
}

fn is_hcx(doc: &Value) -> bool {
    doc.get("hcx_vectors").and_then(Value::as_u64) == Some(1)
        && doc.get("type").and_then(Value::as_str).is_some()
        && doc.get("cases").and_then(Value::as_array).is_some()
}

fn run_hcx(doc: &Value, ctx: &FileCtx, r: &mut Report) {
    let ty = str_field(doc, "type").unwrap_or_default();
    for (i, case) in array_field(doc, "cases").iter().enumerate() {
        let name = format!("{ty} {}", case_name(case, i));
        if let Some(reason) = ctx.skip_reason(&name) {
            r.skip(&name, reason);
            continue;
        }
        let Some(expect) = str_field(case, "expect") else {
            r.fail(&name, "no expect field");
            continue;
        };
        let got = match str_field(case, "form") {
            Some("cbor") => run_cbor(ty, case),
            Some("cose") => run_cose(ty, case),
            Some("signed") => run_signed(ty, case),
            Some("venue_hmac") => run_venue(case),
            Some("qr") => run_qr(case),
            other => Err(format!("unknown form {other:?}")),
        };
        match got {
            Ok(got) => r.check(
                &name,
                got == expect,
                format!("expected {expect}, got {got}"),
            ),
            Err(why) => r.fail(&name, why),
        }
    }
}

fn input(case: &Value) -> Result<Vec<u8>, String> {
    let mut bytes = hex_field(case, "hex").ok_or("hex field missing or not hex")?;
    let zeros = case
        .get("append_zeros")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let zeros = usize::try_from(zeros).map_err(|_| "append_zeros too large")?;
    bytes.resize(bytes.len() + zeros, 0);
    Ok(bytes)
}

fn run_cbor(ty: &str, case: &Value) -> Result<String, String> {
    let bytes = input(case)?;
    match decode_reencode(ty, &bytes).ok_or_else(|| format!("unknown type {ty}"))? {
        Ok(re) if re == bytes => Ok("accept".into()),
        Ok(_) => Ok("reencode_differs".into()),
        Err(e) => Ok(error_code(&e).into()),
    }
}

fn public_key(alg: i64, bytes: Vec<u8>) -> Result<PublicKey, String> {
    match alg {
        -8 => Ok(PublicKey::Ed25519(
            bytes.try_into().map_err(|_| "Ed25519 key not 32 bytes")?,
        )),
        -7 => Ok(PublicKey::P256(bytes)),
        _ => Err(format!("unsupported alg {alg}")),
    }
}

fn key_of(k: &Value) -> Result<PublicKey, String> {
    let alg = k
        .get("alg")
        .and_then(Value::as_i64)
        .ok_or("key without alg")?;
    public_key(
        alg,
        hex_field(k, "public_key_hex").ok_or("key without public_key_hex")?,
    )
}

fn run_cose(ty: &str, case: &Value) -> Result<String, String> {
    let bytes = input(case)?;
    let mut keys = Vec::new();
    for k in array_field(case, "keys") {
        let kid = hex_field(k, "kid_hex")
            .and_then(|b| KeyId::new(&b))
            .ok_or("bad kid_hex")?;
        keys.push((kid, key_of(k)?));
    }
    let lookup = |kid: &KeyId| {
        keys.iter()
            .find(|(k, _)| k == kid)
            .map(|(_, pk)| pk.clone())
    };
    let opened = open_reencode(ty, &bytes, &lookup).ok_or_else(|| format!("unknown type {ty}"))?;
    Ok(match opened {
        Ok(payload) => {
            // The payload must be exactly what was signed.
            match hex_field(case, "payload_hex") {
                Some(p) if p != payload => "payload_differs".into(),
                _ => "accept".into(),
            }
        }
        Err(e) => open_error_code(&e).into(),
    })
}

fn run_signed(ty: &str, case: &Value) -> Result<String, String> {
    let bytes = input(case)?;
    let alg = case.get("alg").and_then(Value::as_i64).ok_or("no alg")?;
    let key = public_key(
        alg,
        hex_field(case, "public_key_hex").ok_or("no public_key_hex")?,
    )?;
    Ok(
        match verify_signed(ty, &bytes, &key).ok_or_else(|| format!("not a signed type: {ty}"))? {
            Ok(_) => "accept".into(),
            Err(code) => code.into(),
        },
    )
}

fn run_venue(case: &Value) -> Result<String, String> {
    let code = VenueDynamic::from_bytes(&input(case)?).map_err(|e| e.to_string())?;
    let secret = hex_field(case, "secret_hex").ok_or("no secret_hex")?;
    let now = case.get("now").and_then(Value::as_u64).ok_or("no now")?;
    Ok(match code.check(&secret, now) {
        Ok(()) => "accept",
        Err(VenueError::StepOutOfWindow { .. }) => "step_out_of_window",
        Err(_) => "bad_tag",
    }
    .into())
}

fn run_qr(case: &Value) -> Result<String, String> {
    let text = str_field(case, "text").ok_or("no text")?;
    let now = case.get("now").and_then(Value::as_u64).ok_or("no now")?;
    let trust = case.get("trust").ok_or("no trust")?;
    let mut store = TrustStore::new();
    for k in array_field(trust, "keys") {
        let kid = hex_field(k, "kid_hex")
            .and_then(|b| KeyId::new(&b))
            .ok_or("bad kid_hex")?;
        let region = k
            .get("region")
            .and_then(Value::as_u64)
            .and_then(|c| u32::try_from(c).ok())
            .and_then(Region::from_code)
            .ok_or("bad region")?;
        let field = |f: &str| k.get(f).and_then(Value::as_u64).ok_or(format!("no {f}"));
        store.add_key(
            kid,
            TrustedKey {
                region,
                key: key_of(k)?,
                not_before: field("not_before")?,
                not_after: field("not_after")?,
            },
        );
    }
    for s in array_field(trust, "snapshots_hex") {
        let bytes = s
            .as_str()
            .and_then(|h| hex::decode(h).ok())
            .ok_or("bad snapshot hex")?;
        store.add_snapshot(StatusSnapshot::from_bytes(&bytes).map_err(|e| e.to_string())?);
    }
    let v = verify_qr_text(text, &store, now);
    if v.result != ResultCode::Valid {
        return Ok(v.result.as_str().into());
    }
    // An accepted code must also show what the vector says it shows.
    let info = v.info.ok_or("valid without info")?;
    let want = |f: &str| case.get(f).and_then(Value::as_u64);
    let shown = [
        ("colour", u64::from(info.colour.0)),
        ("risk", info.risk.code()),
        ("issuer", u64::from(info.issuer.code())),
        ("expires_at", info.expires_at),
    ];
    for (f, got) in shown {
        if want(f).is_some_and(|w| w != got) {
            return Ok(format!("accept with {f} {got}"));
        }
    }
    Ok("accept".into())
}
