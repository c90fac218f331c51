//! Where leaf hashes come from: the [`LeafHashes`] trait (so the node can back proofs with
//! its store), its plain `[Hash]`/`Vec<Hash>` implementation, and [`MemoryTree`], an
//! append-only in-memory tree that keeps every complete subtree hash (about `2n` hashes),
//! so roots and proofs for any size cost `O(log n)` hash reads.
//!
//! Does not own proof algorithms (see `proof`).

use super::hash::{Hash, leaf_hash, node_hash};

/// A read-only view of a log's leaf hashes.
///
/// Implementors must provide [`size`](Self::size) and [`leaf_hash`](Self::leaf_hash);
/// stores that keep interior hashes should also override
/// [`subtree_hash`](Self::subtree_hash), whose default recomputes from the leaves.
pub trait LeafHashes {
    /// The number of leaves available.
    fn size(&self) -> u64;

    /// The leaf hash at `index` (0-based), or `None` if it is not available.
    fn leaf_hash(&self, index: u64) -> Option<Hash>;

    /// The hash of the complete subtree of `2^level` leaves starting at leaf
    /// `index << level`, or `None` if any of its leaves is missing.
    fn subtree_hash(&self, level: u32, index: u64) -> Option<Hash> {
        if level == 0 {
            return self.leaf_hash(index);
        }
        let child = level - 1;
        let left_index = index.checked_mul(2)?;
        let left = self.subtree_hash(child, left_index)?;
        let right = self.subtree_hash(child, left_index.checked_add(1)?)?;
        Some(node_hash(&left, &right))
    }
}

impl LeafHashes for [Hash] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.get(usize::try_from(index).ok()?).copied()
    }
}

impl LeafHashes for Vec<Hash> {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.as_slice().leaf_hash(index)
    }
    fn subtree_hash(&self, level: u32, index: u64) -> Option<Hash> {
        self.as_slice().subtree_hash(level, index)
    }
}

/// An append-only Merkle tree held in memory.
///
/// `levels[l][i]` is the hash of the complete subtree of `2^l` leaves starting at leaf
/// `i · 2^l`; level 0 holds the leaf hashes. Appending a leaf writes its hash plus one
/// node per trailing 1-bit of its index. One million leaves take about 64 MiB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree over the given leaf hashes.
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(hashes: I) -> Self {
        let mut t = Self::new();
        for h in hashes {
            t.push_hash(h);
        }
        t
    }

    /// Appends a leaf input (hashed with [`leaf_hash`]); returns its index.
    pub fn push_leaf(&mut self, data: &[u8]) -> u64 {
        self.push_hash(leaf_hash(data))
    }

    /// Appends a leaf by its leaf hash; returns its index.
    pub fn push_hash(&mut self, hash: Hash) -> u64 {
        let index = self.size();
        let mut level = 0usize;
        let mut carry = hash;
        loop {
            if self.levels.len() <= level {
                self.levels.push(Vec::new());
            }
            let Some(row) = self.levels.get_mut(level) else {
                break;
            };
            row.push(carry);
            let len = row.len();
            // A new right child completes its parent.
            if len % 2 == 1 {
                break;
            }
            let (Some(left), Some(right)) = (row.get(len - 2), row.get(len - 1)) else {
                break;
            };
            carry = node_hash(left, right);
            level += 1;
        }
        index
    }

    /// The current root hash (the empty root for an empty tree).
    pub fn root(&self) -> Hash {
        super::proof::root(self, self.size()).unwrap_or(super::hash::EMPTY_ROOT)
    }
}

impl LeafHashes for MemoryTree {
    fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }
    fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.subtree_hash(0, index)
    }
    fn subtree_hash(&self, level: u32, index: u64) -> Option<Hash> {
        let row = self.levels.get(usize::try_from(level).ok()?)?;
        row.get(usize::try_from(index).ok()?).copied()
    }
}
