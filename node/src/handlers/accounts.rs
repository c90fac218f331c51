//! Account routes (Guangxi art. 20): open an account of the next level (pending review),
//! review it (approve or reject, by someone other than its creator), delete it. Tokens
//! are shown once; only their hashes are stored. Every action is an audit entry.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hcx_protocol::sign::PublicKey;
use hcx_protocol::wire::{Jurisdiction, Role};
use serde::{Deserialize, Serialize};

use super::{NodeState, blocking, is_staff};
use crate::accounts::{self, AccountId, OpenRequest, ReviewDecision};
use crate::api::{ApiBuilder, ApiError, ApiJson, ApiPath, ApiSchema, Auth, RouteSpec, Schema};
use crate::node::Node;

/// `POST /v1/accounts` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenBody {
    /// `admin-1`…`admin-5`, `grid`, `collector`, `auditor`, `evidence-source`, `terminal`.
    role: String,
    jurisdiction: String,
    /// The account's own Ed25519 public key, hex (admins and evidence sources).
    public_key: Option<String>,
    label: String,
}

impl ApiSchema for OpenBody {
    fn schema() -> Schema {
        Schema::object("OpenAccount")
            .field::<String>("role")
            .field::<String>("jurisdiction")
            .optional::<String>("public_key")
            .field::<String>("label")
    }
}

/// An opened account.
#[derive(Debug, Serialize)]
pub struct OpenedJson {
    account: String,
    token: String,
    state: String,
}

impl ApiSchema for OpenedJson {
    fn schema() -> Schema {
        Schema::object("OpenedAccount")
            .field::<String>("account")
            .field::<String>("token")
            .field::<String>("state")
    }
}

/// `POST /v1/accounts/{id}/review` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    approve: bool,
}

impl ApiSchema for ReviewBody {
    fn schema() -> Schema {
        Schema::object("Review").field::<bool>("approve")
    }
}

/// An account's state after a change.
#[derive(Debug, Serialize)]
pub struct AccountState {
    account: String,
    state: String,
}

impl ApiSchema for AccountState {
    fn schema() -> Schema {
        Schema::object("AccountState")
            .field::<String>("account")
            .field::<String>("state")
    }
}

pub(crate) fn mount(b: ApiBuilder<Arc<Node>>) -> ApiBuilder<Arc<Node>> {
    b.route(
        RouteSpec::post(
            "/v1/accounts",
            "Open an account of the next level (pending review)",
        )
        .bearer()
        .allow(is_staff, "staff accounts")
        .request::<OpenBody>()
        .response::<OpenedJson>(StatusCode::CREATED)
        .tag("accounts"),
        open,
    )
    .route(
        RouteSpec::post(
            "/v1/accounts/{id}/review",
            "Approve or reject a pending account",
        )
        .bearer()
        .allow(is_staff, "staff accounts")
        .request::<ReviewBody>()
        .response::<AccountState>(StatusCode::OK)
        .tag("accounts"),
        review,
    )
    .route(
        RouteSpec::post(
            "/v1/accounts/unused/delete",
            "Delete the accounts under the caller unused for idle_days (Guangxi art. 20)",
        )
        .bearer()
        .allow(is_staff, "staff accounts")
        .request::<UnusedBody>()
        .response::<UnusedDeleted>(StatusCode::OK)
        .tag("accounts"),
        delete_unused,
    )
    .route(
        RouteSpec::post("/v1/accounts/{id}/delete", "Delete an account")
            .bearer()
            .allow(is_staff, "staff accounts")
            .response::<AccountState>(StatusCode::OK)
            .tag("accounts"),
        delete,
    )
}

/// `POST /v1/accounts/unused/delete` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnusedBody {
    idle_days: u64,
}

impl ApiSchema for UnusedBody {
    fn schema() -> Schema {
        Schema::object("DeleteUnused").field::<u64>("idle_days")
    }
}

/// The accounts deleted as unused.
#[derive(Debug, Serialize)]
pub struct UnusedDeleted {
    deleted: Vec<String>,
}

