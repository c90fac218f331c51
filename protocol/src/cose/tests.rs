//! COSE_Sign1 tests: sign/verify round trips for both algorithms, every hcx-profile
//! rejection (each case validly signed, so only the rule under test can refuse it), the
//! DCC reading, a cose-wg known-answer vector, and "arbitrary bytes never panic".

use super::*;
use crate::cbor::{DecodeError, Encoder, MapBuilder};
use crate::sign::{Alg, Ed25519Signer, Es256Signer, PublicKey, SignatureError, Signer};
use proptest::prelude::*;

const KID: &[u8; 16] = b"0123456789abcdef";
const PAYLOAD: &[u8] = b"\xa2\x01\x65hello\x02\x18\x2a";

fn ed() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[9u8; 32]).unwrap()
}

/// A header label and a writer for its value.
type Field<'a> = (i64, &'a dyn Fn(&mut Encoder));

fn protected(entries: &[Field<'_>]) -> Vec<u8> {
    let mut m = MapBuilder::new();
    for (k, f) in entries {
        m.entry_i64(*k, |e| f(e));
    }
    let mut e = Encoder::new();
    m.finish(&mut e);
    e.into_bytes()
}

/// A message with the given parts, validly signed by `signer` over `protected` as given.
fn build(
    signer: &dyn Signer,
    tag: Option<u64>,
    protected: &[u8],
    unprotected: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let tbs = sign1::sig_structure(protected, &[], payload);
    let sig = signer.sign(&tbs).unwrap();
    let mut e = Encoder::new();
    if let Some(t) = tag {
        e.tag(t);
    }
    e.array(4).bytes(protected);
    e.raw(unprotected);
    e.bytes(payload).bytes(&sig);
    e.into_bytes()
}

fn hcx_protected(alg: i64, kid: &[u8]) -> Vec<u8> {
    protected(&[
        (1, &|e: &mut Encoder| {
            e.i64(alg);
        }),
        (4, &|e: &mut Encoder| {
            e.bytes(kid);
        }),
    ])
}

#[test]
fn eddsa_round_trip_hcx() {
    let s = ed();
    let msg = sign1(&s, KID, PAYLOAD).unwrap();
    // Tag 18, array of 4, protected {1: -8, 4: kid} = a2 01 27 04 50 ..., empty map.
    assert_eq!(&msg[..5], &[0xd2, 0x84, 0x55, 0xa2, 0x01]);
    crate::cbor::validate(&msg, crate::cbor::Limits::message(1024)).unwrap();
    let m = Sign1::parse(&msg, Profile::Hcx).unwrap();
    assert_eq!(m.alg(), Alg::EdDsa);
    assert_eq!(m.kid(), Some(&KID[..]));
    assert_eq!(m.payload(), PAYLOAD);
    assert_eq!(m.protected_bytes(), hcx_protected(-8, KID));
    m.verify(&s.public_key(), &[]).unwrap();
    m.check_kid(KID).unwrap();
    assert_eq!(
        m.check_kid(b"fedcba9876543210"),
        Err(CoseError::KidMismatch)
    );
    // The same bytes read under the DCC profile give the same verdict.
    let d = Sign1::parse(&msg, Profile::Dcc).unwrap();
    d.verify(&s.public_key(), &[]).unwrap();
    assert_eq!(d.kid(), Some(&KID[..]));
}

#[test]
fn es256_round_trip_hcx() {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &rng,
    )
    .unwrap();
    let s = Es256Signer::from_pkcs8(pkcs8.as_ref(), &rng).unwrap();
    let kid = [7u8; 32];
    let msg = sign1(&s, &kid, PAYLOAD).unwrap();
    let m = Sign1::parse(&msg, Profile::Hcx).unwrap();
    assert_eq!(m.alg(), Alg::Es256);
    assert_eq!(m.signature().len(), 64);
    m.verify(&s.public_key(), &[]).unwrap();
    // An Ed25519 key for an ES256 message: the key type does not match the alg.
    assert_eq!(
        m.verify(&ed().public_key(), &[]),
        Err(CoseError::Signature(SignatureError::AlgKeyMismatch {
            alg: Alg::Es256
        }))
    );
}

