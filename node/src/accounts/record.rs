//! The stored layout of accounts: which trees, which keys, which bytes. Values are
//! canonical CBOR written with `hcx_protocol::cbor` (maps with small unsigned keys,
//! decoded strictly), so a record re-encodes byte-identically and batch guards can
//! compare whole values.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `Accounts` | `a:` ‖ id | the [`Account`] record (below), without `last_used_at` |
//! | `Accounts` | `u:` ‖ id | last recorded use, u64 big-endian (a blind write, so touching never conflicts with a review) |
//! | `Tokens` | SHA-256(token bytes), 32 bytes | account id (UTF-8) |
//! | `Roster` | `kid:` ‖ key id | account id of the key's owner (pending, active or deleted) |
//! | `Roster` | `version` | roster version, u64 big-endian, bumped by every roster-visible change |
//!
//! Account record map: `{1: id, 2: kind (0 holder, else the wire role code), 3:
//! jurisdiction, ?4: created_by, ?5: public key (wire KeyRecord), 6: state (1 pending, 2
//! active, 3 deleted), 7: created_at, 8: label, ?9: reviewed_by, ?10: activated_at, ?11:
//! deleted_at, 12: token hash}`.
//!
//! Not here: who may change what (`super::rules`, `super::ops`), tokens
//! (`super::token`). `Tree::Counters` and `Tree::Approvals` belong to `crate::authz`.

use hcx_protocol::cbor::{self, Cbor, DecodeError, Decoder, Encoder, Limits, MapBuilder};
use hcx_protocol::wire::{Jurisdiction, KeyId, KeyRecord, Role};

use super::{Account, AccountError, AccountId, AccountState, PrincipalKind};
use crate::store::{Batch, Store, Tree};

/// The largest stored account record accepted.
const MAX_RECORD: usize = 2048;
/// How stale a recorded last use may get before [`touch_batch`] writes a new one.
pub const TOUCH_GRANULARITY_SECS: u64 = 3600;
/// Key of the roster version in `Tree::Roster`.
pub(crate) const ROSTER_VERSION_KEY: &[u8] = b"version";
/// Prefix of the key-id index in `Tree::Roster`.
pub(crate) const KID_PREFIX: &[u8] = b"kid:";

/// `Tree::Accounts` key of an account record.
pub fn account_key(id: &AccountId) -> Vec<u8> {
    [b"a:".as_slice(), id.0.as_bytes()].concat()
}

/// `Tree::Accounts` key of an account's last-use time.
pub fn last_used_key(id: &AccountId) -> Vec<u8> {
    [b"u:".as_slice(), id.0.as_bytes()].concat()
}

/// `Tree::Roster` key of the key-id index entry.
pub fn kid_key(kid: &KeyId) -> Vec<u8> {
    [KID_PREFIX, kid.as_bytes()].concat()
}

fn state_code(s: AccountState) -> u64 {
    match s {
        AccountState::PendingReview => 1,
        AccountState::Active => 2,
        AccountState::Deleted => 3,
    }
}

fn kind_code(k: PrincipalKind) -> u64 {
    match k {
        PrincipalKind::Holder => 0,
        PrincipalKind::Staff(r) => r.code(),
    }
}

fn invalid(field: &'static str) -> DecodeError {
    DecodeError::InvalidValue { field }
}

fn id_of(d: &mut Decoder<'_>) -> Result<AccountId, DecodeError> {
    d.text().map(|t| AccountId(t.to_owned()))
}

