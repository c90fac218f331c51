//! Unit and property tests of the canonical CBOR layer.

use super::*;
use proptest::prelude::*;

fn strict(hex_str: &str) -> Result<Value, DecodeError> {
    let b = hex::decode(hex_str).unwrap();
    Value::decode(&b, Mode::Strict, Limits::message(1 << 20))
}

#[track_caller]
fn check_rejects(hex_str: &str, want: fn(&DecodeError) -> bool) {
    let err = strict(hex_str).expect_err(hex_str);
    assert!(want(&err), "{hex_str}: unexpected error {err:?}");
}

#[test]
fn canonical_round_trip_of_small_items() {
    for h in [
        "00",
        "17",
        "1818",
        "190100",
        "20",
        "3863",
        "40",
        "4401020304",
        "6161",
        "80",
        "820102",
        "a0",
        "a201020304",
        "c11a514b67b0",
        "f4",
        "f5",
        "f6",
        "f93e00",
        "fa47c35000",
        "fb3ff199999999999a",
        "f97e00",
        "f98000",
    ] {
        let v = strict(h).unwrap();
        assert_eq!(hex::encode(v.to_canonical()), h);
    }
}

#[test]
fn rejects_each_non_canonical_pattern() {
    check_rejects("1817", |e| {
        matches!(e, DecodeError::NonCanonicalHead { .. })
    });
    check_rejects("5f4101ff", |e| matches!(e, DecodeError::Indefinite { .. }));
    check_rejects("a2020101 01".replace(' ', "").as_str(), |e| {
        matches!(e, DecodeError::UnsortedMapKeys { .. })
    });
    check_rejects("a201020103", |e| {
        matches!(e, DecodeError::DuplicateMapKey { .. })
    });
    check_rejects("fa3fc00000", |e| {
        matches!(e, DecodeError::NonCanonicalFloat { .. })
    });
    check_rejects("0000", |e| matches!(e, DecodeError::TrailingBytes { .. }));
    check_rejects("f818", |e| matches!(e, DecodeError::InvalidSimple { .. }));
    check_rejects("62c328", |e| matches!(e, DecodeError::InvalidUtf8 { .. }));
    check_rejects("c04100", |e| matches!(e, DecodeError::InvalidTag { .. }));
    // A non-shortest integer buried four levels deep.
    check_rejects("81a101818119001f", |e| {
        matches!(e, DecodeError::NonCanonicalHead { .. })
    });
}

#[test]
fn depth_limit_applies_at_seventeen() {
    let ok = format!("{}00", "81".repeat(15));
    strict(&ok).unwrap();
    let deep = format!("{}00", "81".repeat(16));
    check_rejects(&deep, |e| matches!(e, DecodeError::TooDeep { .. }));
}

#[test]
fn size_limit_is_checked_before_parsing() {
    let err = Value::decode(&[0x40], Mode::Strict, Limits::message(0)).unwrap_err();
    assert_eq!(err, DecodeError::TooLarge { size: 1, limit: 0 });
}

#[test]
fn huge_declared_lengths_fail_without_allocating() {
    check_rejects("9bffffffffffffffff", |e| {
        matches!(e, DecodeError::Truncated { .. })
    });
    check_rejects("5bffffffffffffffff", |e| {
        matches!(e, DecodeError::Truncated { .. })
    });
    check_rejects("bb7fffffffffffffff", |e| {
        matches!(e, DecodeError::Truncated { .. })
    });
}

#[test]
fn typed_map_fields_in_order() {
    let mut b = MapBuilder::new();
    b.entry(3, |e| {
        e.text("c");
    });
    b.entry(1, |e| {
        e.u64(7);
    });
    let mut e = Encoder::new();
    b.finish(&mut e);
    let bytes = e.into_bytes();
    assert_eq!(hex::encode(&bytes), "a201070361 63".replace(' ', ""));
    let mut d = Decoder::new(&bytes, Limits::message(64)).unwrap();
    let mut m = d.begin_map().unwrap();
    assert_eq!(m.required(&mut d, 1, Decoder::u64).unwrap(), 7);
    assert_eq!(m.optional(&mut d, 2, Decoder::u64).unwrap(), None);
    assert_eq!(
        m.required(&mut d, 3, |d| d.text().map(str::to_owned))
            .unwrap(),
        "c"
    );
    m.finish(&d).unwrap();
    d.finish().unwrap();

    let mut d = Decoder::new(&bytes, Limits::message(64)).unwrap();
    let mut m = d.begin_map().unwrap();
    m.required(&mut d, 1, Decoder::u64).unwrap();
    assert!(m.finish(&d).is_err(), "key 3 was never read: unknown");
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(Value::Unsigned),
        any::<u64>().prop_map(Value::Negative),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        ".{0,20}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        any::<f64>()
            .prop_filter("NaN has no equality", |f| !f.is_nan())
            .prop_map(Value::Float),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(any::<u32>(), inner, 0..6).prop_map(|m| {
                Value::Map(
                    m.into_iter()
                        .map(|(k, v)| (Value::Unsigned(k.into()), v))
                        .collect(),
                )
            }),
        ]
    })
}

fn sorted(v: Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        Value::Map(m) => {
            let mut m: Vec<_> = m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            m.sort_by_key(|(k, _)| k.to_canonical());
            Value::Map(m)
        }
        other => other,
    }
}

proptest! {
    #[test]
    fn canonical_encoding_round_trips(v in arb_value()) {
        let bytes = v.to_canonical();
        let back = Value::decode(&bytes, Mode::Strict, Limits::message(1 << 20)).unwrap();
        prop_assert_eq!(&back, &sorted(v));
        prop_assert_eq!(back.to_canonical(), bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Value::decode(&bytes, Mode::Strict, Limits::message(1 << 20));
        let _ = Value::decode(&bytes, Mode::WellFormed, Limits::message(1 << 20));
        let _ = validate(&bytes, Limits::message(1 << 20));
    }

    #[test]
    fn strict_accepts_only_what_it_would_encode(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(v) = Value::decode(&bytes, Mode::Strict, Limits::message(1 << 20)) {
            prop_assert_eq!(v.to_canonical(), bytes);
        }
    }
}
