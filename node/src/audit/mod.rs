//! The audit log: every privileged action and every message sent or accepted is a
//! [`LogEntry`], appended as a leaf of an RFC 9162 Merkle tree in the **same atomic
//! batch** as the action it records, so an action without its entry (or the reverse)
//! can never be stored.
//!
//! **Owns:** the layout of [`Tree::AuditLog`], [`Tree::AuditTree`] and the size key in
//! [`Tree::Meta`]; appending ([`AuditLog::commit`]); reading entries; roots, inclusion
//! and consistency proofs from storage.
//! **Does not own:** the Merkle maths (`hcx_protocol::merkle`), the entry type
//! (`hcx_protocol::wire::LogEntry`), checkpoints, witnessing and tiles (the log issue
//! builds them on [`StoredTree`] without a migration).
//!
//! ## Storage layout
//! - `AuditLog`: key = leaf index as big-endian `u64`, value = the entry's canonical CBOR
//!   (the leaf input).
//! - `AuditTree`: key = `level: u8 ‖ index: u64 BE`, value = the 32-byte hash of the
//!   complete subtree of `2^level` leaves starting at leaf `index · 2^level` (level 0:
//!   leaf hashes). Appending leaf `i` writes its leaf hash and one node per trailing
//!   1-bit of `i`, so the tree holds about `2n` hashes and any root or proof costs
//!   `O(log n)` reads ([`StoredTree`] implements [`LeafHashes::subtree_hash`]).
//! - `Meta`: [`SIZE_KEY`] = the tree size as big-endian `u64` (absent: 0).
//!
//! ## Appending
//! [`AuditLog::commit`] validates the entries, hands (batch, entries) to the combining
//! appender (`combine`): concurrent commits with disjoint keys are applied by one leader
//! in one store transaction, their entries at consecutive indices (`append` stages the
//! leaves, node hashes, the new size and a guard on the stored size), and the leader
//! waits for durability (group commit) before answering the group. A
//! conflict on any guard of a caller's batch writes neither its action nor its entries.

mod append;
mod combine;
#[cfg(test)]
mod tests;

use std::cell::RefCell;

use hcx_protocol::cbor::DecodeError;
use hcx_protocol::merkle::{self, Hash, LeafHashes, ProofError};
use hcx_protocol::wire::{LogEntry, WireMessage};

use crate::store::{Batch, Store, StoreError, Tree, WriteTicket};

pub use combine::{MAX_GROUP_JOBS, MAX_GROUP_LEAVES};

/// The `Meta` key holding the audit tree's size.
pub const SIZE_KEY: &[u8] = b"audit/size";

/// The most entries one commit may append.
pub const MAX_ENTRIES_PER_COMMIT: usize = 4096;

/// Why an audit operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The store refused or failed (a [`StoreError::Conflict`] means nothing was written).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A commit must record at least one entry.
    #[error("an audited commit needs at least one log entry")]
    NoEntries,
    /// Too many entries in one commit.
    #[error("{count} entries in one commit, at most {max}")]
    TooManyEntries { count: usize, max: usize },
    /// An entry does not encode to a valid log entry (e.g. a message reference missing
    /// for a `Sent` entry, or too large).
    #[error("log entry {position} is invalid: {source}")]
    InvalidEntry {
        position: usize,
        #[source]
        source: DecodeError,
    },
    /// A proof or root was asked for sizes the log cannot serve.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The appender that took this commit failed (panicked) before answering: whether
    /// the commit was applied is unknown (read the log to find out).
    #[error("the audit appender failed; the commit's outcome is unknown")]
    Interrupted,
    /// The stored log is damaged (a bad size, hash or entry encoding).
    #[error("audit log storage is damaged: {detail}")]
    Damaged { detail: String },
}

/// What a successful audited commit returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditReceipt {
    /// The store ticket of the batch (already durable).
    pub ticket: WriteTicket,
    /// The index of the first entry appended.
    pub first_index: u64,
    /// The tree size after the commit.
    pub size: u64,
    /// The root hash at `size`.
    pub root: Hash,
}

/// The `AuditLog` key of leaf `index`.
pub fn leaf_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

