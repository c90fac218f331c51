//! Round trips, strictness and limits for every wire type.

use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::cbor::{self, Bytes, DecodeError, Encoder, Limits};
use crate::identity::DocType;
use crate::sign::{Ed25519Signer, Signer};

// ---- strategies -------------------------------------------------------------------

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(Region::all().collect::<Vec<_>>())
}
fn jurisdiction() -> impl Strategy<Value = Jurisdiction> {
    prop_oneof![Just(2usize), Just(4), Just(6), Just(9), Just(12)]
        .prop_flat_map(|n| proptest::string::string_regex(&format!("[0-9]{{{n}}}")).unwrap())
        .prop_map(|s| Jurisdiction::new(&s).unwrap())
}
fn kid() -> impl Strategy<Value = KeyId> {
    vec(any::<u8>(), 16..=32).prop_map(|b| KeyId::new(&b).unwrap())
}
fn digest() -> impl Strategy<Value = Digest> {
    any::<[u8; 32]>().prop_map(Digest)
}
fn commitment() -> impl Strategy<Value = Commitment> {
    any::<[u8; 32]>().prop_map(Commitment)
}
fn code_hash() -> impl Strategy<Value = CodeIdHash> {
    any::<[u8; 32]>().prop_map(CodeIdHash)
}
fn rule() -> impl Strategy<Value = RuleId> {
    (any::<[u8; 32]>(), any::<u32>()).prop_map(|(hash, version)| RuleId { hash, version })
}
fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 1..=max).prop_map(Bytes)
}
fn role() -> impl Strategy<Value = Role> {
    (1u64..=10).prop_map(|c| Role::from_code(c).unwrap())
}
fn risk() -> impl Strategy<Value = RiskLevel> {
    prop::sample::select(RiskLevel::ALL)
}
fn key_record() -> impl Strategy<Value = KeyRecord> {
    prop_oneof![
        any::<[u8; 32]>().prop_map(|k| KeyRecord {
            alg: KeyAlg::Sig(crate::sign::Alg::EdDsa),
            key: Bytes(k.to_vec())
        }),
        vec(any::<u8>(), 64).prop_map(|k| {
            let mut p = vec![4u8];
            p.extend(k);
            KeyRecord {
                alg: KeyAlg::Sig(crate::sign::Alg::Es256),
                key: Bytes(p),
            }
        }),
    ]
}
fn window() -> impl Strategy<Value = (u64, u64)> {
    (0u64..u64::MAX / 2, 1u64..1 << 40).prop_map(|(a, l)| (a, a + l))
}
fn signed<B: WireMessage + std::fmt::Debug>(
    body: impl Strategy<Value = B>,
) -> impl Strategy<Value = Signed<B>> {
    (body, kid(), vec(any::<u8>(), 64)).prop_map(|(body, signer, sig)| Signed { body, signer, sig })
}
fn stream() -> impl Strategy<Value = StreamId> {
    (1u64..40, proptest::option::of(region()))
        .prop_map(|(kind, recipient)| StreamId { kind, recipient })
}

fn holder() -> impl Strategy<Value = HolderBinding> {
    (
        prop::sample::select(DocType::ALL.to_vec()),
        "[*]|[*][张李王\u{20000}]|[A-Z][*]",
        "[*]{2}[0-9X*]{2}",
        any::<[u8; 16]>(),
        any::<[u8; 16]>(),
        "[A-Z]{3}",
    )
        .prop_map(
            |(doc_type, name_mask, number_mask, salt, hash, country)| HolderBinding {
                doc_type,
                name_mask,
                number_mask,
                salt,
                hash,
                country: (doc_type == DocType::Passport).then_some(country),
            },
        )
}

fn claims() -> impl Strategy<Value = CodeClaims> {
    (
        any::<[u8; 16]>(),
        region(),
        any::<u8>(),
        risk(),
        any::<([u8; 4], u16)>(),
        (0u64..1 << 40, 1u8..=168),
        prop::sample::select(CodeKind::ALL),
        holder(),
        proptest::option::of(any::<[u8; 4]>()),
    )
        .prop_map(
            |(id, issuer, c, risk, (prefix, version), (t, m), kind, holder, delegation)| {
                CodeClaims::new(
                    CodeId(id),
                    issuer,
                    Colour(c),
                    risk,
                    RuleRef { prefix, version },
                    t,
                    m,
                    kind,
                    holder,
                    delegation,
                )
            },
        )
}

fn delegation() -> impl Strategy<Value = Delegation> {
    (
        any::<[u8; 16]>(),
        region(),
        any::<[u8; 16]>(),
        any::<[u8; 16]>(),
        1u64..8,
        window(),
    )
        .prop_map(|(id, issuer, guardian, dep, scope, (a, b))| Delegation {
            id,
            issuer,
            guardian,
            dependant: CodeId(dep),
            scope,
            issued_at: a,
            expires_at: b,
        })
}

