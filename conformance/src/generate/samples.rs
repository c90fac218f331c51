//! One representative, fully populated sample of every message type, built from fixed
//! values and the generator's fixed keys.

#![allow(clippy::expect_used)] // fixed inputs that are known to be valid

use hcx_protocol::cbor::{Bytes, Encoder};
use hcx_protocol::identity::{DocType, Region};
use hcx_protocol::seal::SealedBox;
use hcx_protocol::sign::{Signer, sha256};
use hcx_protocol::wire::*;

use super::NOW;
use super::keys::{ed25519, kid};

/// Zhejiang.
pub(crate) fn zj() -> Region {
    Region::from_code(330000).expect("province")
}
/// Guangxi.
pub(crate) fn gx() -> Region {
    Region::from_code(450000).expect("province")
}
/// Fujian.
pub(crate) fn fj() -> Region {
    Region::from_code(350000).expect("province")
}

/// Seed bytes of the fixed Ed25519 keys.
pub(crate) mod seed {
    /// Zhejiang code-signing key.
    pub(crate) const ZJ_CODE: u8 = 0x11;
    /// Zhejiang operational key.
    pub(crate) const ZJ_OP: u8 = 0x12;
    /// Zhejiang root key.
    pub(crate) const ZJ_ROOT: u8 = 0x13;
    /// Guangxi root key.
    pub(crate) const GX_ROOT: u8 = 0x23;
    /// Fujian root key.
    pub(crate) const FJ_ROOT: u8 = 0x33;
    /// A level-3 admin account.
    pub(crate) const ADMIN: u8 = 0x41;
    /// A second admin.
    pub(crate) const ADMIN2: u8 = 0x42;
    /// An evidence-source account.
    pub(crate) const EVIDENCE: u8 = 0x51;
    /// An access terminal.
    pub(crate) const TERMINAL: u8 = 0x61;
    /// A key nobody trusts.
    pub(crate) const STRANGER: u8 = 0x77;
}

fn h(label: &str) -> [u8; 32] {
    sha256(label.as_bytes())
}

fn h16(label: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    out.copy_from_slice(&h(label)[..16]);
    out
}

fn j(s: &str) -> Jurisdiction {
    Jurisdiction::new(s).expect("jurisdiction")
}

/// The rule set sample's id.
pub(crate) fn rule_id() -> RuleId {
    rule_set().id()
}

/// A Zhejiang resident's green code.
pub(crate) fn claims() -> CodeClaims {
    CodeClaims::new(
        CodeId(h16("code 1")),
        zj(),
        Colour::GREEN,
        RiskLevel::Low,
        RuleRef::of(&rule_id()).expect("small version"),
        NOW - 3600,
        24,
        CodeKind::Resident,
        HolderBinding {
            doc_type: DocType::MainlandId,
            name_mask: "*明".into(),
            number_mask: "**2X".into(),
            salt: h16("salt 1"),
            hash: h16("binding 1"),
            country: None,
        },
        None,
    )
}

/// The largest code: international, passport with country, delegation, widest values.
pub(crate) fn claims_largest() -> CodeClaims {
    CodeClaims::new(
        CodeId([0xff; 16]),
        Region::from_code(820000).expect("Macao"),
        Colour(255),
        RiskLevel::High,
        RuleRef {
            prefix: [0xff; 4],
            version: u16::MAX,
        },
        u64::from(u32::MAX) - 7 * 86400,
        168,
        CodeKind::International,
        HolderBinding {
            doc_type: DocType::Passport,
            name_mask: "*\u{2A6D6}".into(),
            number_mask: "**9X".into(),
            salt: [0xff; 16],
            hash: [0xff; 16],
            country: Some("GBR".into()),
        },
        Some([0xff; 4]),
    )
}

/// A delegation for a dependant's code.
pub(crate) fn delegation() -> Delegation {
    Delegation {
        id: h16("delegation 1"),
        issuer: zj(),
        guardian: h16("binding guardian"),
        dependant: CodeId(h16("code dependant")),
        scope: SCOPE_SHOW | SCOPE_APPLY,
        issued_at: NOW - 86400,
        expires_at: NOW + 180 * 86400,
    }
}

