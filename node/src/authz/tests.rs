//! Tests of authorisation on a real sled store: transcoding in jurisdiction only, the
//! two-party rule (distinct account, distinct role, the registered key), rolling-window
//! counters that list-splitting cannot evade (1,317 targets), and the quorum: subtree
//! approvers refused, coverage, duplicates, bad keys, freshness, replay, certificate.

use hcx_protocol::cbor::{self, Limits};
use hcx_protocol::sign::Ed25519Signer;
use hcx_protocol::wire::{
    ApprovalBody, CodeIdHash, Commitment, Digest, EntryKind, EvidenceBody, EvidenceCategory,
    Jurisdiction, QuorumCertificate, Region as WireRegion, Role, Signed,
};
use proptest::prelude::*;

use super::*;
use crate::accounts::testkit::{Member, Region, T0, commit, j, kid};
use crate::accounts::{Principal, PrincipalKind};
use crate::store::Store;

fn evidence(
    signer: &Ed25519Signer,
    kid_of: &Ed25519Signer,
    subject: u8,
    time: u64,
) -> Signed<EvidenceBody> {
    Signed::sign(
        EvidenceBody {
            category: EvidenceCategory::NUCLEIC_ACID_POSITIVE,
            subject: CodeIdHash([subject; 32]),
            time,
            commitment: Commitment([7; 32]),
        },
        kid(kid_of),
        signer,
    )
    .unwrap()
}

fn approve(m: &Member, action: &Digest, time: u64) -> Signed<ApprovalBody> {
    Signed::sign(
        ApprovalBody {
            action: *action,
            time,
        },
        kid(&m.key),
        &m.key,
    )
    .unwrap()
}

#[test]
fn transcoding_is_for_levels_one_to_four_inside_their_jurisdiction() {
    let p = |role, jur: &str| Principal {
        account: crate::accounts::AccountId("acc_x".into()),
        kind: PrincipalKind::Staff(role),
        jurisdiction: j(jur),
    };
    let target = j("330102");
    for n in 1..=4u8 {
        assert!(may_transcode(&p(Role::Admin(n), "3301"), &target).is_ok());
    }
    // A level-3 admin outside its jurisdiction is refused.
    assert!(matches!(
        may_transcode(&p(Role::Admin(3), "330103"), &target),
        Err(TranscodeError::OutsideJurisdiction { .. })
    ));
    assert!(matches!(
        may_transcode(&p(Role::Admin(3), "3502"), &target),
        Err(TranscodeError::OutsideJurisdiction { .. })
    ));
    for role in [
        Role::Admin(5),
        Role::Grid,
        Role::Collector,
        Role::EvidenceSource,
        Role::Auditor,
        Role::Terminal,
    ] {
        assert!(matches!(
            may_transcode(&p(role, "33"), &target),
            Err(TranscodeError::NotTranscoder { .. })
        ));
    }
    let holder = Principal {
        kind: PrincipalKind::Holder,
        ..p(Role::Admin(1), "33")
    };
    assert!(may_transcode(&holder, &target).is_err());
}