fn venue_static() -> impl Strategy<Value = VenueStatic> {
    (
        any::<[u8; 16]>(),
        region(),
        proptest::option::of(digest()),
        proptest::option::of(any::<u32>()),
        any::<u64>(),
    )
        .prop_map(
            |(venue, region, name_hash, entrance, issued_at)| VenueStatic {
                venue,
                region,
                name_hash,
                entrance,
                issued_at,
            },
        )
}

fn venue_dynamic() -> impl Strategy<Value = VenueDynamic> {
    (any::<[u8; 16]>(), any::<u64>(), any::<[u8; 16]>())
        .prop_map(|(venue, step, tag)| VenueDynamic { venue, step, tag })
}

fn grant() -> impl Strategy<Value = OperationalKeyGrant> {
    (region(), key_record(), window()).prop_map(|(region, key, (a, b))| OperationalKeyGrant {
        region,
        key,
        not_before: a,
        not_after: b,
    })
}

fn node_cert() -> impl Strategy<Value = NodeCertificate> {
    (signed(grant()), bytes(64), window()).prop_map(|(grant, peer_id, (a, b))| NodeCertificate {
        grant,
        peer_id,
        not_before: a,
        not_after: b,
    })
}

fn key_announcement() -> impl Strategy<Value = KeyAnnouncement> {
    (
        region(),
        prop::sample::select(KeyRole::ALL),
        kid(),
        key_record(),
        any::<[u8; 32]>(),
        window(),
        proptest::option::of(kid()),
        proptest::option::of(prop::sample::select(RevocationReason::ALL)),
    )
        .prop_map(|(region, role, kid, key, x, (a, b), retires, revoked)| {
            let key = if role == KeyRole::Notice {
                KeyRecord {
                    alg: KeyAlg::X25519,
                    key: Bytes(x.to_vec()),
                }
            } else {
                key
            };
            KeyAnnouncement {
                region,
                role,
                kid,
                key,
                not_before: a,
                not_after: b,
                retires,
                revoked,
            }
        })
}

fn charter() -> impl Strategy<Value = Charter> {
    (
        vec((region(), key_record(), "[a-z浙江]{1,8}"), 1..6),
        any::<u64>(),
        proptest::option::of(digest()),
        "[ -~]{0,40}",
        any::<u64>(),
        vec((region(), bytes(64)), 0..4),
    )
        .prop_map(|(mut ms, v, prev, purpose, sunset, mut sigs)| {
            ms.sort_by_key(|m| m.0);
            ms.dedup_by_key(|m| m.0);
            sigs.sort_by_key(|s| s.0);
            sigs.dedup_by_key(|s| s.0);
            let n = ms.len() as u64;
            let version = if prev.is_some() { v.max(2) } else { 1 };
            Charter {
                body: CharterBody {
                    version,
                    previous: prev,
                    members: ms
                        .into_iter()
                        .map(|(region, root, name)| CharterMember { region, root, name })
                        .collect(),
                    threshold: n / 2 + 1,
                    purpose,
                    sunset,
                },
                signatures: sigs
                    .into_iter()
                    .map(|(region, sig)| MemberSignature { region, sig })
                    .collect(),
            }
        })
}

fn roster() -> impl Strategy<Value = AdminRoster> {
    (
        region(),
        any::<u64>(),
        vec(
            (
                kid(),
                key_record(),
                role(),
                jurisdiction(),
                proptest::option::of(kid()),
                any::<u64>(),
                proptest::option::of(any::<u64>()),
            ),
            0..5,
        ),
    )
        .prop_map(|(region, version, es)| {
            let mut entries: Vec<RosterEntry> = es
                .into_iter()
                .map(
                    |(kid, key, role, jurisdiction, created_by, created_at, disabled_at)| {
                        RosterEntry {
                            kid,
                            key,
                            role,
                            jurisdiction,
                            created_by,
                            created_at,
                            disabled_at,
                        }
                    },
                )
                .collect();
            entries.sort_by(|a, b| a.kid.cmp(&b.kid));
            entries.dedup_by(|a, b| a.kid == b.kid);
            AdminRoster {
                region,
                version,
                entries,
            }
        })
}

fn evidence_body() -> impl Strategy<Value = EvidenceBody> {
    (
        1u64..=EvidenceCategory::MAX_CODE,
        code_hash(),
        any::<u64>(),
        commitment(),
    )
        .prop_map(|(c, subject, time, commitment)| EvidenceBody {
            category: EvidenceCategory::from_code(c).unwrap(),
            subject,
            time,
            commitment,
        })
}

