//! Extractors wrapping axum's `Json`, `Path` and `Query` so that their rejections come
//! out as [`ApiError`]s (`{"code", "message"}`) instead of axum's plain-text bodies.
//! Handlers use [`ApiJson`], [`ApiPath`] and [`ApiQuery`] exactly like the axum types.
//! This file does not validate domain values; handlers do.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::BodyLimit;
use super::error::ApiError;

/// A JSON request body (`Content-Type: application/json` required), or a JSON response.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = req.extensions().get::<BodyLimit>().map(|l| l.0);
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(&rejection, limit)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection, limit: Option<usize>) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::InvalidField {
            field: "body".to_owned(),
            reason: source_text(e.body_text()),
        },
        JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson {
            detail: source_text(e.body_text()),
        },
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType {
            expected: "application/json".to_owned(),
        },
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::BodyTooLarge {
                limit: limit.unwrap_or(0),
            }
        }
        other => ApiError::MalformedJson {
            detail: other.body_text(),
        },
    }
}

/// axum's messages read "Failed to deserialize the JSON body into the target type: <serde
/// error>"; keep the serde part, which names the field and position.
fn source_text(text: String) -> String {
    match text.split_once(": ") {
        Some((_, rest)) if !rest.is_empty() => rest.to_owned(),
        _ => text,
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response(),
            Err(e) => ApiError::internal(format!("serialising a response: {e}")).into_response(),
        }
    }
}

/// Path parameters; a parameter that does not parse is 400 `invalid_field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(Self(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::InvalidField {
                field: "path".to_owned(),
                reason: e.body_text(),
            }),
            Err(other) => Err(ApiError::internal(other.body_text())),
        }
    }
}

/// Query parameters; a parameter that does not parse is 400 `invalid_field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::InvalidField {
                field: "query".to_owned(),
                reason: source_text(e.body_text()),
            }),
            Err(other) => Err(ApiError::InvalidField {
                field: "query".to_owned(),
                reason: other.body_text(),
            }),
        }
    }
}