#[test]
fn transcode_needs_evidence_from_a_distinct_role_with_its_registered_key() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let l2 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let l2_peer = r.open_active(&a, &b, Role::Admin(2), "3302");
    let src = r.open_active(&a, &b, Role::EvidenceSource, "33");
    let pending_src = r.open_pending(&a, Role::EvidenceSource, "33");
    let forger = r.fresh_key();
    let s = &r.store;
    let subject = CodeIdHash([1; 32]);
    let check = |e: &Signed<EvidenceBody>| check_evidence(s, &l2.p(), e, Some(&subject), T0, 300);

    // The evidence source's own signature: accepted.
    let ok = check(&evidence(&src.key, &src.key, 1, T0)).unwrap();
    assert_eq!(ok.id, src.account.id);
    // Signed by the transcoder itself.
    assert!(matches!(
        check(&evidence(&l2.key, &l2.key, 1, T0)),
        Err(TranscodeError::SameAccount)
    ));
    // Signed by another admin of the same role (level 2).
    assert!(matches!(
        check(&evidence(&l2_peer.key, &l2_peer.key, 1, T0)),
        Err(TranscodeError::SameRole)
    ));
    // Signed by an admin of another level: still not an evidence source.
    assert!(matches!(
        check(&evidence(&r.l1a.key, &r.l1a.key, 1, T0)),
        Err(TranscodeError::NotEvidenceSource { .. })
    ));
    // Naming the evidence source's key id but signed with another key.
    assert!(matches!(
        check(&evidence(&forger, &src.key, 1, T0)),
        Err(TranscodeError::BadSignature)
    ));
    // An unregistered key.
    assert!(matches!(
        check(&evidence(&forger, &forger, 1, T0)),
        Err(TranscodeError::UnknownSigner { .. })
    ));
    // A pending evidence source.
    assert!(matches!(
        check(&evidence(&pending_src.key, &pending_src.key, 1, T0)),
        Err(TranscodeError::SignerNotActive { .. })
    ));
    // Evidence about another code, or from the future.
    assert!(matches!(
        check(&evidence(&src.key, &src.key, 2, T0)),
        Err(TranscodeError::WrongSubject)
    ));
    assert!(matches!(
        check(&evidence(&src.key, &src.key, 1, T0 + 3600)),
        Err(TranscodeError::FromFuture { .. })
    ));
    // A tampered body no longer verifies.
    let mut e = evidence(&src.key, &src.key, 1, T0);
    e.body.category = EvidenceCategory::FEVER;
    assert!(matches!(check(&e), Err(TranscodeError::BadSignature)));
}

fn transcode_action(requester: &Principal, targets: Vec<Jurisdiction>, n: u8) -> QuorumAction {
    QuorumAction {
        kind: ActionKind::Transcode,
        requester: requester.account.clone(),
        targets,
        payload: Digest([n; 32]),
        created_at: T0,
    }
}

/// Sends `batches` for `actor` at the given times, committing counters for every batch
/// that needs no quorum; returns how many targets went through before the first stop,
/// and the stop reason.
fn run_batches(
    store: &dyn Store,
    actor: &Principal,
    batches: &[(u64, Vec<Jurisdiction>)],
    cfg: &AuthzConfig,
) -> (u64, Option<QuorumReason>) {
    let mut done = 0;
    for (i, (t, targets)) in batches.iter().enumerate() {
        let action = transcode_action(actor, targets.clone(), i as u8);
        let counts = read_counts(store, &actor.account, targets, *t, cfg).unwrap();
        match required_approvals(&action, &counts, cfg) {
            QuorumNeed::NotNeeded => {
                commit(
                    store,
                    record_transcodes(store, &actor.account, targets, *t, cfg).unwrap(),
                );
                done += targets.len() as u64;
            }
            QuorumNeed::Needed { reason, k } => {
                assert_eq!(k, cfg.k);
                return (done, Some(reason));
            }
        }
    }
    (done, None)
}

