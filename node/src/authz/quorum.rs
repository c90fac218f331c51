//! The quorum the operator cannot fake: when an action needs k-of-n approvals
//! ([`required_approvals`]), and whether a set of signed approvals makes one
//! ([`check_quorum`] → `QuorumCertificate`).
//!
//! A quorum is needed for every uploaded list, rule-set change and risk-area change, and
//! for a transcode that would take a rolling-window count past its limit
//! (`super::counters`). Approvals are `Signed<ApprovalBody>` over the action's hash
//! ([`QuorumAction::hash`]), made on the approvers' own devices with the keys in the
//! roster. Each must be by a distinct active admin, verify under that admin's
//! registered key, be fresh, come from an admin whose jurisdiction covers *every*
//! target, and come from neither the requester nor any account in the requester's
//! creation subtree (an admin cannot mint their own approvers).
//!
//! `Tree::Approvals` layout: `r:` ‖ action hash → the canonical [`QuorumAction`] (a
//! proposal approvers fetch and hash themselves); `p:` ‖ action hash ‖ signer key id →
//! a submitted `Signed<ApprovalBody>`; `u:` ‖ action hash → the time it was executed
//! (a used quorum cannot be replayed).
//!
//! Log entries: [`submit_approval`] returns an `Approval` entry (approval given, actor
//! = approver); [`check_quorum`] returns an `Approval` entry (quorum reached, actor =
//! requester) and the `Alarm` entry every bulk action raises. Their `commitment` is the
//! action hash (the action holds ids, division codes and digests only).

use std::collections::BTreeSet;

use hcx_protocol::cbor::{self, Cbor, DecodeError, Decoder, Encoder, Limits, MapBuilder};
use hcx_protocol::wire::{
    ApprovalBody, Commitment, Digest, EntryKind, Jurisdiction, LogEntry, MAX_APPROVALS,
    QuorumCertificate, Role, Signed, WireMessage,
};

use super::counters::WindowCounts;
use super::counters::per_jurisdiction;
use super::{AuthzConfig, AuthzError, QuorumError};
use crate::accounts::{
    Account, AccountId, Principal, PrincipalKind, is_in_subtree, load_account, load_account_by_kid,
};
use crate::store::{Batch, Store, Tree};

/// Most targets one action may name.
pub const MAX_TARGETS: usize = 100_000;

/// What kind of action asks for a quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// A transcode of one or more codes (needs a quorum past a threshold).
    Transcode = 1,
    /// A transcode from an uploaded list (always needs a quorum).
    UploadedList = 2,
    /// A rule-set change (always).
    RuleSetChange = 3,
    /// A risk-area change (always).
    RiskAreaChange = 4,
}

impl ActionKind {
    fn from_code(c: u64) -> Option<Self> {
        Some(match c {
            1 => Self::Transcode,
            2 => Self::UploadedList,
            3 => Self::RuleSetChange,
            4 => Self::RiskAreaChange,
            _ => return None,
        })
    }
}

/// An action awaiting approval. Canonical CBOR `{1: kind, 2: requester id, 3: [target
/// division codes], 4: payload digest, 5: created_at}`; its hash is
/// SHA-256(`"hcx-quorum-action-v1\0"` ‖ that encoding). `payload` is the digest of the
/// action's full content (the sorted code-id hashes and new status of a transcode, the
/// rule set's id, the risk-area change), so an approval of one action never approves
/// another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumAction {
    /// Kind.
    pub kind: ActionKind,
    /// The requesting account.
    pub requester: AccountId,
    /// The targets' division codes, one per target (a rule or risk-area change names
    /// the jurisdictions it applies to).
    pub targets: Vec<Jurisdiction>,
    /// Digest of the action's content.
    pub payload: Digest,
    /// When it was proposed.
    pub created_at: u64,
}

