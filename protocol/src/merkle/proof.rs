//! Roots, inclusion proofs and consistency proofs over a [`LeafHashes`] source.
//!
//! Generation follows RFC 9162 §2.1.3.1 (`PATH`) and §2.1.4.1 (`SUBPROOF`); verification
//! is a direct transcription of §2.1.3.2 and §2.1.4.2, including the inner right-shift
//! loop at the tree's right edge (`while LSB(fn) == 0 && fn != 0`). Before running the
//! algorithm the verifiers compute the exact proof length the sizes require, so a proof
//! of the wrong length is reported as [`ProofError::WrongProofSize`].
//!
//! Does not own hashing rules (`hash`) or storage (`source`).

use super::hash::{EMPTY_ROOT, Hash, node_hash};
use super::source::LeafHashes;

/// Why a root or proof could not be computed, or why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum ProofError {
    /// The leaf index is not below the tree size (this includes size 0).
    #[error("leaf index {index} is out of range for tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof from size 0 is meaningless at this level (the witness handles
    /// `old 0` itself).
    #[error("consistency proof from size 0")]
    SizeZero,
    /// The second size is smaller than the first.
    #[error("tree size {size2} is smaller than {size1}")]
    SizeOrder { size1: u64, size2: u64 },
    /// The source does not hold enough leaves for the requested size.
    #[error("tree size {size} exceeds the {available} leaves available")]
    SizeBeyondSource { size: u64, available: u64 },
    /// The source could not produce a hash it should hold.
    #[error("hash of subtree (level {level}, index {index}) is missing")]
    MissingHash { level: u32, index: u64 },
    /// The proof has the wrong number of hashes for these sizes.
    #[error("proof has {got} hashes, the sizes require {want}")]
    WrongProofSize { got: usize, want: usize },
    /// The proof does not reproduce the given root(s).
    #[error("proof does not reproduce the root")]
    RootMismatch,
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[lo:hi])` for `lo < hi`, reading complete aligned subtrees from the source.
fn range_hash<S: LeafHashes + ?Sized>(src: &S, lo: u64, hi: u64) -> Result<Hash, ProofError> {
    let n = hi - lo;
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        let level = n.trailing_zeros();
        let index = lo >> level;
        return src
            .subtree_hash(level, index)
            .ok_or(ProofError::MissingHash { level, index });
    }
    if n == 1 {
        return src.leaf_hash(lo).ok_or(ProofError::MissingHash {
            level: 0,
            index: lo,
        });
    }
    let k = split(n);
    let left = range_hash(src, lo, lo + k)?;
    let right = range_hash(src, lo + k, hi)?;
    Ok(node_hash(&left, &right))
}

fn check_available<S: LeafHashes + ?Sized>(src: &S, size: u64) -> Result<(), ProofError> {
    let available = src.size();
    if size > available {
        return Err(ProofError::SizeBeyondSource { size, available });
    }
    Ok(())
}

/// The root hash of the first `size` leaves of `src` (`SHA-256("")` for size 0).
///
/// # Errors
/// [`ProofError::SizeBeyondSource`] or [`ProofError::MissingHash`].
pub fn root<S: LeafHashes + ?Sized>(src: &S, size: u64) -> Result<Hash, ProofError> {
    check_available(src, size)?;
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    range_hash(src, 0, size)
}

/// The inclusion proof (`PATH(index, D[size])`, RFC 9162 §2.1.3.1) for leaf `index` in
/// the tree of the first `size` leaves, from the leaf's sibling up to the root's child.
///
/// # Errors
/// [`ProofError::IndexOutOfRange`], [`ProofError::SizeBeyondSource`] or
/// [`ProofError::MissingHash`].
pub fn inclusion_proof<S: LeafHashes + ?Sized>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    check_available(src, size)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut lo, mut hi, mut m) = (0u64, size, index);
    let mut out = Vec::with_capacity(64);
    while hi - lo > 1 {
        let k = split(hi - lo);
        if m < k {
            out.push(range_hash(src, lo + k, hi)?);
            hi = lo + k;
        } else {
            out.push(range_hash(src, lo, lo + k)?);
            lo += k;
            m -= k;
        }
    }
    out.reverse();
    Ok(out)
}

/// The consistency proof (`PROOF(size1, D[size2])`, RFC 9162 §2.1.4.1) between the trees
/// of the first `size1` and `size2` leaves. Equal sizes give the empty proof.
///
/// # Errors
/// [`ProofError::SizeZero`] for `size1 == 0`, [`ProofError::SizeOrder`],
/// [`ProofError::SizeBeyondSource`] or [`ProofError::MissingHash`].
pub fn consistency_proof<S: LeafHashes + ?Sized>(
    src: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProofError> {
    if size2 < size1 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(ProofError::SizeZero);
    }
    check_available(src, size2)?;
    let (mut lo, mut hi, mut m, mut complete) = (0u64, size2, size1, true);
    let mut out = Vec::with_capacity(64);
    loop {
        let n = hi - lo;
        if m == n {
            if !complete {
                out.push(range_hash(src, lo, hi)?);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            out.push(range_hash(src, lo + k, hi)?);
            hi = lo + k;
        } else {
            out.push(range_hash(src, lo, lo + k)?);
            lo += k;
            m -= k;
            complete = false;
        }
    }
    out.reverse();
    Ok(out)
}

/// The (inner, border) split of an inclusion proof: hashes below the point where the
/// leaf's path meets the right edge, and hashes along the edge.
fn decompose_inclusion(index: u64, size: u64) -> (usize, usize) {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

/// The number of hashes in an inclusion proof for `index < size`.
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (inner, border) = decompose_inclusion(index, size);
    Ok(inner + border)
}

/// The number of hashes in a consistency proof for `0 < size1 <= size2`.
pub fn consistency_proof_len(size1: u64, size2: u64) -> Result<usize, ProofError> {
    if size2 < size1 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(ProofError::SizeZero);
    }
    if size1 == size2 {
        return Ok(0);
    }
    let shift = size1.trailing_zeros();
    let (inner, border) = decompose_inclusion((size1 - 1) >> shift, ((size2 - 1) >> shift) + 1);
    let start = usize::from(!size1.is_power_of_two());
    Ok(start + inner + border)
}

/// Right-shifts `fn_` and `sn` together while `LSB(fn_) == 0 && fn_ != 0`.
fn shift_while_even(fn_: &mut u64, sn: &mut u64) {
    while *fn_ & 1 == 0 && *fn_ != 0 {
        *fn_ >>= 1;
        *sn >>= 1;
    }
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
///
/// # Errors
/// [`ProofError::IndexOutOfRange`] if `index >= size`, [`ProofError::WrongProofSize`] if
/// the proof is too long or too short, [`ProofError::RootMismatch`] otherwise.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let want = inclusion_proof_len(index, size)?;
    let got = proof.len();
    if got != want {
        return Err(ProofError::WrongProofSize { got, want });
    }
    let (mut fn_, mut sn, mut r) = (index, size - 1, *leaf_hash);
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongProofSize { got, want });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                shift_while_even(&mut fn_, &mut sn);
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongProofSize { got, want });
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2) between `root1` at `size1` and
/// `root2` at `size2`. Equal sizes verify only with an empty proof and equal roots;
/// `size1 == 0` is [`ProofError::SizeZero`].
///
/// # Errors
/// [`ProofError::SizeOrder`], [`ProofError::SizeZero`], [`ProofError::WrongProofSize`]
/// or [`ProofError::RootMismatch`].
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let want = consistency_proof_len(size1, size2)?;
    let got = proof.len();
    if got != want {
        return Err(ProofError::WrongProofSize { got, want });
    }
    if size1 == size2 {
        return if root1 == root2 {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    // Step 2: a power-of-two first tree is its own first proof node.
    let (seed, rest) = if size1.is_power_of_two() {
        (root1, proof)
    } else {
        match proof.split_first() {
            Some((first, rest)) => (first, rest),
            None => return Err(ProofError::WrongProofSize { got, want }),
        }
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongProofSize { got, want });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                shift_while_even(&mut fn_, &mut sn);
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongProofSize { got, want });
    }
    if fr != *root1 || sr != *root2 {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