#[test]
fn splitting_1317_targets_into_small_batches_still_trips_the_threshold() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let l3 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let cfg = AuthzConfig::default();
    // 1,317 targets in batches of 9 (below every limit), one batch a minute.
    let targets: Vec<Jurisdiction> = (0..1317)
        .map(|i| j(&format!("3301{:02}", i % 20)))
        .collect();
    let batches: Vec<(u64, Vec<Jurisdiction>)> = targets
        .chunks(9)
        .enumerate()
        .map(|(i, c)| (T0 + 60 * i as u64, c.to_vec()))
        .collect();
    let (done, reason) = run_batches(&r.store, &l3.p(), &batches, &cfg);
    assert!(done <= cfg.windows[0].per_actor, "{done} went through");
    assert!(matches!(
        reason,
        Some(QuorumReason::ActorThreshold {
            window_secs: 3600,
            ..
        })
    ));

    // Slow drip under the hourly limit: the 24-hour window stops it.
    let drip = r.open_active(&a, &b, Role::Admin(2), "3302");
    let batches: Vec<(u64, Vec<Jurisdiction>)> = (0..1317u64)
        .collect::<Vec<_>>()
        .chunks(5)
        .enumerate()
        .map(|(i, c)| {
            (
                T0 + 1200 * i as u64,
                c.iter().map(|_| j("330201")).collect(),
            )
        })
        .collect();
    let (done, reason) = run_batches(&r.store, &drip.p(), &batches, &cfg);
    assert!(done <= cfg.windows[1].per_actor, "{done} went through");
    assert!(matches!(
        reason,
        Some(QuorumReason::ActorThreshold {
            window_secs: 86_400,
            ..
        })
    ));
}

#[test]
fn many_actors_in_one_jurisdiction_trip_the_jurisdiction_threshold() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let cfg = AuthzConfig::default();
    let actors: Vec<Member> = (0..12)
        .map(|_| r.open_active(&a, &b, Role::Admin(2), "3301"))
        .collect();
    let mut total = 0;
    let mut stopped = None;
    'outer: for round in 0..3u64 {
        for (i, m) in actors.iter().enumerate() {
            let targets = vec![j("330105"); 10];
            let t = T0 + round * 600 + i as u64;
            let (done, reason) = run_batches(&r.store, &m.p(), &[(t, targets)], &cfg);
            total += done;
            if reason.is_some() {
                stopped = reason;
                break 'outer;
            }
        }
    }
    assert!(total <= cfg.windows[0].per_jurisdiction);
    assert!(matches!(
        stopped,
        Some(QuorumReason::JurisdictionThreshold { ref jurisdiction, .. }) if jurisdiction == "3301"
    ));
    // Another city is unaffected.
    let (done, reason) = run_batches(
        &r.store,
        &actors[0].p(),
        &[(T0 + 2000, vec![j("330205"); 5])],
        &cfg,
    );
    assert_eq!((done, reason), (5, None));
}

#[test]
fn counts_expire_with_the_window_and_prune() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let m = r.open_active(&a, &b, Role::Admin(2), "3301");
    let cfg = AuthzConfig::default();
    let t = vec![j("330101"); 20];
    assert_eq!(
        run_batches(&r.store, &m.p(), &[(T0, t.clone())], &cfg).0,
        20
    );
    // Full for the hour.
    assert!(
        run_batches(&r.store, &m.p(), &[(T0 + 3000, vec![j("330101")])], &cfg)
            .1
            .is_some()
    );
    // An hour and a bucket later, the hourly window has room again.
    assert_eq!(
        run_batches(&r.store, &m.p(), &[(T0 + 3600 + 600, t)], &cfg).0,
        20
    );
    let c = read_counts(
        &r.store,
        &m.account.id,
        &[j("330101")],
        T0 + 3600 + 600,
        &cfg,
    )
    .unwrap();
    assert_eq!(c.windows[0].actor, 20);
    assert_eq!(c.windows[1].actor, 40);
    // Two days later everything is prunable.
    let later = T0 + 2 * 86_400 + 3600;
    let batch = prune_counters(&r.store, later, &cfg, 1000).unwrap();
    assert_eq!(batch.ops.len(), 4); // actor and jurisdiction, two buckets each
    commit(&r.store, batch);
    let c = read_counts(&r.store, &m.account.id, &[j("330101")], later, &cfg).unwrap();
    assert_eq!(c.windows[1].actor, 0);
}

