//! Tests of the vault with a real sled store and key file in a temporary DIR, including
//! the required test: after shredding, no raw file under DIR contains the
//! shredded holder's plaintext canaries, the destroyed epoch key or the shredded data key.

use std::path::Path;

use ring::rand::SystemRandom;

use super::keyfile::KeySet;
use super::{SealedRecord, Vault, VaultError, unwrap_dek};
use crate::store::{Batch, SledStore, Store, StoreError, Tree};

struct Region {
    dir: tempfile::TempDir,
    store: SledStore,
    vault: Vault,
}

fn region() -> Region {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path().join("store")).unwrap();
    let vault = Vault::open_or_create(
        dir.path().join("keys").join("vault.keys"),
        SystemRandom::new(),
    )
    .unwrap();
    Region { dir, store, vault }
}

const AAD: &[u8] = b"holder-record-v1";

/// Plaintext with canaries: a name and a GB 11643 ID number unique to `tag`.
fn person(tag: &str) -> (Vec<u8>, [String; 2]) {
    let name = format!("CANARY-NAME-7f3a-{tag}");
    let id = format!("33010619900101{tag}X");
    let plain = format!("{{\"name\":\"{name}\",\"id\":\"{id}\",\"phone\":\"13800000000\"}}");
    (plain.into_bytes(), [name, id])
}

/// Every byte of every file under `dir`, recursively.
fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let names: Vec<&String> = out.iter().map(|(p, _)| p).collect();
    assert!(
        names.iter().any(|p| p.ends_with("vault.keys")) && names.iter().any(|p| p.ends_with("db")),
        "expected the store and key files, found {names:?}"
    );
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_absent(dir: &Path, needle: &[u8], what: &str) {
    for (path, bytes) in all_files(dir) {
        assert!(!contains(&bytes, needle), "{what} found in {path}");
    }
}

fn epoch_key(vault: &Vault, epoch: u64) -> [u8; 32] {
    vault.read_keys().get(epoch).unwrap().key
}

fn dek_of(vault: &Vault, store: &dyn Store, holder: &[u8]) -> [u8; 32] {
    let record = vault.load_holder(store, holder).unwrap().unwrap();
    let keys = vault.read_keys();
    unwrap_dek(keys.get(record.epoch).unwrap(), holder, &record).unwrap()
}

#[test]
fn seal_and_open_round_trip_and_bindings() {
    let r = region();
    let (plain, _) = person("0001");
    let rec = r.vault.seal_holder(b"h1", AAD, &plain).unwrap();
    assert_eq!(r.vault.open_holder(b"h1", &rec, AAD).unwrap(), plain);
    let parsed = SealedRecord::from_bytes(&rec.to_bytes()).unwrap();
    assert_eq!(parsed, rec);
    // Another holder, other associated data or a flipped bit: refused.
    assert!(matches!(
        r.vault.open_holder(b"h2", &rec, AAD),
        Err(VaultError::Unauthentic)
    ));
    assert!(matches!(
        r.vault.open_holder(b"h1", &rec, b"other"),
        Err(VaultError::Unauthentic)
    ));
    let mut bad = rec.clone();
    if let Some(b) = bad.ciphertext.first_mut() {
        *b ^= 1;
    }
    assert!(matches!(
        r.vault.open_holder(b"h1", &bad, AAD),
        Err(VaultError::Unauthentic)
    ));
    assert!(SealedRecord::from_bytes(&rec.to_bytes()[..20]).is_err());
    assert!(matches!(
        r.vault.seal_holder(b"", AAD, &plain),
        Err(VaultError::BadHolderId { .. })
    ));
}

#[test]
fn key_file_is_private_and_survives_reopen() {
    let r = region();
    let path = r.vault.path().to_path_buf();
    r.vault.put_holder(&r.store, b"h1", AAD, b"data").unwrap();
    let e2 = r.vault.rotate().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = Vault::open_or_create(&path, SystemRandom::new()).unwrap();
    assert_eq!(again.current_epoch(), Some(e2));
    assert_eq!(
        again.read_holder(&r.store, b"h1", AAD).unwrap(),
        Some(b"data".to_vec())
    );
    // A damaged key file is refused, not replaced.
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        Vault::open_or_create(&path, SystemRandom::new()),
        Err(VaultError::KeyFile { .. })
    ));
    assert!(KeySet::decode(&path, b"short").is_err());
}

