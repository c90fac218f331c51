//! Issuance and evidence: holder registration (real-name data sealed locally, ID
//! documents validated), codes for self and for a dependant under a guardian, evidence
//! from evidence-source accounts, transcoding under the two-party rule and the quorum,
//! and the explainable status history behind every colour.
//!
//! Every function here is a synchronous service on a [`Node`]: it checks, builds one
//! [`Batch`](crate::store::Batch) with everything that belongs together, and commits it
//! through the audit log (so an action and its log entry are one atomic, durable write).
//! The HTTP layer runs them on the blocking pool.
//!
//! Layout: [`records`] (stored shapes and keys), [`holders`], [`codes`], [`evidence`],
//! [`status`] (assessment, transcoding, the live status index).

pub mod codes;
pub mod evidence;
pub mod holders;
pub mod records;
pub mod status;

use crate::accounts::{AccountError, AuthError};
use crate::audit::AuditError;
use crate::authz::{AuthzError, QuorumError, TranscodeError};
use crate::store::StoreError;
use crate::vault::VaultError;

pub use codes::IssueRequest;
pub use holders::{RegisterRequest, Registered};
pub use status::{TranscodeOutcome, TranscodeRequest, TranscodeTarget};

/// Why an issuance operation was refused or failed. Variants map to HTTP statuses in the
/// API layer: the first group are the caller's mistakes (4xx), the last are internal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuanceError {
    /// The identity document is invalid.
    #[error("invalid identity document: {0}")]
    InvalidDocument(#[from] hcx_protocol::identity::IdError),
    /// A field is invalid.
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The referenced holder, code or evidence does not exist.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The same document is already registered.
    #[error("a holder with this document is already registered")]
    AlreadyRegistered,
    /// A transcode was refused by the two-party rule or jurisdiction.
    #[error(transparent)]
    Transcode(#[from] TranscodeError),
    /// A quorum is required or the approvals given do not form one.
    #[error(transparent)]
    Quorum(#[from] QuorumError),
    /// A quorum of signed approvals is required: approvers sign `action`.
    #[error("a quorum of {k} approvals is required ({reason}); approvers sign action {}", hex::encode(.action.0))]
    QuorumRequired {
        action: hcx_protocol::wire::Digest,
        k: u64,
        reason: String,
    },
    /// Another authorisation failure.
    #[error(transparent)]
    Authz(#[from] AuthzError),
    /// An account operation failed.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A concurrent write won; the request may be retried.
    #[error("conflicting concurrent write; retry")]
    Conflict,
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
    /// The audit log failed.
    #[error(transparent)]
    Audit(AuditError),
    /// The vault failed.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Signing failed.
    #[error("signing failed")]
    Signing,
    /// A stored record is damaged.
    #[error("stored record damaged: {0}")]
    Damaged(String),
}

impl From<StoreError> for IssuanceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => Self::Conflict,
            other => Self::Store(other),
        }
    }
}

impl From<AuditError> for IssuanceError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Store(StoreError::Conflict { .. }) => Self::Conflict,
            other => Self::Audit(other),
        }
    }
}

/// Reads a JSON record.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, IssuanceError> {
    serde_json::from_slice(bytes).map_err(|e| IssuanceError::Damaged(e.to_string()))
}

/// Writes a JSON record.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    // Serialising these plain records (strings, numbers, options) cannot fail.
    serde_json::to_vec(v).unwrap_or_default()
}

/// 16 random bytes as 32 hex characters.
pub(crate) fn random_id(
    rng: &dyn ring::rand::SecureRandom,
) -> Result<(String, [u8; 16]), IssuanceError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| IssuanceError::Signing)?;
    Ok((hex::encode(b), b))
}
