//! Staging an append: the leaves, Merkle node hashes, new size and size guard that add
//! some jobs' entries to the log at consecutive indices, and the receipt (first index,
//! size, root) of each job, computed in memory before anything is written.
//!
//! **Owns:** the write set of an append (see the storage layout in the module above).
//! **Does not own:** who appends when (`combine`), applying or durability (the store).

use std::collections::HashMap;

use hcx_protocol::merkle::{self, Hash, LeafHashes, leaf_hash, node_hash};

use super::{AuditError, SIZE_KEY, StoredTree, decode_size, leaf_key, node_key};
use crate::store::{Batch, Store, Tree};

/// Where one job's entries landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Appended {
    /// The index of the job's first entry.
    pub first_index: u64,
    /// The tree size just after the job's last entry.
    pub size: u64,
    /// The root at `size`.
    pub root: Hash,
}

/// The stored tree (as of the last commit) plus the hashes staged in this append.
struct Overlay<'a> {
    stored: StoredTree<'a>,
    pending: HashMap<(u32, u64), Hash>,
    size: u64,
}

impl LeafHashes for Overlay<'_> {
    fn size(&self) -> u64 {
        self.size
    }

    fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.subtree_hash(0, index)
    }

    fn subtree_hash(&self, level: u32, index: u64) -> Option<Hash> {
        match self.pending.get(&(level, index)) {
            Some(h) => Some(*h),
            None => self.stored.subtree_hash(level, index),
        }
    }
}

impl Overlay<'_> {
    /// A hash the append needs; absent means damaged storage (or a stored read error).
    fn need(&self, level: u32, index: u64) -> Result<Hash, AuditError> {
        self.subtree_hash(level, index).ok_or_else(|| {
            self.stored
                .take_error()
                .unwrap_or_else(|| AuditError::Damaged {
                    detail: format!("hash ({level}, {index}) is missing"),
                })
        })
    }
}

/// The batch appending each job's `leaves` (canonical entry bytes, already validated) in
/// order after the stored log, guarded on the stored size, with each job's receipt.
///
/// # Errors
/// Store errors; [`AuditError::Damaged`] for a bad stored size or missing hashes.
pub(super) fn stage(
    store: &dyn Store,
    jobs: &[&[Vec<u8>]],
) -> Result<(Batch, Vec<Appended>), AuditError> {
    let raw_size = store.get(Tree::Meta, SIZE_KEY)?;
    let start = decode_size(raw_size.as_deref())?;
    let mut batch = Batch::new();
    batch.expect(Tree::Meta, SIZE_KEY, raw_size);
    let mut tree = Overlay {
        stored: StoredTree::new(store, start),
        pending: HashMap::new(),
        size: start,
    };
    let mut out = Vec::with_capacity(jobs.len());
    let mut index = start;
    for leaves in jobs {
        let first_index = index;
        for leaf in *leaves {
            let mut hash = leaf_hash(leaf);
            batch.put(Tree::AuditLog, leaf_key(index), leaf.clone());
            batch.put(Tree::AuditTree, node_key(0, index), hash);
            tree.pending.insert((0, index), hash);
            let (mut level, mut i) = (0u32, index);
            // A right child (odd index) completes its parent.
            while i % 2 == 1 {
                let left = tree.need(level, i - 1)?;
                hash = node_hash(&left, &hash);
                level += 1;
                i >>= 1;
                batch.put(Tree::AuditTree, node_key(level, i), hash);
                tree.pending.insert((level, i), hash);
            }
            index += 1;
        }
        tree.size = index;
        let root = merkle::root(&tree, index);
        if let Some(e) = tree.stored.take_error() {
            return Err(e);
        }
        out.push(Appended {
            first_index,
            size: index,
            root: root?,
        });
    }
    batch.put(Tree::Meta, SIZE_KEY, index.to_be_bytes());
    Ok((batch, out))
}