#[test]
fn lists_rule_sets_and_risk_areas_always_need_a_quorum() {
    let cfg = AuthzConfig::default();
    let p = Principal {
        account: crate::accounts::AccountId("acc_x".into()),
        kind: PrincipalKind::Staff(Role::Admin(1)),
        jurisdiction: j("33"),
    };
    for (kind, want) in [
        (ActionKind::UploadedList, QuorumReason::UploadedList),
        (ActionKind::RuleSetChange, QuorumReason::RuleSetChange),
        (ActionKind::RiskAreaChange, QuorumReason::RiskAreaChange),
    ] {
        let mut act = transcode_action(&p, vec![j("330102")], 1);
        act.kind = kind;
        assert_eq!(
            required_approvals(&act, &WindowCounts::default(), &cfg),
            QuorumNeed::Needed { k: 2, reason: want }
        );
    }
    let act = transcode_action(&p, vec![j("330102")], 1);
    let counts = WindowCounts {
        windows: cfg
            .windows
            .iter()
            .map(|w| counters::WindowCount {
                secs: w.secs,
                ..Default::default()
            })
            .collect(),
    };
    assert_eq!(
        required_approvals(&act, &counts, &cfg),
        QuorumNeed::NotNeeded
    );
    assert!(cfg.validate().is_ok());
}

struct QuorumFixture {
    r: Region,
    requester: Member,
    child: Member,
    grandchild: Member,
    other_city: Member,
    peer: Member,
}

/// Level-1 A and B; A opens the requester (level 2, 3301) and a peer (level 2, 3301);
/// the requester opens a level-3 child, which opens a level-4 grandchild; B opens a
/// level-2 for another city.
fn quorum_fixture() -> QuorumFixture {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let requester = r.open_active(&a, &b, Role::Admin(2), "3301");
    let peer = r.open_active(&a, &b, Role::Admin(2), "3301");
    let child = r.open_active(&requester.p(), &peer.p(), Role::Admin(3), "330102");
    let grandchild = r.open_active(&child.p(), &requester.p(), Role::Admin(4), "330102001");
    let other_city = r.open_active(&b, &a, Role::Admin(2), "3302");
    QuorumFixture {
        r,
        requester,
        child,
        grandchild,
        other_city,
        peer,
    }
}

#[test]
fn quorum_refuses_the_requester_its_subtree_and_non_covering_admins() {
    let f = quorum_fixture();
    let s = &f.r.store;
    let cfg = AuthzConfig::default();
    let targets = vec![j("330102"), j("330102")];
    let action = transcode_action(&f.requester.p(), targets.clone(), 9).hash();
    let check = |apps: &[Signed<ApprovalBody>]| {
        check_quorum(
            s,
            &f.requester.p(),
            &action,
            &targets,
            apps,
            2,
            &cfg,
            T0 + 60,
        )
    };
    let good = approve(&f.r.l1a, &action, T0);

    // Approvals by accounts the requester created (directly or down the chain).
    for m in [&f.child, &f.grandchild] {
        assert!(matches!(
            check(&[good.clone(), approve(m, &action, T0)]),
            Err(QuorumError::InRequesterSubtree { .. })
        ));
    }
    assert!(matches!(
        check(&[good.clone(), approve(&f.requester, &action, T0)]),
        Err(QuorumError::IsRequester)
    ));
    assert!(matches!(
        check(&[good.clone(), approve(&f.other_city, &action, T0)]),
        Err(QuorumError::DoesNotCover { .. })
    ));
    assert!(matches!(
        check(&[good.clone(), good.clone()]),
        Err(QuorumError::Duplicate { .. })
    ));
    assert!(matches!(
        check(std::slice::from_ref(&good)),
        Err(QuorumError::NotEnough { have: 1, need: 2 })
    ));
    // For another action.
    let other = Digest([0xee; 32]);
    assert!(matches!(
        check(&[good.clone(), approve(&f.r.l1b, &other, T0)]),
        Err(QuorumError::WrongAction { .. })
    ));
    // Naming B's key id, signed by another key.
    let forged = Signed::sign(
        ApprovalBody { action, time: T0 },
        kid(&f.r.l1b.key),
        &f.peer.key,
    )
    .unwrap();
    assert!(matches!(
        check(&[good.clone(), forged]),
        Err(QuorumError::BadSignature { .. })
    ));
    // Stale, and from the future.
    for t in [
        T0 + 60 - cfg.approval_max_age_secs - 1,
        T0 + 60 + cfg.max_skew_secs + 1,
    ] {
        assert!(matches!(
            check(&[good.clone(), approve(&f.r.l1b, &action, t)]),
            Err(QuorumError::BadTime { .. })
        ));
    }
    // An evidence source is not an approver.
    let mut r = f.r;
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let src = r.open_active(&a, &b, Role::EvidenceSource, "33");
    assert!(matches!(
        check_quorum(
            &r.store,
            &f.requester.p(),
            &action,
            &targets,
            &[good, approve(&src, &action, T0)],
            2,
            &cfg,
            T0 + 60
        ),
        Err(QuorumError::NotActiveAdmin { .. })
    ));
}

