//! Bearer-token authentication for the HTTP API: the [`Authenticator`] seam the accounts
//! module implements, the header parsing, and the [`Auth`] / [`MaybeAuth`] extractors
//! handlers use to learn who is calling.
//!
//! The route middleware (see `api::builder`) authenticates once per request, before the
//! body is read, and stores the [`Principal`] in the request extensions; the extractors
//! only read it. This file does not know how tokens are stored or hashed (accounts does),
//! nor which roles may call which route beyond the route's declared [`Access`] predicate
//! (domain handlers and `authz` decide the rest).
//!
//! [`Access`]: crate::api::Access

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::accounts::Principal;

/// Longest bearer token accepted (bytes); longer headers are refused before lookup.
pub const MAX_TOKEN_LEN: usize = 512;

/// Why a token did not resolve to a principal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFailure {
    /// No account has this token.
    #[error("unknown token")]
    UnknownToken,
    /// The token has expired.
    #[error("token expired")]
    Expired,
    /// The account is disabled, deleted or pending review.
    #[error("account disabled")]
    Disabled,
    /// The account store failed; becomes a 500 (detail logged, not returned).
    #[error("account store failure: {0}")]
    Store(String),
}

/// Resolves a bearer token to the account calling. Implemented by the accounts module
/// (tokens hashed at rest); the API holds one as `Arc<dyn Authenticator>`.
pub trait Authenticator: Send + Sync + std::fmt::Debug {
    /// The principal owning `token` at time `now` (Unix seconds).
    ///
    /// # Errors
    /// [`AuthFailure`] when the token does not resolve.
    fn authenticate(&self, token: &str, now: u64) -> Result<Principal, AuthFailure>;
}

impl From<AuthFailure> for ApiError {
    fn from(f: AuthFailure) -> Self {
        match f {
            AuthFailure::Store(detail) => Self::Internal { detail },
            other => Self::Unauthenticated {
                reason: other.to_string(),
            },
        }
    }
}

/// The bearer token of `headers`: `Ok(None)` when there is no `Authorization` header.
///
/// # Errors
/// [`ApiError::Unauthenticated`] for a header that is not a well-formed bearer token
/// (RFC 6750 `b64token` characters, at most [`MAX_TOKEN_LEN`] bytes).
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = |reason: &str| ApiError::Unauthenticated {
        reason: reason.to_owned(),
    };
    let value = value
        .to_str()
        .map_err(|_| bad("Authorization header is not ASCII"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| bad("expected `Authorization: Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(bad("expected the Bearer scheme"));
    }
    let token = token.trim_start_matches(' ');
    let ok_chars = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b));
    if token.is_empty() || token.len() > MAX_TOKEN_LEN || !ok_chars {
        return Err(bad("malformed bearer token"));
    }
    Ok(Some(token))
}

/// The authenticated caller. Extract it in a handler of a route declared
/// [`Access::Bearer`](crate::api::Access::Bearer); on any other route, or without a
/// resolved token, extraction fails with 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth(pub Principal);

/// The caller if one authenticated (routes declared
/// [`Access::Optional`](crate::api::Access::Optional)), else `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaybeAuth(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Self)
            .ok_or_else(|| ApiError::Unauthenticated {
                reason: "this operation needs a bearer token".to_owned(),
            })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<Principal>().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn parses_bearer_tokens() {
        assert_eq!(bearer_token(&HeaderMap::new()).unwrap(), None);
        assert_eq!(
            bearer_token(&headers("Bearer abc-1")).unwrap(),
            Some("abc-1")
        );
        assert_eq!(bearer_token(&headers("bearer x.y")).unwrap(), Some("x.y"));
        for bad in ["Basic abc", "Bearer", "Bearer ", "Bearer a b", "Token abc"] {
            assert!(bearer_token(&headers(bad)).is_err(), "{bad}");
        }
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert!(bearer_token(&headers(&long)).is_err());
    }
}
