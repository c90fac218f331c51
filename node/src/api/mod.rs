//! The node's HTTP API infrastructure (axum 0.8): how routes are declared, mounted,
//! authenticated, rate-limited, made idempotent, paged, measured and documented. The
//! domain handlers (holders, codes, evidence, transcode, verify, accounts, admin clock)
//! live with their modules and are mounted through [`ApiBuilder`]; this module owns none
//! of them.
//!
//! Adding a route is one [`RouteSpec`] and one handler:
//!
//! ```ignore
//! let router = ApiBuilder::new(services, node_state)
//!     .route(
//!         RouteSpec::post("/v1/holders/{id}/codes", "Issue a code")
//!             .bearer()
//!             .request::<IssueRequest>()
//!             .response::<IssuedCode>(StatusCode::CREATED),
//!         issue_code,
//!     )
//!     .build();
//!
//! async fn issue_code(
//!     State(node): State<Node>,
//!     Auth(principal): Auth,
//!     idem: Idempotent,
//!     ApiPath(id): ApiPath<String>,
//!     ApiJson(req): ApiJson<IssueRequest>,
//! ) -> Result<Response, ApiError> {
//!     let (batch, issued) = node.prepare_issue(&principal, &id, req)?;
//!     idem.commit(batch, StatusCode::CREATED, &issued).await
//! }
//! ```
//!
//! Per request, in order: metrics → tracing → timeout → the route middleware
//! (declared body size → authenticate → principal check → rate limit → idempotency
//! lookup/replay) → handler.
//! Every error is an [`ApiError`] rendered as `{"code", "message"}`.
//!
//! Serve the router with [`serve`] (or `into_make_service_with_connect_info::<SocketAddr>()`)
//! so the per-IP limit of public routes sees client addresses (without it, all anonymous
//! clients share one bucket).

pub mod auth;
pub mod builder;
pub mod error;
pub mod health;
pub mod idempotency;
pub mod json;
pub mod metrics;
pub mod openapi;
pub mod paging;
pub mod ratelimit;
pub mod route;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use auth::{Auth, AuthFailure, Authenticator, MaybeAuth};
pub use builder::{ApiBuilder, serve};
pub use error::{ApiError, ErrorBody};
pub use idempotency::Idempotent;
pub use json::{ApiJson, ApiPath, ApiQuery};
pub use metrics::Metrics;
pub use openapi::{ApiSchema, Schema};
pub use paging::{Page, Paging};
pub use ratelimit::RateSpec;
pub use route::{Access, IdempotencyMode, RouteSpec};

use crate::clock::Clock;
use crate::store::Store;

/// HTTP limits and policies (the `[http]` part of the node config; every field has a
/// default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Largest request body accepted, in bytes (413 beyond).
    pub body_limit: usize,
    /// Time limit for one request, in milliseconds (503 `timeout` beyond).
    pub timeout_ms: u64,
    /// Rate limit per authenticated principal (`burst = 0` disables).
    pub per_token: RateSpec,
    /// Rate limit per client IP for anonymous requests (`burst = 0` disables).
    pub per_ip: RateSpec,
    /// How long an idempotency record is kept, in seconds.
    pub idempotency_ttl_secs: u64,
    /// Page size when `?limit` is absent.
    pub page_default: usize,
    /// Largest `?limit` accepted.
    pub page_max: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            body_limit: 64 * 1024,
            timeout_ms: 10_000,
            per_token: RateSpec {
                per_sec: 200.0,
                burst: 400,
            },
            per_ip: RateSpec {
                per_sec: 20.0,
                burst: 40,
            },
            idempotency_ttl_secs: 24 * 3600,
            page_default: 50,
            page_max: 500,
        }
    }
}

/// The request body limit in force for the current route (a request extension set by
/// the route middleware: the route's override or `ApiConfig::body_limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

/// What the API infrastructure needs from the node. Cloned cheaply (everything shared
/// is behind an `Arc`); also available to extractors through the request extensions.
#[derive(Debug, Clone)]
pub struct ApiServices {
    /// The node's store (idempotency records, paging, health).
    pub store: Arc<dyn Store>,
    /// Resolves bearer tokens (the accounts module).
    pub authenticator: Arc<dyn Authenticator>,
    /// The node's clock (token validity, idempotency record age).
    pub clock: Clock,
    /// The node's metric registry.
    pub metrics: Arc<Metrics>,
    /// Limits and policies.
    pub config: Arc<ApiConfig>,
}
