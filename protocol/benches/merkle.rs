//! Merkle benchmarks over 1,000,000 leaves: root, inclusion proof generation and
//! verification, consistency proof generation and verification. The tree is built once,
//! outside the timed loops.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hcx_protocol::merkle::{
    LeafHashes, MemoryTree, consistency_proof, inclusion_proof, root, verify_consistency,
    verify_inclusion,
};

const N: u64 = 1_000_000;

fn build() -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..N {
        t.push_leaf(&i.to_be_bytes());
    }
    t
}

fn benches(c: &mut Criterion) {
    let tree = build();
    let full_root = tree.root();
    let old = N - 12_345;
    let old_root = root(&tree, old).expect("root");

    c.bench_function("merkle/root 1M", |b| {
        b.iter(|| root(black_box(&tree), black_box(N)).expect("root"));
    });
    c.bench_function("merkle/root 1M (odd size)", |b| {
        b.iter(|| root(black_box(&tree), black_box(N - 1)).expect("root"));
    });

    let index = 765_432;
    let leaf = tree.leaf_hash(index).expect("leaf");
    c.bench_function("merkle/inclusion proof 1M", |b| {
        b.iter(|| inclusion_proof(black_box(&tree), black_box(index), N).expect("proof"));
    });
    let proof = inclusion_proof(&tree, index, N).expect("proof");
    c.bench_function("merkle/inclusion verify 1M", |b| {
        b.iter(|| {
            verify_inclusion(black_box(index), N, &leaf, black_box(&proof), &full_root)
                .expect("verify");
        });
    });
    c.bench_function("merkle/inclusion generate+verify 1M", |b| {
        b.iter(|| {
            let p = inclusion_proof(&tree, black_box(index), N).expect("proof");
            verify_inclusion(index, N, &leaf, &p, &full_root).expect("verify");
        });
    });

    c.bench_function("merkle/consistency proof 1M", |b| {
        b.iter(|| consistency_proof(black_box(&tree), black_box(old), N).expect("proof"));
    });
    let cproof = consistency_proof(&tree, old, N).expect("proof");
    c.bench_function("merkle/consistency verify 1M", |b| {
        b.iter(|| {
            verify_consistency(black_box(old), N, &old_root, &full_root, black_box(&cproof))
                .expect("verify");
        });
    });
    c.bench_function("merkle/consistency generate+verify 1M", |b| {
        b.iter(|| {
            let p = consistency_proof(&tree, black_box(old), N).expect("proof");
            verify_consistency(old, N, &old_root, &full_root, &p).expect("verify");
        });
    });
}

criterion_group!(merkle, benches);
criterion_main!(merkle);