#[test]
fn k_distinct_valid_approvals_make_a_certificate_once() {
    let f = quorum_fixture();
    let s = &f.r.store;
    let cfg = AuthzConfig::default();
    let targets = vec![j("330102"), j("330105")];
    let act = transcode_action(&f.requester.p(), targets.clone(), 3);
    let action = act.hash();
    // Approvers outside the requester's subtree who cover both targets: the level-1
    // admins and the requester's peer (the requester's creator's other child).
    let apps = vec![
        approve(&f.peer, &action, T0),
        approve(&f.r.l1b, &action, T0 + 10),
        approve(&f.r.l1a, &action, T0 + 20),
    ];
    let out = check_quorum(
        s,
        &f.requester.p(),
        &action,
        &targets,
        &apps,
        2,
        &cfg,
        T0 + 60,
    )
    .unwrap();
    let cert = &out.certificate;
    assert_eq!(cert.action, action);
    assert_eq!(cert.k, 2);
    assert_eq!(cert.approvals.len(), 3);
    assert!(cert.approvals.windows(2).all(|w| w[0].signer < w[1].signer));
    // The certificate passes the wire's strict decoder.
    let bytes = cbor::to_canonical(cert);
    let back: QuorumCertificate = cbor::from_canonical(&bytes, Limits::message(64 * 1024)).unwrap();
    assert_eq!(&back, cert);
    // Quorum reached and the alarm, by the requester, naming the action.
    let kinds: Vec<EntryKind> = out.log.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![EntryKind::Approval, EntryKind::Alarm]);
    assert!(out.log.iter().all(|e| e.actor == Some(Role::Admin(2))
        && e.actor_kid == f.requester.account.kid()
        && e.commitment == Some(Commitment(action.0))));
    commit(s, out.batch);
    // The same quorum cannot be used twice.
    assert!(matches!(
        check_quorum(
            s,
            &f.requester.p(),
            &action,
            &targets,
            &apps,
            2,
            &cfg,
            T0 + 90
        ),
        Err(QuorumError::AlreadyUsed)
    ));
}

#[test]
fn approvals_submitted_ahead_are_stored_and_cleared() {
    let f = quorum_fixture();
    let s = &f.r.store;
    let cfg = AuthzConfig::default();
    let act = transcode_action(&f.requester.p(), vec![j("330102")], 4);
    let a1 = approve(&f.r.l1a, &act.hash(), T0);
    assert!(matches!(
        submit_approval(s, &a1, &cfg, T0),
        Err(QuorumError::UnknownAction)
    ));
    let (b, h) = propose(&act);
    commit(s, b);
    assert_eq!(load_proposal(s, &h).unwrap(), Some(act.clone()));
    for m in [&f.r.l1a, &f.r.l1b] {
        let (b, log) = submit_approval(s, &approve(m, &h, T0), &cfg, T0).unwrap();
        assert_eq!(log[0].kind, EntryKind::Approval);
        assert_eq!(log[0].actor_kid, m.account.kid());
        commit(s, b);
    }
    let stored = stored_approvals(s, &h).unwrap();
    assert_eq!(stored.len(), 2);
    let out = check_quorum(
        s,
        &f.requester.p(),
        &h,
        &act.targets,
        &stored,
        2,
        &cfg,
        T0 + 5,
    )
    .unwrap();
    commit(s, out.batch);
    assert!(stored_approvals(s, &h).unwrap().is_empty());
    assert_eq!(load_proposal(s, &h).unwrap(), None);
}

