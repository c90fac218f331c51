//! Merkle log maths (RFC 9162 §2.1, identical to RFC 6962): leaf and node hashing, roots
//! over any source of leaf hashes, inclusion and consistency proofs (generation and the
//! exact §2.1.3.2 / §2.1.4.2 verification algorithms), and tlog-tiles coordinates.
//!
//! **Owns:** the hashing rules ([`hash`]), the [`LeafHashes`] source abstraction and an
//! in-memory tree ([`source`]), proofs ([`proof`]) and tile paths ([`tiles`]).
//! **Does not own:** what a leaf *is* (the log-entry record is CBOR defined in `wire`),
//! storage (the node backs [`LeafHashes`] with its store), or checkpoints (see `note`).
//!
//! Edge-case verdicts (recorded here because the vectors make them explicit):
//! - `size1 == 0` is invalid for a consistency proof ([`ProofError::SizeZero`]); the
//!   witness (not this module) accepts `old 0` with an empty proof.
//! - `size1 == size2` is valid only with an empty proof and equal roots.
//! - Hashes are `[u8; 32]`: a "hash" of another length cannot be represented, so callers
//!   reject it while parsing (the one upstream probe that is valid with 12-byte roots is a
//!   parse error here).

pub mod hash;
pub mod proof;
pub mod source;
pub mod tiles;

#[cfg(test)]
mod tests;

pub use hash::{EMPTY_ROOT, Hash, empty_root, leaf_hash, node_hash};
pub use proof::{
    ProofError, consistency_proof, inclusion_proof, root, verify_consistency, verify_inclusion,
};
pub use source::{LeafHashes, MemoryTree};
