//! JSON views of protocol results for people and terminals: the verification verdict as
//! `POST /v1/verify` and `hcx verify` show it. A verdict never carries a reason: only the
//! result code, colour, risk level, issuer, expiry and holder binding.

use hcx_protocol::verify::Verification;
use hcx_protocol::wire::{CodeKind, RiskLevel};
use serde_json::{Value, json};

/// The stable text of a risk level.
pub fn risk(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    }
}

/// The stable text of a code kind.
pub fn kind(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Resident => "resident",
        CodeKind::International => "international",
        CodeKind::Paper => "paper",
    }
}

/// The verdict on a holder code: `{"valid", "result", ...}` with the code's content when
/// its signature verified.
pub fn verification(v: &Verification) -> Value {
    let mut out = json!({
        "valid": v.result == hcx_protocol::verify::ResultCode::Valid,
        "result": v.result.as_str(),
    });
    if let (Some(info), Some(obj)) = (&v.info, out.as_object_mut()) {
        obj.insert("colour".into(), json!(info.colour.0));
        obj.insert("risk_level".into(), json!(risk(info.risk)));
        obj.insert(
            "issuer_region".into(),
            json!(info.issuer.code().to_string()),
        );
        obj.insert("kind".into(), json!(kind(info.kind)));
        obj.insert("issued_at".into(), json!(info.issued_at));
        obj.insert("expires_at".into(), json!(info.expires_at));
        obj.insert(
            "holder".into(),
            json!({
                "document_type": info.holder.doc_type.code(),
                "name_mask": info.holder.name_mask,
                "number_mask": info.holder.number_mask,
                "country": info.holder.country,
                "binding_salt": hex::encode(info.holder.salt),
                "binding_hash": hex::encode(info.holder.hash),
            }),
        );
    }
    out
}
