//! Time of one holder-binding hash (Argon2id with the protocol's parameters): the
//! figure behind `binding::ARGON2_M_KIB` (budget: at most 50 ms on a gate).
//! Run with `cargo bench -p hcx-protocol --bench binding`.

use criterion::{Criterion, criterion_group, criterion_main};
use hcx_protocol::binding::{ARGON2_M_KIB, ARGON2_P, ARGON2_T, binding_hash};
use hcx_protocol::identity::{DocType, normalise};
use std::hint::black_box;

fn bench_binding(c: &mut Criterion) {
    let id = match normalise(DocType::MainlandId, "", "11010519491231002X") {
        Ok(id) => id,
        Err(e) => panic!("sample number refused: {e}"),
    };
    let salt = [7u8; 16];
    let name = format!("binding_hash m={ARGON2_M_KIB}KiB t={ARGON2_T} p={ARGON2_P}");
    let mut group = c.benchmark_group("binding");
    group.sample_size(20);
    group.bench_function(name, |b| {
        b.iter(|| binding_hash(black_box(&id), black_box(&salt)))
    });
    group.finish();
}

criterion_group!(benches, bench_binding);
criterion_main!(benches);
