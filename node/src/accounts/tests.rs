//! Tests of accounts on a real sled store: opening rules per level and jurisdiction,
//! review before use (never by the creator), unused-account deletion, tokens hashed at
//! rest, authentication outcomes, the creation subtree, and the record encoding.

use hcx_protocol::sign::PublicKey;
use hcx_protocol::wire::{EntryKind, Role};
use proptest::prelude::*;

use super::record::{decode_account, encode_account, touch_batch};
use super::rules::may_open;
use super::testkit::{Region, T0, commit, j, pk, signer};
use super::*;
use crate::store::{Store, Tree};

const DAY: u64 = 86_400;

fn req(role: Role, jur: &str, key: Option<PublicKey>) -> OpenRequest {
    OpenRequest {
        role,
        jurisdiction: j(jur),
        public_key: key,
        label: "test account".into(),
    }
}

#[test]
fn opening_rules_by_role_level_and_jurisdiction() {
    let admin = |n| PrincipalKind::Staff(Role::Admin(n));
    let ok = |k, cj: &str, r, nj: &str| may_open(k, &j(cj), r, &j(nj)).is_ok();
    // Level n opens level n+1 only, inside its jurisdiction (equal or longer prefix).
    for n in 1..=4u8 {
        assert!(ok(admin(n), "33", Role::Admin(n + 1), "3301"));
        assert!(!ok(admin(n), "33", Role::Admin(n), "3301"));
        assert!(!ok(admin(n), "33", Role::Admin(n + 1), "3501"));
    }
    assert!(!ok(admin(1), "33", Role::Admin(3), "3301"));
    assert!(!ok(admin(5), "330102", Role::Admin(5), "330102"));
    assert!(!ok(admin(3), "3301", Role::Admin(2), "3301"));
    assert!(ok(admin(2), "3301", Role::Admin(3), "3301"));
    // Grid admins at every level, inside.
    for n in 1..=5u8 {
        assert!(ok(admin(n), "3301", Role::Grid, "330102"));
        assert!(!ok(admin(n), "3301", Role::Grid, "3302"));
    }
    // Evidence sources and auditors: level 1 only.
    assert!(ok(admin(1), "33", Role::EvidenceSource, "33"));
    assert!(ok(admin(1), "33", Role::Auditor, "33"));
    assert!(!ok(admin(2), "3301", Role::EvidenceSource, "3301"));
    assert!(!ok(admin(2), "3301", Role::Auditor, "3301"));
    // Terminals: admins and grid admins; collectors: grid admins only.
    assert!(ok(admin(3), "3301", Role::Terminal, "330102"));
    assert!(ok(
        PrincipalKind::Staff(Role::Grid),
        "330102",
        Role::Terminal,
        "330102"
    ));
    assert!(ok(
        PrincipalKind::Staff(Role::Grid),
        "330102",
        Role::Collector,
        "330102"
    ));
    assert!(!ok(admin(1), "33", Role::Collector, "33"));
    assert!(!ok(
        PrincipalKind::Staff(Role::Grid),
        "330102",
        Role::Grid,
        "330102"
    ));
    assert!(!ok(
        PrincipalKind::Staff(Role::Grid),
        "330102",
        Role::Collector,
        "330103"
    ));
    // Nobody else opens anything.
    for k in [
        PrincipalKind::Holder,
        PrincipalKind::Staff(Role::Collector),
        PrincipalKind::Staff(Role::Auditor),
        PrincipalKind::Staff(Role::EvidenceSource),
        PrincipalKind::Staff(Role::Terminal),
    ] {
        assert!(!ok(k, "33", Role::Terminal, "33"), "{k:?}");
    }
}

#[test]
fn open_account_enforces_rules_on_the_store() {
    let mut r = Region::new();
    let l1 = r.l1a.p();
    let l2 = r.open_active(&l1, &r.l1b.p(), Role::Admin(2), "3301");
    let pending = r.open_pending(&l2.p(), Role::Admin(3), "330102");
    let before = r.store.digest().unwrap();
    let refuse = |actor: &Principal, rq: OpenRequest| {
        open_account(&r.store, actor, rq, T0, &r.rng).unwrap_err()
    };
    let key = pk(&signer(200));
    assert!(matches!(
        refuse(&l2.p(), req(Role::Admin(3), "3302", Some(key.clone()))),
        AccountError::OutsideJurisdiction { .. }
    ));
    assert!(matches!(
        refuse(&l2.p(), req(Role::Admin(4), "3301", Some(key.clone()))),
        AccountError::RoleNotPermitted { .. }
    ));
    assert!(matches!(
        refuse(
            &l2.p(),
            req(Role::EvidenceSource, "3301", Some(key.clone()))
        ),
        AccountError::RoleNotPermitted { .. }
    ));
    assert!(matches!(
        refuse(&l2.p(), req(Role::Admin(3), "3301", None)),
        AccountError::KeyRequired { .. }
    ));
    assert!(matches!(
        refuse(&l2.p(), req(Role::Admin(3), "3301", Some(pk(&r.l1a.key)))),
        AccountError::KeyInUse
    ));
    let mut bad_label = req(Role::Admin(3), "3301", Some(key));
    bad_label.label = "a\nb".into();
    assert!(matches!(
        refuse(&l2.p(), bad_label),
        AccountError::BadLabel { .. }
    ));
    // Refusals computed nothing into the store.
    assert_eq!(r.store.digest().unwrap(), before);

    // A pending admin cannot open anything.
    let key = pk(&signer(201));
    assert!(matches!(
        refuse(&pending.p(), req(Role::Admin(4), "330102", Some(key))),
        AccountError::ActorNotActive { .. }
    ));
}

