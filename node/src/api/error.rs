//! The API's one error type, [`ApiError`], and its wire shape `{"code", "message"}`.
//!
//! Every failure a client can see — from a handler, an extractor, the auth, idempotency,
//! rate-limit and timeout middleware, or axum's own 404/405 fallbacks — becomes an
//! [`ApiError`], so every error body has the same shape and a stable machine-readable
//! `code` (the table is [`ApiError::code`]). Internal details (store failures, bugs) are
//! logged once when the response is built and never returned. This file does not decide
//! *when* a domain request is forbidden or unprocessable; handlers do.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, machine-readable error code (`snake_case`), e.g. `"invalid_field"`.
    pub code: String,
    /// Human-readable explanation; never contains internal detail.
    pub message: String,
}

/// An error returned by the HTTP API. Build one in a handler and return it (`?` works for
/// [`StoreError`]); its status and `code` are fixed per variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 400 `malformed_json`: the body is not syntactically valid JSON.
    #[error("malformed JSON: {detail}")]
    MalformedJson { detail: String },
    /// 400 `invalid_field`: a field, header, query or path parameter has the wrong type
    /// or an invalid value.
    #[error("invalid {field}: {reason}")]
    InvalidField { field: String, reason: String },
    /// 401 `unauthenticated`: no bearer token, or one that does not resolve.
    #[error("authentication required: {reason}")]
    Unauthenticated { reason: String },
    /// 403 `forbidden`: authenticated, but the caller may not do this.
    #[error("forbidden: {reason}")]
    Forbidden { reason: String },
    /// 404 `not_found`.
    #[error("not found: {what}")]
    NotFound { what: String },
    /// 405 `method_not_allowed`.
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// 409 `conflict`: the request conflicts with the current state (or a concurrent
    /// write); re-read and retry.
    #[error("conflict: {reason}")]
    Conflict { reason: String },
    /// 409 `quorum_required`: the action needs `k` signed approvals of `action` (hex)
    /// from admins who cover every target and are outside the requester's subtree.
    #[error("a quorum of {k} signed approvals is required; approvers sign action {action}")]
    QuorumRequired { action: String, k: u64 },
    /// 413 `body_too_large`.
    #[error("request body exceeds the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// 415 `unsupported_media_type`.
    #[error("unsupported media type: expected {expected}")]
    UnsupportedMediaType { expected: String },
    /// 422 `unprocessable`: well-formed, but semantically refused (unknown region,
    /// invalid ID number, rule violation...).
    #[error("unprocessable: {reason}")]
    Unprocessable { reason: String },
    /// 428 `idempotency_key_required`: a mutating POST without `Idempotency-Key`.
    #[error("this request needs an Idempotency-Key header")]
    IdempotencyKeyRequired,
    /// 422 `idempotency_key_reused`: the key was already used for a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    /// 429 `rate_limited`, with `Retry-After`.
    #[error("rate limit exceeded; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 503 `timeout`: the request did not finish within the server's time limit.
    #[error("the request timed out")]
    Timeout,
    /// 503 `unavailable`: a dependency (the store) is not available right now.
    #[error("service unavailable: {reason}")]
    Unavailable { reason: String },
    /// 500 `internal`: `detail` is logged once and never sent to the client.
    #[error("internal error")]
    Internal { detail: String },
}

impl ApiError {
    /// Shorthand for [`ApiError::InvalidField`].
    pub fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ApiError::Forbidden`].
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Self::Forbidden {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ApiError::NotFound`].
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// Shorthand for [`ApiError::Conflict`].
    pub fn conflict(reason: impl Into<String>) -> Self {
        Self::Conflict {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ApiError::Unprocessable`].
    pub fn unprocessable(reason: impl Into<String>) -> Self {
        Self::Unprocessable {
            reason: reason.into(),
        }
    }

    /// Shorthand for [`ApiError::Internal`] (the detail is logged, not returned).
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal {
            detail: detail.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson { .. } | Self::InvalidField { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } | Self::QuorumRequired { .. } => StatusCode::CONFLICT,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable { .. } | Self::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::IdempotencyKeyRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout | Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJson { .. } => "malformed_json",
            Self::InvalidField { .. } => "invalid_field",
            Self::Unauthenticated { .. } => "unauthenticated",
            Self::Forbidden { .. } => "forbidden",
            Self::NotFound { .. } => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict { .. } => "conflict",
            Self::QuorumRequired { .. } => "quorum_required",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::Unprocessable { .. } => "unprocessable",
            Self::IdempotencyKeyRequired => "idempotency_key_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::RateLimited { .. } => "rate_limited",
            Self::Timeout => "timeout",
            Self::Unavailable { .. } => "unavailable",
            Self::Internal { .. } => "internal",
        }
    }

    /// Every error code with its status, for the OpenAPI document.
    pub const CODES: &'static [(&'static str, u16)] = &[
        ("malformed_json", 400),
        ("invalid_field", 400),
        ("unauthenticated", 401),
        ("forbidden", 403),
        ("not_found", 404),
        ("method_not_allowed", 405),
        ("conflict", 409),
        ("quorum_required", 409),
        ("body_too_large", 413),
        ("unsupported_media_type", 415),
        ("unprocessable", 422),
        ("idempotency_key_reused", 422),
        ("idempotency_key_required", 428),
        ("rate_limited", 429),
        ("internal", 500),
        ("timeout", 503),
        ("unavailable", 503),
    ];

    /// The body sent to the client.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal { detail } = &self {
            // The one place an internal error is logged; the client sees only "internal".
            tracing::error!(detail = %detail, "internal error in HTTP handler");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.body())
            .unwrap_or_else(|_| br#"{"code":"internal","message":"internal error"}"#.to_vec());
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        match &self {
            Self::RateLimited { retry_after_secs } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Unauthenticated { .. } => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { tree } => Self::Conflict {
                reason: format!("a concurrent write changed {}; retry", tree.name()),
            },
            other => Self::Internal {
                detail: other.to_string(),
            },
        }
    }
}
