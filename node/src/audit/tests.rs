//! Tests of the audit log on a real sled store: roots and proofs against
//! `hcx_protocol::merkle::MemoryTree`, atomicity with the recorded action, restart,
//! concurrent appenders and a proptest of interleaved appends.

use std::sync::Arc;

use hcx_protocol::merkle::{self, MemoryTree};
use hcx_protocol::wire::{EntryKind, LogEntry, WireMessage};
use proptest::prelude::*;

use super::{AuditError, AuditLog};
use crate::store::{Batch, SledStore, Store, StoreError, Tree};

pub(super) fn entry(n: u64) -> LogEntry {
    LogEntry {
        kind: EntryKind::Issuance,
        time: 1_700_000_000 + n,
        actor: None,
        actor_kid: None,
        jurisdiction: None,
        message: None,
        code: None,
        rule: None,
        commitment: None,
    }
}

fn open_temp() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path().join("store")).unwrap();
    (dir, store)
}

fn action(n: u64) -> Batch {
    let mut b = Batch::new();
    b.put(Tree::Codes, n.to_be_bytes().to_vec(), b"code".to_vec());
    b
}

/// Checks every root, a spread of inclusion proofs and every consistency proof up to
/// `size` against the in-memory tree.
fn check_against_memory(log: &AuditLog, store: &dyn Store, mem: &MemoryTree) {
    let size = merkle::LeafHashes::size(mem);
    assert_eq!(log.size(store).unwrap(), size);
    assert_eq!(log.root(store).unwrap(), mem.root());
    for s in 1..=size {
        let root = merkle::root(mem, s).unwrap();
        assert_eq!(log.root_at(store, s).unwrap(), root, "root at {s}");
        for i in [0, s / 2, s - 1] {
            let proof = log.inclusion_proof(store, i, s).unwrap();
            assert_eq!(proof, merkle::inclusion_proof(mem, i, s).unwrap());
            let leaf = merkle::LeafHashes::leaf_hash(mem, i).unwrap();
            merkle::verify_inclusion(i, s, &leaf, &proof, &root).unwrap();
        }
        for old in 1..=s {
            let proof = log.consistency_proof(store, old, s).unwrap();
            assert_eq!(proof, merkle::consistency_proof(mem, old, s).unwrap());
        }
    }
}

#[test]
fn roots_and_proofs_match_memory_tree() {
    let (_dir, store) = open_temp();
    let log = AuditLog::new();
    let mut mem = MemoryTree::new();
    let mut n = 0u64;
    // Commits of 1, 2, 3, ... entries: sizes cross many power-of-two boundaries.
    for batch_len in [1usize, 1, 2, 3, 1, 5, 8, 1, 13, 2, 7, 21] {
        let entries: Vec<LogEntry> = (0..batch_len)
            .map(|_| {
                n += 1;
                entry(n)
            })
            .collect();
        let before = log.size(&store).unwrap();
        let receipt = log.commit(&store, action(n), &entries).unwrap();
        for e in &entries {
            mem.push_leaf(&e.to_bytes());
        }
        assert_eq!(receipt.first_index, before);
        assert_eq!(receipt.size, before + batch_len as u64);
        assert_eq!(receipt.root, mem.root());
        check_against_memory(&log, &store, &mem);
    }
    assert_eq!(log.entry(&store, 0).unwrap(), Some(entry(1)));
    assert_eq!(log.entry(&store, n).unwrap(), None);
}

#[test]
fn entries_page_with_a_cursor() {
    let (_dir, store) = open_temp();
    let log = AuditLog::new();
    let all: Vec<LogEntry> = (0..23).map(entry).collect();
    log.commit(&store, Batch::new(), &all).unwrap();
    let mut got = Vec::new();
    let mut after = None;
    loop {
        let page = log.entries(&store, after, 5).unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|(i, _)| *i);
        got.extend(page);
    }
    let want: Vec<(u64, LogEntry)> = all
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i as u64, e))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_conflicting_append_writes_neither_action_nor_entry() {
    let (_dir, store) = open_temp();
    let log = AuditLog::new();
    log.commit(&store, action(1), &[entry(1)]).unwrap();
    let root = log.root(&store).unwrap();
    let digest = store.digest().unwrap();

    let mut b = action(2);
    b.expect(Tree::Accounts, b"someone".to_vec(), Some(b"else".to_vec()));
    let err = log.commit(&store, b, &[entry(2), entry(3)]).unwrap_err();
    assert!(
        matches!(
            err,
            AuditError::Store(StoreError::Conflict {
                tree: Tree::Accounts
            })
        ),
        "{err:?}"
    );
    assert_eq!(store.digest().unwrap(), digest);
    assert_eq!(log.size(&store).unwrap(), 1);
    assert_eq!(log.root(&store).unwrap(), root);
    assert_eq!(store.get(Tree::Codes, &2u64.to_be_bytes()).unwrap(), None);
}