fn approval_body() -> impl Strategy<Value = ApprovalBody> {
    (digest(), any::<u64>()).prop_map(|(action, time)| ApprovalBody { action, time })
}

fn quorum() -> impl Strategy<Value = QuorumCertificate> {
    (
        digest(),
        vec((kid(), any::<u64>(), vec(any::<u8>(), 64)), 1..4),
        any::<u64>(),
    )
        .prop_map(|(action, aps, k)| {
            let mut approvals: Vec<Signed<ApprovalBody>> = aps
                .into_iter()
                .map(|(signer, time, sig)| Signed {
                    body: ApprovalBody { action, time },
                    signer,
                    sig,
                })
                .collect();
            approvals.sort_by(|a, b| a.signer.cmp(&b.signer));
            approvals.dedup_by(|a, b| a.signer == b.signer);
            let k = 1 + k % approvals.len() as u64;
            QuorumCertificate {
                action,
                k,
                approvals,
            }
        })
}

fn rule_set() -> impl Strategy<Value = RuleSet> {
    (
        region(),
        any::<u32>(),
        any::<u64>(),
        any::<u64>(),
        vec((1u8..=255, "[a-z]{1,8}", any::<[u8; 3]>()), 0..4),
    )
        .prop_map(|(region, version, effective, x, extra)| {
            let mut doc = Encoder::new();
            doc.map(1).u64(1).array(2).u64(x).text("fever");
            let mut palette = vec![PaletteEntry {
                colour: Colour::GREEN,
                name: "green".into(),
                rgb: [0, 200, 0],
            }];
            let mut extra: Vec<_> = extra;
            extra.sort_by_key(|e| e.0);
            extra.dedup_by_key(|e| e.0);
            palette.extend(extra.into_iter().map(|(c, name, rgb)| PaletteEntry {
                colour: Colour(c),
                name,
                rgb,
            }));
            RuleSet {
                region,
                version,
                effective,
                document: RuleDocument(doc.into_bytes()),
                palette,
            }
        })
}

fn delta() -> impl Strategy<Value = StatusDelta> {
    (
        code_hash(),
        prop_oneof![
            Just(Status::Revoked),
            any::<u8>().prop_map(|c| Status::Colour(Colour(c)))
        ],
        risk(),
        rule(),
        any::<u64>(),
        role(),
        jurisdiction(),
        commitment(),
        proptest::option::of(quorum()),
        any::<bool>(),
    )
        .prop_map(
            |(code, status, risk, rule, time, actor, j, ev, quorum, bare)| {
                let bare = bare && status.is_green();
                StatusDelta {
                    code,
                    status,
                    risk,
                    rule,
                    time,
                    actor: (!bare).then_some(actor),
                    jurisdiction: (!bare).then_some(j),
                    evidence: (!bare).then_some(ev),
                    quorum: if bare { None } else { quorum },
                }
            },
        )
}

fn delta_batch() -> impl Strategy<Value = StatusDeltaBatch> {
    vec(delta(), 1..4).prop_map(|deltas| StatusDeltaBatch { deltas })
}

fn snapshot() -> impl Strategy<Value = StatusSnapshot> {
    (
        region(),
        window(),
        vec(code_hash(), 0..6),
        vec(code_hash(), 0..3),
    )
        .prop_map(|(region, (a, b), mut non_green, mut revoked)| {
            non_green.sort();
            non_green.dedup();
            revoked.sort();
            revoked.dedup();
            StatusSnapshot {
                region,
                date: a,
                fresh_until: b,
                non_green,
                revoked,
            }
        })
}

fn risk_areas() -> impl Strategy<Value = RiskAreaList> {
    (
        region(),
        any::<u64>(),
        vec(
            (
                jurisdiction(),
                prop::sample::select(AreaLevel::ALL),
                any::<u64>(),
            ),
            0..5,
        ),
    )
        .prop_map(|(region, version, a)| {
            let mut areas: Vec<RiskArea> = a
                .into_iter()
                .map(|(area, level, since)| RiskArea { area, level, since })
                .collect();
            areas.sort_by(|x, y| x.area.cmp(&y.area));
            areas.dedup_by(|x, y| x.area == y.area);
            RiskAreaList {
                region,
                version,
                areas,
            }
        })
}

fn risk_notice() -> impl Strategy<Value = RiskNotice> {
    (
        region(),
        code_hash(),
        any::<[u8; 32]>(),
        vec(any::<u8>(), 16..200),
    )
        .prop_map(|(target, code, ephemeral_pk, ciphertext)| RiskNotice {
            target,
            code,
            sealed: crate::seal::SealedBox {
                ephemeral_pk,
                ciphertext,
            },
        })
}

