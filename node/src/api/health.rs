//! `/healthz`: a liveness and readiness answer for load balancers and `hcx up` —
//! `{"status": "ok"|"degraded", "version", "store": "ok"|"error"}`, 200 when the store
//! answers a read and 503 otherwise. It reports no counts or identities; `/metrics` is the
//! place for numbers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::ApiServices;
use super::json::ApiJson;
use super::openapi::{ApiSchema, Schema};
use crate::store::Tree;

/// The `/healthz` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// The node's version.
    pub version: String,
    /// `ok` if the store answered a read, else `error`.
    pub store: String,
}

impl ApiSchema for Health {
    fn schema() -> Schema {
        Schema::object("Health")
            .with_field("status", Schema::Enum(vec!["ok", "degraded"]), true)
            .field::<String>("version")
            .with_field("store", Schema::Enum(vec!["ok", "error"]), true)
    }
}

/// Checks the store and answers.
pub(crate) async fn healthz(services: &ApiServices) -> Response {
    let store_ok = match services.store.get(Tree::Meta, b"healthz") {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, "health check: store read failed");
            false
        }
    };
    let (status, word) = if store_ok {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    let body = Health {
        status: word.to_owned(),
        version: crate::VERSION.to_owned(),
        store: if store_ok { "ok" } else { "error" }.to_owned(),
    };
    (status, ApiJson(body)).into_response()
}