#[test]
fn invalid_or_missing_entries_are_refused_before_writing() {
    let (_dir, store) = open_temp();
    let log = AuditLog::new();
    let digest = store.digest().unwrap();
    assert!(matches!(
        log.commit(&store, action(1), &[]),
        Err(AuditError::NoEntries)
    ));
    // A `Sent` entry must reference a message.
    let mut bad = entry(1);
    bad.kind = EntryKind::Sent;
    assert!(matches!(
        log.commit(&store, action(1), &[entry(0), bad]),
        Err(AuditError::InvalidEntry { position: 1, .. })
    ));
    assert_eq!(store.digest().unwrap(), digest);
}

#[test]
fn proofs_refuse_sizes_beyond_the_log() {
    let (_dir, store) = open_temp();
    let log = AuditLog::new();
    assert_eq!(log.root(&store).unwrap(), merkle::EMPTY_ROOT);
    log.commit(&store, Batch::new(), &[entry(1), entry(2)])
        .unwrap();
    assert!(matches!(
        log.inclusion_proof(&store, 2, 2),
        Err(AuditError::Proof(_))
    ));
    assert!(matches!(
        log.consistency_proof(&store, 1, 3),
        Err(AuditError::Proof(_))
    ));
    assert!(matches!(
        log.consistency_proof(&store, 0, 2),
        Err(AuditError::Proof(_))
    ));
    assert!(matches!(log.root_at(&store, 3), Err(AuditError::Proof(_))));
}

#[test]
fn restart_keeps_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let mut mem = MemoryTree::new();
    for round in 0u64..4 {
        let store = SledStore::open(&path).unwrap();
        let log = AuditLog::new();
        assert_eq!(log.root(&store).unwrap(), mem.root());
        let entries: Vec<LogEntry> = (0..5).map(|i| entry(round * 10 + i)).collect();
        log.commit(&store, action(round), &entries).unwrap();
        for e in &entries {
            mem.push_leaf(&e.to_bytes());
        }
        check_against_memory(&log, &store, &mem);
    }
}

