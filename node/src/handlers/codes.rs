//! Code routes: issue a code (self, dependant, or staff for a holder), verify a QR text
//! online (the same `verify_qr_text` gates run offline), and export the trust bundle an
//! offline gate verifies from.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hcx_protocol::verify::verify_qr_text;
use hcx_protocol::wire::{BundleKey, BundleRegion, Digest, KeyRecord, TrustBundle, sign_cose};
use serde::{Deserialize, Serialize};

use super::{NodeState, blocking};
use crate::api::{ApiBuilder, ApiError, ApiJson, ApiSchema, Auth, Page, Paging, RouteSpec, Schema};
use crate::issuance::IssueRequest;
use crate::node::{CODE_KEY_VALIDITY_SECS, Node};

/// `POST /v1/codes` body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    holder: Option<String>,
    #[serde(default)]
    paper: bool,
}

impl ApiSchema for IssueBody {
    fn schema() -> Schema {
        Schema::object("IssueCode")
            .optional::<String>("holder")
            .optional::<bool>("paper")
    }
}

/// An issued code.
#[derive(Debug, Serialize)]
pub struct IssuedCode {
    code_id: String,
    text: String,
    colour: u8,
    colour_name: String,
    risk_level: String,
    kind: String,
    issued_at: u64,
    expires_at: u64,
}

impl From<crate::issuance::records::CodeRecord> for IssuedCode {
    fn from(c: crate::issuance::records::CodeRecord) -> Self {
        Self {
            code_id: c.code_id,
            text: c.text,
            colour: c.colour,
            colour_name: c.colour_name,
            risk_level: c.risk,
            kind: c.kind,
            issued_at: c.issued_at,
            expires_at: c.expires_at,
        }
    }
}

impl ApiSchema for IssuedCode {
    fn schema() -> Schema {
        Schema::object("IssuedCode")
            .field::<String>("code_id")
            .field::<String>("text")
            .field::<u8>("colour")
            .field::<String>("colour_name")
            .field::<String>("risk_level")
            .field::<String>("kind")
            .field::<u64>("issued_at")
            .field::<u64>("expires_at")
    }
}

/// `POST /v1/verify` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    text: String,
}

impl ApiSchema for VerifyBody {
    fn schema() -> Schema {
        Schema::object("Verify").field::<String>("text")
    }
}

/// The verdict (see `present::verification`).
#[derive(Debug)]
pub struct Verdict;

impl ApiSchema for Verdict {
    fn schema() -> Schema {
        Schema::object("Verdict")
            .field::<bool>("valid")
            .field::<String>("result")
            .optional::<u8>("colour")
            .optional::<String>("risk_level")
            .optional::<String>("issuer_region")
            .optional::<String>("kind")
            .optional::<u64>("issued_at")
            .optional::<u64>("expires_at")
            .optional::<serde_json::Value>("holder")
    }
}

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post("/v1/codes", "Issue a code (self, a dependant under delegation, or by staff)")
            .bearer()
            .request::<IssueBody>()
            .response::<IssuedCode>(StatusCode::CREATED)
            .tag("codes"),
        issue,
    )
    .route(
        RouteSpec::post("/v1/verify", "Verify a holder QR text: result code, colour, risk, issuer, expiry, binding; never a reason")
            .bearer()
            .no_idempotency()
            .request::<VerifyBody>()
            .response::<Verdict>(StatusCode::OK)
            .tag("codes"),
        verify,
    )
    .route(
        RouteSpec::get("/v1/holders/me/codes", "The calling holder's codes, oldest first (cursor paging)")
            .bearer()
            .allow(super::is_holder, "holders")
            .paged::<IssuedCode>()
            .tag("codes"),
        my_codes,
    )
    .route(
        RouteSpec::get("/v1/trust-bundle", "This region's code-signing keys and a signed status snapshot (COSE_Sign1 by the operational key)")
            .raw_response("application/cose", Schema::string_format("binary"))
            .tag("codes"),
        trust_bundle,
    )
}

async fn issue(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<IssueBody>,
) -> Result<Response, ApiError> {
    let req = IssueRequest {
        holder: body.holder,
        paper: body.paper,
    };
    let c = blocking(move || node.issue_code(&principal, &req)).await?;
    Ok((StatusCode::CREATED, axum::Json(IssuedCode::from(c))).into_response())
}

async fn my_codes(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    paging: Paging,
) -> Result<Page<IssuedCode>, ApiError> {
    tokio::task::spawn_blocking(move || {
        let holder = node.holder_for_account(&principal.account.0)?;
        let prefix = format!("h:{}:", holder.id).into_bytes();
        paging.scan(
            node.store.as_ref(),
            crate::store::Tree::Codes,
            &prefix,
            |key, _| {
                let key = String::from_utf8_lossy(key);
                let Some(code_id) = key.rsplit(':').next() else {
                    return Ok(None);
                };
                let c = node.code(code_id)?;
                Ok(Some(IssuedCode {
                    code_id: c.code_id,
                    text: c.text,
                    colour: c.colour,
                    colour_name: c.colour_name,
                    risk_level: c.risk,
                    kind: c.kind,
                    issued_at: c.issued_at,
                    expires_at: c.expires_at,
                }))
            },
        )
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

async fn verify(
    axum::extract::State(node): NodeState,
    Auth(_): Auth,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Response, ApiError> {
    let trust = node.trust_store();
    let v = verify_qr_text(&body.text, &trust, node.clock.now());
    Ok(axum::Json(crate::present::verification(&v)).into_response())
}

/// The trust bundle: this region's code-signing key and a fresh snapshot, signed by the
/// operational key. The `charter` field is all zeros until the region joins a
/// federation (the federation issue sets it to the genesis charter's hash).
pub fn trust_bundle_bytes(node: &Node) -> Result<Vec<u8>, ApiError> {
    use hcx_protocol::sign::Signer as _;
    let now = node.clock.now();
    let bundle = TrustBundle {
        issuer: node.config.region,
        charter: Digest([0; 32]),
        created_at: now,
        fresh_until: now + node.config.snapshot_fresh_secs,
        regions: vec![BundleRegion {
            region: node.config.region,
            keys: vec![BundleKey {
                kid: node.code_kid().clone(),
                key: KeyRecord::of(&node.keys.code_signing.signer.public_key()),
                not_before: node.created_at,
                not_after: node.created_at + CODE_KEY_VALIDITY_SECS,
            }],
        }],
        snapshots: vec![node.snapshot(now)],
    };
    sign_cose(
        &bundle,
        &node.keys.operational.signer,
        &node.keys.operational.kid,
    )
    .map_err(|e| ApiError::internal(format!("signing the trust bundle: {e}")))
}

async fn trust_bundle(axum::extract::State(node): NodeState) -> Result<Response, ApiError> {
    let bytes = tokio::task::spawn_blocking(move || trust_bundle_bytes(&node))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))??;
    Ok(([(header::CONTENT_TYPE, "application/cose")], bytes).into_response())
}