#[test]
fn roster_lists_active_and_withdrawn_keyed_accounts() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let region = WireRegion::from_code(330_000).unwrap();
    let v0 = build_roster(&r.store, region).unwrap();
    assert_eq!(v0.entries.len(), 2);
    assert!(
        v0.entries
            .iter()
            .all(|e| e.created_by.is_none() && e.role == Role::Admin(1))
    );
    let l2 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let src = r.open_active(&a, &b, Role::EvidenceSource, "33");
    let _pending = r.open_pending(&a, Role::Admin(2), "3302");
    let _terminal = r.open_active(&l2.p(), &a, Role::Terminal, "3301");
    let roster = build_roster(&r.store, region).unwrap();
    assert_eq!(
        roster.entries.len(),
        4,
        "pending and non-roster roles are left out"
    );
    assert!(roster.version > v0.version);
    let e = roster.entry(&kid(&src.key)).unwrap();
    assert_eq!(e.role, Role::EvidenceSource);
    assert_eq!(e.created_by, Some(kid(&r.l1a.key)));
    // Withdrawn: still listed, with disabled_at; the version moves.
    let c = crate::accounts::delete_account(&r.store, &a, &l2.account.id, T0 + 99).unwrap();
    commit(&r.store, c.batch);
    let after = build_roster(&r.store, region).unwrap();
    assert_eq!(
        after.entry(&kid(&l2.key)).unwrap().disabled_at,
        Some(T0 + 99)
    );
    assert!(after.version > roster.version);
    // The roster passes the wire's strict decoder (sorted, unique).
    let bytes = cbor::to_canonical(&after);
    let back: hcx_protocol::wire::AdminRoster =
        cbor::from_canonical(&bytes, Limits::message(1024 * 1024)).unwrap();
    assert_eq!(back, after);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// However 1,317 targets are split (batches of 1 to 19, any pacing within an hour),
    /// no more than the hourly per-actor limit goes through without a quorum.
    #[test]
    fn no_split_within_an_hour_evades_the_actor_limit(
        sizes in prop::collection::vec(1usize..20, 70..200),
        gaps in prop::collection::vec(0u64..30, 200),
    ) {
        let mut r = Region::new();
        let (a, b) = (r.l1a.p(), r.l1b.p());
        let m = r.open_active(&a, &b, Role::Admin(2), "3301");
        let cfg = AuthzConfig::default();
        let mut batches = Vec::new();
        let (mut left, mut t) = (1317usize, T0);
        for (size, gap) in sizes.iter().zip(&gaps) {
            if left == 0 { break; }
            let n = (*size).min(left);
            left -= n;
            t += gap;
            batches.push((t, vec![j("330101"); n]));
        }
        let (done, reason) = run_batches(&r.store, &m.p(), &batches, &cfg);
        prop_assert!(done <= cfg.windows[0].per_actor);
        prop_assert!(reason.is_some());
    }
}

#[test]
fn config_reads_partial_toml_with_documented_defaults() {
    let cfg: AuthzConfig = toml::from_str("k = 3\n").unwrap();
    assert_eq!(cfg.k, 3);
    assert_eq!(cfg.windows, AuthzConfig::default().windows);
    assert!(cfg.validate().is_ok());
    let bad: AuthzConfig = toml::from_str("k = 0\n").unwrap();
    assert!(bad.validate().is_err());
    assert!(toml::from_str::<AuthzConfig>("kk = 1\n").is_err());
}