#[test]
fn concurrent_appenders_build_one_consistent_tree() {
    let (_dir, store) = open_temp();
    let store = Arc::new(store);
    let log = Arc::new(AuditLog::new());
    let handles: Vec<_> = (0u64..8)
        .map(|t| {
            let (store, log) = (Arc::clone(&store), Arc::clone(&log));
            std::thread::spawn(move || {
                for i in 0..25 {
                    let n = t * 1000 + i;
                    log.commit(store.as_ref(), action(n), &[entry(n)]).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let entries = log.entries(store.as_ref(), None, 1000).unwrap();
    assert_eq!(entries.len(), 200);
    let mem = MemoryTree::from_leaf_hashes(
        entries
            .iter()
            .map(|(_, e)| merkle::leaf_hash(&e.to_bytes())),
    );
    assert_eq!(log.root(store.as_ref()).unwrap(), mem.root());
    assert_eq!(store.count(Tree::Codes).unwrap(), 200);
    assert!(store.flush_count() <= 200);
}

/// Many threads committing disjoint batches of one or more entries: every commit
/// succeeds, each receipt's range and root match the in-memory tree rebuilt from the
/// stored entries, and every action is stored.
#[test]
fn many_disjoint_committers_all_succeed_with_a_correct_tree() {
    let (_dir, store) = open_temp();
    let store = Arc::new(store);
    let log = Arc::new(AuditLog::new());
    let handles: Vec<_> = (0u64..16)
        .map(|t| {
            let (store, log) = (Arc::clone(&store), Arc::clone(&log));
            std::thread::spawn(move || {
                let mut receipts = Vec::new();
                for i in 0..40 {
                    let n = t * 1000 + i;
                    let entries: Vec<LogEntry> =
                        (0..1 + n % 3).map(|k| entry(n * 10 + k)).collect();
                    let r = log.commit(store.as_ref(), action(n), &entries).unwrap();
                    receipts.push((r, entries));
                }
                receipts
            })
        })
        .collect();
    let receipts: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let stored = log.entries(store.as_ref(), None, 10_000).unwrap();
    let mem =
        MemoryTree::from_leaf_hashes(stored.iter().map(|(_, e)| merkle::leaf_hash(&e.to_bytes())));
    let total: u64 = receipts.iter().map(|(_, e)| e.len() as u64).sum();
    assert_eq!(stored.len() as u64, total);
    assert_eq!(log.root(store.as_ref()).unwrap(), mem.root());
    for (r, entries) in &receipts {
        assert_eq!(r.size, r.first_index + entries.len() as u64);
        assert_eq!(r.root, merkle::root(&mem, r.size).unwrap());
        for (k, e) in entries.iter().enumerate() {
            assert_eq!(&stored[(r.first_index as usize) + k].1, e);
        }
    }
    assert_eq!(store.count(Tree::Codes).unwrap(), 16 * 40);
    for (r, _) in receipts.iter().step_by(37) {
        let (i, n) = (r.first_index, r.size);
        assert_eq!(
            log.inclusion_proof(store.as_ref(), i, n).unwrap(),
            merkle::inclusion_proof(&mem, i, n).unwrap()
        );
        assert_eq!(
            log.consistency_proof(store.as_ref(), n, total).unwrap(),
            merkle::consistency_proof(&mem, n, total).unwrap()
        );
    }
}

/// Two concurrent commits guarding the same key (each expects it absent and sets it):
/// exactly one wins, the other gets `Conflict`, and nothing of the loser is written.
/// Repeated so that both commits often meet in one leader's queue.
#[test]
fn same_guard_key_exactly_one_wins() {
    let (_dir, store) = open_temp();
    let store = Arc::new(store);
    let log = Arc::new(AuditLog::new());
    for round in 0u64..60 {
        let key = format!("k{round}").into_bytes();
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = (0u64..2)
            .map(|t| {
                let (store, log, barrier, key) = (
                    Arc::clone(&store),
                    Arc::clone(&log),
                    Arc::clone(&barrier),
                    key.clone(),
                );
                std::thread::spawn(move || {
                    let n = round * 10 + t;
                    let mut b = action(n);
                    b.expect(Tree::Accounts, key.clone(), None);
                    b.put(Tree::Accounts, key, n.to_be_bytes().to_vec());
                    barrier.wait();
                    (n, log.commit(store.as_ref(), b, &[entry(n)]))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<u64> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let (loser, err) = results.iter().find(|(_, r)| r.is_err()).unwrap();
        assert!(
            matches!(
                err,
                Err(AuditError::Store(StoreError::Conflict {
                    tree: Tree::Accounts
                }))
            ),
            "{err:?}"
        );
        assert_eq!(
            store.get(Tree::Accounts, &key).unwrap(),
            Some(winners[0].to_be_bytes().to_vec())
        );
        assert_eq!(store.get(Tree::Codes, &loser.to_be_bytes()).unwrap(), None);
        assert!(
            store
                .get(Tree::Codes, &winners[0].to_be_bytes())
                .unwrap()
                .is_some()
        );
        assert_eq!(log.size(store.as_ref()).unwrap(), round + 1);
        let last = log.entry(store.as_ref(), round).unwrap().unwrap();
        assert_eq!(last, entry(winners[0]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Interleaved commits of varying sizes, with reads between them, keep the stored
    /// root equal to the in-memory tree's.
    #[test]
    fn interleaved_appends_keep_root_equal(
        ops in proptest::collection::vec((1usize..9, any::<bool>()), 1..20)
    ) {
        let (_dir, store) = open_temp();
        let log = AuditLog::new();
        let mut mem = MemoryTree::new();
        let mut n = 0u64;
        for (len, check_proof) in ops {
            let entries: Vec<LogEntry> = (0..len).map(|_| { n += 1; entry(n) }).collect();
            let receipt = log.commit(&store, action(n), &entries).unwrap();
            for e in &entries {
                mem.push_leaf(&e.to_bytes());
            }
            prop_assert_eq!(receipt.root, mem.root());
            prop_assert_eq!(log.root(&store).unwrap(), mem.root());
            if check_proof {
                let size = receipt.size;
                let index = n % size;
                prop_assert_eq!(
                    log.inclusion_proof(&store, index, size).unwrap(),
                    merkle::inclusion_proof(&mem, index, size).unwrap()
                );
                let old = 1 + n % size;
                prop_assert_eq!(
                    log.consistency_proof(&store, old, size).unwrap(),
                    merkle::consistency_proof(&mem, old, size).unwrap()
                );
            }
        }
    }
}
