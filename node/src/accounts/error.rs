//! Errors of account operations and authentication. Owns only the enums; the HTTP layer
//! maps them to status codes (`Forbidden`-like variants → 403, `Unknown*` → 404,
//! `Conflict` from the store → 409/retry, `Corrupt` → 500).

use hcx_protocol::wire::{Jurisdiction, Role};

use super::{AccountId, AccountState, PrincipalKind};
use crate::store::{StoreError, Tree};

/// Why an account operation was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields are named by their variant's documentation
pub enum AccountError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored value could not be decoded: the node refuses rather than guess.
    #[error("stored {tree:?} value is corrupt: {detail}")]
    Corrupt { tree: Tree, detail: String },
    /// No such account.
    #[error("unknown account {id}")]
    UnknownAccount { id: AccountId },
    /// The acting account is not active.
    #[error("acting account {id} is not active ({state:?})")]
    ActorNotActive { id: AccountId, state: AccountState },
    /// The actor's role may not open an account of this role.
    #[error("a {actor:?} may not open a {requested:?} account")]
    RoleNotPermitted {
        actor: PrincipalKind,
        requested: Role,
    },
    /// The requested jurisdiction is not inside the actor's.
    #[error("jurisdiction {requested} is outside the actor's jurisdiction {actor}")]
    OutsideJurisdiction { actor: String, requested: String },
    /// Admins and evidence sources must register their own signing key.
    #[error("a {role:?} account needs its own public key")]
    KeyRequired { role: Role },
    /// Only Ed25519 and P-256 keys can be registered.
    #[error("unsupported public key type")]
    UnsupportedKey,
    /// The public key is already registered to another account.
    #[error("public key already registered to another account")]
    KeyInUse,
    /// The label is empty, too long, or has control characters.
    #[error("label must be 1-{max} printable characters")]
    BadLabel { max: usize },
    /// The account is not waiting for review.
    #[error("account {id} is not pending review ({state:?})")]
    NotPending { id: AccountId, state: AccountState },
    /// The creator cannot review the account they opened.
    #[error("the creator of {id} cannot review it")]
    ReviewerIsCreator { id: AccountId },
    /// The reviewer is neither the creator's superior nor a peer covering the account.
    #[error("{reviewer} may not review {id}")]
    ReviewerNotEligible { reviewer: AccountId, id: AccountId },
    /// The actor is neither the account's creator nor above it in the creation tree.
    #[error("{actor} may not manage {id}")]
    NotManager { actor: AccountId, id: AccountId },
    /// The account is already deleted.
    #[error("account {id} is already deleted")]
    AlreadyDeleted { id: AccountId },
    /// Bootstrap makes only level-1 admins for a whole region.
    #[error("bootstrap jurisdiction {jurisdiction} is not a two-digit region prefix")]
    BadBootstrap { jurisdiction: String },
    /// The random source failed.
    #[error("random source failed")]
    Random,
}

impl AccountError {
    pub(crate) fn outside(actor: &Jurisdiction, requested: &Jurisdiction) -> Self {
        Self::OutsideJurisdiction {
            actor: actor.as_str().to_owned(),
            requested: requested.as_str().to_owned(),
        }
    }
}

/// Why a bearer token was not accepted. The HTTP layer answers 401 for all of them
/// (the variants are for logs and tests; the message to the client need not say which).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Not an hcx token (wrong prefix, encoding or length).
    #[error("malformed token")]
    Malformed,
    /// No account has this token.
    #[error("unknown token")]
    Unknown,
    /// The account is waiting for review.
    #[error("account pending review")]
    Pending,
    /// The account was deleted.
    #[error("account deleted")]
    Deleted,
    /// The store failed or holds a corrupt record.
    #[error(transparent)]
    Account(#[from] AccountError),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        Self::Account(AccountError::Store(e))
    }
}
