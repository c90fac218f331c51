//! Offline verification: every result code, the info shown, and trust built from a bundle.

use super::*;
use crate::identity::DocType;
use crate::sign::{Ed25519Signer, Signer};
use crate::wire::{CodeId, RegionPrefix, RuleRef, sign_cose};

const T0: u64 = 1_700_000_000;

fn zj() -> Region {
    Region::from_code(330000).unwrap()
}

fn claims(colour: Colour) -> CodeClaims {
    CodeClaims::new(
        CodeId([7; 16]),
        zj(),
        colour,
        RiskLevel::Low,
        RuleRef {
            prefix: [1; 4],
            version: 1,
        },
        T0,
        24,
        CodeKind::Resident,
        HolderBinding {
            doc_type: DocType::MainlandId,
            name_mask: "*明".into(),
            number_mask: "**2X".into(),
            salt: [1; 16],
            hash: [2; 16],
            country: None,
        },
        None,
    )
}

struct Fixture {
    signer: Ed25519Signer,
    kid: KeyId,
    store: TrustStore,
}

fn fixture() -> Fixture {
    let signer = Ed25519Signer::from_seed(&[3; 32]).unwrap();
    let kid = KeyId::derive(signer.public_key().as_bytes());
    let mut store = TrustStore::new();
    store.add_key(
        kid.clone(),
        TrustedKey {
            region: zj(),
            key: signer.public_key(),
            not_before: T0 - 1000,
            not_after: T0 + 30 * 86400,
        },
    );
    store.add_snapshot(StatusSnapshot {
        region: zj(),
        date: T0,
        fresh_until: T0 + 7200,
        non_green: vec![],
        revoked: vec![],
    });
    Fixture { signer, kid, store }
}

fn text(f: &Fixture, c: &CodeClaims) -> String {
    qr::encode_hcx(&sign_cose(c, &f.signer, &f.kid).unwrap()).unwrap()
}

#[test]
fn valid_code_and_its_info() {
    let f = fixture();
    let v = verify_qr_text(&text(&f, &claims(Colour::GREEN)), &f.store, T0 + 60);
    assert_eq!(v.result, ResultCode::Valid);
    let info = v.info.unwrap();
    assert_eq!(info.issuer, zj());
    assert_eq!(info.expires_at, T0 + 86400);
    assert_eq!(info.holder.number_mask, "**2X");
}

#[test]
fn every_failure_code() {
    let f = fixture();
    let t = text(&f, &claims(Colour::GREEN));
    let now = T0 + 60;
    assert_eq!(
        verify_qr_text(&t, &f.store, T0 + 86400).result,
        ResultCode::Expired
    );
    assert_eq!(
        verify_qr_text(&t, &f.store, T0 - 1000).result,
        ResultCode::NotYetValid
    );
    assert_eq!(
        verify_qr_text(&t, &f.store, T0 + 7200).result,
        ResultCode::StatusStale
    );
    assert_eq!(
        verify_qr_text(&t, &TrustStore::new(), now).result,
        ResultCode::UnknownKey
    );
    assert_eq!(
        verify_qr_text("HCX1:%%", &f.store, now).result,
        ResultCode::Malformed
    );
    assert_eq!(
        verify_qr_text(&t[1..], &f.store, now).result,
        ResultCode::Malformed
    );

    // Bad signature: sign with another key under the trusted kid.
    let other = Ed25519Signer::from_seed(&[4; 32]).unwrap();
    let forged = sign_cose(&claims(Colour::GREEN), &other, &f.kid).unwrap();
    let forged = qr::encode_hcx(&forged).unwrap();
    let v = verify_qr_text(&forged, &f.store, now);
    assert_eq!(v.result, ResultCode::BadSignature);
    assert!(v.info.is_none());

    // Wrong issuer: a Zhejiang key signing a Guangxi code.
    let mut c = claims(Colour::GREEN);
    c.issuer = RegionPrefix(Region::from_code(450000).unwrap());
    assert_eq!(
        verify_qr_text(&text(&f, &c), &f.store, now).result,
        ResultCode::WrongIssuer
    );

    // Outliving the key.
    let mut c = claims(Colour::GREEN);
    c.issued_at = T0 + 30 * 86400 - 3600;
    assert_eq!(
        verify_qr_text(&text(&f, &c), &f.store, now).result,
        ResultCode::KeyNotValidAtIssuance
    );

    // Status from the snapshot.
    let mut store = f.store.clone();
    let h = claims(Colour::GREEN).code_id.hash();
    store.add_snapshot(StatusSnapshot {
        region: zj(),
        date: T0 + 1,
        fresh_until: T0 + 7200,
        non_green: vec![h],
        revoked: vec![],
    });
    assert_eq!(
        verify_qr_text(&t, &store, now).result,
        ResultCode::StatusChanged
    );
    let red = text(&f, &claims(Colour::RED));
    assert_eq!(verify_qr_text(&red, &store, now).result, ResultCode::Valid);
    store.add_snapshot(StatusSnapshot {
        region: zj(),
        date: T0 + 2,
        fresh_until: T0 + 7200,
        non_green: vec![],
        revoked: vec![h],
    });
    assert_eq!(verify_qr_text(&t, &store, now).result, ResultCode::Revoked);
    // An older snapshot does not replace a newer one.
    store.add_snapshot(StatusSnapshot {
        region: zj(),
        date: T0,
        fresh_until: T0 + 7200,
        non_green: vec![],
        revoked: vec![],
    });
    assert_eq!(verify_qr_text(&t, &store, now).result, ResultCode::Revoked);
}

#[test]
fn a_delegation_signature_is_not_a_code_signature() {
    // The same key signing the same bytes under another type tag does not verify.
    let f = fixture();
    let c = claims(Colour::GREEN);
    let cose =
        crate::cose::sign1_with_aad(&f.signer, f.kid.as_bytes(), &c.to_bytes(), &cose_aad(2))
            .unwrap();
    let v = verify_cose(&cose, &f.store, T0 + 60);
    assert_eq!(v.result, ResultCode::BadSignature);
}

#[test]
fn from_bundle() {
    use crate::wire::{BundleKey, BundleRegion, Digest, KeyRecord};
    let f = fixture();
    let bundle = TrustBundle {
        issuer: zj(),
        charter: Digest([0; 32]),
        created_at: T0,
        fresh_until: T0 + 3600,
        regions: vec![BundleRegion {
            region: zj(),
            keys: vec![BundleKey {
                kid: f.kid.clone(),
                key: KeyRecord::of(&f.signer.public_key()),
                not_before: T0 - 10,
                not_after: T0 + 86400 * 2,
            }],
        }],
        snapshots: vec![StatusSnapshot {
            region: zj(),
            date: T0,
            fresh_until: T0 + 7200,
            non_green: vec![],
            revoked: vec![],
        }],
    };
    let store = TrustStore::from_bundle(&bundle);
    let t = text(&f, &claims(Colour::GREEN));
    assert_eq!(
        verify_qr_text(&t, &store, T0 + 60).result,
        ResultCode::Valid
    );
    // The bundle's bound caps the snapshot's.
    assert_eq!(
        verify_qr_text(&t, &store, T0 + 3600).result,
        ResultCode::StatusStale
    );
}

proptest::proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "HCX1:[0-9A-Z $%*+./:-]{0,320}") {
        let f = fixture();
        let v = verify_qr_text(&s, &f.store, T0);
        proptest::prop_assert!(v.result != ResultCode::Valid);
    }
}