#[test]
fn staging_under_a_retired_epoch_conflicts() {
    let r = region();
    let e1 = r.vault.current_epoch().unwrap();
    r.vault.put_holder(&r.store, b"victim", AAD, b"x").unwrap();
    // A record sealed under e1 before the shred, committed after it started.
    let straggler = r.vault.seal_holder(b"late", AAD, b"y").unwrap();
    let mut batch = Batch::new();
    r.vault
        .stage_holder(&r.store, &mut batch, b"late", &straggler)
        .unwrap();
    r.vault.shred_holder(&r.store, b"victim").unwrap();
    assert!(!r.vault.epochs().contains(&e1));
    assert!(matches!(
        r.store.apply(batch),
        Err(StoreError::Conflict { .. })
    ));
    // Staging it again is refused up front: its epoch key is gone.
    let mut batch = Batch::new();
    assert!(matches!(
        r.vault
            .stage_holder(&r.store, &mut batch, b"late", &straggler),
        Err(VaultError::Destroyed { .. })
    ));
}

#[test]
fn updating_a_holder_moves_it_to_the_current_epoch() {
    let r = region();
    r.vault.put_holder(&r.store, b"h", AAD, b"v1").unwrap();
    let e2 = r.vault.rotate().unwrap();
    r.vault.put_holder(&r.store, b"h", AAD, b"v2").unwrap();
    assert_eq!(
        r.vault.load_holder(&r.store, b"h").unwrap().unwrap().epoch,
        e2
    );
    assert_eq!(
        r.store
            .scan(Tree::Holders, b"v/e/", None, 10)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        r.vault.read_holder(&r.store, b"h", AAD).unwrap(),
        Some(b"v2".to_vec())
    );
}

/// The test: shred one holder, then grep every raw file under DIR.
#[test]
fn shredding_a_holder_leaves_no_trace_under_dir() {
    let r = region();
    let e1 = r.vault.current_epoch().unwrap();
    let people: Vec<(Vec<u8>, Vec<u8>, [String; 2])> = ["0001", "0002", "0003", "0004"]
        .iter()
        .map(|t| {
            let (plain, canaries) = person(t);
            (format!("holder-{t}").into_bytes(), plain, canaries)
        })
        .collect();
    for (i, (id, plain, _)) in people.iter().enumerate() {
        if i == 3 {
            r.vault.rotate().unwrap(); // the last holder lives in another epoch
        }
        r.vault.put_holder(&r.store, id, AAD, plain).unwrap();
    }
    // Positive control: a plaintext written to the store is found by the same scan.
    let mut control = Batch::new();
    control.put(
        Tree::Codes,
        b"control".to_vec(),
        b"CANARY-CONTROL-51c2".to_vec(),
    );
    r.store.commit(control).unwrap();
    r.store.flush().unwrap();
    assert!(
        all_files(r.dir.path())
            .iter()
            .any(|(_, bytes)| contains(bytes, b"CANARY-CONTROL-51c2")),
        "the raw-file scan must see what the store wrote"
    );
    let victim = &people[0];
    let victim_dek = dek_of(&r.vault, &r.store, &victim.0);
    let e1_key = epoch_key(&r.vault, e1);

    // Before shredding: sealed, so no canary is in any file; data keys never are.
    for (id, _, canaries) in &people {
        for c in canaries {
            assert_absent(r.dir.path(), c.as_bytes(), "canary before shredding");
        }
        assert_absent(r.dir.path(), &dek_of(&r.vault, &r.store, id), "a data key");
    }

    let report = r.vault.shred_holder(&r.store, &victim.0).unwrap();
    assert_eq!(report.destroyed, vec![e1]);
    assert_eq!(report.rewrapped, 2);
    assert_eq!(report.deleted, 1);
    r.store.flush().unwrap();

    for c in &victim.2 {
        assert_absent(r.dir.path(), c.as_bytes(), "shredded canary");
    }
    assert_absent(r.dir.path(), &e1_key, "the destroyed epoch key");
    assert_absent(r.dir.path(), &victim_dek, "the shredded data key");
    assert!(r.vault.load_holder(&r.store, &victim.0).unwrap().is_none());

    // Survivors decrypt, also after reopening the store and the vault from disk.
    let path = r.vault.path().to_path_buf();
    let store_path = r.dir.path().join("store");
    drop(r.store);
    let store = SledStore::open(&store_path).unwrap();
    let vault = Vault::open_or_create(&path, SystemRandom::new()).unwrap();
    assert!(!vault.epochs().contains(&e1));
    for (id, plain, _) in &people[1..] {
        assert_eq!(
            vault.read_holder(&store, id, AAD).unwrap().as_ref(),
            Some(plain)
        );
    }
}

