//! The privileged account operations: bootstrap of the first level-1 admins, opening,
//! review, deletion (one account, or every account in the actor's subtree unused for a
//! given time), and holder self-registration. Each reads the store, checks the rules of
//! `super::rules`, and returns a guarded [`Batch`] plus the audit [`LogEntry`] values;
//! nothing here writes. The caller commits the batch together with the audit append in
//! one atomic commit, so a refused operation writes nothing and an accepted one is
//! never unlogged. A guard failing at commit ([`crate::store::StoreError::Conflict`])
//! means a concurrent change: re-run the operation.
//!
//! Log entries are `EntryKind::RosterChange` with the actor's role, key id and
//! jurisdiction, and as `commitment` the digest [`account_action_commitment`] of the
//! action record (op, actor id, subject id, subject role, subject jurisdiction, time):
//! account ids are not personal, so the digest is unsalted and anyone given the ids can
//! recompute it.
//!
//! Account ids: staff `acc_` ‖ 20 hex digits, holders `hld_` ‖ 20 hex digits (random),
//! so listing staff accounts scans the `a:acc_` key range and never the holders.

use hcx_protocol::cbor::{Encoder, MapBuilder};
use hcx_protocol::sign::PublicKey;
use hcx_protocol::wire::{Commitment, EntryKind, Jurisdiction, KeyRecord, LogEntry, Role};
use ring::rand::SecureRandom;

use super::record::{
    Loaded, account_key, bump_roster_version, encode_account, in_roster, kid_key, load_raw, require,
};
use super::rules::{check_label, may_open, may_review, needs_key};
use super::token::new_token;
use super::{Account, AccountError, AccountId, AccountState, Principal, PrincipalKind};
use crate::store::{Batch, Store, Tree};

/// The deepest creation chain followed (a guard against a corrupt cyclic chain).
pub const MAX_CHAIN: usize = 64;
/// Id prefix of staff accounts.
pub const STAFF_ID_PREFIX: &str = "acc_";
/// Id prefix of holder accounts.
pub const HOLDER_ID_PREFIX: &str = "hld_";

/// What to open.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    /// The new account's role.
    pub role: Role,
    /// Its jurisdiction (must lie inside the creator's).
    pub jurisdiction: Jurisdiction,
    /// Its own signing key (required for admins and evidence sources).
    pub public_key: Option<PublicKey>,
    /// A non-personal label.
    pub label: String,
}

/// An opened account: commit `batch` with `log`, then show `token` once.
#[derive(Debug)]
pub struct Opened {
    /// The writes.
    pub batch: Batch,
    /// Audit entries to append in the same commit.
    pub log: Vec<LogEntry>,
    /// The new account.
    pub account: Account,
    /// The bearer token, to show once (only its hash is stored).
    pub token: String,
}

/// A changed account (review, deletion).
#[derive(Debug)]
pub struct Changed {
    /// The writes.
    pub batch: Batch,
    /// Audit entries to append in the same commit.
    pub log: Vec<LogEntry>,
    /// The accounts as they will be after the commit.
    pub accounts: Vec<Account>,
}

/// A reviewer's decision on an opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    /// Activate the account.
    Approve,
    /// Refuse it (the account is deleted).
    Reject,
}

/// The action codes in [`account_action_commitment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccountOp {
    /// Bootstrap by `hcx init`.
    Bootstrap = 1,
    /// Opening (pending review).
    Open = 2,
    /// Approved at review.
    Approve = 3,
    /// Rejected at review.
    Reject = 4,
    /// Deleted.
    Delete = 5,
    /// Deleted as unused.
    DeleteUnused = 6,
}

