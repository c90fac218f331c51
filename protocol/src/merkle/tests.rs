//! Unit and property tests for the Merkle maths: the RFC 9162 §2.1.5 worked example,
//! generation against the naive recursive definition, edge cases, tiles, and proptests
//! (bit flips break inclusion proofs; consistency holds for every `m <= n`).

use proptest::prelude::*;

use super::proof::{consistency_proof_len, inclusion_proof_len};
use super::tiles::{Tile, TileLevel, encode_index, parse_index, tiles_for_size};
use super::*;

fn tree(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.push_leaf(format!("leaf {i}").as_bytes());
    }
    t
}

/// The naive recursive MTH (RFC 9162 §2.1.1).
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

#[test]
fn empty_and_leaf_hashes() {
    assert_eq!(empty_root(), crate::sign::sha256(b""));
    assert_eq!(leaf_hash(b"").to_vec(), crate::sign::sha256(&[0]).to_vec());
    assert_eq!(MemoryTree::new().root(), EMPTY_ROOT);
    assert_eq!(root(&Vec::<Hash>::new(), 0), Ok(EMPTY_ROOT));
}

#[test]
fn roots_match_naive_definition() {
    let t = tree(70);
    let leaves: Vec<Hash> = (0..70).map(|i| t.leaf_hash(i).unwrap()).collect();
    for n in 0..=70u64 {
        let want = mth(&leaves[..n as usize]);
        assert_eq!(root(&t, n).unwrap(), want, "size {n}");
        assert_eq!(root(&leaves, n).unwrap(), want, "vec size {n}");
    }
    assert_eq!(t.root(), mth(&leaves));
}

#[test]
fn rfc_worked_example_structure() {
    // 7 leaves a..f, d6; g=(ab) h=(cd) i=(ef) j=d6 k=(gh) l=(ij).
    let t = tree(7);
    let h = |lo: u64, hi: u64| {
        let v: Vec<Hash> = (lo..hi).map(|i| t.leaf_hash(i).unwrap()).collect();
        mth(&v)
    };
    let (a, b, c, d, e, f, j) = (
        h(0, 1),
        h(1, 2),
        h(2, 3),
        h(3, 4),
        h(4, 5),
        h(5, 6),
        h(6, 7),
    );
    let (g, hh, i, k, l) = (h(0, 2), h(2, 4), h(4, 6), h(0, 4), h(4, 7));
    let _ = (a, d, e);
    assert_eq!(inclusion_proof(&t, 0, 7).unwrap(), vec![b, hh, l]);
    assert_eq!(inclusion_proof(&t, 3, 7).unwrap(), vec![c, g, l]);
    assert_eq!(inclusion_proof(&t, 4, 7).unwrap(), vec![f, j, k]);
    assert_eq!(inclusion_proof(&t, 6, 7).unwrap(), vec![i, k]);
    assert_eq!(consistency_proof(&t, 3, 7).unwrap(), vec![c, d, g, l]);
    assert_eq!(consistency_proof(&t, 4, 7).unwrap(), vec![l]);
    assert_eq!(consistency_proof(&t, 6, 7).unwrap(), vec![i, j, k]);
}

#[test]
fn all_small_proofs_verify_and_neighbours_fail() {
    let t = tree(40);
    for n in 1..=40u64 {
        let r = root(&t, n).unwrap();
        for m in 0..n {
            let p = inclusion_proof(&t, m, n).unwrap();
            assert_eq!(p.len(), inclusion_proof_len(m, n).unwrap());
            let lh = t.leaf_hash(m).unwrap();
            verify_inclusion(m, n, &lh, &p, &r).unwrap();
            if m + 1 < n {
                assert!(verify_inclusion(m + 1, n, &lh, &p, &r).is_err());
            }
        }
        for m in 1..=n {
            let p = consistency_proof(&t, m, n).unwrap();
            assert_eq!(p.len(), consistency_proof_len(m, n).unwrap());
            let r1 = root(&t, m).unwrap();
            verify_consistency(m, n, &r1, &r, &p).unwrap();
            if m < n {
                assert!(verify_consistency(m, n, &r, &r, &p).is_err());
                // Dropping the last hash or appending one must fail.
                assert!(verify_consistency(m, n, &r1, &r, &p[..p.len() - 1]).is_err());
                let mut longer = p.clone();
                longer.push(r);
                assert!(matches!(
                    verify_consistency(m, n, &r1, &r, &longer),
                    Err(ProofError::WrongProofSize { .. })
                ));
            }
        }
    }
}

