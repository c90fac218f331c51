//! Tests of the audit log on a real sled store: roots and proofs against
//! `hcx_protocol::merkle::MemoryTree`, atomicity with the recorded action, restart,
//! concurrent appenders and a proptest of interleaved appends.

use std::sync::Arc;

use hcx_protocol::merkle::{self, MemoryTree};
use hcx_protocol::wire::{EntryKind, LogEntry, WireMessage};
use proptest::prelude::*;

use super::{AuditError, AuditLog};
use crate::store::{Batch, SledStore, Store, StoreError, Tree};

fn entry(n: u64) -> LogEntry {
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