#[test]
fn external_aad_is_bound() {
    let s = ed();
    let msg = sign1_with_aad(&s, KID, PAYLOAD, b"context").unwrap();
    let m = Sign1::parse(&msg, Profile::Hcx).unwrap();
    m.verify(&s.public_key(), b"context").unwrap();
    assert_eq!(
        m.verify(&s.public_key(), b""),
        Err(CoseError::Signature(SignatureError::BadSignature))
    );
}

#[test]
fn wrong_key_fails() {
    let msg = sign1(&ed(), KID, PAYLOAD).unwrap();
    let m = Sign1::parse(&msg, Profile::Hcx).unwrap();
    let other = Ed25519Signer::from_seed(&[1u8; 32]).unwrap();
    assert_eq!(
        m.verify(&other.public_key(), &[]),
        Err(CoseError::Signature(SignatureError::BadSignature))
    );
    assert_eq!(
        m.verify(&PublicKey::P256(vec![4; 65]), &[]),
        Err(CoseError::Signature(SignatureError::AlgKeyMismatch {
            alg: Alg::EdDsa
        }))
    );
}

#[test]
fn sign_refuses_bad_kid() {
    let s = ed();
    assert_eq!(
        sign1(&s, &[1; 15], PAYLOAD),
        Err(CoseError::KidTooShort { len: 15 })
    );
    assert_eq!(
        sign1(&s, &[1; 65], PAYLOAD),
        Err(CoseError::KidTooLong { len: 65 })
    );
}

