//! The manual clock route: a node configured with `clock = "manual"` (loopback only)
//! takes its time from here, so tests and demos can move time. Refused on a system clock.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{NodeState, is_admin};
use crate::api::{ApiBuilder, ApiError, ApiJson, ApiSchema, Auth, RouteSpec, Schema};
use crate::node::Node;

/// `POST /v1/admin/clock` body: exactly one of `set` (Unix seconds) or `advance`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockBody {
    set: Option<u64>,
    advance: Option<u64>,
}

impl ApiSchema for ClockBody {
    fn schema() -> Schema {
        Schema::object("SetClock")
            .optional::<u64>("set")
            .optional::<u64>("advance")
    }
}

/// The clock after the change.
#[derive(Debug, Serialize)]
pub struct ClockNow {
    now: u64,
}

impl ApiSchema for ClockNow {
    fn schema() -> Schema {
        Schema::object("ClockNow").field::<u64>("now")
    }
}

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post(
            "/v1/admin/clock",
            "Set or advance a manual clock (tests and demos; loopback only)",
        )
        .bearer()
        .allow(is_admin, "admins")
        .no_idempotency()
        .request::<ClockBody>()
        .response::<ClockNow>(StatusCode::OK)
        .tag("admin"),
        set_clock,
    )
}

async fn set_clock(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<ClockBody>,
) -> Result<Response, ApiError> {
    let result = match (body.set, body.advance) {
        (Some(t), None) => node.clock.set(t),
        (None, Some(d)) => node.clock.advance(d),
        _ => {
            return Err(ApiError::invalid_field(
                "body",
                "exactly one of set or advance",
            ));
        }
    };
    let now = result.map_err(|e| ApiError::Conflict {
        reason: e.to_string(),
    })?;
    tracing::warn!(now, account = %principal.account.0, "manual clock moved");
    if let Err(e) = tokio::task::spawn_blocking(move || node.rebuild_status_index()).await {
        return Err(ApiError::internal(e.to_string()));
    }
    Ok(axum::Json(ClockNow { now }).into_response())
}