/// The test, sunset variant: shred everything, then grep every raw file.
#[test]
fn shredding_everything_leaves_no_trace_under_dir() {
    let r = region();
    let mut secrets = Vec::new();
    for (i, t) in ["0101", "0102", "0103"].iter().enumerate() {
        if i > 0 {
            r.vault.rotate().unwrap();
        }
        let (plain, canaries) = person(t);
        let id = format!("holder-{t}").into_bytes();
        r.vault.put_holder(&r.store, &id, AAD, &plain).unwrap();
        secrets.push((id, canaries));
    }
    let records: Vec<SealedRecord> = secrets
        .iter()
        .map(|(id, _)| r.vault.load_holder(&r.store, id).unwrap().unwrap())
        .collect();
    let keys: Vec<[u8; 32]> = r
        .vault
        .epochs()
        .iter()
        .map(|e| epoch_key(&r.vault, *e))
        .collect();
    let deks: Vec<[u8; 32]> = secrets
        .iter()
        .map(|(id, _)| dek_of(&r.vault, &r.store, id))
        .collect();
    assert_eq!(keys.len(), 3);

    let report = r.vault.shred_all(&r.store).unwrap();
    assert_eq!(report.destroyed.len(), 3);
    assert_eq!(report.deleted, 3);
    assert_eq!(report.current, None);
    r.store.flush().unwrap();

    for (_, canaries) in &secrets {
        for c in canaries {
            assert_absent(r.dir.path(), c.as_bytes(), "canary after sunset");
        }
    }
    for k in keys.iter().chain(deks.iter()) {
        assert_absent(r.dir.path(), k, "key material after sunset");
    }
    assert_eq!(r.store.scan(Tree::Holders, b"", None, 10).unwrap(), vec![]);
    // Records kept elsewhere (a copy taken before) no longer open.
    for ((id, _), rec) in secrets.iter().zip(&records) {
        assert!(matches!(
            r.vault.open_holder(id, rec, AAD),
            Err(VaultError::Destroyed { .. })
        ));
    }
    assert!(matches!(
        r.vault.seal_holder(b"new", AAD, b"x"),
        Err(VaultError::NoEpoch)
    ));
}

#[test]
fn shredding_an_epoch_destroys_only_that_epoch() {
    let r = region();
    let e1 = r.vault.current_epoch().unwrap();
    r.vault
        .put_holder(&r.store, b"old", AAD, b"old data")
        .unwrap();
    let e2 = r.vault.rotate().unwrap();
    r.vault
        .put_holder(&r.store, b"new", AAD, b"new data")
        .unwrap();
    let old_rec = r.vault.load_holder(&r.store, b"old").unwrap().unwrap();
    let report = r.vault.shred_epoch(&r.store, e1).unwrap();
    assert_eq!(report.destroyed, vec![e1]);
    assert_eq!(report.deleted, 1);
    assert_eq!(report.current, Some(e2));
    assert!(r.vault.load_holder(&r.store, b"old").unwrap().is_none());
    assert!(matches!(
        r.vault.open_holder(b"old", &old_rec, AAD),
        Err(VaultError::Destroyed { .. })
    ));
    assert_eq!(
        r.vault.read_holder(&r.store, b"new", AAD).unwrap(),
        Some(b"new data".to_vec())
    );
    // Shredding the current epoch starts a new one first.
    let report = r.vault.shred_epoch(&r.store, e2).unwrap();
    assert_eq!(report.destroyed, vec![e2]);
    let e3 = report.current.unwrap();
    assert!(e3 > e2);
    r.vault.put_holder(&r.store, b"next", AAD, b"z").unwrap();
}

#[test]
fn recover_finishes_an_interrupted_retirement() {
    let r = region();
    let e1 = r.vault.current_epoch().unwrap();
    r.vault.put_holder(&r.store, b"a", AAD, b"A").unwrap();
    r.vault.put_holder(&r.store, b"b", AAD, b"B").unwrap();
    // Simulate a crash right after the key file recorded the retirement.
    let successor = r.vault.begin_retirement(e1).unwrap().unwrap();
    let path = r.vault.path().to_path_buf();
    let vault = Vault::open_or_create(&path, SystemRandom::new()).unwrap();
    assert_eq!(vault.epochs(), vec![e1, successor]);
    let report = vault.recover(&r.store).unwrap();
    assert_eq!(report.destroyed, vec![e1]);
    assert_eq!(report.rewrapped, 2);
    assert_eq!(vault.epochs(), vec![successor]);
    for (id, v) in [(b"a", b"A"), (b"b", b"B")] {
        assert_eq!(
            vault.read_holder(&r.store, id, AAD).unwrap(),
            Some(v.to_vec())
        );
    }
}