/// Encodes the record (`last_used_at` is stored apart and not encoded).
pub fn encode_account(a: &Account) -> Vec<u8> {
    let mut m = MapBuilder::new();
    m.entry(1, |e| {
        e.text(&a.id.0);
    });
    m.entry(2, |e| {
        e.u64(kind_code(a.kind));
    });
    m.entry(3, |e| a.jurisdiction.encode(e));
    if let Some(c) = &a.created_by {
        m.entry(4, |e| {
            e.text(&c.0);
        });
    }
    if let Some(k) = &a.public_key {
        m.entry(5, |e| KeyRecord::of(k).encode(e));
    }
    m.entry(6, |e| {
        e.u64(state_code(a.state));
    });
    m.entry(7, |e| {
        e.u64(a.created_at);
    });
    m.entry(8, |e| {
        e.text(&a.label);
    });
    if let Some(r) = &a.reviewed_by {
        m.entry(9, |e| {
            e.text(&r.0);
        });
    }
    if let Some(t) = a.activated_at {
        m.entry(10, |e| {
            e.u64(t);
        });
    }
    if let Some(t) = a.deleted_at {
        m.entry(11, |e| {
            e.u64(t);
        });
    }
    m.entry(12, |e| {
        e.bytes(&a.token_hash);
    });
    let mut e = Encoder::new();
    m.finish(&mut e);
    e.into_bytes()
}

struct Stored(Account);

impl Cbor for Stored {
    fn encode(&self, e: &mut Encoder) {
        e.raw(&encode_account(&self.0));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut f = d.begin_map()?;
        let id = f.required(d, 1, id_of)?;
        let kind = f.required(d, 2, |d| {
            let c = d.u64()?;
            if c == 0 {
                Ok(PrincipalKind::Holder)
            } else {
                Role::from_code(c)
                    .map(PrincipalKind::Staff)
                    .ok_or(invalid("account kind"))
            }
        })?;
        let jurisdiction = f.required(d, 3, Jurisdiction::decode)?;
        let created_by = f.optional(d, 4, id_of)?;
        let public_key = f
            .optional(d, 5, KeyRecord::decode)?
            .map(|r| r.public_key().ok_or(invalid("account key algorithm")))
            .transpose()?;
        let state = f.required(d, 6, |d| match d.u64()? {
            1 => Ok(AccountState::PendingReview),
            2 => Ok(AccountState::Active),
            3 => Ok(AccountState::Deleted),
            _ => Err(invalid("account state")),
        })?;
        let created_at = f.required(d, 7, Decoder::u64)?;
        let label = f.required(d, 8, |d| d.text().map(str::to_owned))?;
        let reviewed_by = f.optional(d, 9, id_of)?;
        let activated_at = f.optional(d, 10, Decoder::u64)?;
        let deleted_at = f.optional(d, 11, Decoder::u64)?;
        let token_hash = f.required(d, 12, Decoder::bytes_fixed::<32>)?;
        f.finish(d)?;
        Ok(Self(Account {
            id,
            kind,
            jurisdiction,
            created_by,
            public_key,
            state,
            created_at,
            last_used_at: None,
            label,
            reviewed_by,
            activated_at,
            deleted_at,
            token_hash,
        }))
    }
}

/// Decodes a stored record (without `last_used_at`).
///
/// # Errors
/// [`AccountError::Corrupt`] if the bytes are not a canonical account record.
pub fn decode_account(bytes: &[u8]) -> Result<Account, AccountError> {
    cbor::from_canonical::<Stored>(bytes, Limits::message(MAX_RECORD))
        .map(|s| s.0)
        .map_err(|e| AccountError::Corrupt {
            tree: Tree::Accounts,
            detail: e.to_string(),
        })
}

fn be_u64(tree: Tree, bytes: &[u8]) -> Result<u64, AccountError> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| AccountError::Corrupt {
            tree,
            detail: "expected a big-endian u64".into(),
        })
}

/// An account with its raw stored record (for batch guards).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The decoded account, `last_used_at` filled in.
    pub account: Account,
    /// The record bytes as stored (guard value for an update).
    pub raw: Vec<u8>,
}

/// Loads an account with its stored bytes.
///
/// # Errors
/// Store failure or corrupt record.
pub fn load_raw(store: &dyn Store, id: &AccountId) -> Result<Option<Loaded>, AccountError> {
    let Some(raw) = store.get(Tree::Accounts, &account_key(id))? else {
        return Ok(None);
    };
    let mut account = decode_account(&raw)?;
    if account.id != *id {
        return Err(AccountError::Corrupt {
            tree: Tree::Accounts,
            detail: "record id differs from its key".into(),
        });
    }
    account.last_used_at = store
        .get(Tree::Accounts, &last_used_key(id))?
        .map(|b| be_u64(Tree::Accounts, &b))
        .transpose()?;
    Ok(Some(Loaded { account, raw }))
}