impl Cbor for QuorumAction {
    fn encode(&self, e: &mut Encoder) {
        let mut m = MapBuilder::new();
        m.entry(1, |e| {
            e.u64(self.kind as u64);
        });
        m.entry(2, |e| {
            e.text(self.requester.as_str());
        });
        m.entry(3, |e| self.targets.encode(e));
        m.entry(4, |e| self.payload.encode(e));
        m.entry(5, |e| {
            e.u64(self.created_at);
        });
        m.finish(e);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut f = d.begin_map()?;
        let kind = f.required(d, 1, |d| {
            ActionKind::from_code(d.u64()?).ok_or(DecodeError::InvalidValue {
                field: "action kind",
            })
        })?;
        let requester = f.required(d, 2, |d| d.text().map(|t| AccountId(t.to_owned())))?;
        let targets = f.required(d, 3, Vec::<Jurisdiction>::decode)?;
        let payload = f.required(d, 4, Digest::decode)?;
        let created_at = f.required(d, 5, Decoder::u64)?;
        f.finish(d)?;
        if targets.len() > MAX_TARGETS {
            return Err(DecodeError::InvalidValue { field: "targets" });
        }
        Ok(Self {
            kind,
            requester,
            targets,
            payload,
            created_at,
        })
    }
}

impl QuorumAction {
    /// The canonical encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::to_canonical(self)
    }

    /// Strictly decodes an action.
    ///
    /// # Errors
    /// Not a canonical action.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        cbor::from_canonical(bytes, Limits::message(MAX_TARGETS * 16 + 1024))
    }

    /// The hash approvers sign (in `ApprovalBody::action`).
    pub fn hash(&self) -> Digest {
        let mut e = Encoder::new();
        e.raw(b"hcx-quorum-action-v1\0");
        self.encode(&mut e);
        Digest(hcx_protocol::sign::sha256(e.as_bytes()))
    }
}

/// Why a quorum is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumReason {
    /// An uploaded list.
    UploadedList,
    /// A rule-set change.
    RuleSetChange,
    /// A risk-area change.
    RiskAreaChange,
    /// The actor's count would pass its limit.
    ActorThreshold {
        /// Window, seconds.
        window_secs: u64,
        /// Count including this action.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// A jurisdiction's count would pass its limit.
    JurisdictionThreshold {
        /// The counted jurisdiction.
        jurisdiction: String,
        /// Window, seconds.
        window_secs: u64,
        /// Count including this action.
        count: u64,
        /// The limit.
        limit: u64,
    },
}

/// Whether an action may go ahead alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumNeed {
    /// No quorum needed.
    NotNeeded,
    /// `k` approvals needed, for `reason`.
    Needed {
        /// Approvals required.
        k: u64,
        /// The first reason found.
        reason: QuorumReason,
    },
}

/// Whether `action` needs a quorum, given the counts recorded before it
/// ([`super::read_counts`] for the same actor and targets).
pub fn required_approvals(
    action: &QuorumAction,
    counts: &WindowCounts,
    cfg: &AuthzConfig,
) -> QuorumNeed {
    let needed = |reason| QuorumNeed::Needed { k: cfg.k, reason };
    match action.kind {
        ActionKind::UploadedList => return needed(QuorumReason::UploadedList),
        ActionKind::RuleSetChange => return needed(QuorumReason::RuleSetChange),
        ActionKind::RiskAreaChange => return needed(QuorumReason::RiskAreaChange),
        ActionKind::Transcode => {}
    }
    let n = action.targets.len() as u64;
    let mine = per_jurisdiction(&action.targets, cfg.jurisdiction_digits);
    for (limit, got) in cfg.windows.iter().zip(&counts.windows) {
        let count = got.actor.saturating_add(n);
        if count > limit.per_actor {
            return needed(QuorumReason::ActorThreshold {
                window_secs: limit.secs,
                count,
                limit: limit.per_actor,
            });
        }
        for (j, add) in &mine {
            let count = got
                .jurisdictions
                .get(j)
                .copied()
                .unwrap_or(0)
                .saturating_add(*add);
            if count > limit.per_jurisdiction {
                return needed(QuorumReason::JurisdictionThreshold {
                    jurisdiction: j.clone(),
                    window_secs: limit.secs,
                    count,
                    limit: limit.per_jurisdiction,
                });
            }
        }
    }
    QuorumNeed::NotNeeded
}

fn proposal_key(action: &Digest) -> Vec<u8> {
    [b"r:".as_slice(), &action.0].concat()
}

fn approval_prefix(action: &Digest) -> Vec<u8> {
    [b"p:".as_slice(), &action.0].concat()
}

fn used_key(action: &Digest) -> Vec<u8> {
    [b"u:".as_slice(), &action.0].concat()
}

