//! The node's Prometheus metrics: one [`Metrics`] registry shared by the whole node,
//! exposed as OpenMetrics text at `/metrics` (crate `prometheus-client`).
//!
//! The API records requests by route *template* (`/v1/holders/{id}`, never the concrete
//! path, so no id ends up in a label), method and status, and a latency histogram. The
//! rest of the node increments the ready-made node counters ([`Metrics::codes_issued`],
//! [`Metrics::verifications`], [`Metrics::store_flushes`]) or registers its own metrics
//! with [`Metrics::register`]. This file does not decide what the node measures beyond
//! HTTP.

use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Metric, Registry, Unit};

use super::ratelimit::monotonic_us;

/// Labels of the request counter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RequestLabels {
    /// Route template, or `unmatched` for 404s.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// Status code.
    pub status: u16,
}

/// Labels of the latency histogram.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct RouteLabels {
    /// Route template.
    pub route: String,
    /// HTTP method.
    pub method: String,
}

/// Label of the verification counter: the verification result code
/// (`valid`, `expired`, `bad_signature`, `revoked`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ResultLabel {
    /// The result code.
    pub result: String,
}

fn latency_histogram() -> Histogram {
    // 100 µs .. ~6.5 s
    Histogram::new(exponential_buckets(0.000_1, 2.0, 17))
}

/// The node's metric registry and the metrics every node has.
#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// Codes issued (every colour).
    pub codes_issued: Counter,
    /// Verifications, by result code.
    pub verifications: Family<ResultLabel, Counter>,
    /// Store flushes (group commits).
    pub store_flushes: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry (metric names prefixed `hcx_`) with the HTTP and node metrics.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hcx");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let codes_issued = Counter::default();
        let verifications = Family::<ResultLabel, Counter>::default();
        let store_flushes = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests by route template, method and status",
            requests.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "HTTP request latency by route template and method",
            Unit::Seconds,
            latency.clone(),
        );
        registry.register("codes_issued", "Health codes issued", codes_issued.clone());
        registry.register(
            "verifications",
            "Code verifications by result",
            verifications.clone(),
        );
        registry.register(
            "store_flushes",
            "Store group-commit flushes",
            store_flushes.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
            codes_issued,
            verifications,
            store_flushes,
        }
    }

    /// Registers another metric (name without the `hcx_` prefix; counters get `_total`
    /// appended by the encoder). Keep a clone of `metric` to update it.
    pub fn register(&self, name: &str, help: &str, metric: impl Metric) {
        self.lock().register(name, help, metric);
    }

    /// Counts one verification with result code `result`.
    pub fn count_verification(&self, result: &str) {
        self.verifications
            .get_or_create(&ResultLabel {
                result: result.to_owned(),
            })
            .inc();
    }

    /// Records one HTTP request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(seconds);
    }

    /// The OpenMetrics text exposition of every registered metric.
    ///
    /// # Errors
    /// Only if a metric's encoder fails (a bug); the caller reports it as internal.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.lock())?;
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // Registration and encoding cannot leave the registry half-updated in a way a
        // later reader would trip on, so a poisoned lock is still usable.
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Middleware counting every request (including 401/404/429 answers) by route template.
pub(crate) async fn track(
    State(metrics): State<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = method_label(req.method()).to_owned();
    let start = monotonic_us();
    let response = next.run(req).await;
    let seconds = monotonic_us().saturating_sub(start) as f64 / 1e6;
    metrics.observe_request(&route, &method, response.status().as_u16(), seconds);
    response
}

/// The method as a label: one of the standard methods or `OTHER`, so arbitrary method
/// strings sent to unknown paths cannot create unbounded label sets.
pub(crate) fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}
