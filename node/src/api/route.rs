//! [`RouteSpec`]: what a route is — method, path, summary, access rule, idempotency,
//! paging, request and response schemas — in one value that both mounts the route (the
//! builder reads its access, idempotency and paging) and describes it in `/openapi.json`.
//! A route cannot be mounted without one, so it cannot exist undocumented.
//!
//! ```ignore
//! RouteSpec::post("/v1/holders/{id}/codes", "Issue a code for a holder")
//!     .bearer()
//!     .allow(|p| matches!(p.kind, PrincipalKind::Holder), "the holder")
//!     .request::<IssueRequest>()
//!     .response::<IssuedCode>(StatusCode::CREATED)
//! ```
//!
//! This file holds no handler code and does not render OpenAPI (see `api::openapi`).

use axum::http::{Method, StatusCode};

use super::openapi::{ApiSchema, Schema};
use crate::accounts::Principal;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; rate-limited per client IP. A bearer token, if sent, is ignored.
    Public,
    /// A valid bearer token if one is sent (bad tokens get 401), anonymous otherwise.
    Optional,
    /// A valid bearer token is required (401 otherwise).
    Bearer,
}

/// Whether a route requires an `Idempotency-Key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdempotencyMode {
    /// The header is required (428 without it); replays return the stored response.
    Required,
    /// No idempotency handling (reads, and POSTs with no side effect such as verify).
    Exempt,
}

/// An extra check on the authenticated principal, run by the route middleware before
/// the handler (403 if it returns false). A non-capturing closure coerces to this.
pub type AllowFn = fn(&Principal) -> bool;

/// The description and policy of one route.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    /// The HTTP method.
    pub method: Method,
    /// The path in axum 0.8 syntax (`/v1/holders/{id}`), which is also OpenAPI's.
    pub path: &'static str,
    /// One-line summary for the OpenAPI document.
    pub summary: &'static str,
    /// Longer description, if any.
    pub description: Option<&'static str>,
    /// OpenAPI tag (grouping), e.g. `"codes"`.
    pub tag: Option<&'static str>,
    /// Who may call it.
    pub access: Access,
    /// Extra principal check, with a description for the document.
    pub allow: Option<(AllowFn, &'static str)>,
    /// Idempotency handling.
    pub idempotency: IdempotencyMode,
    /// Whether it is a cursor-paged list (`?limit=&cursor=`, response `Page<T>`).
    pub paged: bool,
    /// The JSON request body, if any.
    pub request: Option<Schema>,
    /// The success status.
    pub success: StatusCode,
    /// The success body (`None`: empty body).
    pub response: Option<Schema>,
    /// Content type of the success body (default `application/json`).
    pub response_type: &'static str,
    /// Request body limit for this route, overriding `ApiConfig::body_limit` (e.g. for
    /// an uploaded list).
    pub body_limit: Option<usize>,
}

impl RouteSpec {
    /// A route with the defaults for `method`: public, 200 with an empty body, and an
    /// `Idempotency-Key` required exactly for POST.
    pub fn new(method: Method, path: &'static str, summary: &'static str) -> Self {
        let idempotency = if method == Method::POST {
            IdempotencyMode::Required
        } else {
            IdempotencyMode::Exempt
        };
        Self {
            method,
            path,
            summary,
            description: None,
            tag: None,
            access: Access::Public,
            allow: None,
            idempotency,
            paged: false,
            request: None,
            success: StatusCode::OK,
            response: None,
            response_type: "application/json",
            body_limit: None,
        }
    }

    /// A GET route.
    pub fn get(path: &'static str, summary: &'static str) -> Self {
        Self::new(Method::GET, path, summary)
    }

    /// A POST route (idempotency key required unless [`Self::no_idempotency`]).
    pub fn post(path: &'static str, summary: &'static str) -> Self {
        Self::new(Method::POST, path, summary)
    }

    /// A PUT route.
    pub fn put(path: &'static str, summary: &'static str) -> Self {
        Self::new(Method::PUT, path, summary)
    }

    /// A DELETE route.
    pub fn delete(path: &'static str, summary: &'static str) -> Self {
        Self::new(Method::DELETE, path, summary)
    }

    /// Requires a bearer token.
    pub fn bearer(mut self) -> Self {
        self.access = Access::Bearer;
        self
    }

    /// Accepts an optional bearer token.
    pub fn optional_auth(mut self) -> Self {
        self.access = Access::Optional;
        self
    }

    /// Requires a bearer token whose principal passes `allow` (403 otherwise);
    /// `who` describes the allowed callers in the document.
    pub fn allow(mut self, allow: AllowFn, who: &'static str) -> Self {
        self.access = Access::Bearer;
        self.allow = Some((allow, who));
        self
    }

    /// Exempts a POST from the `Idempotency-Key` requirement (e.g. `/v1/verify`).
    pub fn no_idempotency(mut self) -> Self {
        self.idempotency = IdempotencyMode::Exempt;
        self
    }

    /// Requires an `Idempotency-Key` on a non-POST route.
    pub fn idempotent(mut self) -> Self {
        self.idempotency = IdempotencyMode::Required;
        self
    }

    /// Declares a cursor-paged list of `T` (response `{"items": [T], "next_cursor"}`).
    pub fn paged<T: ApiSchema>(mut self) -> Self {
        self.paged = true;
        self.response = Some(Schema::page(T::schema()));
        self
    }

    /// Declares the JSON request body.
    pub fn request<T: ApiSchema>(mut self) -> Self {
        self.request = Some(T::schema());
        self
    }

    /// Declares the success status and JSON body.
    pub fn response<T: ApiSchema>(mut self, status: StatusCode) -> Self {
        self.success = status;
        self.response = Some(T::schema());
        self
    }

    /// Declares a success with an empty body (e.g. 204).
    pub fn empty_response(mut self, status: StatusCode) -> Self {
        self.success = status;
        self.response = None;
        self
    }

    /// Declares a non-JSON success body (e.g. the Prometheus text format).
    pub fn raw_response(mut self, content_type: &'static str, schema: Schema) -> Self {
        self.response_type = content_type;
        self.response = Some(schema);
        self
    }

    /// Overrides the request body limit (bytes) for this route.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Sets the OpenAPI tag.
    pub fn tag(mut self, tag: &'static str) -> Self {
        self.tag = Some(tag);
        self
    }

    /// Sets the long description.
    pub fn describe(mut self, text: &'static str) -> Self {
        self.description = Some(text);
        self
    }
}