/// The `AuditTree` key of the subtree hash at (`level`, `index`).
pub fn node_key(level: u32, index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    // Levels never exceed 64 for u64 indices.
    k[0] = u8::try_from(level).unwrap_or(u8::MAX);
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

fn decode_size(raw: Option<&[u8]>) -> Result<u64, AuditError> {
    match raw {
        None => Ok(0),
        Some(bytes) => <[u8; 8]>::try_from(bytes)
            .map(u64::from_be_bytes)
            .map_err(|_| AuditError::Damaged {
                detail: format!("size value has {} bytes", bytes.len()),
            }),
    }
}

/// The stored size of the audit tree.
///
/// # Errors
/// [`AuditError::Store`] or [`AuditError::Damaged`].
pub fn stored_size(store: &dyn Store) -> Result<u64, AuditError> {
    decode_size(store.get(Tree::Meta, SIZE_KEY)?.as_deref())
}

/// A read-only view of the stored tree at a fixed size, implementing [`LeafHashes`]
/// with `O(1)` reads per complete subtree. Store errors met while hashing are kept and
/// reported by [`StoredTree::take_error`] (the trait returns `Option`).
#[derive(Debug)]
pub struct StoredTree<'a> {
    store: &'a dyn Store,
    size: u64,
    error: RefCell<Option<AuditError>>,
}

impl<'a> StoredTree<'a> {
    /// A view of the first `size` leaves (callers pass at most the stored size).
    pub fn new(store: &'a dyn Store, size: u64) -> Self {
        Self {
            store,
            size,
            error: RefCell::new(None),
        }
    }

    /// A view at the stored size.
    ///
    /// # Errors
    /// [`AuditError::Store`] or [`AuditError::Damaged`].
    pub fn current(store: &'a dyn Store) -> Result<Self, AuditError> {
        Ok(Self::new(store, stored_size(store)?))
    }

    /// The first store or decoding error met while hashing, if any.
    pub fn take_error(&self) -> Option<AuditError> {
        self.error.borrow_mut().take()
    }

    fn fail(&self, e: AuditError) {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(e);
        }
    }

    /// Turns a proof result into an audit result, preferring a recorded storage error.
    fn finish<T>(&self, r: Result<T, ProofError>) -> Result<T, AuditError> {
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        Ok(r?)
    }
}

impl LeafHashes for StoredTree<'_> {
    fn size(&self) -> u64 {
        self.size
    }

    fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.subtree_hash(0, index)
    }

    fn subtree_hash(&self, level: u32, index: u64) -> Option<Hash> {
        let end = index.checked_add(1)?.checked_shl(level)?;
        if level >= 64 || end > self.size {
            return None;
        }
        match self.store.get(Tree::AuditTree, &node_key(level, index)) {
            Ok(Some(v)) => match <[u8; 32]>::try_from(v.as_slice()) {
                Ok(h) => Some(h),
                Err(_) => {
                    self.fail(AuditError::Damaged {
                        detail: format!("hash ({level}, {index}) has {} bytes", v.len()),
                    });
                    None
                }
            },
            Ok(None) => {
                self.fail(AuditError::Damaged {
                    detail: format!("hash ({level}, {index}) is missing"),
                });
                None
            }
            Err(e) => {
                self.fail(e.into());
                None
            }
        }
    }
}

/// The audit log's appender and reader. One per node (its combiner serialises appends).
#[derive(Debug, Default)]
pub struct AuditLog {
    combiner: combine::Combiner,
}

