//! The node's storage seam: a [`Store`] is a set of named [`Tree`]s of byte keys and
//! values, written in atomic [`Batch`]es with optimistic guards, made durable by group
//! commit. Only `store::sled_store` knows sled; everything else in the node talks to this
//! trait, which is also the seam for a future SQL backend (DESIGN "Scale").
//!
//! Keys and values are opaque here: each owning module (holders, codes, accounts, audit
//! log...) defines its own key layout and canonical encoding.

pub mod sled_store;
#[cfg(test)]
mod tests;

pub use sled_store::SledStore;

/// The named trees of a node's store. Each module owns the layout of its trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tree {
    /// Holder records (personal data sealed by the vault), by holder id.
    Holders,
    /// Evidence records, by evidence id.
    Evidence,
    /// Issued codes, by code id.
    Codes,
    /// Status changes, by (code lineage, sequence).
    StatusLog,
    /// Rule sets, by id@version.
    RuleSets,
    /// Accounts, by account id.
    Accounts,
    /// Token hashes → account id.
    Tokens,
    /// The admin roster (the signed document and its entries).
    Roster,
    /// Signed approvals and pending quorum requests.
    Approvals,
    /// Audit log leaves (canonical `LogEntry` bytes), by big-endian index.
    AuditLog,
    /// Audit Merkle tree node hashes (complete subtrees), by (level, index).
    AuditTree,
    /// Idempotency records, by (token hash, key).
    Idempotency,
    /// Rolling-window counters (transcodes per actor and per jurisdiction).
    Counters,
    /// Delegations (guardian → dependant), by delegation id.
    Delegations,
    /// Node metadata: sizes, schema version, singletons.
    Meta,
}

impl Tree {
    /// Every tree, in a fixed order.
    pub const ALL: [Self; 15] = [
        Self::Holders,
        Self::Evidence,
        Self::Codes,
        Self::StatusLog,
        Self::RuleSets,
        Self::Accounts,
        Self::Tokens,
        Self::Roster,
        Self::Approvals,
        Self::AuditLog,
        Self::AuditTree,
        Self::Idempotency,
        Self::Counters,
        Self::Delegations,
        Self::Meta,
    ];

    /// The tree's stable on-disk name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Holders => "holders",
            Self::Evidence => "evidence",
            Self::Codes => "codes",
            Self::StatusLog => "status_log",
            Self::RuleSets => "rule_sets",
            Self::Accounts => "accounts",
            Self::Tokens => "tokens",
            Self::Roster => "roster",
            Self::Approvals => "approvals",
            Self::AuditLog => "audit_log",
            Self::AuditTree => "audit_tree",
            Self::Idempotency => "idempotency",
            Self::Counters => "counters",
            Self::Delegations => "delegations",
            Self::Meta => "meta",
        }
    }
}

/// One write in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Set `key` to `value`.
    Put {
        tree: Tree,
        key: Vec<u8>,
        value: Vec<u8>,
    },
    /// Remove `key`.
    Delete { tree: Tree, key: Vec<u8> },
}

/// A precondition of a batch: `key` must currently hold `expected` (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The tree.
    pub tree: Tree,
    /// The key.
    pub key: Vec<u8>,
    /// The value the key must hold for the batch to apply.
    pub expected: Option<Vec<u8>>,
}

/// Writes that belong together: applied all or nothing, and only if every guard holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Preconditions, checked atomically with the writes.
    pub guards: Vec<Guard>,
    /// The writes, in order.
    pub ops: Vec<Op>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a put.
    pub fn put(
        &mut self,
        tree: Tree,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
    ) -> &mut Self {
        self.ops.push(Op::Put {
            tree,
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a delete.
    pub fn delete(&mut self, tree: Tree, key: impl Into<Vec<u8>>) -> &mut Self {
        self.ops.push(Op::Delete {
            tree,
            key: key.into(),
        });
        self
    }

    /// Adds a guard: the batch applies only if `key` holds `expected` now.
    pub fn expect(
        &mut self,
        tree: Tree,
        key: impl Into<Vec<u8>>,
        expected: Option<Vec<u8>>,
    ) -> &mut Self {
        self.guards.push(Guard {
            tree,
            key: key.into(),
            expected,
        });
        self
    }

    /// Whether the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// One stored entry: (key, value).
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Identifies an applied batch, for [`Store::wait_durable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WriteTicket(pub u64);

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A guard did not hold: someone else wrote first. The caller may re-read and retry.
    #[error("conflicting write on {tree:?}")]
    Conflict { tree: Tree },
    /// The store is held by another process (after the bounded retries on open).
    #[error("store at {path} is locked by another process")]
    Locked { path: String },
    /// The store's files are damaged; the node refuses to start rather than guess.
    #[error("store is corrupt: {detail}")]
    Corrupt { detail: String },
    /// An I/O failure of the underlying engine.
    #[error("storage I/O error: {0}")]
    Io(String),
}

/// The node's store. Reads see every applied batch; a batch is durable once
/// [`Store::wait_durable`] returns for its ticket (group commit: one flush covers every
/// batch applied before it, so concurrent writers share fsyncs).
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The value of `key` in `tree`.
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Up to `limit` entries of `tree` whose key starts with `prefix`, in key order,
    /// starting after `after` (exclusive) when given: the basis of cursor paging.
    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KeyValue>, StoreError>;

    /// The number of entries in `tree`.
    fn count(&self, tree: Tree) -> Result<u64, StoreError>;

    /// Applies `batch` atomically if all its guards hold ([`StoreError::Conflict`]
    /// otherwise, with nothing written). Not yet durable.
    fn apply(&self, batch: Batch) -> Result<WriteTicket, StoreError>;

    /// Applies several batches as **one** atomic transaction (all or nothing, one
    /// ticket): every guard of every batch is checked against the state before the
    /// transaction, then the writes run in order. Callers combining independent batches
    /// must make sure they touch disjoint keys (the audit log's commit combining does).
    /// [`StoreError::Conflict`] when any guard fails, with nothing written.
    fn apply_all(&self, batches: &[&Batch]) -> Result<WriteTicket, StoreError>;

    /// Blocks until every batch up to `ticket` is flushed to disk (group commit).
    fn wait_durable(&self, ticket: WriteTicket) -> Result<(), StoreError>;

    /// A SHA-256 digest over the contents of every tree, for tests that prove a refused
    /// request wrote nothing.
    fn digest(&self) -> Result<[u8; 32], StoreError>;

    /// Applies `batch` and waits until it is durable: what an acknowledged write needs.
    fn commit(&self, batch: Batch) -> Result<WriteTicket, StoreError> {
        let ticket = self.apply(batch)?;
        self.wait_durable(ticket)?;
        Ok(ticket)
    }
}