/// The digest logged as an account action's `commitment`:
/// SHA-256(`"hcx-account-action-v1\0"` ‖ canonical `{1: op, ?2: actor id, 3: subject
/// id, 4: subject kind code, 5: subject jurisdiction, 6: time}`).
pub fn account_action_commitment(
    op: AccountOp,
    actor: Option<&AccountId>,
    subject: &Account,
    time: u64,
) -> Commitment {
    let mut m = MapBuilder::new();
    m.entry(1, |e| {
        e.u64(op as u64);
    });
    if let Some(a) = actor {
        m.entry(2, |e| {
            e.text(&a.0);
        });
    }
    m.entry(3, |e| {
        e.text(&subject.id.0);
    });
    m.entry(4, |e| {
        e.u64(subject.role().map_or(0, Role::code));
    });
    m.entry(5, |e| {
        e.text(subject.jurisdiction.as_str());
    });
    m.entry(6, |e| {
        e.u64(time);
    });
    let mut e = Encoder::new();
    e.raw(b"hcx-account-action-v1\0");
    m.finish(&mut e);
    Commitment(hcx_protocol::sign::sha256(e.as_bytes()))
}

fn log_entry(op: AccountOp, actor: Option<&Account>, subject: &Account, now: u64) -> LogEntry {
    LogEntry {
        kind: EntryKind::RosterChange,
        time: now,
        actor: actor.and_then(Account::role),
        actor_kid: actor.and_then(Account::kid),
        jurisdiction: actor.map(|a| a.jurisdiction.clone()),
        message: None,
        code: None,
        rule: None,
        commitment: Some(account_action_commitment(
            op,
            actor.map(|a| &a.id),
            subject,
            now,
        )),
    }
}

fn new_id(prefix: &str, rng: &dyn SecureRandom) -> Result<AccountId, AccountError> {
    let mut b = [0u8; 10];
    rng.fill(&mut b).map_err(|_| AccountError::Random)?;
    Ok(AccountId(format!("{prefix}{}", hex::encode(b))))
}

fn check_key(store: &dyn Store, key: &PublicKey, batch: &mut Batch) -> Result<(), AccountError> {
    let record = KeyRecord::of(key);
    let len_ok = record.key.0.len() == record.alg.key_len() && record.alg.key_len() > 0;
    if !len_ok || record.public_key().is_none() {
        return Err(AccountError::UnsupportedKey);
    }
    let k = kid_key(&record.key_id());
    if store.get(Tree::Roster, &k)?.is_some() {
        return Err(AccountError::KeyInUse);
    }
    batch.expect(Tree::Roster, k, None);
    Ok(())
}

/// Writes a brand-new account (record, token index, key index) into `batch`, guarded
/// against existing keys.
fn insert_new(
    store: &dyn Store,
    mut account: Account,
    prefix: &str,
    rng: &dyn SecureRandom,
    batch: &mut Batch,
) -> Result<(Account, String), AccountError> {
    account.id = new_id(prefix, rng)?;
    let (token, hash) = new_token(rng)?;
    account.token_hash = hash;
    if let Some(k) = &account.public_key {
        check_key(store, k, batch)?;
        let kid = KeyRecord::of(k).key_id();
        batch.put(
            Tree::Roster,
            kid_key(&kid),
            account.id.0.as_bytes().to_vec(),
        );
    }
    let key = account_key(&account.id);
    batch.expect(Tree::Accounts, key.clone(), None);
    batch.expect(Tree::Tokens, hash.to_vec(), None);
    batch.put(Tree::Accounts, key, encode_account(&account));
    batch.put(
        Tree::Tokens,
        hash.to_vec(),
        account.id.0.as_bytes().to_vec(),
    );
    Ok((account, token))
}

fn blank(kind: PrincipalKind, jurisdiction: Jurisdiction, label: String, now: u64) -> Account {
    Account {
        id: AccountId(String::new()),
        kind,
        jurisdiction,
        created_by: None,
        public_key: None,
        state: AccountState::PendingReview,
        created_at: now,
        last_used_at: None,
        label,
        reviewed_by: None,
        activated_at: None,
        deleted_at: None,
        token_hash: [0; 32],
    }
}

