//! Transcode and approval routes: an admin of levels 1–4 transcodes holders on evidence
//! from an evidence source (two-party rule); past the rolling-window thresholds, or for
//! an uploaded list, the node answers 409 `quorum_required` with the action hash, admins
//! sign approvals of it on their own devices (`POST /v1/approvals`), and the requester
//! repeats the transcode naming the action.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hcx_protocol::wire::{ApprovalBody, Digest, Signed, WireMessage};
use serde::{Deserialize, Serialize};

use super::{NodeState, blocking, is_admin, is_transcoder};
use crate::api::{ApiBuilder, ApiError, ApiJson, ApiSchema, Auth, RouteSpec, Schema};
use crate::issuance::{IssuanceError, TranscodeRequest, TranscodeTarget};
use crate::node::Node;

/// One target in `POST /v1/transcode`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetJson {
    holder: String,
    evidence: Vec<String>,
}

/// `POST /v1/transcode` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscodeBody {
    targets: Vec<TargetJson>,
    #[serde(default)]
    uploaded_list: bool,
    /// The action hash (hex) this request completes after a `quorum_required` answer.
    action: Option<String>,
    /// Signed approvals (hex); when absent with `action`, the approvals already
    /// submitted through `POST /v1/approvals` are used.
    #[serde(default)]
    approvals: Vec<String>,
}

impl ApiSchema for TranscodeBody {
    fn schema() -> Schema {
        Schema::object("Transcode")
            .with_field(
                "targets",
                Schema::Array(Box::new(
                    Schema::object("Target")
                        .field::<String>("holder")
                        .field::<Vec<String>>("evidence"),
                )),
                true,
            )
            .optional::<bool>("uploaded_list")
            .optional::<String>("action")
            .optional::<Vec<String>>("approvals")
    }
}

/// `POST /v1/transcode` response.
#[derive(Debug, Serialize)]
pub struct TranscodeResult {
    statuses: Vec<serde_json::Value>,
    quorum: bool,
}

impl ApiSchema for TranscodeResult {
    fn schema() -> Schema {
        Schema::object("TranscodeResult")
            .field::<Vec<serde_json::Value>>("statuses")
            .field::<bool>("quorum")
    }
}

/// `POST /v1/approvals` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalJson {
    /// `Signed<ApprovalBody>` canonical bytes, hex.
    approval: String,
}

impl ApiSchema for ApprovalJson {
    fn schema() -> Schema {
        Schema::object("Approval").field::<String>("approval")
    }
}

/// `POST /v1/approvals` response.
#[derive(Debug, Serialize)]
pub struct ApprovalReceipt {
    action: String,
    approvals: usize,
}

impl ApiSchema for ApprovalReceipt {
    fn schema() -> Schema {
        Schema::object("ApprovalReceipt")
            .field::<String>("action")
            .field::<usize>("approvals")
    }
}

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post(
            "/v1/transcode",
            "Change holders' status on evidence (two-party rule, counters, quorum)",
        )
        .bearer()
        .allow(is_transcoder, "admins of levels 1-4")
        .request::<TranscodeBody>()
        .response::<TranscodeResult>(StatusCode::OK)
        .tag("status"),
        transcode,
    )
    .route(
        RouteSpec::post(
            "/v1/approvals",
            "Submit an admin's signed approval of a proposed action",
        )
        .bearer()
        .allow(is_admin, "admins")
        .request::<ApprovalJson>()
        .response::<ApprovalReceipt>(StatusCode::CREATED)
        .tag("status"),
        approve,
    )
}

fn digest(hex_text: &str) -> Result<Digest, ApiError> {
    hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .map(Digest)
        .ok_or_else(|| ApiError::invalid_field("action", "32-byte hex"))
}

async fn transcode(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<TranscodeBody>,
) -> Result<Response, ApiError> {
    let action = body.action.as_deref().map(digest).transpose()?;
    let approvals = body
        .approvals
        .iter()
        .map(|a| hex::decode(a.trim()).map_err(|_| ApiError::invalid_field("approvals", "hex")))
        .collect::<Result<Vec<_>, _>>()?;
    let req = TranscodeRequest {
        targets: body
            .targets
            .into_iter()
            .map(|t| TranscodeTarget {
                holder: t.holder,
                evidence: t.evidence,
            })
            .collect(),
        uploaded_list: body.uploaded_list,
        action,
        approvals,
    };
    let out = blocking(move || node.transcode(&principal, req)).await?;
    let statuses = out
        .statuses
        .into_iter()
        .map(|(holder, s)| {
            serde_json::json!({
                "holder": holder, "colour": s.colour, "colour_name": s.colour_name,
                "risk_level": s.risk, "reason": s.reason, "rule_set": s.rule_set,
                "rule_id": s.rule_id, "evidence": s.evidence,
            })
        })
        .collect();
    Ok(axum::Json(TranscodeResult {
        statuses,
        quorum: out.quorum,
    })
    .into_response())
}

async fn approve(
    axum::extract::State(node): NodeState,
    Auth(_): Auth,
    ApiJson(body): ApiJson<ApprovalJson>,
) -> Result<Response, ApiError> {
    let bytes = hex::decode(body.approval.trim())
        .map_err(|_| ApiError::invalid_field("approval", "hex"))?;
    let approval = Signed::<ApprovalBody>::from_bytes(&bytes)
        .map_err(|e| ApiError::invalid_field("approval", e.to_string()))?;
    let out = blocking(move || {
        let cfg = node.authz_config();
        let now = node.clock.now();
        let (batch, log) =
            crate::authz::submit_approval(node.store.as_ref(), &approval, &cfg, now)?;
        node.audit.commit(node.store.as_ref(), batch, &log)?;
        let count = crate::authz::stored_approvals(node.store.as_ref(), &approval.body.action)
            .map_err(IssuanceError::Authz)?
            .len();
        Ok(ApprovalReceipt {
            action: hex::encode(approval.body.action.0),
            approvals: count,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}
