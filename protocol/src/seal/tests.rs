//! Tests for sealed notice reasons: an independent known answer (RFC 7748 keys, the
//! rest computed with Python `cryptography`), round trips, every failure, and decoders
//! that never panic.

use super::*;
use crate::cbor::{Value, to_canonical};
use proptest::prelude::*;

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// RFC 7748 §6.1: Alice's key serves as the ephemeral key, Bob's as the recipient's.
fn alice() -> [u8; 32] {
    h32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
}
fn bob() -> [u8; 32] {
    h32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
}
fn bob_pk() -> [u8; 32] {
    h32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
}

#[test]
fn known_answer() {
    assert_eq!(public_key(&bob()), bob_pk());
    let sealed = seal(&bob_pk(), alice(), b"header", b"\x01\x02reason").unwrap();
    assert_eq!(
        sealed.ephemeral_pk,
        h32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    );
    assert_eq!(
        hex::encode(&sealed.ciphertext),
        "daccfb841004673f5d91a7e8cb90400e30b9ff31e8f01155"
    );
    assert_eq!(open(&bob(), &sealed, b"header").unwrap(), b"\x01\x02reason");
}

#[test]
fn failures() {
    let sealed = seal(&bob_pk(), alice(), b"header", b"reason").unwrap();
    // Wrong key (even the sender's ephemeral secret does not open it).
    assert_eq!(open(&[9; 32], &sealed, b"header"), Err(SealError::Decrypt));
    assert_eq!(open(&alice(), &sealed, b"header"), Err(SealError::Decrypt));
    // Wrong associated data.
    assert_eq!(open(&bob(), &sealed, b"headeR"), Err(SealError::Decrypt));
    assert_eq!(open(&bob(), &sealed, b""), Err(SealError::Decrypt));
    // Tampering: every bit of ciphertext and tag, and the ephemeral key.
    for i in 0..sealed.ciphertext.len() * 8 {
        let mut t = sealed.clone();
        t.ciphertext[i / 8] ^= 1 << (i % 8);
        assert_eq!(
            open(&bob(), &t, b"header"),
            Err(SealError::Decrypt),
            "bit {i}"
        );
    }
    let mut t = sealed.clone();
    t.ephemeral_pk[0] ^= 1;
    assert_eq!(open(&bob(), &t, b"header"), Err(SealError::Decrypt));
    // Truncation and impossible lengths.
    let mut t = sealed;
    t.ciphertext.pop();
    assert_eq!(open(&bob(), &t, b"header"), Err(SealError::Decrypt));
    t.ciphertext.truncate(TAG_LEN - 1);
    assert_eq!(
        open(&bob(), &t, b"header"),
        Err(SealError::BadCiphertextLength { len: 15 })
    );
    t.ciphertext = vec![0; MAX_CIPHERTEXT + 1];
    assert!(matches!(
        open(&bob(), &t, b"header"),
        Err(SealError::BadCiphertextLength { .. })
    ));
    // Plaintext limit.
    assert!(seal(&bob_pk(), alice(), b"", &[0; MAX_PLAINTEXT]).is_ok());
    assert_eq!(
        seal(&bob_pk(), alice(), b"", &[0; MAX_PLAINTEXT + 1]),
        Err(SealError::PlaintextTooLong {
            len: MAX_PLAINTEXT + 1,
            max: MAX_PLAINTEXT
        })
    );
}

/// Low-order points of Curve25519 (u-coordinates), from the X25519 literature
/// (e.g. the Wycheproof x25519 vectors): each gives an all-zero shared secret.
const LOW_ORDER: [&str; 5] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

#[test]
fn low_order_points_are_refused() {
    for p in LOW_ORDER {
        let pk = h32(p);
        assert_eq!(
            seal(&pk, alice(), b"", b"x"),
            Err(SealError::LowOrderPoint),
            "{p}"
        );
        let sealed = SealedBox {
            ephemeral_pk: pk,
            ciphertext: vec![0; 20],
        };
        assert_eq!(
            open(&bob(), &sealed, b""),
            Err(SealError::LowOrderPoint),
            "{p}"
        );
    }
}

#[test]
fn cbor_form() {
    let sealed = seal(&bob_pk(), alice(), b"header", b"reason").unwrap();
    let bytes = sealed.to_bytes();
    assert_eq!(&bytes[..4], &[0xa2, 0x01, 0x58, 0x20]);
    assert_eq!(bytes[36..38], [0x02, 0x56]);
    assert_eq!(SealedBox::from_bytes(&bytes), Ok(sealed.clone()));
    // Largest box fits the limit exactly.
    let big = SealedBox {
        ephemeral_pk: [1; 32],
        ciphertext: vec![2; MAX_CIPHERTEXT],
    };
    assert_eq!(big.to_bytes().len(), SealedBox::MAX_BYTES);
    assert_eq!(SealedBox::from_bytes(&big.to_bytes()), Ok(big));
    // Shape errors: short key, short / long ciphertext, missing, extra and text fields.
    let enc = |v: Value| v.to_canonical();
    let u = |n| Value::Unsigned(n);
    let bs = |n: usize| Value::Bytes(vec![0; n]);
    for bad in [
        enc(Value::Map(vec![(u(1), bs(31)), (u(2), bs(16))])),
        enc(Value::Map(vec![(u(1), bs(32)), (u(2), bs(15))])),
        enc(Value::Map(vec![
            (u(1), bs(32)),
            (u(2), bs(MAX_CIPHERTEXT + 1)),
        ])),
        enc(Value::Map(vec![(u(1), bs(32))])),
        enc(Value::Map(vec![(u(2), bs(16))])),
        enc(Value::Map(vec![
            (u(1), bs(32)),
            (u(2), bs(16)),
            (u(3), bs(0)),
        ])),
        enc(Value::Map(vec![
            (u(1), bs(32)),
            (u(2), Value::Text("x".repeat(16))),
        ])),
        enc(Value::Array(vec![bs(32), bs(16)])),
        to_canonical(&7u64),
    ] {
        assert!(
            SealedBox::from_bytes(&bad).is_err(),
            "{}",
            hex::encode(&bad)
        );
    }
    // Non-canonical: keys out of order, trailing bytes.
    let mut swapped = vec![0xa2, 0x02, 0x50];
    swapped.extend([0; 16]);
    swapped.extend([0x01, 0x58, 0x20]);
    swapped.extend([0; 32]);
    assert!(SealedBox::from_bytes(&swapped).is_err());
    let mut trailing = sealed.to_bytes();
    trailing.push(0);
    assert!(SealedBox::from_bytes(&trailing).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(
        recipient in any::<[u8; 32]>(),
        ephemeral in any::<[u8; 32]>(),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
        plaintext in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let pk = public_key(&recipient);
        let sealed = seal(&pk, ephemeral, &aad, &plaintext).unwrap();
        prop_assert_eq!(sealed.ciphertext.len(), plaintext.len() + TAG_LEN);
        let decoded = SealedBox::from_bytes(&sealed.to_bytes()).unwrap();
        prop_assert_eq!(&decoded, &sealed);
        prop_assert_eq!(open(&recipient, &decoded, &aad).unwrap(), plaintext);
    }

    #[test]
    fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = SealedBox::from_bytes(&bytes);
    }

    #[test]
    fn open_never_panics(
        recipient in any::<[u8; 32]>(),
        ephemeral_pk in any::<[u8; 32]>(),
        ciphertext in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let sealed = SealedBox { ephemeral_pk, ciphertext };
        prop_assert!(open(&recipient, &sealed, b"").is_err());
    }
}