/// A printed venue code.
pub(crate) fn venue_static() -> VenueStatic {
    VenueStatic {
        venue: h16("venue 1"),
        region: zj(),
        name_hash: Some(Digest(h("West Lake Library"))),
        entrance: Some(2),
        issued_at: NOW - 30 * 86400,
    }
}

/// The dynamic venue secret.
pub(crate) const VENUE_SECRET: &[u8] = b"hcx conformance venue secret 1";

/// A dynamic venue code at `NOW`.
pub(crate) fn venue_dynamic() -> VenueDynamic {
    VenueDynamic::compute(VENUE_SECRET, h16("venue 1"), NOW)
}

fn key_record(byte: u8) -> KeyRecord {
    KeyRecord::of(&ed25519(byte).public_key())
}

/// A status snapshot of Zhejiang.
pub(crate) fn snapshot() -> StatusSnapshot {
    let mut non_green = vec![CodeIdHash(h("non-green 1")), CodeIdHash(h("non-green 2"))];
    non_green.sort();
    StatusSnapshot {
        region: zj(),
        date: NOW - 600,
        fresh_until: NOW + 3 * 3600,
        non_green,
        revoked: vec![CodeIdHash(h("revoked 1"))],
    }
}

/// A trust bundle with Zhejiang's code-signing key.
pub(crate) fn trust_bundle() -> TrustBundle {
    TrustBundle {
        issuer: zj(),
        charter: charter().body.hash(),
        created_at: NOW - 600,
        fresh_until: NOW + 6 * 3600,
        regions: vec![BundleRegion {
            region: zj(),
            keys: vec![BundleKey {
                kid: kid(&ed25519(seed::ZJ_CODE)),
                key: key_record(seed::ZJ_CODE),
                not_before: NOW - 90 * 86400,
                not_after: NOW + 90 * 86400,
            }],
        }],
        snapshots: vec![snapshot()],
    }
}

fn signed<B: WireMessage>(body: B, byte: u8) -> Signed<B> {
    let s = ed25519(byte);
    Signed::sign(body, kid(&s), &s).expect("ed25519 signs")
}

/// Evidence from an evidence source.
pub(crate) fn evidence() -> Signed<EvidenceBody> {
    signed(
        EvidenceBody {
            category: EvidenceCategory::NUCLEIC_ACID_POSITIVE,
            subject: CodeId(h16("code 2")).hash(),
            time: NOW - 7200,
            commitment: Commitment(h("evidence opening 1")),
        },
        seed::EVIDENCE,
    )
}

/// An approval by an admin.
pub(crate) fn approval(byte: u8) -> Signed<ApprovalBody> {
    signed(
        ApprovalBody {
            action: Digest(h("action 1")),
            time: NOW - 300,
        },
        byte,
    )
}

/// A terminal exit statement.
pub(crate) fn terminal_exit() -> Signed<TerminalExit> {
    signed(
        TerminalExit {
            terminal: kid(&ed25519(seed::TERMINAL)),
            time: NOW - 60,
            scans_purged: 1520,
            checkins_purged: 311,
            bundles_purged: 2,
        },
        seed::TERMINAL,
    )
}

/// Zhejiang root's grant of its operational key.
pub(crate) fn grant() -> Signed<OperationalKeyGrant> {
    signed(
        OperationalKeyGrant {
            region: zj(),
            key: key_record(seed::ZJ_OP),
            not_before: NOW - 30 * 86400,
            not_after: NOW + 335 * 86400,
        },
        seed::ZJ_ROOT,
    )
}