#[test]
fn hcx_rejections() {
    let s = ed();
    let p = hcx_protected(-8, KID);
    let empty = [0xa0];
    let hcx = |b: &[u8]| Sign1::parse(b, Profile::Hcx).map(|_| ());

    // The control case is accepted.
    hcx(&build(&s, Some(18), &p, &empty, PAYLOAD)).unwrap();

    // Untagged; wrong tag; tag 61 around tag 18.
    assert_eq!(
        hcx(&build(&s, None, &p, &empty, PAYLOAD)),
        Err(CoseError::MissingTag)
    );
    assert_eq!(
        hcx(&build(&s, Some(61), &p, &empty, PAYLOAD)),
        Err(CoseError::WrongTag { tag: 61 })
    );
    let mut cwt = vec![0xd8, 0x3d];
    cwt.extend(build(&s, Some(18), &p, &empty, PAYLOAD));
    assert_eq!(hcx(&cwt), Err(CoseError::WrongTag { tag: 61 }));

    // alg only in the unprotected header; kid in the unprotected header.
    let kid_only = protected(&[(4, &|e: &mut Encoder| {
        e.bytes(KID);
    })]);
    let mut unprot_alg = Encoder::new();
    unprot_alg.map(1).i64(1).i64(-8);
    let unprot_alg = unprot_alg.into_bytes();
    assert_eq!(
        hcx(&build(&s, Some(18), &kid_only, &unprot_alg, PAYLOAD)),
        Err(CoseError::UnprotectedNotAllowed)
    );
    assert_eq!(
        hcx(&build(&s, Some(18), &kid_only, &empty, PAYLOAD)),
        Err(CoseError::MissingAlg)
    );
    assert_eq!(
        hcx(&build(&s, Some(18), &[], &empty, PAYLOAD)),
        Err(CoseError::MissingAlg)
    );
    let alg_only = protected(&[(1, &|e: &mut Encoder| {
        e.i64(-8);
    })]);
    let mut unprot_kid = Encoder::new();
    unprot_kid.map(1).i64(4).bytes(KID);
    assert_eq!(
        hcx(&build(
            &s,
            Some(18),
            &alg_only,
            &unprot_kid.into_bytes(),
            PAYLOAD
        )),
        Err(CoseError::UnprotectedNotAllowed)
    );
    assert_eq!(
        hcx(&build(&s, Some(18), &alg_only, &empty, PAYLOAD)),
        Err(CoseError::MissingKid)
    );

    // Short kid; long kid; kid not bytes.
    assert_eq!(
        hcx(&build(
            &s,
            Some(18),
            &hcx_protected(-8, &[1; 15]),
            &empty,
            PAYLOAD
        )),
        Err(CoseError::KidTooShort { len: 15 })
    );
    assert_eq!(
        hcx(&build(
            &s,
            Some(18),
            &hcx_protected(-8, b"11"),
            &empty,
            PAYLOAD
        )),
        Err(CoseError::KidTooShort { len: 2 })
    );
    assert_eq!(
        hcx(&build(
            &s,
            Some(18),
            &hcx_protected(-8, &[1; 65]),
            &empty,
            PAYLOAD
        )),
        Err(CoseError::KidTooLong { len: 65 })
    );
    let text_kid = protected(&[
        (1, &|e: &mut Encoder| {
            e.i64(-8);
        }),
        (4, &|e: &mut Encoder| {
            e.text("0123456789abcdef");
        }),
    ]);
    assert_eq!(
        hcx(&build(&s, Some(18), &text_kid, &empty, PAYLOAD)),
        Err(CoseError::BadHeader { label: 4 })
    );

    // crit; content type; a negative label.
    let with = |label: i64| {
        protected(&[
            (1, &|e: &mut Encoder| {
                e.i64(-8);
            }),
            (4, &|e: &mut Encoder| {
                e.bytes(KID);
            }),
            (label, &|e: &mut Encoder| {
                e.array(1).u64(4);
            }),
        ])
    };
    assert_eq!(
        hcx(&build(&s, Some(18), &with(2), &empty, PAYLOAD)),
        Err(CoseError::UnknownCritical)
    );
    assert_eq!(
        hcx(&build(&s, Some(18), &with(3), &empty, PAYLOAD)),
        Err(CoseError::UnexpectedHeader { label: 3 })
    );
    assert_eq!(
        hcx(&build(&s, Some(18), &with(-65537), &empty, PAYLOAD)),
        Err(CoseError::UnexpectedHeader { label: -65537 })
    );

    // PS256 and unknown algs; a text alg.
    assert_eq!(
        hcx(&build(
            &s,
            Some(18),
            &hcx_protected(-37, KID),
            &empty,
            PAYLOAD
        )),
        Err(CoseError::UnsupportedAlg { id: -37 })
    );
    assert_eq!(
        hcx(&build(
            &s,
            Some(18),
            &hcx_protected(-999, KID),
            &empty,
            PAYLOAD
        )),
        Err(CoseError::UnsupportedAlg { id: -999 })
    );

    // The protected map with its keys reordered (not canonical), and with a long head.
    let mut reordered = vec![0xa2, 0x04, 0x50];
    reordered.extend_from_slice(KID);
    reordered.extend_from_slice(&[0x01, 0x27]);
    assert!(matches!(
        hcx(&build(&s, Some(18), &reordered, &empty, PAYLOAD)),
        Err(CoseError::Decode(DecodeError::UnsortedMapKeys { .. }))
    ));
    let mut long_head = vec![0xa2, 0x01, 0x38, 0x07, 0x04, 0x50];
    long_head.extend_from_slice(KID);
    assert!(matches!(
        hcx(&build(&s, Some(18), &long_head, &empty, PAYLOAD)),
        Err(CoseError::Decode(DecodeError::NonCanonicalHead { .. }))
    ));

    // Detached payload.
    let mut det = Encoder::new();
    det.tag(18).array(4).bytes(&p).map(0).null().bytes(&[0; 64]);
    assert_eq!(hcx(det.as_bytes()), Err(CoseError::DetachedPayload));

    // Trailing bytes; a non-canonical outer head; wrong array length.
    let mut trailing = sign1(&s, KID, PAYLOAD).unwrap();
    trailing.push(0x00);
    assert!(matches!(
        hcx(&trailing),
        Err(CoseError::Decode(DecodeError::TrailingBytes { .. }))
    ));
    let mut long_tag = vec![0xd8, 0x12];
    long_tag.extend_from_slice(&sign1(&s, KID, PAYLOAD).unwrap()[1..]);
    assert!(matches!(
        hcx(&long_tag),
        Err(CoseError::Decode(DecodeError::NonCanonicalHead { .. }))
    ));
    let mut three = Encoder::new();
    three.tag(18).array(3).bytes(&p).map(0).bytes(PAYLOAD);
    assert_eq!(
        hcx(three.as_bytes()),
        Err(CoseError::BadStructure {
            what: "array length is not 4"
        })
    );
    assert_eq!(
        hcx(&[0xd2, 0x01]),
        Err(CoseError::BadStructure {
            what: "not an array"
        })
    );
    assert!(matches!(
        hcx(&[]),
        Err(CoseError::Decode(DecodeError::Truncated { .. }))
    ));
}

