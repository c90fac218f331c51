//! `Idempotency-Key` handling for mutating routes: a retried request returns the stored
//! response (same status and body, plus `Idempotent-Replayed: true`) without running the
//! handler again; the same key with a different request is refused (422
//! `idempotency_key_reused`).
//!
//! Records live in [`Tree::Idempotency`] under `scope 0x00 key`, where the scope is
//! `p:<account id>` for an authenticated caller and `anon` otherwise, and hold the
//! SHA-256 of `method 0x00 path?query 0x00 body`, the status, the content type, the body
//! and the creation time. Records older than `idempotency_ttl_secs` are treated as absent
//! and removed by [`purge_expired`] (the node runs it periodically), so replayed bodies
//! are not kept for ever. Anonymous records are shared by every anonymous caller, so a
//! public idempotent route must not return secrets: only a byte-identical request (same
//! key, same body) gets the stored response back.
//!
//! **Atomicity.** A handler that writes should finish with [`Idempotent::commit`]: it
//! adds the record (guarded on the key's prior state) to the handler's own [`Batch`] and
//! commits both in one store transaction. So either the write and the record both land
//! or neither does; of two concurrent requests with one key, exactly one commits and
//! the other gets the winner's stored response. A handler that returns a 2xx without
//! calling `commit` (no write of its own, or several commits) gets its response recorded
//! *after* it ran (fallback): then a crash between the handler's write and the record,
//! or a concurrent duplicate, can execute the request twice — avoid it for writes.
//! Error responses are not recorded (they wrote nothing), so a client may fix and resend
//! a refused request under the same key. A request that timed out (503) may still have
//! committed: retrying with the same key returns its stored result.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, HttpBody};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::ApiServices;
use super::error::ApiError;
use crate::accounts::Principal;
use crate::store::{Batch, Guard, Store, StoreError, Tree};

/// The request header carrying the key.
pub const KEY_HEADER: &str = "idempotency-key";
/// The response header marking a replayed response.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Largest response body the fallback path records (larger ones are not recorded).
pub const MAX_RECORDED_BODY: usize = 1 << 20;

const RECORD_VERSION: u8 = 1;

/// A stored response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// SHA-256 of method, path and query, and body of the original request.
    pub request_hash: [u8; 32],
    /// Response status.
    pub status: u16,
    /// Node time the record was written (Unix seconds).
    pub created: u64,
    /// Response content type.
    pub content_type: String,
    /// Response body.
    pub body: Vec<u8>,
}

impl Record {
    /// `version | hash(32) | status(u16 BE) | created(u64 BE) | ct_len(u8) | ct | body`.
    pub fn encode(&self) -> Vec<u8> {
        let ct = self.content_type.as_bytes();
        let ct = ct.get(..ct.len().min(255)).unwrap_or_default();
        let mut out = Vec::with_capacity(44 + ct.len() + self.body.len());
        out.push(RECORD_VERSION);
        out.extend_from_slice(&self.request_hash);
        out.extend_from_slice(&self.status.to_be_bytes());
        out.extend_from_slice(&self.created.to_be_bytes());
        out.push(u8::try_from(ct.len()).unwrap_or(0));
        out.extend_from_slice(ct);
        out.extend_from_slice(&self.body);
        out
    }

    /// Parses [`Self::encode`]'s output; `None` for anything else.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&version, rest) = bytes.split_first()?;
        if version != RECORD_VERSION {
            return None;
        }
        let (hash, rest) = rest.split_at_checked(32)?;
        let (status, rest) = rest.split_at_checked(2)?;
        let (created, rest) = rest.split_at_checked(8)?;
        let (&ct_len, rest) = rest.split_first()?;
        let (ct, body) = rest.split_at_checked(usize::from(ct_len))?;
        Some(Self {
            request_hash: hash.try_into().ok()?,
            status: u16::from_be_bytes(status.try_into().ok()?),
            created: u64::from_be_bytes(created.try_into().ok()?),
            content_type: String::from_utf8(ct.to_vec()).ok()?,
            body: body.to_vec(),
        })
    }

    fn expired(&self, now: u64, ttl: u64) -> bool {
        now >= self.created.saturating_add(ttl)
    }

    /// The replayed response: stored status, content type and body, plus
    /// `Idempotent-Replayed: true`.
    pub fn replay(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut response = (status, self.body).into_response();
        let headers = response.headers_mut();
        if let Ok(ct) = HeaderValue::from_str(&self.content_type) {
            headers.insert(header::CONTENT_TYPE, ct);
        }
        headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
        response
    }
}

/// The idempotency state of a request in flight (a request extension).
#[derive(Debug)]
pub(crate) struct Pending {
    store_key: Vec<u8>,
    request_hash: [u8; 32],
    /// What the key held when looked up (an expired record, or nothing): the guard.
    prior: Option<Vec<u8>>,
    /// Set once a record has been committed (or found) for this request.
    done: AtomicBool,
}