/// A log entry for an accepted message.
pub(crate) fn log_entry() -> LogEntry {
    LogEntry {
        kind: EntryKind::Accepted,
        time: NOW - 5,
        actor: None,
        actor_kid: None,
        jurisdiction: None,
        message: Some(MessageRef {
            sender: gx(),
            stream: StreamId::broadcast::<StatusDeltaBatch>(),
            seq: 42,
            hash: Digest(h("message 42")),
        }),
        code: None,
        rule: None,
        commitment: None,
    }
}

/// A genesis charter of three members.
pub(crate) fn charter() -> Charter {
    let body = CharterBody {
        version: 1,
        previous: None,
        members: vec![
            CharterMember {
                region: zj(),
                root: key_record(seed::ZJ_ROOT),
                name: "浙江".into(),
            },
            CharterMember {
                region: fj(),
                root: key_record(seed::FJ_ROOT),
                name: "福建".into(),
            },
            CharterMember {
                region: gx(),
                root: key_record(seed::GX_ROOT),
                name: "广西".into(),
            },
        ],
        threshold: 2,
        purpose: "Recognition of health codes across regions during an epidemic response.".into(),
        sunset: NOW + 365 * 86400,
    };
    let mut c = Charter {
        body,
        signatures: vec![],
    };
    let tbs = c.signing_bytes();
    for (region, byte) in [
        (zj(), seed::ZJ_ROOT),
        (fj(), seed::FJ_ROOT),
        (gx(), seed::GX_ROOT),
    ] {
        let sig = ed25519(byte).sign(&tbs).expect("ed25519 signs");
        c.signatures.push(MemberSignature {
            region,
            sig: Bytes(sig),
        });
    }
    c
}

/// Zhejiang's node certificate.
pub(crate) fn node_certificate() -> NodeCertificate {
    NodeCertificate {
        grant: grant(),
        peer_id: Bytes([&[0x00, 0x24, 0x08, 0x01, 0x12, 0x20][..], &h("peer zj")].concat()),
        not_before: NOW - 86400,
        not_after: NOW + 30 * 86400,
    }
}

/// Zhejiang announces its code-signing key, retiring an older one.
pub(crate) fn key_announcement() -> KeyAnnouncement {
    KeyAnnouncement {
        region: zj(),
        role: KeyRole::CodeSigning,
        kid: kid(&ed25519(seed::ZJ_CODE)),
        key: key_record(seed::ZJ_CODE),
        not_before: NOW - 90 * 86400,
        not_after: NOW + 90 * 86400,
        retires: Some(KeyId::new(&h16("old code key")).expect("16 bytes")),
        revoked: None,
    }
}

/// Zhejiang's admin roster.
pub(crate) fn roster() -> AdminRoster {
    let admin = ed25519(seed::ADMIN);
    let admin2 = ed25519(seed::ADMIN2);
    let source = ed25519(seed::EVIDENCE);
    let mut entries = vec![
        RosterEntry {
            kid: kid(&admin),
            key: KeyRecord::of(&admin.public_key()),
            role: Role::Admin(3),
            jurisdiction: j("3301"),
            created_by: Some(kid(&admin2)),
            created_at: NOW - 100 * 86400,
            disabled_at: None,
        },
        RosterEntry {
            kid: kid(&admin2),
            key: KeyRecord::of(&admin2.public_key()),
            role: Role::Admin(1),
            jurisdiction: j("33"),
            created_by: None,
            created_at: NOW - 200 * 86400,
            disabled_at: None,
        },
        RosterEntry {
            kid: kid(&source),
            key: KeyRecord::of(&source.public_key()),
            role: Role::EvidenceSource,
            jurisdiction: j("33"),
            created_by: Some(kid(&admin2)),
            created_at: NOW - 150 * 86400,
            disabled_at: None,
        },
    ];
    entries.sort_by(|a, b| a.kid.cmp(&b.kid));
    AdminRoster {
        region: zj(),
        version: 7,
        entries,
    }
}

