//! Evidence route: an evidence-source account submits signed evidence about a code.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{NodeState, blocking, is_evidence_source};
use crate::api::{ApiBuilder, ApiError, ApiJson, ApiSchema, Auth, RouteSpec, Schema};
use crate::node::Node;

/// `POST /v1/evidence` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBodyJson {
    /// `Signed<EvidenceBody>` canonical bytes, hex.
    signed: String,
    /// `medium` or `high`, for `risk_area_stay`.
    level: Option<String>,
}

impl ApiSchema for EvidenceBodyJson {
    fn schema() -> Schema {
        Schema::object("SubmitEvidence")
            .field::<String>("signed")
            .optional::<String>("level")
    }
}

/// `POST /v1/evidence` response.
#[derive(Debug, Serialize)]
pub struct EvidenceReceipt {
    evidence_id: String,
    category: String,
    at: u64,
}

impl ApiSchema for EvidenceReceipt {
    fn schema() -> Schema {
        Schema::object("EvidenceReceipt")
            .field::<String>("evidence_id")
            .field::<String>("category")
            .field::<u64>("at")
    }
}

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post(
            "/v1/evidence",
            "Submit evidence signed with the evidence source's own key",
        )
        .bearer()
        .allow(is_evidence_source, "evidence-source accounts")
        .request::<EvidenceBodyJson>()
        .response::<EvidenceReceipt>(StatusCode::CREATED)
        .tag("evidence"),
        submit,
    )
}

async fn submit(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<EvidenceBodyJson>,
) -> Result<Response, ApiError> {
    let bytes =
        hex::decode(body.signed.trim()).map_err(|_| ApiError::invalid_field("signed", "hex"))?;
    let level = body.level;
    let e = blocking(move || node.submit_evidence(&principal, &bytes, level.as_deref())).await?;
    let out = EvidenceReceipt {
        evidence_id: e.id,
        category: e.category,
        at: e.at,
    };
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}