/// Creates an active level-1 admin for a whole region (`jurisdiction` is its two-digit
/// prefix), with no creator: what `hcx init` (and `hcx up`) call. Not reachable over
/// HTTP. Call it at least twice so level-1 openings have a reviewer. Logged with no
/// actor (the operator at genesis); the roster shows these accounts without
/// `created_by`, so every member sees them.
///
/// # Errors
/// [`AccountError::BadBootstrap`], key and label errors, store failure.
pub fn bootstrap_admin(
    store: &dyn Store,
    jurisdiction: Jurisdiction,
    public_key: PublicKey,
    label: &str,
    now: u64,
    rng: &dyn SecureRandom,
) -> Result<Opened, AccountError> {
    if jurisdiction.as_str().len() != 2 {
        return Err(AccountError::BadBootstrap {
            jurisdiction: jurisdiction.as_str().to_owned(),
        });
    }
    check_label(label)?;
    let mut a = blank(
        PrincipalKind::Staff(Role::Admin(1)),
        jurisdiction,
        label.to_owned(),
        now,
    );
    a.public_key = Some(public_key);
    a.state = AccountState::Active;
    a.activated_at = Some(now);
    let mut batch = Batch::new();
    let (account, token) = insert_new(store, a, STAFF_ID_PREFIX, rng, &mut batch)?;
    bump_roster_version(store, &mut batch)?;
    let log = vec![log_entry(AccountOp::Bootstrap, None, &account, now)];
    tracing::info!(account = %account.id, "bootstrap level-1 admin");
    Ok(Opened {
        batch,
        log,
        account,
        token,
    })
}

fn active_actor(store: &dyn Store, p: &Principal) -> Result<Loaded, AccountError> {
    let l = require(store, &p.account)?;
    if !l.account.is_active() {
        return Err(AccountError::ActorNotActive {
            id: l.account.id,
            state: l.account.state,
        });
    }
    Ok(l)
}

/// Opens a staff account on behalf of `actor`. The account starts pending review: it
/// cannot sign in until a reviewer approves it ([`review_account`]).
///
/// # Errors
/// [`AccountError::RoleNotPermitted`], [`AccountError::OutsideJurisdiction`],
/// [`AccountError::KeyRequired`], [`AccountError::KeyInUse`], label, store errors.
pub fn open_account(
    store: &dyn Store,
    actor: &Principal,
    req: OpenRequest,
    now: u64,
    rng: &dyn SecureRandom,
) -> Result<Opened, AccountError> {
    let creator = active_actor(store, actor)?.account;
    may_open(
        creator.kind,
        &creator.jurisdiction,
        req.role,
        &req.jurisdiction,
    )?;
    check_label(&req.label)?;
    if needs_key(req.role) && req.public_key.is_none() {
        return Err(AccountError::KeyRequired { role: req.role });
    }
    let mut a = blank(
        PrincipalKind::Staff(req.role),
        req.jurisdiction,
        req.label,
        now,
    );
    a.created_by = Some(creator.id.clone());
    a.public_key = req.public_key;
    let mut batch = Batch::new();
    let (account, token) = insert_new(store, a, STAFF_ID_PREFIX, rng, &mut batch)?;
    let log = vec![log_entry(AccountOp::Open, Some(&creator), &account, now)];
    tracing::info!(actor = %creator.id, account = %account.id, role = ?req.role, "account opened, pending review");
    Ok(Opened {
        batch,
        log,
        account,
        token,
    })
}

/// Registers a holder account (active at once: holders register themselves, and the
/// identity checks happen in issuance). `jurisdiction` is the holder's region. Returns
/// no log entry: registration is not a privileged action (issuance logs what it does).
///
/// # Errors
/// Label and store errors.
pub fn open_holder_account(
    store: &dyn Store,
    jurisdiction: Jurisdiction,
    now: u64,
    rng: &dyn SecureRandom,
) -> Result<Opened, AccountError> {
    let mut a = blank(PrincipalKind::Holder, jurisdiction, "holder".into(), now);
    a.state = AccountState::Active;
    a.activated_at = Some(now);
    let mut batch = Batch::new();
    let (account, token) = insert_new(store, a, HOLDER_ID_PREFIX, rng, &mut batch)?;
    Ok(Opened {
        batch,
        log: Vec::new(),
        account,
        token,
    })
}