/// Zhejiang's rule set.
pub(crate) fn rule_set() -> RuleSet {
    let mut doc = Encoder::new();
    // {1: "fever", 2: [1, 2]}: an opaque rule document as far as the wire is concerned.
    doc.map(2)
        .u64(1)
        .text("fever")
        .u64(2)
        .array(2)
        .u64(1)
        .u64(2);
    RuleSet {
        region: zj(),
        version: 3,
        effective: NOW - 10 * 86400,
        document: RuleDocument(doc.into_bytes()),
        palette: vec![
            PaletteEntry {
                colour: Colour::GREEN,
                name: "绿码".into(),
                rgb: [0x22, 0xaa, 0x44],
            },
            PaletteEntry {
                colour: Colour::YELLOW,
                name: "黄码".into(),
                rgb: [0xee, 0xcc, 0x00],
            },
            PaletteEntry {
                colour: Colour::RED,
                name: "红码".into(),
                rgb: [0xdd, 0x22, 0x22],
            },
        ],
    }
}

/// A non-green delta with evidence and a quorum certificate.
pub(crate) fn delta_red() -> StatusDelta {
    let mut approvals = vec![approval(seed::ADMIN), approval(seed::ADMIN2)];
    approvals.sort_by(|a, b| a.signer.cmp(&b.signer));
    StatusDelta {
        code: CodeId(h16("code 2")).hash(),
        status: Status::Colour(Colour::RED),
        risk: RiskLevel::High,
        rule: rule_id(),
        time: NOW - 60,
        actor: Some(Role::Admin(3)),
        jurisdiction: Some(j("3301")),
        evidence: Some(Commitment(h("evidence opening 1"))),
        quorum: Some(QuorumCertificate {
            action: Digest(h("action 1")),
            k: 2,
            approvals,
        }),
    }
}

/// A green delta (a successful appeal).
pub(crate) fn delta_green(i: u32) -> StatusDelta {
    StatusDelta {
        code: CodeId(h16(&format!("code green {i}"))).hash(),
        status: Status::Colour(Colour::GREEN),
        risk: RiskLevel::Low,
        rule: rule_id(),
        time: NOW - 30,
        actor: None,
        jurisdiction: None,
        evidence: None,
        quorum: None,
    }
}

/// A status delta batch.
pub(crate) fn delta_batch() -> StatusDeltaBatch {
    let revoked = StatusDelta {
        status: Status::Revoked,
        code: CodeId(h16("code 3")).hash(),
        ..delta_red()
    };
    let revoked = StatusDelta {
        quorum: None,
        ..revoked
    };
    StatusDeltaBatch {
        deltas: vec![delta_red(), delta_green(1), revoked],
    }
}

/// A risk-area list.
pub(crate) fn risk_areas() -> RiskAreaList {
    RiskAreaList {
        region: zj(),
        version: 12,
        areas: vec![
            RiskArea {
                area: j("330106"),
                level: AreaLevel::Medium,
                since: NOW - 3 * 86400,
            },
            RiskArea {
                area: j("330106001"),
                level: AreaLevel::High,
                since: NOW - 86400,
            },
        ],
    }
}

/// A risk notice from Guangxi to Zhejiang (the sealed box is a fixed, opaque sample).
pub(crate) fn risk_notice() -> RiskNotice {
    RiskNotice {
        target: zj(),
        code: CodeId(h16("code 1")).hash(),
        sealed: SealedBox {
            ephemeral_pk: h("ephemeral"),
            ciphertext: h("ciphertext").to_vec(),
        },
    }
}

/// A C2SP checkpoint note (opaque to the wire).
pub(crate) const CHECKPOINT: &str = "hcx.example/log/330000\n42\nqINS1iVdZJ3JSQtdDcrnvGfgpMnUFDz9dbJ1vuGnWio=\n\n— hcx.example/log/330000 Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

/// A checkpoint message.
pub(crate) fn checkpoint() -> CheckpointNote {
    CheckpointNote {
        note: Bytes(CHECKPOINT.as_bytes().to_vec()),
    }
}

