//! Errors of authorisation: the transcode checks, counters and quorum. The HTTP layer
//! maps refusals to 403 (422 for a malformed signed item) and `QuorumError::NotEnough`
//! to a response that asks for approvals.

use hcx_protocol::wire::KeyId;

use crate::accounts::{AccountError, AccountId, PrincipalKind};
use crate::store::{StoreError, Tree};

/// Why a transcode was refused before any quorum question.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields are named by their variant's documentation
pub enum TranscodeError {
    /// Only admin levels 1–4 transcode.
    #[error("a {kind:?} may not transcode")]
    NotTranscoder { kind: PrincipalKind },
    /// The target lies outside the transcoder's jurisdiction.
    #[error("target {target} is outside jurisdiction {actor}")]
    OutsideJurisdiction { actor: String, target: String },
    /// The evidence's key id names no account.
    #[error("evidence signed by an unknown key")]
    UnknownSigner { kid: KeyId },
    /// The evidence source is not active.
    #[error("evidence source {account} is not active")]
    SignerNotActive { account: AccountId },
    /// The signer is not an evidence-source account.
    #[error("evidence signed by a {kind:?}, not an evidence source")]
    NotEvidenceSource { kind: PrincipalKind },
    /// The evidence was signed by the transcoder itself.
    #[error("evidence signed by the transcoder")]
    SameAccount,
    /// The evidence signer has the transcoder's role.
    #[error("evidence signed by an account of the transcoder's role")]
    SameRole,
    /// The signature does not verify under the signer's registered key.
    #[error("evidence signature does not verify")]
    BadSignature,
    /// The evidence is about another code.
    #[error("evidence concerns another code")]
    WrongSubject,
    /// The evidence is dated in the future.
    #[error("evidence dated {time}, after now {now}")]
    FromFuture { time: u64, now: u64 },
    /// Account lookup failed.
    #[error(transparent)]
    Account(#[from] AccountError),
}

/// Why counters or the roster could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields are named by their variant's documentation
pub enum AuthzError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored value is corrupt.
    #[error("stored {tree:?} value is corrupt: {detail}")]
    Corrupt { tree: Tree, detail: String },
    /// Account lookup failed.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// More roster entries than the wire allows.
    #[error("roster has {count} entries, more than {max}")]
    RosterTooLarge { count: usize, max: usize },
}

/// Why approvals did not make a quorum.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields are named by their variant's documentation
pub enum QuorumError {
    /// An approval is for another action.
    #[error("approval by {kid:?} is for another action")]
    WrongAction { kid: KeyId },
    /// An approval's key id names no account.
    #[error("approval signed by an unknown key")]
    UnknownApprover { kid: KeyId },
    /// The approver is not an active admin.
    #[error("approver {account} is not an active admin")]
    NotActiveAdmin { account: AccountId },
    /// An approval's signature does not verify.
    #[error("approval by {account} does not verify")]
    BadSignature { account: AccountId },
    /// The requester cannot approve its own action.
    #[error("the requester cannot approve its own action")]
    IsRequester,
    /// The approver was created (directly or down a chain) by the requester.
    #[error("approver {account} is in the requester's creation subtree")]
    InRequesterSubtree { account: AccountId },
    /// The approver's jurisdiction does not cover a target.
    #[error("approver {account} does not cover target {target}")]
    DoesNotCover { account: AccountId, target: String },
    /// Two approvals by one account.
    #[error("duplicate approval by {account}")]
    Duplicate { account: AccountId },
    /// Too old, or dated in the future.
    #[error("approval by {account} dated {time} is outside the accepted time range")]
    BadTime { account: AccountId, time: u64 },
    /// Fewer valid approvals than needed.
    #[error("{have} of {need} approvals")]
    NotEnough { have: u64, need: u64 },
    /// More approvals than a certificate may carry.
    #[error("more than {max} approvals")]
    TooMany { max: usize },
    /// This action already used its quorum.
    #[error("action already executed under a quorum")]
    AlreadyUsed,
    /// No proposal with this hash.
    #[error("no pending action with this hash")]
    UnknownAction,
    /// Store or account failure.
    #[error(transparent)]
    Authz(#[from] AuthzError),
}

impl From<StoreError> for QuorumError {
    fn from(e: StoreError) -> Self {
        Self::Authz(AuthzError::Store(e))
    }
}

impl From<AccountError> for QuorumError {
    fn from(e: AccountError) -> Self {
        Self::Authz(AuthzError::Account(e))
    }
}