#[test]
fn size_limit() {
    let msg = sign1(&ed(), KID, &[0u8; 300]).unwrap();
    assert!(Sign1::parse_with_limit(&msg, Profile::Hcx, msg.len()).is_ok());
    assert!(matches!(
        Sign1::parse_with_limit(&msg, Profile::Hcx, msg.len() - 1),
        Err(CoseError::Decode(DecodeError::TooLarge { .. }))
    ));
    assert!(matches!(
        Sign1::parse_with_limit(&msg, Profile::Dcc, msg.len() - 1),
        Err(CoseError::Decode(DecodeError::TooLarge { .. }))
    ));
}

#[test]
fn every_bit_flip_is_refused() {
    let s = ed();
    let pk = s.public_key();
    let msg = sign1(&s, KID, PAYLOAD).unwrap();
    for i in 0..msg.len() * 8 {
        let mut m = msg.clone();
        m[i / 8] ^= 1 << (i % 8);
        for profile in [Profile::Hcx, Profile::Dcc] {
            let ok = Sign1::parse(&m, profile).and_then(|p| p.verify(&pk, &[]));
            assert!(
                ok.is_err(),
                "bit {i} flipped still verifies under {profile:?}"
            );
        }
    }
}

#[test]
fn dcc_reading() {
    let s = ed();
    let pk = s.public_key();
    fn dcc(b: &[u8]) -> Result<Sign1<'_>, CoseError> {
        Sign1::parse(b, Profile::Dcc)
    }
    let empty = [0xa0];
    let p = hcx_protected(-8, KID);

    // Untagged, tag 61 around 18, tag 61 alone, are all accepted.
    dcc(&build(&s, None, &p, &empty, PAYLOAD))
        .unwrap()
        .verify(&pk, &[])
        .unwrap();
    let mut cwt = vec![0xd8, 0x3d];
    cwt.extend(build(&s, Some(18), &p, &empty, PAYLOAD));
    dcc(&cwt).unwrap().verify(&pk, &[]).unwrap();
    dcc(&build(&s, Some(61), &p, &empty, PAYLOAD))
        .unwrap()
        .verify(&pk, &[])
        .unwrap();
    // Other tags and a repeated tag are refused.
    assert_eq!(
        dcc(&build(&s, Some(998), &p, &empty, PAYLOAD)),
        Err(CoseError::WrongTag { tag: 998 })
    );
    let mut twice = vec![0xd2];
    twice.extend(build(&s, Some(18), &p, &empty, PAYLOAD));
    assert_eq!(dcc(&twice), Err(CoseError::WrongTag { tag: 18 }));

    // alg and kid unprotected; the protected kid wins over the unprotected one.
    let mut unprot = Encoder::new();
    unprot
        .map(2)
        .i64(1)
        .i64(-8)
        .i64(4)
        .bytes(b"unprotected-kid!");
    let unprot = unprot.into_bytes();
    let msg = build(&s, Some(18), &[], &unprot, PAYLOAD);
    let m = dcc(&msg).unwrap();
    assert_eq!(m.alg(), Alg::EdDsa);
    assert_eq!(m.kid(), Some(&b"unprotected-kid!"[..]));
    m.verify(&pk, &[]).unwrap();
    let msg = build(&s, Some(18), &p, &unprot, PAYLOAD);
    let m = dcc(&msg).unwrap();
    assert_eq!(m.kid(), Some(&KID[..]));

    // Non-canonical protected bytes verify, because they are used as received.
    let mut reordered = vec![0xa2, 0x04, 0x42, 0x31, 0x31, 0x01, 0x27];
    dcc(&build(&s, Some(18), &reordered, &empty, PAYLOAD))
        .unwrap()
        .verify(&pk, &[])
        .unwrap();
    reordered.push(0x00);
    assert!(matches!(
        dcc(&build(&s, Some(18), &reordered, &empty, PAYLOAD)),
        Err(CoseError::Decode(DecodeError::TrailingBytes { .. }))
    ));

    // Missing alg, crit, duplicate labels, detached payload, trailing bytes.
    assert_eq!(
        dcc(&build(&s, Some(18), &[], &empty, PAYLOAD)),
        Err(CoseError::MissingAlg)
    );
    let crit = protected(&[
        (1, &|e: &mut Encoder| {
            e.i64(-8);
        }),
        (2, &|e: &mut Encoder| {
            e.array(1).u64(4);
        }),
    ]);
    assert_eq!(
        dcc(&build(&s, Some(18), &crit, &empty, PAYLOAD)),
        Err(CoseError::UnknownCritical)
    );
    let dup = [0xa2, 0x01, 0x27, 0x01, 0x26];
    assert_eq!(
        dcc(&build(&s, Some(18), &dup, &empty, PAYLOAD)),
        Err(CoseError::DuplicateLabel { label: 1 })
    );
    let mut det = Encoder::new();
    det.tag(18).array(4).bytes(&p).map(0).null().bytes(&[0; 64]);
    assert_eq!(dcc(det.as_bytes()), Err(CoseError::DetachedPayload));
    let mut trailing = build(&s, Some(18), &p, &empty, PAYLOAD);
    trailing.push(0x00);
    assert!(matches!(
        dcc(&trailing),
        Err(CoseError::Decode(DecodeError::TrailingBytes { .. }))
    ));
    // CBO2 of the DCC set: the integer 0 followed by junk.
    assert!(dcc(&[0x00, 0x12, 0x34]).is_err());
    // Indefinite-length outer array is well-formed and accepted here.
    let mut indef = build(&s, Some(18), &p, &empty, PAYLOAD);
    indef[1] = 0x9f;
    indef.push(0xff);
    dcc(&indef).unwrap().verify(&pk, &[]).unwrap();
}