impl AuditLog {
    /// A log handle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `batch` together with `entries` appended to the log, atomically, and
    /// waits until it is durable. Concurrent commits may share one store transaction
    /// (see `combine`), but each is refused or accepted on its own guards.
    ///
    /// # Errors
    /// [`AuditError::NoEntries`], [`AuditError::TooManyEntries`],
    /// [`AuditError::InvalidEntry`] (nothing written); [`AuditError::Store`] with
    /// [`StoreError::Conflict`] when a guard of `batch` fails (nothing written, neither
    /// the action nor the entries); other store errors.
    pub fn commit(
        &self,
        store: &dyn Store,
        batch: Batch,
        entries: &[LogEntry],
    ) -> Result<AuditReceipt, AuditError> {
        if entries.is_empty() {
            return Err(AuditError::NoEntries);
        }
        if entries.len() > MAX_ENTRIES_PER_COMMIT {
            return Err(AuditError::TooManyEntries {
                count: entries.len(),
                max: MAX_ENTRIES_PER_COMMIT,
            });
        }
        let leaves = entries
            .iter()
            .enumerate()
            .map(|(position, e)| {
                let bytes = e.to_bytes();
                // Decoding runs the entry's checks and the size limit.
                LogEntry::from_bytes(&bytes)
                    .map(|_| bytes)
                    .map_err(|source| AuditError::InvalidEntry { position, source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let receipt = self.combiner.submit(store, batch, leaves)?;
        // The combiner's leader flushed the group already; this returns at once.
        store.wait_durable(receipt.ticket)?;
        tracing::debug!(
            first_index = receipt.first_index,
            size = receipt.size,
            "audit entries committed"
        );
        Ok(receipt)
    }

    /// The current tree size.
    ///
    /// # Errors
    /// [`AuditError::Store`] or [`AuditError::Damaged`].
    pub fn size(&self, store: &dyn Store) -> Result<u64, AuditError> {
        stored_size(store)
    }

    /// The current root hash (the empty root for an empty log).
    ///
    /// # Errors
    /// [`AuditError::Store`] or [`AuditError::Damaged`].
    pub fn root(&self, store: &dyn Store) -> Result<Hash, AuditError> {
        let view = StoredTree::current(store)?;
        let size = view.size();
        view.finish(merkle::root(&view, size))
    }

    /// The root hash at an earlier `size`.
    ///
    /// # Errors
    /// [`AuditError::Proof`] for a size beyond the log; storage errors.
    pub fn root_at(&self, store: &dyn Store, size: u64) -> Result<Hash, AuditError> {
        let view = StoredTree::current(store)?;
        view.finish(merkle::root(&view, size))
    }

    /// The leaf input (canonical CBOR) at `index`, if the log has it.
    ///
    /// # Errors
    /// [`AuditError::Store`].
    pub fn leaf_bytes(&self, store: &dyn Store, index: u64) -> Result<Option<Vec<u8>>, AuditError> {
        Ok(store.get(Tree::AuditLog, &leaf_key(index))?)
    }

    /// The entry at `index`, if the log has it.
    ///
    /// # Errors
    /// [`AuditError::Store`] or [`AuditError::Damaged`] for an undecodable entry.
    pub fn entry(&self, store: &dyn Store, index: u64) -> Result<Option<LogEntry>, AuditError> {
        self.leaf_bytes(store, index)?
            .map(|b| decode_entry(index, &b))
            .transpose()
    }

    /// Up to `limit` entries with index greater than `after` (from 0 when `None`), in
    /// order, with their indices: cursor paging.
    ///
    /// # Errors
    /// [`AuditError::Store`] or [`AuditError::Damaged`].
    pub fn entries(
        &self,
        store: &dyn Store,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Vec<(u64, LogEntry)>, AuditError> {
        let cursor = after.map(leaf_key);
        store
            .scan(
                Tree::AuditLog,
                &[],
                cursor.as_ref().map(|c| c.as_slice()),
                limit,
            )?
            .into_iter()
            .map(|(k, v)| {
                let index = <[u8; 8]>::try_from(k.as_slice())
                    .map(u64::from_be_bytes)
                    .map_err(|_| AuditError::Damaged {
                        detail: format!("leaf key has {} bytes", k.len()),
                    })?;
                Ok((index, decode_entry(index, &v)?))
            })
            .collect()
    }

    /// The inclusion proof of leaf `index` in the tree of size `size`.
    ///
    /// # Errors
    /// [`AuditError::Proof`] for an index or size the log cannot serve; storage errors.
    pub fn inclusion_proof(
        &self,
        store: &dyn Store,
        index: u64,
        size: u64,
    ) -> Result<Vec<Hash>, AuditError> {
        let view = StoredTree::current(store)?;
        view.finish(merkle::inclusion_proof(&view, index, size))
    }

    /// The consistency proof between the trees of sizes `old` and `new`.
    ///
    /// # Errors
    /// [`AuditError::Proof`] for sizes the log cannot serve (including `old == 0`);
    /// storage errors.
    pub fn consistency_proof(
        &self,
        store: &dyn Store,
        old: u64,
        new: u64,
    ) -> Result<Vec<Hash>, AuditError> {
        let view = StoredTree::current(store)?;
        view.finish(merkle::consistency_proof(&view, old, new))
    }
}

fn decode_entry(index: u64, bytes: &[u8]) -> Result<LogEntry, AuditError> {
    LogEntry::from_bytes(bytes).map_err(|e| AuditError::Damaged {
        detail: format!("entry {index} does not decode: {e}"),
    })
}