/// Reviews a pending account: approve (active) or reject (deleted). The reviewer must
/// not be the creator and must be eligible ([`super::rules::may_review`]).
///
/// # Errors
/// [`AccountError::NotPending`], [`AccountError::ReviewerIsCreator`],
/// [`AccountError::ReviewerNotEligible`], store errors.
pub fn review_account(
    store: &dyn Store,
    reviewer: &Principal,
    id: &AccountId,
    decision: ReviewDecision,
    now: u64,
) -> Result<Changed, AccountError> {
    let reviewer = active_actor(store, reviewer)?.account;
    let Loaded { account, raw } = require(store, id)?;
    if account.state != AccountState::PendingReview {
        return Err(AccountError::NotPending {
            id: account.id,
            state: account.state,
        });
    }
    let creator_id = account.created_by.clone().ok_or(AccountError::NotPending {
        id: account.id.clone(),
        state: account.state,
    })?;
    if reviewer.id == creator_id {
        return Err(AccountError::ReviewerIsCreator { id: account.id });
    }
    let creator = require(store, &creator_id)?.account;
    if !may_review(&reviewer, &creator, &account) {
        return Err(AccountError::ReviewerNotEligible {
            reviewer: reviewer.id,
            id: account.id,
        });
    }
    let mut next = account;
    next.reviewed_by = Some(reviewer.id.clone());
    let mut batch = Batch::new();
    let op = match decision {
        ReviewDecision::Approve => {
            next.state = AccountState::Active;
            next.activated_at = Some(now);
            if in_roster(&next) {
                bump_roster_version(store, &mut batch)?;
            }
            AccountOp::Approve
        }
        ReviewDecision::Reject => {
            next.state = AccountState::Deleted;
            next.deleted_at = Some(now);
            AccountOp::Reject
        }
    };
    let key = account_key(&next.id);
    batch.expect(Tree::Accounts, key.clone(), Some(raw));
    batch.put(Tree::Accounts, key, encode_account(&next));
    let log = vec![log_entry(op, Some(&reviewer), &next, now)];
    tracing::info!(reviewer = %reviewer.id, account = %next.id, ?decision, "account reviewed");
    Ok(Changed {
        batch,
        log,
        accounts: vec![next],
    })
}

/// Whether `account` is `ancestor` or was created, directly or down a chain, by it.
///
/// # Errors
/// Store failure, a corrupt record, or a chain longer than [`MAX_CHAIN`].
pub fn is_in_subtree(
    store: &dyn Store,
    ancestor: &AccountId,
    account: &AccountId,
) -> Result<bool, AccountError> {
    let mut cur = account.clone();
    for _ in 0..MAX_CHAIN {
        if cur == *ancestor {
            return Ok(true);
        }
        match require(store, &cur)?.account.created_by {
            Some(parent) => cur = parent,
            None => return Ok(false),
        }
    }
    Err(AccountError::Corrupt {
        tree: Tree::Accounts,
        detail: format!("creation chain of {account} longer than {MAX_CHAIN}"),
    })
}

fn check_manager(store: &dyn Store, actor: &Account, target: &Account) -> Result<(), AccountError> {
    if actor.id == target.id || !is_in_subtree(store, &actor.id, &target.id)? {
        return Err(AccountError::NotManager {
            actor: actor.id.clone(),
            id: target.id.clone(),
        });
    }
    Ok(())
}

