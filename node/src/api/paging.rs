//! Cursor paging for list routes: the [`Paging`] extractor reads `?limit=&cursor=`, and
//! [`Paging::scan`] walks a store prefix with [`Store::scan`] to build a [`Page`]
//! (`{"items": [...], "next_cursor": "..."|null}`).
//!
//! The cursor is the base64url (no padding) of the last store key the page covered, so
//! it is stable under concurrent inserts (no offsets) and opaque to clients; a cursor
//! outside the listed prefix is refused. This file does not decide what a list shows or
//! who may see it; the handler's `map` closure does (returning `None` skips an entry).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::openapi::{ApiSchema, Schema};
use super::{ApiConfig, ApiServices};
use crate::store::{Store, Tree};

/// Most raw entries one page request reads when `map` skips entries, so a sparse filter
/// cannot turn one request into a full-tree scan; the page then comes back short (maybe
/// empty) with a cursor to continue.
pub const SCAN_BUDGET: usize = 10_000;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ApiSchema> ApiSchema for Page<T> {
    fn schema() -> Schema {
        Schema::page(T::schema())
    }
}

impl<T: Serialize> axum::response::IntoResponse for Page<T> {
    fn into_response(self) -> axum::response::Response {
        super::json::ApiJson(self).into_response()
    }
}

/// The paging request of a list route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// Items wanted (1..=`page_max`).
    pub limit: usize,
    /// The decoded cursor: the last key of the previous page.
    pub after: Option<Vec<u8>>,
}

impl Paging {
    /// Parses `limit` and `cursor` query values under `config`'s bounds.
    ///
    /// # Errors
    /// 400 `invalid_field` for a non-numeric or out-of-range limit or an undecodable cursor.
    pub fn parse(
        limit: Option<&str>,
        cursor: Option<&str>,
        config: &ApiConfig,
    ) -> Result<Self, ApiError> {
        let limit = match limit {
            None => config.page_default,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=config.page_max).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid_field(
                        "limit",
                        format!("expected an integer from 1 to {}", config.page_max),
                    )
                })?,
        };
        let after =
            match cursor {
                None | Some("") => None,
                Some(c) => Some(URL_SAFE_NO_PAD.decode(c).map_err(|_| {
                    ApiError::invalid_field("cursor", "not a cursor from this API")
                })?),
            };
        Ok(Self { limit, after })
    }

    /// Lists `tree` entries under `prefix` after the cursor, mapping each with `map`
    /// (`Ok(None)` skips the entry), up to `limit` items.
    ///
    /// # Errors
    /// 400 for a cursor outside `prefix`; store failures; whatever `map` returns.
    pub fn scan<T>(
        &self,
        store: &dyn Store,
        tree: Tree,
        prefix: &[u8],
        mut map: impl FnMut(&[u8], &[u8]) -> Result<Option<T>, ApiError>,
    ) -> Result<Page<T>, ApiError> {
        if let Some(after) = &self.after
            && !after.starts_with(prefix)
        {
            return Err(ApiError::invalid_field(
                "cursor",
                "the cursor belongs to another list",
            ));
        }
        let mut items: Vec<(Vec<u8>, T)> = Vec::with_capacity(self.limit + 1);
        let mut after = self.after.clone();
        let mut read = 0usize;
        loop {
            let chunk = (self.limit + 1)
                .min(SCAN_BUDGET.saturating_sub(read))
                .max(1);
            let entries = store.scan(tree, prefix, after.as_deref(), chunk)?;
            let exhausted = entries.len() < chunk;
            read += entries.len();
            for (key, value) in entries {
                if let Some(item) = map(&key, &value)? {
                    items.push((key.clone(), item));
                    if items.len() > self.limit {
                        // One more than asked: a next page exists; it starts after the
                        // last item we return.
                        items.truncate(self.limit);
                        let next = items.last().map(|(k, _)| URL_SAFE_NO_PAD.encode(k));
                        return Ok(Page {
                            items: items.into_iter().map(|(_, t)| t).collect(),
                            next_cursor: next,
                        });
                    }
                }
                after = Some(key);
            }
            if exhausted {
                return Ok(Page {
                    items: items.into_iter().map(|(_, t)| t).collect(),
                    next_cursor: None,
                });
            }
            if read >= SCAN_BUDGET {
                // Budget spent on skipped entries: return what we have and continue
                // from the last key read.
                return Ok(Page {
                    items: items.into_iter().map(|(_, t)| t).collect(),
                    next_cursor: after.map(|k| URL_SAFE_NO_PAD.encode(k)),
                });
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let default = ApiConfig::default();
        let config = parts
            .extensions
            .get::<Arc<ApiServices>>()
            .map_or(&default, |s| &s.config);
        let (mut limit, mut cursor) = (None, None);
        for pair in parts.uri.query().unwrap_or("").split('&') {
            match pair.split_once('=') {
                Some(("limit", v)) => limit = Some(v),
                Some(("cursor", v)) => cursor = Some(v),
                _ => {}
            }
        }
        Self::parse(limit, cursor, config)
    }
}