#[test]
fn edge_cases() {
    let t = tree(8);
    let r = t.root();
    assert_eq!(
        verify_inclusion(0, 0, &r, &[], &r),
        Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
    );
    assert_eq!(
        verify_consistency(0, 8, &EMPTY_ROOT, &r, &[]),
        Err(ProofError::SizeZero)
    );
    assert_eq!(
        verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]),
        Err(ProofError::SizeZero)
    );
    assert_eq!(
        verify_consistency(5, 4, &r, &r, &[]),
        Err(ProofError::SizeOrder { size1: 5, size2: 4 })
    );
    assert_eq!(verify_consistency(8, 8, &r, &r, &[]), Ok(()));
    assert_eq!(
        verify_consistency(8, 8, &r, &EMPTY_ROOT, &[]),
        Err(ProofError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(8, 8, &r, &r, &[r]),
        Err(ProofError::WrongProofSize { got: 1, want: 0 })
    );
    assert_eq!(consistency_proof(&t, 0, 8), Err(ProofError::SizeZero));
    assert_eq!(consistency_proof(&t, 8, 8), Ok(vec![]));
    assert_eq!(
        consistency_proof(&t, 3, 9),
        Err(ProofError::SizeBeyondSource {
            size: 9,
            available: 8
        })
    );
    assert_eq!(
        inclusion_proof(&t, 8, 8),
        Err(ProofError::IndexOutOfRange { index: 8, size: 8 })
    );
    // Large sizes do not overflow the length computation.
    assert!(inclusion_proof_len(u64::MAX - 1, u64::MAX).is_ok());
    assert!(consistency_proof_len(u64::MAX - 1, u64::MAX).is_ok());
    assert!(consistency_proof_len(1, u64::MAX).is_ok());
}

#[test]
fn tiles_basics() {
    assert_eq!(encode_index(1_234_067), "x001/x234/067");
    assert_eq!(encode_index(0), "000");
    assert_eq!(parse_index("x001/x234/067"), Ok(1_234_067));
    assert!(parse_index("x000/001").is_err());
    assert!(parse_index("1/234").is_err());
    assert_eq!(parse_index(&encode_index(u64::MAX)), Ok(u64::MAX));
    let t = tiles_for_size(70_000);
    assert_eq!(t.len(), 277);
    assert_eq!(t.last().unwrap().path(), "tile/2/000.p/1");
    let p = Tile {
        level: TileLevel::Entries,
        index: 1000,
        width: 3,
    };
    assert_eq!(p.path(), "tile/entries/x001/000.p/3");
    assert_eq!(Tile::parse_path(&p.path()), Ok(p));
    assert!(Tile::parse_path("tile/0/000.p/256").is_err());
    assert!(Tile::parse_path("tile/0/000.p/0").is_err());
    assert!(Tile::parse_path("tile/8/000").is_err());
    // Tile hashes are the stored subtree hashes at level 8L.
    let tr = tree(600);
    let level1 = tiles::tile_hashes(
        &tr,
        &Tile {
            level: TileLevel::Hashes(1),
            index: 0,
            width: 2,
        },
    )
    .unwrap();
    assert_eq!(level1[0], root(&tr, 256).unwrap());
}

fn flip(h: &mut Hash, bit: usize) {
    h[bit / 8 % 32] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn inclusion_fails_on_any_bit_flip(n in 1u64..300, m_seed: u64, target: usize, bit in 0usize..256) {
        let t = tree(n);
        let m = m_seed % n;
        let r = t.root();
        let lh = t.leaf_hash(m).unwrap();
        let p = inclusion_proof(&t, m, n).unwrap();
        prop_assert!(verify_inclusion(m, n, &lh, &p, &r).is_ok());
        // target 0 = leaf hash, 1 = root, 2.. = proof node.
        let which = target % (p.len() + 2);
        let (mut lh2, mut r2, mut p2) = (lh, r, p);
        match which {
            0 => flip(&mut lh2, bit),
            1 => flip(&mut r2, bit),
            k => flip(&mut p2[k - 2], bit),
        }
        prop_assert!(verify_inclusion(m, n, &lh2, &p2, &r2).is_err());
    }

    #[test]
    fn consistency_holds_for_every_m(n in 1u64..200) {
        let t = tree(n);
        let rn = t.root();
        for m in 1..=n {
            let p = consistency_proof(&t, m, n).unwrap();
            let rm = root(&t, m).unwrap();
            prop_assert!(verify_consistency(m, n, &rm, &rn, &p).is_ok());
        }
    }

    #[test]
    fn tile_paths_never_panic(s in "\\PC{0,40}") {
        let _ = Tile::parse_path(&s);
        let _ = tiles::SumdbTile::parse_path(&s);
        let _ = parse_index(&s);
    }

    #[test]
    fn tile_path_roundtrip(level in 0u8..=7, index: u64, width in 1u16..=256) {
        let t = Tile { level: TileLevel::Hashes(level), index, width };
        prop_assert_eq!(Tile::parse_path(&t.path()), Ok(t));
    }
}