fn message_ref() -> impl Strategy<Value = MessageRef> {
    (region(), stream(), any::<u64>(), digest()).prop_map(|(sender, stream, seq, hash)| {
        MessageRef {
            sender,
            stream,
            seq,
            hash,
        }
    })
}

fn log_entry() -> impl Strategy<Value = LogEntry> {
    (
        prop::sample::select(EntryKind::ALL),
        any::<u64>(),
        proptest::option::of(role()),
        proptest::option::of(kid()),
        proptest::option::of(jurisdiction()),
        message_ref(),
        proptest::option::of(code_hash()),
        proptest::option::of(rule()),
        proptest::option::of(commitment()),
    )
        .prop_map(
            |(kind, time, actor, actor_kid, jurisdiction, m, code, rule, commitment)| LogEntry {
                kind,
                time,
                actor,
                actor_kid,
                jurisdiction,
                message: matches!(kind, EntryKind::Sent | EntryKind::Accepted).then_some(m),
                code,
                rule,
                commitment,
            },
        )
}

fn checkpoint() -> impl Strategy<Value = CheckpointNote> {
    bytes(300).prop_map(|note| CheckpointNote { note })
}
fn cosignature() -> impl Strategy<Value = CosignatureNote> {
    (region(), bytes(300)).prop_map(|(log, note)| CosignatureNote { log, note })
}
fn equivocation() -> impl Strategy<Value = Equivocation> {
    (
        region(),
        prop::sample::select(EquivocationKind::ALL),
        bytes(100),
        bytes(100),
    )
        .prop_filter("distinct", |(_, _, a, b)| a != b)
        .prop_map(|(accused, kind, first, second)| Equivocation {
            accused,
            kind,
            first,
            second,
        })
}
fn log_reset() -> impl Strategy<Value = LogReset> {
    ("[a-z./]{1,30}", "[a-z./]{1,30}", bytes(200), any::<u64>())
        .prop_filter("distinct", |(a, b, _, _)| a != b)
        .prop_map(|(old_origin, new_origin, last_consistent, time)| LogReset {
            old_origin,
            new_origin,
            last_consistent,
            time,
        })
}
fn destruction() -> impl Strategy<Value = DestructionStatement> {
    (
        region(),
        any::<u64>(),
        digest(),
        vec(any::<u64>(), 0..5),
        vec(kid(), 0..3),
    )
        .prop_map(
            |(region, time, charter, epochs, keys)| DestructionStatement {
                region,
                time,
                charter,
                epochs,
                keys,
            },
        )
}
fn terminal_exit() -> impl Strategy<Value = TerminalExit> {
    (
        kid(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(terminal, time, s, c, b)| TerminalExit {
            terminal,
            time,
            scans_purged: s,
            checkins_purged: c,
            bundles_purged: b,
        })
}
fn admission_request() -> impl Strategy<Value = AdmissionRequest> {
    (bytes(300), digest(), any::<[u8; 32]>()).prop_map(|(certificate, charter, nonce)| {
        AdmissionRequest {
            certificate,
            charter,
            nonce,
        }
    })
}
fn admission_response() -> impl Strategy<Value = AdmissionResponse> {
    (
        prop::sample::select(AdmissionResult::ALL),
        proptest::option::of(bytes(300)),
        digest(),
        any::<[u8; 32]>(),
    )
        .prop_map(|(result, certificate, charter, nonce)| AdmissionResponse {
            result,
            certificate,
            charter,
            nonce,
        })
}
fn catch_up_request() -> impl Strategy<Value = CatchUpRequest> {
    (
        region(),
        stream(),
        any::<u64>(),
        proptest::option::of(bytes(64)),
    )
        .prop_map(|(region, stream, from_seq, resume)| CatchUpRequest {
            region,
            stream,
            from_seq,
            resume,
        })
}
fn catch_up_heads() -> impl Strategy<Value = CatchUpHeads> {
    vec((region(), stream(), any::<u64>()), 0..6).prop_map(|hs| {
        let mut heads: Vec<Head> = hs
            .into_iter()
            .map(|(region, stream, seq)| Head {
                region,
                stream,
                seq,
            })
            .collect();
        heads.sort_by(|a, b| (a.region, &a.stream).cmp(&(b.region, &b.stream)));
        heads.dedup_by(|a, b| (a.region, &a.stream) == (b.region, &b.stream));
        CatchUpHeads { heads }
    })
}
fn catch_up_page() -> impl Strategy<Value = CatchUpPage> {
    (vec(bytes(200), 0..4), proptest::option::of(bytes(64)))
        .prop_map(|(items, resume)| CatchUpPage { items, resume })
}
fn trust_bundle() -> impl Strategy<Value = TrustBundle> {
    (
        region(),
        digest(),
        window(),
        vec((region(), vec((kid(), key_record(), window()), 0..3)), 0..3),
        vec(snapshot(), 0..3),
    )
        .prop_map(|(issuer, charter, (a, b), rs, mut snapshots)| {
            let mut regions: Vec<BundleRegion> = rs
                .into_iter()
                .map(|(region, ks)| BundleRegion {
                    region,
                    keys: ks
                        .into_iter()
                        .map(|(kid, key, (nb, na))| BundleKey {
                            kid,
                            key,
                            not_before: nb,
                            not_after: na,
                        })
                        .collect(),
                })
                .collect();
            regions.sort_by_key(|r| r.region);
            regions.dedup_by_key(|r| r.region);
            snapshots.sort_by_key(|s| s.region);
            snapshots.dedup_by_key(|s| s.region);
            TrustBundle {
                issuer,
                charter,
                created_at: a,
                fresh_until: b,
                regions,
                snapshots,
            }
        })
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        charter().prop_map(Body::Charter),
        node_cert().prop_map(Body::NodeCertificate),
        key_announcement().prop_map(Body::KeyAnnouncement),
        roster().prop_map(Body::AdminRoster),
        rule_set().prop_map(Body::RuleSet),
        delta_batch().prop_map(Body::StatusDeltaBatch),
        snapshot().prop_map(Body::StatusSnapshot),
        risk_areas().prop_map(Body::RiskAreaList),
        risk_notice().prop_map(Body::RiskNotice),
        checkpoint().prop_map(Body::Checkpoint),
        cosignature().prop_map(Body::Cosignature),
        equivocation().prop_map(Body::Equivocation),
        log_reset().prop_map(Body::LogReset),
        destruction().prop_map(Body::Destruction),
    ]
}

