//! The active rule set, readable by anyone: the colour rules are public data.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::NodeState;
use crate::api::{ApiBuilder, ApiError, RouteSpec};
use crate::node::Node;
use crate::rules::Format;

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::get(
            "/v1/rules",
            "The active colour rule set (JSON) with its id@version",
        )
        .response::<serde_json::Value>(StatusCode::OK)
        .tag("rules"),
        active,
    )
}

async fn active(axum::extract::State(node): NodeState) -> Result<Response, ApiError> {
    let rules = node.rules();
    let doc: serde_json::Value = serde_json::from_str(&rules.to_document(Format::Json))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(axum::Json(serde_json::json!({
        "id": hex::encode(rules.id().hash),
        "version": rules.id().version,
        "document": doc,
    }))
    .into_response())
}