/// A cosignature message.
pub(crate) fn cosignature() -> CosignatureNote {
    let note = format!(
        "{CHECKPOINT}— witness.example/350000 W7Xs0QAAAABpVpuAUjhTZTCsgYkjuwc+Plp4YEnsKPfWqPj8Ig==\n"
    );
    CosignatureNote {
        log: zj(),
        note: Bytes(note.into_bytes()),
    }
}

/// Equivocation evidence (two different checkpoints of the same size).
pub(crate) fn equivocation() -> Equivocation {
    Equivocation {
        accused: zj(),
        kind: EquivocationKind::Checkpoints,
        first: Bytes(CHECKPOINT.as_bytes().to_vec()),
        second: Bytes(CHECKPOINT.replace("qINS", "AAAA").into_bytes()),
    }
}

/// A log reset.
pub(crate) fn log_reset() -> LogReset {
    LogReset {
        old_origin: "hcx.example/log/330000".into(),
        new_origin: "hcx.example/log/330000/2".into(),
        last_consistent: Bytes(CHECKPOINT.as_bytes().to_vec()),
        time: NOW - 100,
    }
}

/// A destruction statement.
pub(crate) fn destruction() -> DestructionStatement {
    DestructionStatement {
        region: zj(),
        time: NOW,
        charter: charter().body.hash(),
        epochs: vec![1, 2, 3],
        keys: vec![KeyId::new(&h16("epoch key 3")).expect("16 bytes")],
    }
}

/// An admission request.
pub(crate) fn admission_request() -> AdmissionRequest {
    AdmissionRequest {
        certificate: Bytes(signed_node_certificate()),
        charter: charter().body.hash(),
        nonce: h("nonce 1"),
    }
}

/// The answer to it.
pub(crate) fn admission_response() -> AdmissionResponse {
    AdmissionResponse {
        result: AdmissionResult::Admitted,
        certificate: Some(Bytes(signed_node_certificate())),
        charter: charter().body.hash(),
        nonce: h("nonce 1"),
    }
}

/// A catch-up request.
pub(crate) fn catch_up_request() -> CatchUpRequest {
    CatchUpRequest {
        region: zj(),
        stream: StreamId::broadcast::<StatusDeltaBatch>(),
        from_seq: 40,
        resume: None,
    }
}

/// Catch-up heads.
pub(crate) fn catch_up_heads() -> CatchUpHeads {
    CatchUpHeads {
        heads: vec![
            Head {
                region: zj(),
                stream: StreamId::broadcast::<StatusDeltaBatch>(),
                seq: 42,
            },
            Head {
                region: zj(),
                stream: StreamId::broadcast::<StatusSnapshot>(),
                seq: 9,
            },
            Head {
                region: gx(),
                stream: StreamId::directed::<RiskNotice>(zj()),
                seq: 3,
            },
        ],
    }
}

/// A catch-up page of two signed envelopes.
pub(crate) fn catch_up_page() -> CatchUpPage {
    CatchUpPage {
        items: vec![Bytes(signed_envelope(1)), Bytes(signed_envelope(2))],
        resume: Some(Bytes(b"zj/21/3".to_vec())),
    }
}

/// A status-delta envelope from Zhejiang with sequence number `seq`.
pub(crate) fn envelope(seq: u64) -> Envelope {
    Envelope::new(zj(), seq, NOW - 10, Body::StatusDeltaBatch(delta_batch()))
}

/// [`envelope`] signed by Zhejiang's operational key.
pub(crate) fn signed_envelope(seq: u64) -> Vec<u8> {
    let op = ed25519(seed::ZJ_OP);
    sign_cose(&envelope(seq), &op, &kid(&op)).expect("signs")
}

/// The node certificate in its signed envelope.
pub(crate) fn signed_node_certificate() -> Vec<u8> {
    let op = ed25519(seed::ZJ_OP);
    let env = Envelope::new(
        zj(),
        1,
        NOW - 86400,
        Body::NodeCertificate(node_certificate()),
    );
    sign_cose(&env, &op, &kid(&op)).expect("signs")
}
