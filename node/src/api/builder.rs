//! [`ApiBuilder`]: mounts routes from their [`RouteSpec`]s and wraps them in the API's
//! middleware, so a route is declared, secured, limited and documented in one call.
//!
//! Per route (a route layer, so 404/405 answers skip it): refuse a declared body over the
//! route's limit, authenticate the bearer token (before the body is read), run the spec's
//! principal check, take a rate-limit token
//! (per principal, or per client IP for anonymous calls and failed authentications), then
//! the idempotency lookup/replay for routes that need it. Around every route and the
//! fallbacks: the request timeout, tracing and metrics. `build()`
//! adds `/healthz`, `/metrics` and `/openapi.json` (documented like any other route) and
//! the JSON 404/405 fallbacks. Handlers live elsewhere; this file only wires.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};

use super::auth::bearer_token;
use super::error::ApiError;
use super::health::{Health, healthz};
use super::idempotency::{self, Begin};
use super::metrics::track;
use super::openapi::{self, Schema};
use super::ratelimit::{RateLimiter, monotonic_ms};
use super::route::{Access, IdempotencyMode, RouteSpec};
use super::{ApiServices, BodyLimit, metrics};
use crate::accounts::Principal;

/// The content type of `/metrics` (OpenMetrics text, which Prometheus scrapes).
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug)]
struct Limiters {
    per_token: RateLimiter,
    per_ip: RateLimiter,
}

/// What the route middleware knows about its route.
#[derive(Debug, Clone)]
struct RouteCtx {
    services: Arc<ApiServices>,
    limiters: Arc<Limiters>,
    spec: Arc<RouteSpec>,
}

/// Builds the node's `axum::Router`: every route goes through [`ApiBuilder::route`] with
/// its [`RouteSpec`], so nothing is mounted without its OpenAPI entry.
#[derive(Debug)]
pub struct ApiBuilder<S> {
    services: Arc<ApiServices>,
    limiters: Arc<Limiters>,
    state: S,
    router: Router<S>,
    specs: Vec<RouteSpec>,
    title: String,
}

impl<S: Clone + Send + Sync + 'static> ApiBuilder<S> {
    /// A builder whose handlers get `state` (`State<S>`) and whose middleware uses
    /// `services`.
    pub fn new(services: ApiServices, state: S) -> Self {
        let limiters = Arc::new(Limiters {
            per_token: RateLimiter::new(services.config.per_token),
            per_ip: RateLimiter::new(services.config.per_ip),
        });
        Self {
            services: Arc::new(services),
            limiters,
            state,
            router: Router::new(),
            specs: Vec::new(),
            title: "hcx region node".to_owned(),
        }
    }

    /// Sets the OpenAPI document's title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Mounts `handler` at `spec.method spec.path` with the spec's policies, and records
    /// the spec for `/openapi.json`.
    ///
    /// # Panics
    /// Like `axum::Router::route`, on a programming error in the route table: an invalid
    /// or duplicate method and path, or a method axum cannot route.
    #[track_caller]
    pub fn route<H, T>(mut self, spec: RouteSpec, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        let filter = match MethodFilter::try_from(spec.method.clone()) {
            Ok(f) => f,
            Err(e) => panic!("route {} {}: {e}", spec.method, spec.path),
        };
        let ctx = RouteCtx {
            services: self.services.clone(),
            limiters: self.limiters.clone(),
            spec: Arc::new(spec.clone()),
        };
        let limit = spec.body_limit.unwrap_or(self.services.config.body_limit);
        // Inner layer first: the route's body limit for the extractors, then the
        // route's policies around it.
        let method_router = on(filter, handler)
            .route_layer(DefaultBodyLimit::max(limit))
            .route_layer(from_fn_with_state(ctx, route_layer));
        self.router = self.router.route(spec.path, method_router);
        self.specs.push(spec);
        self
    }

    /// The specs mounted so far (in mounting order).
    pub fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    /// The finished router: the routes, `/healthz`, `/metrics`, `/openapi.json`, JSON
    /// fallbacks for 404 and 405, and the global layers.
    #[track_caller]
    pub fn build(self) -> Router {
        let services = self.services.clone();
        let health_services = services.clone();
        let metrics = services.metrics.clone();
        let this = self
            .route(
                RouteSpec::get("/healthz", "Liveness and store health")
                    .tag("operations")
                    .response::<Health>(StatusCode::OK),
                move || async move { healthz(&health_services).await },
            )
            .route(
                RouteSpec::get("/metrics", "Prometheus metrics (OpenMetrics text)")
                    .tag("operations")
                    .raw_response(METRICS_CONTENT_TYPE, Schema::string()),
                move || async move { metrics_text(&metrics) },
            );
        // The document is rendered last, from every spec including its own.
        let openapi_spec = RouteSpec::get("/openapi.json", "This OpenAPI document")
            .tag("operations")
            .response::<serde_json::Value>(StatusCode::OK);
        let mut all = this.specs.clone();
        all.push(openapi_spec.clone());
        let doc = openapi::document(&this.title, crate::VERSION, &all);
        let doc = axum::body::Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
        let this = this.route(openapi_spec, move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                doc,
            )
        });

        let timeout = Duration::from_millis(services.config.timeout_ms);
        this.router
            .fallback(|| async { ApiError::not_found("no such route") })
            .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
            .layer(from_fn_with_state(timeout, timeout_layer))
            .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
            .layer(from_fn_with_state(services.metrics.clone(), track))
            .with_state(this.state)
    }
}

