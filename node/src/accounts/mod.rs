//! Accounts and roles (Guangxi art. 20): admins at levels 1–5 with a jurisdiction, grid
//! admins, collectors, auditors, access terminals, evidence sources, and holders who sign
//! in with the token they got at registration. This file holds the shared types every
//! other module uses to ask "who is calling" ([`Principal`]) and the account record
//! ([`Account`]); beside it:
//!
//! - [`record`]: the stored layout (trees, keys, canonical CBOR values) and loading;
//! - [`rules`]: the pure opening, review and management rules (who may do what);
//! - [`ops`]: the privileged operations (bootstrap, open, review, delete, unused-account
//!   deletion, holder accounts), each returning a [`crate::store::Batch`] and the audit
//!   [`hcx_protocol::wire::LogEntry`] values the caller appends in the same commit;
//! - [`token`]: bearer tokens (random, shown once, stored only as SHA-256) and
//!   authentication;
//! - [`error`]: the error enums.
//!
//! Not here: the two-party rule, counters and quorum (`crate::authz`), the audit log
//! itself (`crate::audit`), the HTTP routes (`crate::api`).

use hcx_protocol::sign::PublicKey;
use hcx_protocol::wire::{Jurisdiction, Role};

pub mod error;
pub mod ops;
pub mod record;
pub mod rules;
pub mod token;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

pub use error::{AccountError, AuthError};
pub use ops::{
    Changed, OpenRequest, Opened, ReviewDecision, bootstrap_admin, delete_account, delete_unused,
    is_in_subtree, list_unused, open_account, open_holder_account, review_account,
};
pub use record::{load_account, load_account_by_kid, touch_batch};
pub use token::{TOKEN_PREFIX, authenticate, hash_token};

/// An account's stable id (opaque text, never personal data).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub String);

impl AccountId {
    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of principal an authenticated token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A staff, device or feed account with a wire role.
    Staff(Role),
    /// A holder (traveller) account.
    Holder,
}

impl PrincipalKind {
    /// The wire role, for staff.
    pub const fn role(self) -> Option<Role> {
        match self {
            Self::Staff(r) => Some(r),
            Self::Holder => None,
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account.
    pub account: AccountId,
    /// Its kind and role.
    pub kind: PrincipalKind,
    /// The division-code prefix it acts in (a holder's is their region).
    pub jurisdiction: Jurisdiction,
}

/// Where an account is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountState {
    /// Opened, waiting for a reviewer other than its creator; cannot sign in yet.
    PendingReview,
    /// Reviewed (or bootstrapped, or a self-registered holder): usable.
    Active,
    /// Deleted (withdrawn, rejected at review, or unused): kept as a tombstone so the
    /// creation tree, the roster's `disabled_at` and old log entries stay explainable.
    Deleted,
}

/// One account (staff, device, feed or holder). No personal data: the label is a
/// non-personal description ("Hangzhou CDC feed", "gate 3"); holders' real-name data
/// lives in the vault, not here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Stable id.
    pub id: AccountId,
    /// Role, or holder.
    pub kind: PrincipalKind,
    /// Division-code prefix it acts in.
    pub jurisdiction: Jurisdiction,
    /// The account that opened it (`None`: bootstrapped by `hcx init`, or a holder).
    pub created_by: Option<AccountId>,
    /// The account's own signing key (client-held): required for admins and evidence
    /// sources, who sign approvals and evidence; optional for others.
    pub public_key: Option<PublicKey>,
    /// Lifecycle state.
    pub state: AccountState,
    /// Opened at (Unix seconds).
    pub created_at: u64,
    /// Last authenticated use the caller recorded ([`touch_batch`]), if any.
    pub last_used_at: Option<u64>,
    /// Non-personal label.
    pub label: String,
    /// Who reviewed it (approved or rejected).
    pub reviewed_by: Option<AccountId>,
    /// When it became active.
    pub activated_at: Option<u64>,
    /// When it was deleted.
    pub deleted_at: Option<u64>,
    /// SHA-256 of its current bearer token (the token itself is never stored).
    pub token_hash: [u8; 32],
}

impl Account {
    /// The principal this account authenticates as.
    pub fn principal(&self) -> Principal {
        Principal {
            account: self.id.clone(),
            kind: self.kind,
            jurisdiction: self.jurisdiction.clone(),
        }
    }

    /// The wire role, for staff accounts.
    pub fn role(&self) -> Option<Role> {
        self.kind.role()
    }

    /// Whether the account is active.
    pub fn is_active(&self) -> bool {
        self.state == AccountState::Active
    }

    /// The key id of its signing key, if it has one.
    pub fn kid(&self) -> Option<hcx_protocol::wire::KeyId> {
        self.public_key
            .as_ref()
            .map(|k| hcx_protocol::wire::KeyId::derive(k.as_bytes()))
    }

    /// The time unused-account deletion measures idleness from: the last recorded use,
    /// or activation, or opening.
    pub fn idle_since(&self) -> u64 {
        self.last_used_at
            .or(self.activated_at)
            .unwrap_or(self.created_at)
    }
}