/// A batch storing `action` as a proposal approvers can fetch, and its hash.
pub fn propose(action: &QuorumAction) -> (Batch, Digest) {
    let h = action.hash();
    let mut b = Batch::new();
    b.put(Tree::Approvals, proposal_key(&h), action.to_bytes());
    (b, h)
}

/// The proposal with hash `action`.
///
/// # Errors
/// Store failure or a corrupt proposal.
pub fn load_proposal(
    store: &dyn Store,
    action: &Digest,
) -> Result<Option<QuorumAction>, AuthzError> {
    store
        .get(Tree::Approvals, &proposal_key(action))?
        .map(|b| {
            QuorumAction::from_bytes(&b).map_err(|e| AuthzError::Corrupt {
                tree: Tree::Approvals,
                detail: e.to_string(),
            })
        })
        .transpose()
}

/// The approver's account, if the approval verifies, the approver is an active admin
/// and the time is acceptable.
fn verify_approval(
    store: &dyn Store,
    approval: &Signed<ApprovalBody>,
    action: &Digest,
    cfg: &AuthzConfig,
    now: u64,
) -> Result<Account, QuorumError> {
    if approval.body.action != *action {
        return Err(QuorumError::WrongAction {
            kid: approval.signer.clone(),
        });
    }
    let approver = load_account_by_kid(store, &approval.signer)?.ok_or_else(|| {
        QuorumError::UnknownApprover {
            kid: approval.signer.clone(),
        }
    })?;
    let is_admin = matches!(approver.kind, PrincipalKind::Staff(Role::Admin(_)));
    if !is_admin || !approver.is_active() {
        return Err(QuorumError::NotActiveAdmin {
            account: approver.id,
        });
    }
    let key = approver
        .public_key
        .as_ref()
        .ok_or_else(|| QuorumError::BadSignature {
            account: approver.id.clone(),
        })?;
    if approval.verify(key).is_err() {
        return Err(QuorumError::BadSignature {
            account: approver.id,
        });
    }
    let t = approval.body.time;
    if t > now.saturating_add(cfg.max_skew_secs)
        || now.saturating_sub(t) > cfg.approval_max_age_secs
    {
        return Err(QuorumError::BadTime {
            account: approver.id,
            time: t,
        });
    }
    Ok(approver)
}

fn entry(kind: EntryKind, actor: &Account, action: &Digest, now: u64) -> LogEntry {
    LogEntry {
        kind,
        time: now,
        actor: actor.role(),
        actor_kid: actor.kid(),
        jurisdiction: Some(actor.jurisdiction.clone()),
        message: None,
        code: None,
        rule: None,
        commitment: Some(Commitment(action.0)),
    }
}

/// The alarm entry for a bulk action by `requester` (raised when a quorum was needed;
/// the caller may also log it when an action is stopped for want of one).
pub fn alarm_entry(requester: &Account, action: &Digest, now: u64) -> LogEntry {
    entry(EntryKind::Alarm, requester, action, now)
}

/// Stores an approval submitted ahead of the request (checks the signature, the
/// approver and that the proposal exists; coverage and subtree are checked by
/// [`check_quorum`]). Returns the batch and the "approval given" entry.
///
/// # Errors
/// [`QuorumError`] for an invalid approval or unknown proposal.
pub fn submit_approval(
    store: &dyn Store,
    approval: &Signed<ApprovalBody>,
    cfg: &AuthzConfig,
    now: u64,
) -> Result<(Batch, Vec<LogEntry>), QuorumError> {
    let action = approval.body.action;
    if load_proposal(store, &action)?.is_none() {
        return Err(QuorumError::UnknownAction);
    }
    if store.get(Tree::Approvals, &used_key(&action))?.is_some() {
        return Err(QuorumError::AlreadyUsed);
    }
    let approver = verify_approval(store, approval, &action, cfg, now)?;
    let mut b = Batch::new();
    let key = [
        approval_prefix(&action),
        approval.signer.as_bytes().to_vec(),
    ]
    .concat();
    b.put(Tree::Approvals, key, approval.to_bytes());
    tracing::info!(approver = %approver.id, "approval submitted");
    Ok((b, vec![entry(EntryKind::Approval, &approver, &action, now)]))
}

