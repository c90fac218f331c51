//! Tests of the sled store: guarded atomic batches, multi-tree batches, scan paging,
//! reopening the same directory, group commit under many writers. Real sled databases in
//! temporary directories.

use std::sync::Arc;

use super::{Batch, SledStore, Store, StoreError, Tree};

fn open_temp() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path().join("store")).unwrap();
    (dir, store)
}

#[test]
fn failing_guard_writes_nothing() {
    let (_dir, store) = open_temp();
    let mut b = Batch::new();
    b.put(Tree::Codes, b"c1".to_vec(), b"v1".to_vec());
    store.commit(b).unwrap();
    let before = store.digest().unwrap();

    let mut b = Batch::new();
    b.put(Tree::Codes, b"c2".to_vec(), b"v2".to_vec())
        .put(Tree::Holders, b"h1".to_vec(), b"x".to_vec())
        .delete(Tree::Codes, b"c1".to_vec())
        .expect(Tree::Meta, b"size".to_vec(), Some(b"7".to_vec()));
    let err = store.apply(b).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { tree: Tree::Meta }),
        "{err:?}"
    );
    assert_eq!(store.digest().unwrap(), before);
    assert_eq!(store.get(Tree::Codes, b"c1").unwrap(), Some(b"v1".to_vec()));
    assert_eq!(store.get(Tree::Codes, b"c2").unwrap(), None);
    assert_eq!(store.count(Tree::Holders).unwrap(), 0);
}

#[test]
fn guards_on_absence_and_value() {
    let (_dir, store) = open_temp();
    let mut b = Batch::new();
    b.expect(Tree::Accounts, b"a".to_vec(), None)
        .put(Tree::Accounts, b"a".to_vec(), b"1".to_vec());
    store.commit(b.clone()).unwrap();
    // The same create again conflicts: the key is no longer absent.
    assert!(matches!(
        store.apply(b),
        Err(StoreError::Conflict {
            tree: Tree::Accounts
        })
    ));
    let mut b = Batch::new();
    b.expect(Tree::Accounts, b"a".to_vec(), Some(b"1".to_vec()))
        .put(Tree::Accounts, b"a".to_vec(), b"2".to_vec());
    store.commit(b).unwrap();
    assert_eq!(
        store.get(Tree::Accounts, b"a").unwrap(),
        Some(b"2".to_vec())
    );
}

#[test]
fn multi_tree_batch_is_applied_whole_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let store = SledStore::open(&path).unwrap();
        let mut b = Batch::new();
        for (i, tree) in Tree::ALL.iter().enumerate() {
            b.put(*tree, vec![i as u8], vec![i as u8; 3]);
        }
        b.delete(Tree::Meta, vec![0xff]);
        store.commit(b).unwrap();
    }
    let store = SledStore::open(&path).unwrap();
    for (i, tree) in Tree::ALL.iter().enumerate() {
        assert_eq!(
            store.get(*tree, &[i as u8]).unwrap(),
            Some(vec![i as u8; 3])
        );
        assert_eq!(store.count(*tree).unwrap(), 1);
    }
}

#[test]
fn scan_pages_by_prefix_and_cursor() {
    let (_dir, store) = open_temp();
    let mut b = Batch::new();
    for i in 0u32..25 {
        b.put(
            Tree::Evidence,
            [b"p/".as_slice(), &i.to_be_bytes()].concat(),
            vec![1],
        );
    }
    b.put(Tree::Evidence, b"o/x".to_vec(), vec![2]);
    b.put(Tree::Evidence, b"q/x".to_vec(), vec![3]);
    store.commit(b).unwrap();

    let mut seen = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = store
            .scan(Tree::Evidence, b"p/", after.as_deref(), 10)
            .unwrap();
        assert!(page.len() <= 10);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|(k, _)| k.clone());
        seen.extend(page.into_iter().map(|(k, _)| k));
    }
    let want: Vec<Vec<u8>> = (0u32..25)
        .map(|i| [b"p/".as_slice(), &i.to_be_bytes()].concat())
        .collect();
    assert_eq!(seen, want);
    // A cursor before the prefix starts at the prefix; an empty prefix sees everything.
    assert_eq!(
        store
            .scan(Tree::Evidence, b"p/", Some(b"a"), 100)
            .unwrap()
            .len(),
        25
    );
    assert_eq!(
        store.scan(Tree::Evidence, b"", None, 100).unwrap().len(),
        27
    );
    assert!(
        store
            .scan(Tree::Evidence, b"p/", None, 0)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn reopen_after_drop_many_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    for i in 0u64..30 {
        let store = SledStore::open(&path).unwrap();
        assert_eq!(store.count(Tree::Counters).unwrap(), i);
        let mut b = Batch::new();
        b.put(Tree::Counters, i.to_be_bytes().to_vec(), b"x".to_vec());
        store.commit(b).unwrap();
        drop(store);
    }
}

#[test]
fn second_open_while_held_reports_locked() {
    let (dir, _store) = open_temp();
    let err = SledStore::open(dir.path().join("store")).unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
}

#[test]
fn a_file_instead_of_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    std::fs::write(&path, b"not a store").unwrap();
    let err = SledStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
}

#[test]
fn damaged_files_are_refused_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    {
        let store = SledStore::open(&path).unwrap();
        let mut b = Batch::new();
        b.put(Tree::Codes, b"k".to_vec(), vec![7; 4096]);
        store.commit(b).unwrap();
    }
    // Overwrite the config file sled checks on open with garbage.
    std::fs::write(path.join("conf"), b"garbage garbage garbage").unwrap();
    let err = SledStore::open(&path).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { .. } | StoreError::Io(_)),
        "{err:?}"
    );
}

#[test]
fn group_commit_shares_flushes() {
    let (_dir, store) = open_temp();
    let store = Arc::new(store);
    let writers = 32u64;
    let per_writer = 20u64;
    let barrier = Arc::new(std::sync::Barrier::new(writers as usize));
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                for i in 0..per_writer {
                    let mut b = Batch::new();
                    b.put(
                        Tree::Codes,
                        [w.to_be_bytes(), i.to_be_bytes()].concat(),
                        vec![1],
                    );
                    store.commit(b).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.count(Tree::Codes).unwrap(), writers * per_writer);
    let flushes = store.flush_count();
    assert!(flushes >= 1);
    assert!(
        flushes < writers * per_writer,
        "{flushes} flushes for {} commits",
        writers * per_writer
    );
}

#[test]
fn wait_durable_on_an_old_ticket_returns_without_flushing() {
    let (_dir, store) = open_temp();
    let mut b = Batch::new();
    b.put(Tree::Meta, b"a".to_vec(), b"1".to_vec());
    let t = store.commit(b).unwrap();
    let flushes = store.flush_count();
    store.wait_durable(t).unwrap();
    assert_eq!(store.flush_count(), flushes);
}

#[test]
fn digest_depends_on_tree_key_and_value() {
    let (_d1, a) = open_temp();
    let (_d2, b) = open_temp();
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
    let mut x = Batch::new();
    x.put(Tree::Codes, b"k".to_vec(), b"v".to_vec());
    a.commit(x).unwrap();
    let mut y = Batch::new();
    y.put(Tree::Evidence, b"k".to_vec(), b"v".to_vec());
    b.commit(y).unwrap();
    assert_ne!(a.digest().unwrap(), b.digest().unwrap());
}
