//! The node's HTTP routes: the domain handlers mounted on the `api` infrastructure. Each
//! handler authenticates through the route spec, runs its service on the blocking pool
//! (the store and signing are synchronous), and maps service errors to API errors.
//!
//! Layout: [`holders`] (registration, own status and history), [`codes`] (issue, verify,
//! trust bundle), [`evidence`] and [`transcode`] (evidence, transcodes, approvals),
//! [`accounts`], [`admin`] (the manual clock), [`rules`].

pub mod accounts;
pub mod admin;
pub mod codes;
pub mod evidence;
pub mod holders;
pub mod rules;
pub mod transcode;

use std::sync::Arc;

use axum::Router;
use hcx_protocol::wire::Role;

use crate::accounts::{Principal, PrincipalKind};
use crate::api::{
    ApiBuilder, ApiConfig, ApiError, ApiServices, AuthFailure, Authenticator, Metrics, RateSpec,
};
use crate::issuance::IssuanceError;
use crate::node::Node;

/// Resolves bearer tokens through the accounts module.
#[derive(Debug)]
pub struct AccountAuthenticator {
    node: Arc<Node>,
}

impl Authenticator for AccountAuthenticator {
    fn authenticate(&self, token: &str, _now: u64) -> Result<Principal, AuthFailure> {
        use crate::accounts::AuthError;
        crate::accounts::authenticate(self.node.store.as_ref(), token).map_err(|e| match e {
            AuthError::Pending | AuthError::Deleted => AuthFailure::Disabled,
            AuthError::Account(a) => AuthFailure::Store(a.to_string()),
            _ => AuthFailure::UnknownToken,
        })
    }
}

/// The node's whole HTTP router.
pub fn router(node: Arc<Node>, metrics: Arc<Metrics>) -> Router {
    let cfg = &node.config;
    let api_config = ApiConfig {
        body_limit: cfg.body_limit_bytes,
        timeout_ms: cfg.request_timeout_secs * 1000,
        per_token: RateSpec {
            per_sec: f64::from(cfg.rate_per_second),
            burst: cfg.rate_burst,
        },
        ..ApiConfig::default()
    };
    let services = ApiServices {
        store: Arc::clone(&node.store),
        authenticator: Arc::new(AccountAuthenticator {
            node: Arc::clone(&node),
        }),
        clock: node.clock.clone(),
        metrics,
        config: Arc::new(api_config),
    };
    let b = ApiBuilder::new(services, Arc::clone(&node)).title("hcx region node");
    let b = holders::mount_destroy(holders::mount(b));
    let b = codes::mount(b);
    let b = evidence::mount(b);
    let b = transcode::mount(b);
    let b = accounts::mount(b);
    let b = admin::mount(b);
    rules::mount(b).build()
}

/// The state every handler receives.
pub type NodeState = axum::extract::State<Arc<Node>>;

/// Runs a synchronous service on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IssuanceError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("service task failed: {e}")))?
        .map_err(ApiError::from)
}

impl From<IssuanceError> for ApiError {
    fn from(e: IssuanceError) -> Self {
        use crate::accounts::AccountError;
        use crate::authz::QuorumError;
        match e {
            IssuanceError::InvalidDocument(d) => Self::Unprocessable {
                reason: format!("invalid identity document: {d}"),
            },
            IssuanceError::Invalid { field, message } => Self::invalid_field(field, message),
            IssuanceError::NotFound { what } => Self::not_found(what),
            IssuanceError::Forbidden(m) => Self::forbidden(m),
            IssuanceError::AlreadyRegistered => {
                Self::conflict("a holder with this document is already registered")
            }
            IssuanceError::Transcode(t) => Self::forbidden(t.to_string()),
            IssuanceError::QuorumRequired { action, k, .. } => Self::QuorumRequired {
                action: hex::encode(action.0),
                k,
            },
            IssuanceError::Quorum(QuorumError::Authz(a)) => Self::internal(a.to_string()),
            IssuanceError::Quorum(q) => Self::forbidden(q.to_string()),
            IssuanceError::Authz(a) => Self::internal(a.to_string()),
            IssuanceError::Account(AccountError::Store(s)) => Self::internal(s.to_string()),
            IssuanceError::Account(a) => Self::forbidden(a.to_string()),
            IssuanceError::Auth(a) => Self::Unauthenticated {
                reason: a.to_string(),
            },
            IssuanceError::Conflict => Self::conflict("a concurrent write won; retry"),
            other => Self::internal(other.to_string()),
        }
    }
}

/// Route guards.
pub(crate) fn is_holder(p: &Principal) -> bool {
    p.kind == PrincipalKind::Holder
}
pub(crate) fn is_admin(p: &Principal) -> bool {
    matches!(p.kind, PrincipalKind::Staff(Role::Admin(_)))
}
pub(crate) fn is_staff(p: &Principal) -> bool {
    matches!(p.kind, PrincipalKind::Staff(_))
}
pub(crate) fn is_evidence_source(p: &Principal) -> bool {
    p.kind == PrincipalKind::Staff(Role::EvidenceSource)
}
pub(crate) fn is_transcoder(p: &Principal) -> bool {
    matches!(p.kind, PrincipalKind::Staff(r) if r.may_transcode())
}