#[test]
fn review_is_required_and_never_by_the_creator() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let l2 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let l2_other = r.open_active(&a, &b, Role::Admin(2), "3302");
    let l2_peer = r.open_active(&b, &a, Role::Admin(2), "3301");
    let l3 = r.open_pending(&l2.p(), Role::Admin(3), "330102");
    let l3_other = r.open_active(&l2_peer.p(), &l2.p(), Role::Admin(3), "3301");

    // Pending: the token does not work yet.
    assert!(matches!(
        authenticate(&r.store, &l3.token),
        Err(AuthError::Pending)
    ));
    let review = |who: &Principal| {
        review_account(&r.store, who, &l3.account.id, ReviewDecision::Approve, T0)
    };
    assert!(matches!(
        review(&l2.p()),
        Err(AccountError::ReviewerIsCreator { .. })
    ));
    // Another level-2 admin whose jurisdiction does not cover the account.
    assert!(matches!(
        review(&l2_other.p()),
        Err(AccountError::ReviewerNotEligible { .. })
    ));
    // A lower level cannot review a higher level's opening.
    assert!(matches!(
        review(&l3_other.p()),
        Err(AccountError::ReviewerNotEligible { .. })
    ));
    // A peer of the creator's level covering it may review; so may the superior.
    let c = review(&l2_peer.p()).unwrap();
    assert_eq!(c.accounts[0].state, AccountState::Active);
    assert_eq!(
        c.accounts[0].reviewed_by.as_ref(),
        Some(&l2_peer.account.id)
    );
    assert_eq!(c.log.len(), 1);
    assert_eq!(c.log[0].kind, EntryKind::RosterChange);
    assert_eq!(c.log[0].actor, Some(Role::Admin(2)));
    commit(&r.store, c.batch);
    let p = authenticate(&r.store, &l3.token).unwrap();
    assert_eq!(p.kind, PrincipalKind::Staff(Role::Admin(3)));
    assert_eq!(p.jurisdiction, j("330102"));
    assert!(matches!(review(&a), Err(AccountError::NotPending { .. })));

    // Rejection deletes.
    let l3b = r.open_pending(&l2.p(), Role::Admin(3), "330103");
    let c = review_account(&r.store, &a, &l3b.account.id, ReviewDecision::Reject, T0).unwrap();
    commit(&r.store, c.batch);
    assert!(matches!(
        authenticate(&r.store, &l3b.token),
        Err(AuthError::Deleted)
    ));
}

#[test]
fn level_one_openings_are_reviewed_by_another_level_one() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let src = r.open_pending(&a, Role::EvidenceSource, "33");
    assert!(matches!(
        review_account(&r.store, &a, &src.account.id, ReviewDecision::Approve, T0),
        Err(AccountError::ReviewerIsCreator { .. })
    ));
    let c = review_account(&r.store, &b, &src.account.id, ReviewDecision::Approve, T0).unwrap();
    commit(&r.store, c.batch);
    assert!(authenticate(&r.store, &src.token).is_ok());
}

#[test]
fn authentication_outcomes() {
    let mut r = Region::new();
    assert!(authenticate(&r.store, &r.l1a.token).is_ok());
    assert!(matches!(
        authenticate(&r.store, ""),
        Err(AuthError::Malformed)
    ));
    assert!(matches!(
        authenticate(&r.store, "Bearer xyz"),
        Err(AuthError::Malformed)
    ));
    assert!(matches!(
        authenticate(&r.store, "hcx_AAAA"),
        Err(AuthError::Malformed)
    ));
    let unknown = format!("{TOKEN_PREFIX}{}", "A".repeat(43));
    assert!(matches!(
        authenticate(&r.store, &unknown),
        Err(AuthError::Unknown)
    ));
    // A token with one character changed is unknown.
    let mut t = r.l1a.token.clone().into_bytes();
    let last = t.len() - 2;
    t[last] = if t[last] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        authenticate(&r.store, std::str::from_utf8(&t).unwrap()),
        Err(AuthError::Unknown)
    ));
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let l2 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let c = delete_account(&r.store, &a, &l2.account.id, T0 + 10).unwrap();
    commit(&r.store, c.batch);
    assert!(matches!(
        authenticate(&r.store, &l2.token),
        Err(AuthError::Deleted)
    ));
    // Holders authenticate as holders.
    let h = open_holder_account(&r.store, j("33"), T0, &r.rng).unwrap();
    assert!(h.log.is_empty());
    commit(&r.store, h.batch);
    assert_eq!(
        authenticate(&r.store, &h.token).unwrap().kind,
        PrincipalKind::Holder
    );
}