/// The approvals submitted for `action`.
///
/// # Errors
/// Store failure or a corrupt approval.
pub fn stored_approvals(
    store: &dyn Store,
    action: &Digest,
) -> Result<Vec<Signed<ApprovalBody>>, AuthzError> {
    let rows = store.scan(
        Tree::Approvals,
        &approval_prefix(action),
        None,
        MAX_APPROVALS * 4,
    )?;
    rows.into_iter()
        .map(|(_, v)| {
            Signed::<ApprovalBody>::from_bytes(&v).map_err(|e| AuthzError::Corrupt {
                tree: Tree::Approvals,
                detail: e.to_string(),
            })
        })
        .collect()
}

/// A reached quorum: put `certificate` in the delta, commit `batch` (marks the action
/// used, clears its proposal and stored approvals) with `log` and the action itself.
#[derive(Debug)]
pub struct QuorumOutcome {
    /// The certificate.
    pub certificate: QuorumCertificate,
    /// The writes.
    pub batch: Batch,
    /// The "quorum reached" and alarm entries.
    pub log: Vec<LogEntry>,
}

/// Checks `approvals` of `action` (requested by `requester`, touching `targets`) and,
/// with at least `k` valid ones, makes the certificate. Strict: any invalid approval
/// refuses the whole set, so a client sends only the approvals it means.
///
/// # Errors
/// [`QuorumError`]: the first invalid approval, too few, too many, or already used.
#[allow(clippy::too_many_arguments)] // each is a distinct input of the decision
pub fn check_quorum(
    store: &dyn Store,
    requester: &Principal,
    action: &Digest,
    targets: &[Jurisdiction],
    approvals: &[Signed<ApprovalBody>],
    k: u64,
    cfg: &AuthzConfig,
    now: u64,
) -> Result<QuorumOutcome, QuorumError> {
    if approvals.len() > MAX_APPROVALS {
        return Err(QuorumError::TooMany { max: MAX_APPROVALS });
    }
    let used = used_key(action);
    if store.get(Tree::Approvals, &used)?.is_some() {
        return Err(QuorumError::AlreadyUsed);
    }
    let requester_account = load_account(store, &requester.account)?.ok_or_else(|| {
        AuthzError::Account(crate::accounts::AccountError::UnknownAccount {
            id: requester.account.clone(),
        })
    })?;
    let distinct_targets: BTreeSet<&Jurisdiction> = targets.iter().collect();
    let mut seen = BTreeSet::new();
    let mut valid = Vec::new();
    for a in approvals {
        let approver = verify_approval(store, a, action, cfg, now)?;
        if approver.id == requester.account {
            return Err(QuorumError::IsRequester);
        }
        if is_in_subtree(store, &requester.account, &approver.id)? {
            return Err(QuorumError::InRequesterSubtree {
                account: approver.id,
            });
        }
        if let Some(t) = distinct_targets
            .iter()
            .find(|t| !approver.jurisdiction.covers(t))
        {
            return Err(QuorumError::DoesNotCover {
                account: approver.id,
                target: t.as_str().to_owned(),
            });
        }
        if !seen.insert(approver.id.clone()) {
            return Err(QuorumError::Duplicate {
                account: approver.id,
            });
        }
        valid.push(a.clone());
    }
    let have = valid.len() as u64;
    if k == 0 || have < k {
        return Err(QuorumError::NotEnough { have, need: k });
    }
    valid.sort_by(|a, b| a.signer.cmp(&b.signer));
    let certificate = QuorumCertificate {
        action: *action,
        k,
        approvals: valid,
    };
    let mut batch = Batch::new();
    batch.expect(Tree::Approvals, used.clone(), None);
    batch.put(Tree::Approvals, used, now.to_be_bytes().to_vec());
    batch.delete(Tree::Approvals, proposal_key(action));
    for (key, _) in store.scan(
        Tree::Approvals,
        &approval_prefix(action),
        None,
        MAX_APPROVALS * 4,
    )? {
        batch.delete(Tree::Approvals, key);
    }
    let log = vec![
        entry(EntryKind::Approval, &requester_account, action, now),
        alarm_entry(&requester_account, action, now),
    ];
    tracing::warn!(requester = %requester.account, approvals = have, k, "bulk action approved by quorum");
    Ok(QuorumOutcome {
        certificate,
        batch,
        log,
    })
}