/// cose-wg Examples `eddsa-examples/eddsa-sig-01.json` (RFC 8032 TEST 1 key): protected
/// `{1: -8, 3: 0}`, kid unprotected. Valid under the DCC reading, refused by hcx.
#[test]
fn cose_wg_eddsa_sig_01() {
    let msg = hex::decode(
        "d28445a201270300a10442313154546869732069732074686520636f6e74656e742e58407142fd2ff96d56db\
         85bee905a76ba1d0b7321a95c8c4d3607c5781932b7afb8711497dfa751bf40b58b3bcc32300b1487f3db340\
         85eef013bf08f4a44d6fef0d",
    )
    .unwrap();
    let tbs = "846a5369676e61747572653145a2012703004054546869732069732074686520636f6e74656e742e";
    let x =
        hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").unwrap();
    let key = PublicKey::Ed25519(x.try_into().unwrap());
    let m = Sign1::parse(&msg, Profile::Dcc).unwrap();
    assert_eq!(hex::encode(m.to_be_signed(&[])), tbs);
    assert_eq!(m.kid(), Some(&b"11"[..]));
    m.verify(&key, &[]).unwrap();
    assert_eq!(
        Sign1::parse(&msg, Profile::Hcx),
        Err(CoseError::UnprotectedNotAllowed)
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Sign1::parse(&data, Profile::Hcx);
        let _ = Sign1::parse(&data, Profile::Dcc);
    }

    #[test]
    fn mutated_messages_never_panic(
        idx in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let msg = sign1(&ed(), KID, PAYLOAD).unwrap();
        let mut m = msg.clone();
        m[idx.index(msg.len())] = byte;
        m.truncate(cut.index(msg.len() + 1).max(1));
        for profile in [Profile::Hcx, Profile::Dcc] {
            if let Ok(p) = Sign1::parse(&m, profile) {
                let _ = p.verify(&ed().public_key(), &[]);
            }
        }
    }

    #[test]
    fn sign_parse_round_trip(
        payload in proptest::collection::vec(any::<u8>(), 0..2000),
        kid in proptest::collection::vec(any::<u8>(), 16..=64),
    ) {
        let s = ed();
        let msg = sign1(&s, &kid, &payload).unwrap();
        let m = Sign1::parse(&msg, Profile::Hcx).unwrap();
        prop_assert_eq!(m.payload(), &payload[..]);
        prop_assert_eq!(m.kid(), Some(&kid[..]));
        m.verify(&s.public_key(), &[]).unwrap();
    }
}