/// The tracing span of a request: method and route template only — never the concrete
/// path or query, which may carry ids, so logs hold no request data.
fn request_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |m| m.as_str());
    tracing::info_span!("http", method = metrics::method_label(req.method()), route)
}

/// Serves `router` on `listener` until `shutdown` resolves, with client addresses
/// available to the per-IP rate limit (`ConnectInfo`). Use this rather than a bare
/// `axum::serve`.
///
/// # Errors
/// I/O errors of the listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

fn metrics_text(metrics: &metrics::Metrics) -> Response {
    match metrics.encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(METRICS_CONTENT_TYPE),
            )],
            text,
        )
            .into_response(),
        Err(e) => ApiError::internal(format!("encoding metrics: {e}")).into_response(),
    }
}

async fn route_layer(State(ctx): State<RouteCtx>, req: Request, next: Next) -> Response {
    match route_policies(ctx, req, next).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn route_policies(ctx: RouteCtx, mut req: Request, next: Next) -> Result<Response, ApiError> {
    let services = &ctx.services;
    let limit = ctx.spec.body_limit.unwrap_or(services.config.body_limit);
    check_declared_length(&req, limit)?;
    req.extensions_mut().insert(services.clone());
    req.extensions_mut().insert(BodyLimit(limit));
    let principal = match authenticate(&ctx, &req) {
        Ok(p) => p,
        Err(e) => {
            // Failed authentications spend the client IP's budget, so token guessing
            // is rate-limited too.
            ctx.limiters
                .per_ip
                .check(&client_ip(&req), monotonic_ms())
                .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
            return Err(e);
        }
    };
    let limited = match &principal {
        Some(p) => ctx.limiters.per_token.check(&p.account.0, monotonic_ms()),
        None => ctx.limiters.per_ip.check(&client_ip(&req), monotonic_ms()),
    };
    limited.map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    if let Some(p) = &principal {
        req.extensions_mut().insert(p.clone());
    }
    if ctx.spec.idempotency == IdempotencyMode::Required {
        return match idempotency::begin(services, principal.as_ref(), req).await? {
            Begin::Replay(response) => Ok(response),
            Begin::Proceed(req, pending) => {
                let response = next.run(req).await;
                Ok(idempotency::finish(services, &pending, response).await)
            }
        };
    }
    Ok(next.run(req).await)
}

/// The route's caller: `None` for anonymous calls the route allows.
fn authenticate(ctx: &RouteCtx, req: &Request) -> Result<Option<Principal>, ApiError> {
    if ctx.spec.access == Access::Public {
        return Ok(None);
    }
    let principal = match bearer_token(req.headers())? {
        Some(token) => Some(
            ctx.services
                .authenticator
                .authenticate(token, ctx.services.clock.now())?,
        ),
        None if ctx.spec.access == Access::Bearer => {
            return Err(ApiError::Unauthenticated {
                reason: "this operation needs a bearer token".to_owned(),
            });
        }
        None => None,
    };
    if let (Some((allow, who)), Some(p)) = (ctx.spec.allow, &principal)
        && !allow(p)
    {
        return Err(ApiError::forbidden(format!("only {who} may do this")));
    }
    Ok(principal)
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ci| ci.0.ip().to_string())
}

/// 413 before reading anything when `Content-Length` already exceeds the route's limit
/// (bodies without a length are cut off at the limit when read).
fn check_declared_length(req: &Request, limit: usize) -> Result<(), ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::BodyTooLarge { limit });
    }
    Ok(())
}

async fn timeout_layer(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "request timed out");
            ApiError::Timeout.into_response()
        }
    }
}