fn all_stored_bytes(store: &dyn Store) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for t in Tree::ALL {
        for (k, v) in store.scan(t, b"", None, usize::MAX).unwrap() {
            out.push(k);
            out.push(v);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn tokens_are_hashed_at_rest() {
    use base64::Engine as _;
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let mut tokens = vec![r.l1a.token.clone(), r.l1b.token.clone()];
    tokens.push(r.open_active(&a, &b, Role::Admin(2), "3301").token);
    tokens.push(r.open_pending(&a, Role::EvidenceSource, "33").token);
    let h = open_holder_account(&r.store, j("33"), T0, &r.rng).unwrap();
    commit(&r.store, h.batch);
    tokens.push(h.token);

    let stored = all_stored_bytes(&r.store);
    let mut files = Vec::new();
    for e in walk(r.dir.path()) {
        files.push(std::fs::read(e).unwrap());
    }
    // Positive control: plain stored text is findable in the raw files.
    assert!(files.iter().any(|f| contains(f, b"province admin A")));
    for t in &tokens {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t.strip_prefix(TOKEN_PREFIX).unwrap())
            .unwrap();
        assert_eq!(raw.len(), 32);
        for hay in stored.iter().chain(&files) {
            assert!(!contains(hay, t.as_bytes()), "token text stored");
            assert!(!contains(hay, &raw), "raw token bytes stored");
        }
        // The hash is what is stored, and it maps to the account.
        let hash = hash_token(t).unwrap();
        assert!(r.store.get(Tree::Tokens, &hash).unwrap().is_some());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn unused_accounts_are_listed_and_deleted_by_their_creator_chain() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let l2 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let l2_peer = r.open_active(&b, &a, Role::Admin(2), "3302");
    let l3_used = r.open_active(&l2.p(), &a, Role::Admin(3), "330102");
    let l3_idle = r.open_active(&l2.p(), &a, Role::Admin(3), "330103");
    let grid = r.open_active(&l3_idle.p(), &l2.p(), Role::Grid, "330103");

    // l3_used signs in on day 20 (the caller records the use).
    let p = authenticate(&r.store, &l3_used.token).unwrap();
    commit(
        &r.store,
        touch_batch(&r.store, &p.account, T0 + 20 * DAY)
            .unwrap()
            .unwrap(),
    );
    // A second touch within the granularity writes nothing.
    assert!(
        touch_batch(&r.store, &p.account, T0 + 20 * DAY + 60)
            .unwrap()
            .is_none()
    );

    let now = T0 + 31 * DAY;
    let ids = |v: Vec<Account>| {
        let mut v: Vec<AccountId> = v.into_iter().map(|a| a.id).collect();
        v.sort();
        v
    };
    // From l2's view: l3_idle and the grid admin below it; not l3_used, not l2 itself.
    let mut want = vec![l3_idle.account.id.clone(), grid.account.id.clone()];
    want.sort();
    assert_eq!(
        ids(list_unused(&r.store, &l2.p(), 30 * DAY, now).unwrap()),
        want
    );
    // From the peer's view: nothing of l2's subtree.
    assert!(
        list_unused(&r.store, &l2_peer.p(), 30 * DAY, now)
            .unwrap()
            .is_empty()
    );
    // Not idle long enough yet.
    assert!(
        list_unused(&r.store, &l2.p(), 40 * DAY, now)
            .unwrap()
            .is_empty()
    );

    // The peer may not delete l2's accounts one by one either.
    assert!(matches!(
        delete_account(&r.store, &l2_peer.p(), &l3_idle.account.id, now),
        Err(AccountError::NotManager { .. })
    ));
    // Nobody deletes themselves.
    assert!(matches!(
        delete_account(&r.store, &l2.p(), &l2.account.id, now),
        Err(AccountError::NotManager { .. })
    ));

    let v0 = record::roster_version(&r.store).unwrap();
    let c = delete_unused(&r.store, &l2.p(), 30 * DAY, now).unwrap();
    assert_eq!(c.accounts.len(), 2);
    assert_eq!(c.log.len(), 2);
    assert!(c.log.iter().all(|e| e.kind == EntryKind::RosterChange));
    commit(&r.store, c.batch);
    assert_eq!(record::roster_version(&r.store).unwrap(), v0 + 1);
    assert!(matches!(
        authenticate(&r.store, &l3_idle.token),
        Err(AuthError::Deleted)
    ));
    assert!(matches!(
        authenticate(&r.store, &grid.token),
        Err(AuthError::Deleted)
    ));
    assert!(authenticate(&r.store, &l3_used.token).is_ok());
    // The superior (level 1) can delete inside its subtree.
    let c = delete_account(&r.store, &a, &l3_used.account.id, now).unwrap();
    commit(&r.store, c.batch);
    assert!(matches!(
        delete_account(&r.store, &a, &l3_used.account.id, now),
        Err(AccountError::AlreadyDeleted { .. })
    ));
}

#[test]
fn creation_subtree_follows_created_by() {
    let mut r = Region::new();
    let (a, b) = (r.l1a.p(), r.l1b.p());
    let l2 = r.open_active(&a, &b, Role::Admin(2), "3301");
    let l3 = r.open_active(&l2.p(), &b, Role::Admin(3), "330102");
    let s = &r.store;
    assert!(is_in_subtree(s, &a.account, &l3.account.id).unwrap());
    assert!(is_in_subtree(s, &l2.account.id, &l3.account.id).unwrap());
    assert!(is_in_subtree(s, &l3.account.id, &l3.account.id).unwrap());
    assert!(!is_in_subtree(s, &b.account, &l3.account.id).unwrap());
    assert!(!is_in_subtree(s, &l3.account.id, &l2.account.id).unwrap());
    assert!(matches!(
        is_in_subtree(s, &a.account, &AccountId("acc_missing".into())),
        Err(AccountError::UnknownAccount { .. })
    ));
}

#[test]
fn privileged_actions_log_ids_and_roles_only() {
    let mut r = Region::new();
    let a = r.l1a.p();
    let key = r.fresh_key();
    let o = open_account(
        &r.store,
        &a,
        OpenRequest {
            role: Role::Admin(2),
            jurisdiction: j("3301"),
            public_key: Some(pk(&key)),
            label: "Hangzhou".into(),
        },
        T0,
        &r.rng,
    )
    .unwrap();
    assert_eq!(o.log.len(), 1);
    let e = &o.log[0];
    assert_eq!(e.kind, EntryKind::RosterChange);
    assert_eq!(e.actor, Some(Role::Admin(1)));
    assert_eq!(e.actor_kid, r.l1a.account.kid());
    assert_eq!(e.jurisdiction, Some(j("33")));
    assert_eq!(
        e.commitment,
        Some(ops::account_action_commitment(
            ops::AccountOp::Open,
            Some(&a.account),
            &o.account,
            T0
        ))
    );
    // The encoded entry holds neither the label nor the token.
    let bytes = hcx_protocol::cbor::to_canonical(e);
    assert!(!contains(&bytes, b"Hangzhou"));
    assert!(!contains(&bytes, o.token.as_bytes()));
}

fn arb_account() -> impl Strategy<Value = Account> {
    (
        any::<[u8; 8]>(),
        0u64..=10,
        prop::sample::select(vec!["33", "3301", "330102", "330102001"]),
        prop::option::of(any::<[u8; 4]>()),
        prop::option::of(any::<u8>()),
        0u8..3,
        any::<u64>(),
        "[a-zA-Z0-9 ]{1,64}",
        (
            prop::option::of(any::<u64>()),
            prop::option::of(any::<u64>()),
        ),
        any::<[u8; 32]>(),
    )
        .prop_map(
            |(id, kind, jur, by, key, st, at, label, (act, del), th)| Account {
                id: AccountId(format!("acc_{}", hex::encode(id))),
                kind: Role::from_code(kind).map_or(PrincipalKind::Holder, PrincipalKind::Staff),
                jurisdiction: j(jur),
                created_by: by.map(|b| AccountId(format!("acc_{}", hex::encode(b)))),
                public_key: key.map(|s| pk(&signer(s))),
                state: [
                    AccountState::PendingReview,
                    AccountState::Active,
                    AccountState::Deleted,
                ][usize::from(st)],
                created_at: at,
                last_used_at: None,
                label,
                reviewed_by: None,
                activated_at: act,
                deleted_at: del,
                token_hash: th,
            },
        )
}

proptest! {
    #[test]
    fn account_record_round_trips(a in arb_account()) {
        let bytes = encode_account(&a);
        let back = decode_account(&bytes).unwrap();
        prop_assert_eq!(&back, &a);
        prop_assert_eq!(encode_account(&back), bytes);
    }

    #[test]
    fn garbage_records_are_refused_not_panicked(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_account(&bytes);
    }
}
