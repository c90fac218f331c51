//! Authorisation of colour changes and bulk actions (DESIGN "Bulk changes need a quorum
//! that the operator cannot fake"):
//!
//! - [`transcode`]: who may transcode where ([`may_transcode`]: admin levels 1–4, inside
//!   their jurisdiction) and the two-party rule ([`check_evidence`]: evidence signed by
//!   the own key of an active evidence-source account, distinct from the transcoder and
//!   of another role);
//! - [`counters`]: rolling-window transcode counts per actor and per jurisdiction,
//!   counted per target (so splitting a list into small batches does not evade them);
//! - [`quorum`]: when k-of-n approvals are needed ([`required_approvals`]) and checking
//!   them into a `QuorumCertificate` ([`check_quorum`]), with the alarm log entry;
//! - [`roster`]: the `AdminRoster` the operational key signs and publishes;
//! - [`config`]: thresholds, windows and k, with documented defaults.
//!
//! Nothing here writes: functions return [`crate::store::Batch`]es and audit
//! `LogEntry` values for the caller's one atomic commit. Not here: accounts themselves
//! (`crate::accounts`), applying a transcode (`crate::issuance`), signing the roster
//! (`crate::keys` / the node).

pub mod config;
pub mod counters;
pub mod error;
pub mod quorum;
pub mod roster;
pub mod transcode;

#[cfg(test)]
mod tests;

pub use config::{AuthzConfig, WindowLimit};
pub use counters::{WindowCounts, prune_counters, read_counts, record_transcodes};
pub use error::{AuthzError, QuorumError, TranscodeError};
pub use quorum::{
    ActionKind, QuorumAction, QuorumNeed, QuorumOutcome, QuorumReason, alarm_entry, check_quorum,
    load_proposal, propose, required_approvals, stored_approvals, submit_approval,
};
pub use roster::build_roster;
pub use transcode::{check_evidence, may_transcode};