impl ApiSchema for UnusedDeleted {
    fn schema() -> Schema {
        Schema::object("UnusedDeleted").field::<Vec<String>>("deleted")
    }
}

async fn delete_unused(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<UnusedBody>,
) -> Result<Response, ApiError> {
    if body.idle_days == 0 {
        return Err(ApiError::invalid_field("idle_days", "at least 1"));
    }
    let out = blocking(move || {
        let changed = accounts::delete_unused(
            node.store.as_ref(),
            &principal,
            body.idle_days * 86_400,
            node.clock.now(),
        )?;
        let deleted = changed.accounts.iter().map(|a| a.id.0.clone()).collect();
        if !changed.log.is_empty() {
            node.audit
                .commit(node.store.as_ref(), changed.batch, &changed.log)?;
        }
        Ok(UnusedDeleted { deleted })
    })
    .await?;
    Ok(axum::Json(out).into_response())
}

fn role(text: &str) -> Result<Role, ApiError> {
    let r = match text {
        "grid" => Role::Grid,
        "collector" => Role::Collector,
        "auditor" => Role::Auditor,
        "evidence-source" => Role::EvidenceSource,
        "terminal" => Role::Terminal,
        t => match t.strip_prefix("admin-").and_then(|l| l.parse::<u8>().ok()) {
            Some(l @ 1..=5) => Role::Admin(l),
            _ => {
                return Err(ApiError::invalid_field(
                    "role",
                    "admin-1..admin-5, grid, collector, auditor, evidence-source, terminal",
                ));
            }
        },
    };
    Ok(r)
}

fn state_name(s: accounts::AccountState) -> String {
    format!("{s:?}").to_lowercase()
}

async fn open(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiJson(body): ApiJson<OpenBody>,
) -> Result<Response, ApiError> {
    let role = role(&body.role)?;
    let jurisdiction = Jurisdiction::new(&body.jurisdiction)
        .ok_or_else(|| ApiError::invalid_field("jurisdiction", "a division-code prefix"))?;
    let public_key = body
        .public_key
        .map(|k| {
            hex::decode(k.trim())
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .map(PublicKey::Ed25519)
        })
        .map(|k| k.ok_or_else(|| ApiError::invalid_field("public_key", "32-byte Ed25519 key, hex")))
        .transpose()?;
    let req = OpenRequest {
        role,
        jurisdiction,
        public_key,
        label: body.label,
    };
    let out = blocking(move || {
        let opened = accounts::open_account(
            node.store.as_ref(),
            &principal,
            req,
            node.clock.now(),
            &node.rng,
        )?;
        node.audit
            .commit(node.store.as_ref(), opened.batch, &opened.log)?;
        Ok(OpenedJson {
            account: opened.account.id.0,
            token: opened.token,
            state: state_name(opened.account.state),
        })
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

async fn review(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Response, ApiError> {
    let decision = if body.approve {
        ReviewDecision::Approve
    } else {
        ReviewDecision::Reject
    };
    let out = blocking(move || {
        let changed = accounts::review_account(
            node.store.as_ref(),
            &principal,
            &AccountId(id.clone()),
            decision,
            node.clock.now(),
        )?;
        let state = changed
            .accounts
            .iter()
            .find(|a| a.id.0 == id)
            .map(|a| state_name(a.state))
            .unwrap_or_default();
        node.audit
            .commit(node.store.as_ref(), changed.batch, &changed.log)?;
        Ok(AccountState { account: id, state })
    })
    .await?;
    Ok(axum::Json(out).into_response())
}

async fn delete(
    axum::extract::State(node): NodeState,
    Auth(principal): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let out = blocking(move || {
        let changed = accounts::delete_account(
            node.store.as_ref(),
            &principal,
            &AccountId(id.clone()),
            node.clock.now(),
        )?;
        node.audit
            .commit(node.store.as_ref(), changed.batch, &changed.log)?;
        Ok(AccountState {
            account: id,
            state: "deleted".into(),
        })
    })
    .await?;
    Ok(axum::Json(out).into_response())
}