/// What the route middleware does next.
#[derive(Debug)]
pub(crate) enum Begin {
    /// The key was used before with this request: send the stored response.
    Replay(Response),
    /// First use: run the handler on this (re-assembled) request.
    Proceed(Request, Arc<Pending>),
}

/// Validates the key, buffers the body, and either replays or lets the request proceed.
pub(crate) async fn begin(
    services: &ApiServices,
    principal: Option<&Principal>,
    req: Request,
) -> Result<Begin, ApiError> {
    let key = req
        .headers()
        .get(KEY_HEADER)
        .ok_or(ApiError::IdempotencyKeyRequired)?;
    let key_ok = (1..=MAX_KEY_LEN).contains(&key.len())
        && key.as_bytes().iter().all(|b| (0x21..=0x7e).contains(b));
    if !key_ok {
        return Err(ApiError::invalid_field(
            "Idempotency-Key",
            format!("expected 1 to {MAX_KEY_LEN} visible ASCII characters"),
        ));
    }
    let mut store_key = match principal {
        Some(p) => format!("p:{}", p.account.0).into_bytes(),
        None => b"anon".to_vec(),
    };
    store_key.push(0);
    store_key.extend_from_slice(key.as_bytes());

    let limit = req
        .extensions()
        .get::<super::BodyLimit>()
        .map_or(services.config.body_limit, |l| l.0);
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| body_error(&e, limit))?;
    let request_hash = request_hash(&parts, &bytes);

    let now = services.clock.now();
    let ttl = services.config.idempotency_ttl_secs;
    let prior = services.store.get(Tree::Idempotency, &store_key)?;
    if let Some(raw) = &prior
        && let Some(record) = Record::decode(raw)
        && !record.expired(now, ttl)
    {
        return if record.request_hash == request_hash {
            tracing::debug!(status = record.status, "idempotent replay");
            Ok(Begin::Replay(record.replay()))
        } else {
            Err(ApiError::IdempotencyKeyReused)
        };
    }
    let pending = Arc::new(Pending {
        store_key,
        request_hash,
        prior,
        done: AtomicBool::new(false),
    });
    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(pending.clone());
    Ok(Begin::Proceed(req, pending))
}

fn body_error(e: &axum::Error, limit: usize) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.to_string().contains("length limit") {
            return ApiError::BodyTooLarge { limit };
        }
        source = s.source();
    }
    ApiError::MalformedJson {
        detail: "could not read the request body".to_owned(),
    }
}

fn request_hash(parts: &Parts, body: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(parts.method.as_str().as_bytes());
    ctx.update(&[0]);
    let target = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |pq| pq.as_str());
    ctx.update(target.as_bytes());
    ctx.update(&[0]);
    ctx.update(body);
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// After the handler: records a 2xx response the handler did not commit itself
/// (the fallback path, see the module doc).
pub(crate) async fn finish(
    services: &ApiServices,
    pending: &Pending,
    response: Response,
) -> Response {
    if pending.done.load(Ordering::SeqCst) || !response.status().is_success() {
        return response;
    }
    let fits = response
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_RECORDED_BODY as u64);
    if !fits {
        tracing::warn!("idempotent response too large or streamed; not recorded");
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_RECORDED_BODY).await {
        Ok(b) => b,
        Err(e) => return ApiError::internal(format!("buffering a response: {e}")).into_response(),
    };
    let record = Record {
        request_hash: pending.request_hash,
        status: parts.status.as_u16(),
        created: services.clock.now(),
        content_type: content_type(&parts.headers),
        body: bytes.to_vec(),
    };
    let mut batch = Batch::new();
    batch
        .expect(
            Tree::Idempotency,
            pending.store_key.clone(),
            pending.prior.clone(),
        )
        .put(
            Tree::Idempotency,
            pending.store_key.clone(),
            record.encode(),
        );
    match commit_blocking(services.store.clone(), batch).await {
        Ok(()) | Err(ApiError::Conflict { .. }) => {}
        Err(e) => tracing::warn!(error = %e, "could not store an idempotency record"),
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned()
}

async fn commit_blocking(store: Arc<dyn Store>, batch: Batch) -> Result<(), ApiError> {
    tokio::task::spawn_blocking(move || store.commit(batch))
        .await
        .map_err(|e| ApiError::internal(format!("store task failed: {e}")))??;
    Ok(())
}

/// The handler's handle on idempotency: commit the handler's writes together with the
/// idempotency record. On a route without idempotency it commits the batch alone, so
/// handlers are written the same way either way.
#[derive(Debug)]
pub struct Idempotent {
    services: Option<Arc<ApiServices>>,
    pending: Option<Arc<Pending>>,
}