fn delete_into(
    store: &dyn Store,
    actor: &Account,
    Loaded { account, raw }: Loaded,
    op: AccountOp,
    now: u64,
    batch: &mut Batch,
) -> Result<(Account, LogEntry, bool), AccountError> {
    if account.state == AccountState::Deleted {
        return Err(AccountError::AlreadyDeleted { id: account.id });
    }
    check_manager(store, actor, &account)?;
    let roster_visible = account.is_active() && in_roster(&account);
    let mut next = account;
    next.state = AccountState::Deleted;
    next.deleted_at = Some(now);
    let key = account_key(&next.id);
    batch.expect(Tree::Accounts, key.clone(), Some(raw));
    batch.put(Tree::Accounts, key, encode_account(&next));
    let entry = log_entry(op, Some(actor), &next, now);
    Ok((next, entry, roster_visible))
}

/// Deletes (withdraws) an account: by its creator or anyone above it in the creation
/// tree. The record stays as a tombstone; its token stops working.
///
/// # Errors
/// [`AccountError::NotManager`], [`AccountError::AlreadyDeleted`], store errors.
pub fn delete_account(
    store: &dyn Store,
    actor: &Principal,
    id: &AccountId,
    now: u64,
) -> Result<Changed, AccountError> {
    let actor = active_actor(store, actor)?.account;
    let target = require(store, id)?;
    let mut batch = Batch::new();
    let (account, entry, roster) =
        delete_into(store, &actor, target, AccountOp::Delete, now, &mut batch)?;
    if roster {
        bump_roster_version(store, &mut batch)?;
    }
    tracing::info!(actor = %actor.id, account = %account.id, "account deleted");
    Ok(Changed {
        batch,
        log: vec![entry],
        accounts: vec![account],
    })
}

/// Staff accounts below `actor` in the creation tree (not deleted, not the actor) that
/// have been idle for at least `idle_secs` at `now` (idle since the last recorded use,
/// else activation, else opening).
///
/// # Errors
/// Store failure or corrupt records.
pub fn list_unused(
    store: &dyn Store,
    actor: &Principal,
    idle_secs: u64,
    now: u64,
) -> Result<Vec<Account>, AccountError> {
    let actor = active_actor(store, actor)?.account;
    let prefix = account_key(&AccountId(STAFF_ID_PREFIX.to_owned()));
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = store.scan(Tree::Accounts, &prefix, after.as_deref(), 512)?;
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        for (key, _) in &page {
            // The key is `a:` ‖ id; load_raw re-reads the record with its last use.
            let id = key
                .strip_prefix(b"a:".as_slice())
                .and_then(|b| std::str::from_utf8(b).ok())
                .ok_or_else(|| AccountError::Corrupt {
                    tree: Tree::Accounts,
                    detail: "account key is not a:<utf-8 id>".into(),
                })?;
            let Some(Loaded { account, .. }) = load_raw(store, &AccountId(id.to_owned()))? else {
                continue;
            };
            let idle = now.saturating_sub(account.idle_since()) >= idle_secs;
            if idle
                && account.state != AccountState::Deleted
                && account.id != actor.id
                && is_in_subtree(store, &actor.id, &account.id)?
            {
                out.push(account);
            }
        }
    }
    Ok(out)
}

/// Deletes every account [`list_unused`] returns, in one batch (empty when none).
///
/// # Errors
/// Store failure or corrupt records.
pub fn delete_unused(
    store: &dyn Store,
    actor: &Principal,
    idle_secs: u64,
    now: u64,
) -> Result<Changed, AccountError> {
    let unused = list_unused(store, actor, idle_secs, now)?;
    let actor = active_actor(store, actor)?.account;
    let mut batch = Batch::new();
    let mut log = Vec::new();
    let mut accounts = Vec::new();
    let mut roster = false;
    for a in unused {
        let loaded = require(store, &a.id)?;
        let (next, entry, r) = delete_into(
            store,
            &actor,
            loaded,
            AccountOp::DeleteUnused,
            now,
            &mut batch,
        )?;
        roster |= r;
        log.push(entry);
        accounts.push(next);
    }
    if roster {
        bump_roster_version(store, &mut batch)?;
    }
    tracing::info!(actor = %actor.id, deleted = accounts.len(), idle_secs, "unused accounts deleted");
    Ok(Changed {
        batch,
        log,
        accounts,
    })
}