fn envelope() -> impl Strategy<Value = Envelope> {
    (region(), 1u64..u64::MAX, any::<u64>(), body()).prop_map(|(sender, seq, time, body)| {
        let sender = body.author().unwrap_or(sender);
        Envelope::new(sender, seq, time, body)
    })
}

// ---- properties -------------------------------------------------------------------

fn round_trip<T: WireMessage + PartialEq + std::fmt::Debug>(v: &T) {
    let bytes = v.to_bytes();
    assert!(
        bytes.len() <= T::MAX_BYTES,
        "{} sample over its limit",
        T::NAME
    );
    let back = T::from_bytes(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", T::NAME, hex::encode(&bytes)));
    assert_eq!(&back, v);
    assert_eq!(back.to_bytes(), bytes);
}

fn no_panic<T: WireMessage>(bytes: &[u8]) {
    let _ = T::from_bytes(bytes);
}

macro_rules! props {
    ($($name:ident: $t:ty = $s:expr;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            $(
                #[test]
                fn $name(v in $s, junk in vec(any::<u8>(), 0..200), flip in any::<(usize, u8)>()) {
                    round_trip::<$t>(&v);
                    no_panic::<$t>(&junk);
                    // A corrupted encoding is either refused or decodes to a value that
                    // re-encodes to exactly the corrupted bytes (strictness).
                    let mut bad = v.to_bytes();
                    let i = flip.0 % bad.len();
                    bad[i] ^= flip.1.max(1);
                    if let Ok(w) = <$t>::from_bytes(&bad) {
                        prop_assert_eq!(w.to_bytes(), bad);
                    }
                }
            )*
        }
    };
}

props! {
    rt_code_claims: CodeClaims = claims();
    rt_delegation: Delegation = delegation();
    rt_venue_static: VenueStatic = venue_static();
    rt_venue_dynamic: VenueDynamic = venue_dynamic();
    rt_trust_bundle: TrustBundle = trust_bundle();
    rt_evidence: Signed<EvidenceBody> = signed(evidence_body());
    rt_approval: Signed<ApprovalBody> = signed(approval_body());
    rt_terminal_exit: Signed<TerminalExit> = signed(terminal_exit());
    rt_grant: Signed<OperationalKeyGrant> = signed(grant());
    rt_log_entry: LogEntry = log_entry();
    rt_envelope: Envelope = envelope();
    rt_charter: Charter = charter();
    rt_node_cert: NodeCertificate = node_cert();
    rt_key_announcement: KeyAnnouncement = key_announcement();
    rt_roster: AdminRoster = roster();
    rt_rule_set: RuleSet = rule_set();
    rt_delta_batch: StatusDeltaBatch = delta_batch();
    rt_snapshot: StatusSnapshot = snapshot();
    rt_risk_areas: RiskAreaList = risk_areas();
    rt_risk_notice: RiskNotice = risk_notice();
    rt_checkpoint: CheckpointNote = checkpoint();
    rt_cosignature: CosignatureNote = cosignature();
    rt_equivocation: Equivocation = equivocation();
    rt_log_reset: LogReset = log_reset();
    rt_destruction: DestructionStatement = destruction();
    rt_admission_request: AdmissionRequest = admission_request();
    rt_admission_response: AdmissionResponse = admission_response();
    rt_catch_up_request: CatchUpRequest = catch_up_request();
    rt_catch_up_heads: CatchUpHeads = catch_up_heads();
    rt_catch_up_page: CatchUpPage = catch_up_page();
}

// ---- fixed cases ------------------------------------------------------------------

#[test]
fn type_tags_are_unique() {
    let mut tags: Vec<u64> = type_table().iter().map(|t| t.0).collect();
    let n = tags.len();
    tags.sort_unstable();
    tags.dedup();
    assert_eq!(tags.len(), n, "{:?}", type_table());
    assert!(keys_ascending(&[1, 2, 10]));
    assert!(!keys_ascending(&[1, 1]));
    assert!(!keys_ascending(&[2, 1]));
}

fn sample_delta(i: u32) -> StatusDelta {
    let mut h = [0u8; 32];
    h[..4].copy_from_slice(&i.to_be_bytes());
    StatusDelta {
        code: CodeIdHash(h),
        status: Status::Colour(Colour::GREEN),
        risk: RiskLevel::Low,
        rule: RuleId {
            hash: [7; 32],
            version: 1,
        },
        time: 1_700_000_000,
        actor: None,
        jurisdiction: None,
        evidence: None,
        quorum: None,
    }
}

#[test]
fn delta_batch_cap_is_1000_entries() {
    let ok = StatusDeltaBatch {
        deltas: (0..1000).map(sample_delta).collect(),
    };
    let bytes = ok.to_bytes();
    // 1,000 minimal deltas exceed 64 KiB, so the size limit binds first...
    assert!(matches!(
        StatusDeltaBatch::from_bytes(&bytes),
        Err(DecodeError::TooLarge { .. })
    ));
    // ...and the entry cap is checked on its own under a larger size limit.
    cbor::from_canonical::<StatusDeltaBatch>(&bytes, Limits::message(1 << 20)).unwrap();
    let over = StatusDeltaBatch {
        deltas: (0..1001).map(sample_delta).collect(),
    };
    assert_eq!(
        cbor::from_canonical::<StatusDeltaBatch>(&over.to_bytes(), Limits::message(1 << 20)),
        Err(DecodeError::InvalidValue {
            field: "status deltas (max 1000)"
        })
    );
    // The largest batch that fits 64 KiB decodes.
    let fit = StatusDeltaBatch {
        deltas: (0..700).map(sample_delta).collect(),
    };
    assert!(fit.to_bytes().len() <= STATUS_DELTA_BATCH_MAX);
    StatusDeltaBatch::from_bytes(&fit.to_bytes()).unwrap();
    assert!(StatusDeltaBatch::from_bytes(&StatusDeltaBatch { deltas: vec![] }.to_bytes()).is_err());
}

#[test]
fn non_green_delta_needs_actor_and_evidence() {
    let mut d = sample_delta(1);
    d.status = Status::Colour(Colour::RED);
    let b = StatusDeltaBatch {
        deltas: vec![d.clone()],
    };
    assert!(matches!(
        StatusDeltaBatch::from_bytes(&b.to_bytes()),
        Err(DecodeError::InvalidValue { .. })
    ));
    d.actor = Some(Role::Admin(3));
    d.jurisdiction = Jurisdiction::new("3301");
    d.evidence = Some(Commitment([1; 32]));
    let b = StatusDeltaBatch { deltas: vec![d] };
    StatusDeltaBatch::from_bytes(&b.to_bytes()).unwrap();
}

#[test]
fn size_limits_are_enforced() {
    let page = CatchUpPage {
        items: vec![Bytes(vec![0; 600 * 1024]), Bytes(vec![1; 600 * 1024])],
        resume: None,
    };
    assert!(matches!(
        CatchUpPage::from_bytes(&page.to_bytes()),
        Err(DecodeError::TooLarge { .. })
    ));
    let page = CatchUpPage {
        items: vec![Bytes(vec![0; 1000 * 1024])],
        resume: None,
    };
    CatchUpPage::from_bytes(&page.to_bytes()).unwrap();

    let n = RiskNotice {
        target: Region::from_code(330000).unwrap(),
        code: CodeIdHash([0; 32]),
        sealed: crate::seal::SealedBox {
            ephemeral_pk: [0; 32],
            ciphertext: vec![0; 1500],
        },
    };
    assert!(RiskNotice::from_bytes(&n.to_bytes()).is_err());
    let big = vec![0u8; CODE_CLAIMS_MAX + 1];
    assert!(matches!(
        CodeClaims::from_bytes(&big),
        Err(DecodeError::TooLarge { .. })
    ));
}

fn sample_claims() -> CodeClaims {
    CodeClaims::new(
        CodeId([1; 16]),
        Region::from_code(330000).unwrap(),
        Colour::GREEN,
        RiskLevel::Low,
        RuleRef {
            prefix: [2; 4],
            version: 3,
        },
        1_700_000_000,
        24,
        CodeKind::Resident,
        HolderBinding {
            doc_type: DocType::MainlandId,
            name_mask: "*明".into(),
            number_mask: "**12".into(),
            salt: [3; 16],
            hash: [4; 16],
            country: None,
        },
        None,
    )
}

#[test]
fn unknown_key_rejected() {
    let c = sample_claims();
    let mut bytes = c.to_bytes();
    // The map head 0xad (13 entries) becomes 0xae, and key 16 => 0 is appended.
    assert_eq!(bytes[0], 0xad);
    bytes[0] = 0xae;
    bytes.extend_from_slice(&[0x10, 0x00]);
    assert!(matches!(
        CodeClaims::from_bytes(&bytes),
        Err(DecodeError::UnknownKey { .. })
    ));
    // An unknown key in the middle (key 0 before key 1).
    let mut bytes = c.to_bytes();
    bytes[0] = 0xae;
    bytes.splice(1..1, [0x00, 0x00]);
    assert!(CodeClaims::from_bytes(&bytes).is_err());
}

#[test]
fn non_canonical_deep_inside_rejected() {
    let c = sample_claims();
    let bytes = c.to_bytes();
    // Rewrite the salt's length head (0x50, bstr of 16) inside the holder binding as the
    // two-byte form 0x58 0x10: well-formed, not canonical.
    let salt_pos = bytes
        .windows(17)
        .position(|w| w[0] == 0x50 && w[1..] == [3; 16])
        .unwrap();
    let mut bad = bytes;
    bad.splice(salt_pos..=salt_pos, [0x58, 0x10]);
    assert!(matches!(
        CodeClaims::from_bytes(&bad),
        Err(DecodeError::NonCanonicalHead { .. })
    ));
    // And inside an envelope's body (an equivocation's first item length).
    let env = Envelope::new(
        Region::from_code(330000).unwrap(),
        1,
        5,
        Body::Equivocation(Equivocation {
            accused: Region::from_code(450000).unwrap(),
            kind: EquivocationKind::Envelopes,
            first: Bytes(vec![9; 3]),
            second: Bytes(vec![8; 3]),
        }),
    );
    let bytes = env.to_bytes();
    Envelope::open(&bytes).unwrap();
    let pos = bytes.windows(4).position(|w| w == [0x43, 9, 9, 9]).unwrap();
    let mut bad = bytes;
    bad.splice(pos..=pos, [0x58, 0x03]);
    assert!(matches!(
        Envelope::open(&bad),
        Err(DecodeError::NonCanonicalHead { .. })
    ));
}

#[test]
fn envelope_stream_rules() {
    let notice = RiskNotice {
        target: Region::from_code(330000).unwrap(),
        code: CodeIdHash([5; 32]),
        sealed: crate::seal::SealedBox {
            ephemeral_pk: [1; 32],
            ciphertext: vec![1; 40],
        },
    };
    let env = Envelope::new(
        Region::from_code(450000).unwrap(),
        7,
        100,
        Body::RiskNotice(notice),
    );
    assert_eq!(
        env.stream,
        StreamId::directed::<RiskNotice>(Region::from_code(330000).unwrap())
    );
    Envelope::open(&env.to_bytes()).unwrap();
    let mut wrong = env.clone();
    wrong.stream.recipient = None;
    assert!(Envelope::open(&wrong.to_bytes()).is_err());
    let mut wrong = env.clone();
    wrong.stream.kind = 21;
    assert!(Envelope::open(&wrong.to_bytes()).is_err());
    let mut wrong = env;
    wrong.seq = 0;
    assert!(Envelope::open(&wrong.to_bytes()).is_err());
    // Author must be the sender.
    let snap = StatusSnapshot {
        region: Region::from_code(330000).unwrap(),
        date: 1,
        fresh_until: 2,
        non_green: vec![],
        revoked: vec![],
    };
    let env = Envelope::new(
        Region::from_code(450000).unwrap(),
        1,
        1,
        Body::StatusSnapshot(snap),
    );
    assert!(Envelope::open(&env.to_bytes()).is_err());
    // Unknown type tag.
    let mut e = Encoder::new();
    e.map(6)
        .u64(1)
        .u64(99)
        .u64(2)
        .u64(330000)
        .u64(3)
        .map(1)
        .u64(1)
        .u64(99)
        .u64(4)
        .u64(1)
        .u64(5)
        .u64(1)
        .u64(6)
        .map(0);
    assert_eq!(
        Envelope::open(&e.into_bytes()),
        Err(DecodeError::InvalidValue {
            field: "envelope type tag"
        })
    );
}

#[test]
fn signed_verifies_and_binds_type() {
    let s = Ed25519Signer::from_seed(&[9; 32]).unwrap();
    let kid = KeyId::derive(s.public_key().as_bytes());
    let body = ApprovalBody {
        action: Digest([1; 32]),
        time: 10,
    };
    let a = Signed::sign(body, kid, &s).unwrap();
    a.verify(&s.public_key()).unwrap();
    let mut b = a.clone();
    b.body.time = 11;
    assert!(b.verify(&s.public_key()).is_err());
    let back = Signed::<ApprovalBody>::from_bytes(&a.to_bytes()).unwrap();
    back.verify(&s.public_key()).unwrap();
    assert!(KeyId::new(&[0; 15]).is_none());
}

#[test]
fn venue_dynamic_window() {
    let secret = b"venue secret";
    let c = VenueDynamic::compute(secret, [1; 16], 6000);
    assert_eq!(c.step, 100);
    c.check(secret, 6000).unwrap();
    c.check(secret, 6059 + 60).unwrap();
    c.check(secret, 5940).unwrap();
    assert!(matches!(
        c.check(secret, 6120 + 60),
        Err(VenueError::StepOutOfWindow { .. })
    ));
    assert!(matches!(
        c.check(secret, 5939),
        Err(VenueError::StepOutOfWindow { .. })
    ));
    assert_eq!(c.check(b"other", 6000), Err(VenueError::BadTag));
}

#[test]
fn claims_lifetime_checked() {
    let mut c = sample_claims();
    assert_eq!(c.expires_at(), c.issued_at + PHONE_CODE_LIFETIME);
    c.valid_hours = 169;
    assert!(CodeClaims::from_bytes(&c.to_bytes()).is_err());
    c.valid_hours = 0;
    assert!(CodeClaims::from_bytes(&c.to_bytes()).is_err());
    let mut c = sample_claims();
    c.country = Some("CHN".into());
    assert!(
        CodeClaims::from_bytes(&c.to_bytes()).is_err(),
        "country on a mainland id"
    );
    let mut c = sample_claims();
    c.name_mask = "张明".into();
    assert!(
        CodeClaims::from_bytes(&c.to_bytes()).is_err(),
        "unmasked name"
    );
    let mut c = sample_claims();
    c.number_mask = "*123".into();
    assert!(
        CodeClaims::from_bytes(&c.to_bytes()).is_err(),
        "three characters shown"
    );
}

/// The largest code DESIGN allows (international, passport with country, the longest
/// name mask, a delegation, the widest field values, ES256) fits a version-10 QR at
/// error-correction level M.
#[test]
fn largest_code_fits_qr_version_10_m() {
    use qrcode::{EcLevel, QrCode, Version};
    let claims = CodeClaims::new(
        CodeId([0xff; 16]),
        Region::from_code(820000).unwrap(),
        Colour(255),
        RiskLevel::High,
        RuleRef {
            prefix: [0xff; 4],
            version: u16::MAX,
        },
        u64::from(u32::MAX),
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
    );
    assert_eq!(claims.name_mask.len(), MAX_NAME_MASK);
    let payload = claims.to_bytes();
    CodeClaims::from_bytes(&payload).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &rng,
    )
    .unwrap();
    let signer = crate::sign::Es256Signer::from_pkcs8(pkcs8.as_ref(), &rng).unwrap();
    let cose = crate::cose::sign1(&signer, &[0xab; 16], &payload).unwrap();
    let text = crate::qr::encode_hcx(&cose).unwrap();
    eprintln!(
        "largest code: payload {} B, COSE {} B, text {} chars",
        payload.len(),
        cose.len(),
        text.len()
    );
    QrCode::with_version(text.as_bytes(), Version::Normal(10), EcLevel::M).unwrap();
    let auto = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
    assert!(matches!(auto.version(), Version::Normal(v) if v <= 10));
}

#[test]
fn registry_knows_every_type_by_a_unique_name() {
    let mut names: Vec<&str> = type_table().iter().map(|t| t.1).collect();
    for n in &names {
        // An empty input is refused by every type, but the name must be known.
        assert!(registry::decode_reencode(n, &[]).is_some(), "{n}");
    }
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count);
    assert!(registry::decode_reencode("no-such-type", &[]).is_none());
    assert!(registry::is_signed_type("evidence"));
    assert!(!registry::is_signed_type("code-claims"));
}