/// Loads an account.
///
/// # Errors
/// Store failure or corrupt record.
pub fn load_account(store: &dyn Store, id: &AccountId) -> Result<Option<Account>, AccountError> {
    Ok(load_raw(store, id)?.map(|l| l.account))
}

/// Loads an account that must exist.
pub(crate) fn require(store: &dyn Store, id: &AccountId) -> Result<Loaded, AccountError> {
    load_raw(store, id)?.ok_or_else(|| AccountError::UnknownAccount { id: id.clone() })
}

/// The account whose signing key has id `kid` (pending, active or deleted: the caller
/// checks the state).
///
/// # Errors
/// Store failure or corrupt record.
pub fn load_account_by_kid(
    store: &dyn Store,
    kid: &KeyId,
) -> Result<Option<Account>, AccountError> {
    let Some(id) = store.get(Tree::Roster, &kid_key(kid))? else {
        return Ok(None);
    };
    let id = String::from_utf8(id).map_err(|_| AccountError::Corrupt {
        tree: Tree::Roster,
        detail: "key index holds a non-UTF-8 account id".into(),
    })?;
    load_account(store, &AccountId(id))
}

/// The current roster version (0 before any roster-visible account exists).
///
/// # Errors
/// Store failure or corrupt value.
pub fn roster_version(store: &dyn Store) -> Result<u64, AccountError> {
    store
        .get(Tree::Roster, ROSTER_VERSION_KEY)?
        .map_or(Ok(0), |b| be_u64(Tree::Roster, &b))
}

/// Adds a guarded roster-version bump to `batch` (two concurrent roster changes
/// conflict instead of sharing a version).
///
/// # Errors
/// Store failure or corrupt value.
pub(crate) fn bump_roster_version(
    store: &dyn Store,
    batch: &mut Batch,
) -> Result<(), AccountError> {
    let old = store.get(Tree::Roster, ROSTER_VERSION_KEY)?;
    let v = old
        .as_deref()
        .map_or(Ok(0), |b| be_u64(Tree::Roster, b))?
        .saturating_add(1);
    batch.expect(Tree::Roster, ROSTER_VERSION_KEY, old);
    batch.put(Tree::Roster, ROSTER_VERSION_KEY, v.to_be_bytes().to_vec());
    Ok(())
}

/// Whether an account appears in the admin roster once active: it has a key and is an
/// admin, grid admin or evidence source.
pub fn in_roster(a: &Account) -> bool {
    a.public_key.is_some()
        && matches!(
            a.kind,
            PrincipalKind::Staff(Role::Admin(_) | Role::Grid | Role::EvidenceSource)
        )
}

/// A batch recording that `principal`'s account was used at `now`, or `None` when the
/// recorded use is less than [`TOUCH_GRANULARITY_SECS`] old. The write is blind (no
/// guard), so it never conflicts; include it in the batch of a successful request
/// (not of a refused one, so a refused request writes nothing). Unused-account deletion
/// ([`super::list_unused`]) reads these times.
///
/// # Errors
/// Store failure or corrupt value.
pub fn touch_batch(
    store: &dyn Store,
    account: &AccountId,
    now: u64,
) -> Result<Option<Batch>, AccountError> {
    let key = last_used_key(account);
    let last = store
        .get(Tree::Accounts, &key)?
        .map(|b| be_u64(Tree::Accounts, &b))
        .transpose()?;
    if last.is_some_and(|t| now.saturating_sub(t) < TOUCH_GRANULARITY_SECS) {
        return Ok(None);
    }
    let mut b = Batch::new();
    b.put(Tree::Accounts, key, now.to_be_bytes().to_vec());
    Ok(Some(b))
}
