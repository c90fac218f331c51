//! Offline code verification against its physical limit.
//!
//! `verify_qr_text` (base45 → COSE_Sign1 hcx profile → Ed25519 → strict claims decode →
//! key window, expiry and status-snapshot checks) over 1,000 distinct codes from 34
//! regions, each with its own code-signing key, against a trust store holding every key
//! and a 5,000-entry status snapshot per region; versus raw `ring` Ed25519 verification
//! of the same 1,000 to-be-signed messages. Both cycle through all codes so no cache
//! flatters either.
//!
//! Run with `cargo bench -p hcx-protocol --bench verify`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hcx_protocol::cose::{Profile, Sign1};
use hcx_protocol::identity::{DocType, Region};
use hcx_protocol::qr;
use hcx_protocol::sign::{Ed25519Signer, Signer, sha256};
use hcx_protocol::verify::{ResultCode, TrustStore, TrustedKey, verify_qr_text};
use hcx_protocol::wire::{
    CodeClaims, CodeId, CodeIdHash, CodeKind, Colour, HolderBinding, KeyId, RiskLevel, RuleRef,
    StatusSnapshot, WireMessage, cose_aad, sign_cose,
};

const CODES: usize = 1_000;
const NOW: u64 = 1_790_000_000;
const SNAPSHOT_ENTRIES: u32 = 5_000;

struct Fixture {
    texts: Vec<String>,
    raw: Vec<([u8; 32], Vec<u8>, Vec<u8>)>,
    trust: TrustStore,
}

fn fixture() -> Fixture {
    let regions: Vec<Region> = Region::all().collect();
    let signers: Vec<(Ed25519Signer, KeyId)> = regions
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let s = Ed25519Signer::from_seed(&[i as u8 + 1; 32]).unwrap();
            let kid = KeyId::derive(s.public_key().as_bytes());
            (s, kid)
        })
        .collect();
    let mut trust = TrustStore::new();
    for (region, (signer, kid)) in regions.iter().zip(&signers) {
        trust.add_key(
            kid.clone(),
            TrustedKey {
                region: *region,
                key: signer.public_key(),
                not_before: NOW - 86_400,
                not_after: NOW + 30 * 86_400,
            },
        );
        let mut non_green: Vec<CodeIdHash> = (0..SNAPSHOT_ENTRIES)
            .map(|n| {
                CodeIdHash(sha256(
                    &[&region.code().to_be_bytes()[..], &n.to_be_bytes()].concat(),
                ))
            })
            .collect();
        non_green.sort();
        trust.add_snapshot(StatusSnapshot {
            region: *region,
            date: NOW - 600,
            fresh_until: NOW + 3_600,
            non_green,
            revoked: vec![],
        });
    }
    let mut texts = Vec::with_capacity(CODES);
    let mut raw = Vec::with_capacity(CODES);
    for i in 0..CODES {
        let r = i % regions.len();
        let (signer, kid) = &signers[r];
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&(i as u64).to_be_bytes());
        let claims = CodeClaims::new(
            CodeId(id),
            regions[r],
            Colour::GREEN,
            RiskLevel::Low,
            RuleRef {
                prefix: [1, 2, 3, 4],
                version: 1,
            },
            NOW - 3_600,
            24,
            CodeKind::Resident,
            HolderBinding {
                doc_type: DocType::MainlandId,
                name_mask: "*明".into(),
                number_mask: "**2X".into(),
                salt: [i as u8; 16],
                hash: [(i >> 8) as u8; 16],
                country: None,
            },
            None,
        );
        let cose = sign_cose(&claims, signer, kid).unwrap();
        let parsed = Sign1::parse(&cose, Profile::Hcx).unwrap();
        raw.push((
            signer.public_bytes(),
            parsed.to_be_signed(&cose_aad(CodeClaims::TYPE_TAG)),
            parsed.signature().to_vec(),
        ));
        let text = qr::encode_hcx(&cose).unwrap();
        assert_eq!(verify_qr_text(&text, &trust, NOW).result, ResultCode::Valid);
        texts.push(text);
    }
    Fixture { texts, raw, trust }
}

fn bench_verify(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(1));
    g.bench_function("raw-ring-ed25519", |b| {
        let mut i = 0;
        b.iter(|| {
            let (pk, tbs, sig) = &f.raw[i % CODES];
            i += 1;
            ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, pk)
                .verify(tbs, sig)
                .is_ok()
        });
    });
    g.bench_function("verify_qr_text", |b| {
        let mut i = 0;
        b.iter(|| {
            let v = verify_qr_text(&f.texts[i % CODES], &f.trust, NOW);
            i += 1;
            v.result
        });
    });
    g.finish();
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