impl<S: Send + Sync> FromRequestParts<S> for Idempotent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            services: parts.extensions.get::<Arc<ApiServices>>().cloned(),
            pending: parts.extensions.get::<Arc<Pending>>().cloned(),
        })
    }
}

impl Idempotent {
    /// Whether this request carries an idempotency key (its route requires one).
    pub fn is_active(&self) -> bool {
        self.pending.is_some()
    }

    /// Commits `batch` plus the idempotency record of the response `(status, body)` in
    /// one durable transaction, and returns that response.
    ///
    /// # Errors
    /// 409 `conflict` when one of the batch's own guards failed (nothing written);
    /// when a concurrent request with the same key won, its stored response is returned
    /// instead (or 422 `idempotency_key_reused` if it was a different request); store
    /// failures are 500.
    pub async fn commit<T: Serialize>(
        self,
        mut batch: Batch,
        status: StatusCode,
        body: &T,
    ) -> Result<Response, ApiError> {
        let services = self.services.ok_or_else(|| {
            ApiError::internal("Idempotent extracted outside an ApiBuilder route")
        })?;
        let body = serde_json::to_vec(body)
            .map_err(|e| ApiError::internal(format!("serialising a response: {e}")))?;
        if let Some(p) = &self.pending {
            let record = Record {
                request_hash: p.request_hash,
                status: status.as_u16(),
                created: services.clock.now(),
                content_type: "application/json".to_owned(),
                body: body.clone(),
            };
            // First, so a concurrent duplicate is reported as such, not as a conflict
            // on one of the handler's own guards.
            batch.guards.insert(
                0,
                Guard {
                    tree: Tree::Idempotency,
                    key: p.store_key.clone(),
                    expected: p.prior.clone(),
                },
            );
            batch.put(Tree::Idempotency, p.store_key.clone(), record.encode());
        }
        if !batch.is_empty() || !batch.guards.is_empty() {
            let store = services.store.clone();
            let result = tokio::task::spawn_blocking(move || store.commit(batch))
                .await
                .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?;
            match (result, &self.pending) {
                (Ok(_), _) => {}
                (
                    Err(StoreError::Conflict {
                        tree: Tree::Idempotency,
                    }),
                    Some(p),
                ) => {
                    p.done.store(true, Ordering::SeqCst);
                    return concurrent_winner(&services, p);
                }
                (Err(e), _) => return Err(e.into()),
            }
        }
        if let Some(p) = &self.pending {
            p.done.store(true, Ordering::SeqCst);
        }
        Ok((
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response())
    }
}

/// Another request with our key committed first: replay it if it was the same request.
fn concurrent_winner(services: &ApiServices, p: &Pending) -> Result<Response, ApiError> {
    let stored = services.store.get(Tree::Idempotency, &p.store_key)?;
    match stored.as_deref().and_then(Record::decode) {
        Some(r) if r.request_hash == p.request_hash => Ok(r.replay()),
        Some(_) => Err(ApiError::IdempotencyKeyReused),
        None => Err(ApiError::conflict(
            "a concurrent request with this Idempotency-Key changed state; retry",
        )),
    }
}

/// Deletes up to `max` idempotency records older than `ttl` seconds at `now` (and any
/// undecodable ones); returns how many were deleted, once durable. Each delete is guarded on the record it read, so a record rewritten
/// meanwhile survives.
///
/// # Errors
/// Store failures (a guard conflict is not an error: that record is skipped).
pub fn purge_expired(
    store: &dyn Store,
    now: u64,
    ttl: u64,
    max: usize,
) -> Result<usize, StoreError> {
    let mut deleted = 0;
    let mut last_ticket = None;
    let mut after: Option<Vec<u8>> = None;
    while deleted < max {
        let entries = store.scan(Tree::Idempotency, b"", after.as_deref(), 512)?;
        let Some((last, _)) = entries.last() else {
            break;
        };
        after = Some(last.clone());
        let exhausted = entries.len() < 512;
        for (key, value) in entries {
            if deleted >= max {
                break;
            }
            let expired = Record::decode(&value).is_none_or(|r| r.expired(now, ttl));
            if expired {
                let mut batch = Batch::new();
                batch
                    .expect(Tree::Idempotency, key.clone(), Some(value))
                    .delete(Tree::Idempotency, key);
                match store.apply(batch) {
                    Ok(ticket) => {
                        deleted += 1;
                        last_ticket = Some(ticket);
                    }
                    Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if exhausted {
            break;
        }
    }
    if let Some(ticket) = last_ticket {
        store.wait_durable(ticket)?;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn record_round_trips(hash in any::<[u8; 32]>(), status in 100u16..600,
                              created in any::<u64>(), ct in "[a-z/+;= -]{0,40}",
                              body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let r = Record { request_hash: hash, status, created, content_type: ct, body };
            prop_assert_eq!(Record::decode(&r.encode()), Some(r));
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = Record::decode(&bytes);
        }
    }
}
