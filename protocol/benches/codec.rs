//! Canonical CBOR throughput: encoding and strict decoding (full canonical validation)
//! of a status-delta-shaped document of 1,000 entries, and of one small code-sized map.
//!
//! Run with `cargo bench -p hcx-protocol --bench codec`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hcx_protocol::cbor::{Limits, Mode, Value};

/// A document shaped like a status delta batch: 1,000 maps of hashes and small integers.
fn delta_like(entries: u64) -> Value {
    let entry = |i: u64| {
        Value::Map(vec![
            (Value::Unsigned(1), Value::Bytes(vec![(i % 251) as u8; 32])),
            (Value::Unsigned(2), Value::Unsigned(i % 4)),
            (Value::Unsigned(3), Value::Unsigned(2)),
            (
                Value::Unsigned(4),
                Value::Array(vec![Value::Bytes(vec![7; 32]), Value::Unsigned(3)]),
            ),
        ])
    };
    Value::Map(vec![
        (Value::Unsigned(1), Value::Unsigned(330_000)),
        (
            Value::Unsigned(2),
            Value::Array((0..entries).map(entry).collect()),
        ),
    ])
}

fn code_like() -> Value {
    Value::Map(vec![
        (Value::Unsigned(1), Value::Bytes(vec![9; 16])),
        (Value::Unsigned(2), Value::Unsigned(330_000)),
        (Value::Unsigned(3), Value::Unsigned(0)),
        (Value::Unsigned(4), Value::Unsigned(1)),
        (
            Value::Unsigned(5),
            Value::Array(vec![Value::Bytes(vec![1; 8]), Value::Unsigned(3)]),
        ),
        (Value::Unsigned(6), Value::Unsigned(1_790_000_000)),
        (Value::Unsigned(7), Value::Unsigned(1_790_086_400)),
        (Value::Unsigned(8), Value::Bytes(vec![5; 40])),
    ])
}

fn bench_codec(c: &mut Criterion) {
    let mut g = c.benchmark_group("cbor");
    for (name, value) in [
        ("code-sized", code_like()),
        ("delta-batch-1000", delta_like(1000)),
    ] {
        let bytes = value.to_canonical();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("encode", name), &value, |b, v| {
            b.iter(|| v.to_canonical());
        });
        g.bench_with_input(
            BenchmarkId::new("decode-strict", name),
            &bytes,
            |b, bytes| {
                b.iter(|| Value::decode(bytes, Mode::Strict, Limits::message(1 << 20)));
            },
        );
        g.bench_with_input(BenchmarkId::new("validate", name), &bytes, |b, bytes| {
            b.iter(|| hcx_protocol::cbor::validate(bytes, Limits::message(1 << 20)));
        });
    }
    g.finish();
}

criterion_group!(benches, bench_codec);
criterion_main!(benches);
