//! The personal-data vault: holders' real-name data encrypted at rest (ring
//! AES-256-GCM) under a fresh **data key per holder record**, each data key wrapped by an
//! **epoch key** kept in a small key file outside sled ([`keyfile`]: `DIR/keys/vault.keys`,
//! 0600, replaced atomically). Destroying a holder or an epoch really destroys the data.
//!
//! **Owns:** sealing and opening holder records, the `v/` keys of [`Tree::Holders`], the
//! `vault/` keys of [`Tree::Meta`], epoch rotation and crypto-shredding.
//! **Does not own:** what the plaintext is (the holder module encodes it), audit entries
//! for shredding (the caller logs a `Destruction` entry with [`ShredReport::destroyed`]).
//!
//! ## Why destruction is real
//! sled keeps old segments on disk, so anything once written to the store may still be
//! read from its files: deleting a record is not destruction. What is never written to
//! the store is key material: data keys appear in sled only wrapped, epoch keys only in
//! the key file. A record is gone for good once the epoch key that wrapped its data key
//! is gone from the key file, whatever copies sled still holds.
//!
//! ## Design choice: per-holder data keys, wrapped by rotating epoch keys
//! To destroy one holder, [`Vault::shred_holder`] deletes the record and **retires its
//! epoch**: a new epoch key is added (it becomes current if the old one was), every
//! *other* record of the old epoch has its data key re-wrapped under the new key (the
//! data itself is not re-encrypted), and then the old epoch key is removed from the key
//! file. The shredded holder's wrapped data key survives only under the destroyed key.
//!
//! The cost of shredding one holder is therefore one AES-GCM unwrap + wrap of 32 bytes
//! and one store write per holder **of the same epoch**, plus two key-file rewrites. The
//! node bounds that cost by starting a new epoch on a cadence ([`Vault::rotate`], e.g.
//! daily or every N registrations): with daily epochs, shredding costs about one day's
//! registrations. The alternative (every data key in the key file) makes a single
//! shred a rewrite of a file that grows with every holder (32+ bytes × 100 M people is
//! gigabytes, no longer "a small key file") and puts every key in one file; epochs keep the
//! file at 48 bytes per epoch and also give retention and sunset their unit:
//! [`Vault::shred_epoch`] destroys one epoch's records, [`Vault::shred_all`] everything.
//!
//! Residual copies outside the file system's live files (freed blocks of the replaced
//! key file, SSD remapping, backups) are outside what software can erase; deployments put
//! DIR on an encrypted volume and encrypt backups under a key that is shredded too.
//!
//! ## Store layout (in [`Tree::Holders`] and [`Tree::Meta`])
//! - `v/r/` ‖ holder id → [`SealedRecord`] bytes;
//! - `v/e/` ‖ epoch (u64 BE) ‖ holder id → empty (the epoch's index, for re-wrapping);
//! - Meta `vault/retired/` ‖ epoch → the successor epoch (u64 BE, 0 when destroyed
//!   outright). [`Vault::stage_holder`] guards on its absence, so a record sealed under an
//!   epoch that is being retired can never be committed after the re-wrap scanned it.
//!
//! ## Crash safety
//! The order is: key file with the new epoch (old one marked retiring) → store batch that
//! deletes the holder and marks the old epoch retired (durable) → re-wrap pages (durable)
//! → key file without the old epoch. A crash in between leaves both keys; [`Vault::recover`]
//! (call it at start-up) finishes every retirement.
//!
//! Associated data: a data key is wrapped with `"hcx-vault-dek-v1" ‖ epoch ‖ holder id`,
//! the data sealed with `"hcx-vault-data-v1" ‖ len(holder id) ‖ holder id ‖ caller aad`,
//! so a record moved to another holder or epoch does not open.

mod keyfile;
mod record;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::store::{Batch, Store, StoreError, Tree, WriteTicket};
use keyfile::{EpochKey, KeySet};
pub use record::SealedRecord;
use record::{NONCE_LEN, WRAPPED_DEK_LEN};

/// The longest holder id accepted.
pub const MAX_HOLDER_ID: usize = 128;

/// Records re-wrapped or deleted per store batch while retiring an epoch.
const PAGE: usize = 512;

/// How many times a step that met a concurrent writer is retried.
const RETRIES: usize = 16;

const RECORD_PREFIX: &[u8] = b"v/r/";
const INDEX_PREFIX: &[u8] = b"v/e/";
const RETIRED_PREFIX: &[u8] = b"vault/retired/";

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The key file cannot be read or written.
    #[error("vault key file {path}: {detail}")]
    Io { path: String, detail: String },
    /// The key file is damaged or not a key file.
    #[error("vault key file {path} is damaged: {detail}")]
    KeyFile { path: String, detail: String },
    /// A stored record is malformed.
    #[error("sealed record is malformed: {detail}")]
    BadRecord { detail: &'static str },
    /// The record's epoch key no longer exists: the data was destroyed.
    #[error("epoch {epoch} was destroyed; the record cannot be opened")]
    Destroyed { epoch: u64 },
    /// Authentication failed: wrong holder, wrong associated data or a tampered record.
    #[error("sealed record does not authenticate")]
    Unauthentic,
    /// There is no current epoch (after [`Vault::shred_all`]; [`Vault::rotate`] starts one).
    #[error("the vault has no current epoch")]
    NoEpoch,
    /// A holder id is empty or too long.
    #[error("holder id of {len} bytes (1..={max} allowed)")]
    BadHolderId { len: usize, max: usize },
    /// The system random generator failed.
    #[error("random generator failed")]
    Random,
    /// The store failed (a conflict means a concurrent writer; nothing was written).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Concurrent writers kept conflicting with a shred.
    #[error("shredding kept conflicting with concurrent writes")]
    Contended,
}

/// What a shred destroyed: feed [`ShredReport::destroyed`] to the `Destruction` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShredReport {
    /// Epoch ids whose keys were destroyed.
    pub destroyed: Vec<u64>,
    /// Records whose data keys were re-wrapped under a successor epoch.
    pub rewrapped: u64,
    /// Records deleted from the store.
    pub deleted: u64,
    /// The epoch new records are sealed under afterwards.
    pub current: Option<u64>,
}

/// The vault. Share it (`Arc`); sealing takes a read lock, rotation a write lock.
#[derive(Debug)]
pub struct Vault {
    path: PathBuf,
    rng: SystemRandom,
    keys: RwLock<KeySet>,
    /// Serialises rotations and shreds (each spans several store batches).
    admin: Mutex<()>,
}

fn record_key(holder_id: &[u8]) -> Vec<u8> {
    [RECORD_PREFIX, holder_id].concat()
}

fn index_prefix(epoch: u64) -> Vec<u8> {
    [INDEX_PREFIX, &epoch.to_be_bytes()].concat()
}

fn index_key(epoch: u64, holder_id: &[u8]) -> Vec<u8> {
    [INDEX_PREFIX, &epoch.to_be_bytes(), holder_id].concat()
}

fn retired_key(epoch: u64) -> Vec<u8> {
    [RETIRED_PREFIX, &epoch.to_be_bytes()].concat()
}

fn check_holder_id(holder_id: &[u8]) -> Result<(), VaultError> {
    if holder_id.is_empty() || holder_id.len() > MAX_HOLDER_ID {
        return Err(VaultError::BadHolderId {
            len: holder_id.len(),
            max: MAX_HOLDER_ID,
        });
    }
    Ok(())
}

fn dek_aad(epoch: u64, holder_id: &[u8]) -> Vec<u8> {
    [
        b"hcx-vault-dek-v1".as_slice(),
        &epoch.to_be_bytes(),
        holder_id,
    ]
    .concat()
}

fn data_aad(holder_id: &[u8], aad: &[u8]) -> Vec<u8> {
    // check_holder_id bounds the length far below u32::MAX.
    let len = u32::try_from(holder_id.len()).unwrap_or(u32::MAX);
    [
        b"hcx-vault-data-v1".as_slice(),
        &len.to_be_bytes(),
        holder_id,
        aad,
    ]
    .concat()
}

fn aead_key(bytes: &[u8; 32]) -> LessSafeKey {
    // AES-256-GCM accepts every 32-byte key.
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32-byte AES-256 key"))
}

fn wrap_dek(
    epoch: &EpochKey,
    holder_id: &[u8],
    dek: &[u8; 32],
    nonce: [u8; NONCE_LEN],
) -> Result<[u8; WRAPPED_DEK_LEN], VaultError> {
    let mut buf = dek.to_vec();
    aead_key(&epoch.key)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(dek_aad(epoch.id, holder_id)),
            &mut buf,
        )
        .map_err(|_| VaultError::Unauthentic)?;
    <[u8; WRAPPED_DEK_LEN]>::try_from(buf.as_slice()).map_err(|_| VaultError::BadRecord {
        detail: "wrapped key has the wrong length",
    })
}

fn unwrap_dek(
    epoch: &EpochKey,
    holder_id: &[u8],
    record: &SealedRecord,
) -> Result<[u8; 32], VaultError> {
    let mut buf = record.wrapped_dek.to_vec();
    let plain = aead_key(&epoch.key)
        .open_in_place(
            Nonce::assume_unique_for_key(record.wrap_nonce),
            Aad::from(dek_aad(epoch.id, holder_id)),
            &mut buf,
        )
        .map_err(|_| VaultError::Unauthentic)?;
    <[u8; 32]>::try_from(&*plain).map_err(|_| VaultError::Unauthentic)
}

impl Vault {
    /// Opens the key file at `path`, or creates it (with a first epoch) if it does not
    /// exist. The directory is created 0700, the file 0600.
    ///
    /// # Errors
    /// [`VaultError::KeyFile`] for a damaged file, [`VaultError::Io`], [`VaultError::Random`].
    pub fn open_or_create(path: impl AsRef<Path>, rng: SystemRandom) -> Result<Self, VaultError> {
        let path = path.as_ref().to_path_buf();
        let keys = if path.exists() {
            KeySet::load(&path)?
        } else {
            let mut set = KeySet {
                next_id: 1,
                ..KeySet::default()
            };
            let id = add_epoch(&mut set, &rng)?;
            set.current = Some(id);
            set.save(&path)?;
            tracing::info!(epoch = id, "vault key file created");
            set
        };
        Ok(Self {
            path,
            rng,
            keys: RwLock::new(keys),
            admin: Mutex::new(()),
        })
    }

    /// The key file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The epoch new records are sealed under.
    pub fn current_epoch(&self) -> Option<u64> {
        self.read_keys().current
    }

    /// The ids of every epoch whose key exists.
    pub fn epochs(&self) -> Vec<u64> {
        self.read_keys().epochs.iter().map(|e| e.id).collect()
    }

    fn read_keys(&self) -> RwLockReadGuard<'_, KeySet> {
        // The key set is replaced whole under the write lock; a panic elsewhere cannot
        // leave it half-updated.
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_keys(&self) -> RwLockWriteGuard<'_, KeySet> {
        self.keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Saves `next` to the key file, then makes it the in-memory key set.
    fn replace_keys(&self, next: KeySet) -> Result<(), VaultError> {
        let mut keys = self.write_keys();
        next.save(&self.path)?;
        *keys = next;
        Ok(())
    }

    fn random<const N: usize>(&self) -> Result<[u8; N], VaultError> {
        let mut out = [0u8; N];
        self.rng.fill(&mut out).map_err(|_| VaultError::Random)?;
        Ok(out)
    }

    /// Seals `plaintext` for `holder_id` under a fresh data key wrapped by the current
    /// epoch key. `aad` is bound to the ciphertext and must be given again to open it.
    ///
    /// # Errors
    /// [`VaultError::NoEpoch`], [`VaultError::BadHolderId`], [`VaultError::Random`].
    pub fn seal_holder(
        &self,
        holder_id: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<SealedRecord, VaultError> {
        check_holder_id(holder_id)?;
        let dek: [u8; 32] = self.random()?;
        let nonce: [u8; NONCE_LEN] = self.random()?;
        let wrap_nonce: [u8; NONCE_LEN] = self.random()?;
        let (epoch, wrapped_dek) = {
            let keys = self.read_keys();
            let epoch = keys
                .current
                .and_then(|c| keys.get(c))
                .ok_or(VaultError::NoEpoch)?;
            (epoch.id, wrap_dek(epoch, holder_id, &dek, wrap_nonce)?)
        };
        let mut ciphertext = plaintext.to_vec();
        aead_key(&dek)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(data_aad(holder_id, aad)),
                &mut ciphertext,
            )
            .map_err(|_| VaultError::Unauthentic)?;
        Ok(SealedRecord {
            epoch,
            wrap_nonce,
            wrapped_dek,
            nonce,
            ciphertext,
        })
    }

    /// Opens a record sealed for `holder_id` with `aad`.
    ///
    /// # Errors
    /// [`VaultError::Destroyed`] if its epoch key is gone, [`VaultError::Unauthentic`] for
    /// another holder, other associated data or a tampered record.
    pub fn open_holder(
        &self,
        holder_id: &[u8],
        record: &SealedRecord,
        aad: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        let dek = {
            let keys = self.read_keys();
            let epoch = keys.get(record.epoch).ok_or(VaultError::Destroyed {
                epoch: record.epoch,
            })?;
            unwrap_dek(epoch, holder_id, record)?
        };
        let mut buf = record.ciphertext.clone();
        let plain = aead_key(&dek)
            .open_in_place(
                Nonce::assume_unique_for_key(record.nonce),
                Aad::from(data_aad(holder_id, aad)),
                &mut buf,
            )
            .map_err(|_| VaultError::Unauthentic)?;
        let len = plain.len();
        buf.truncate(len);
        Ok(buf)
    }

    /// Adds the writes that store `record` for `holder_id` to `batch` (the caller's batch,
    /// so registration, its audit entry and the record are one transaction), with guards:
    /// the holder's current record is unchanged and the record's epoch is not retired.
    ///
    /// # Errors
    /// [`VaultError::BadHolderId`], [`VaultError::Destroyed`] if the record's epoch is
    /// no longer current-capable, store and record errors.
    pub fn stage_holder(
        &self,
        store: &dyn Store,
        batch: &mut Batch,
        holder_id: &[u8],
        record: &SealedRecord,
    ) -> Result<(), VaultError> {
        check_holder_id(holder_id)?;
        {
            let keys = self.read_keys();
            match keys.get(record.epoch) {
                Some(e) if e.successor.is_none() => {}
                _ => {
                    return Err(VaultError::Destroyed {
                        epoch: record.epoch,
                    });
                }
            }
        }
        let rkey = record_key(holder_id);
        let old = store.get(Tree::Holders, &rkey)?;
        if let Some(old_bytes) = &old {
            let old_record = SealedRecord::from_bytes(old_bytes)?;
            if old_record.epoch != record.epoch {
                batch.delete(Tree::Holders, index_key(old_record.epoch, holder_id));
            }
        }
        batch.expect(Tree::Holders, rkey.clone(), old);
        batch.expect(Tree::Meta, retired_key(record.epoch), None);
        batch.put(Tree::Holders, rkey, record.to_bytes());
        batch.put(
            Tree::Holders,
            index_key(record.epoch, holder_id),
            Vec::new(),
        );
        Ok(())
    }

    /// Seals and stores a holder's data in one durable commit (for callers with no other
    /// writes to bundle; registration normally uses [`Vault::stage_holder`]).
    ///
    /// # Errors
    /// As [`Vault::seal_holder`] and [`Vault::stage_holder`]; a store conflict.
    pub fn put_holder(
        &self,
        store: &dyn Store,
        holder_id: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<WriteTicket, VaultError> {
        let record = self.seal_holder(holder_id, aad, plaintext)?;
        let mut batch = Batch::new();
        self.stage_holder(store, &mut batch, holder_id, &record)?;
        Ok(store.commit(batch)?)
    }

    /// The stored record of `holder_id`.
    ///
    /// # Errors
    /// Store errors, [`VaultError::BadRecord`].
    pub fn load_holder(
        &self,
        store: &dyn Store,
        holder_id: &[u8],
    ) -> Result<Option<SealedRecord>, VaultError> {
        store
            .get(Tree::Holders, &record_key(holder_id))?
            .map(|b| SealedRecord::from_bytes(&b))
            .transpose()
    }

    /// Loads and opens the stored data of `holder_id`.
    ///
    /// # Errors
    /// As [`Vault::load_holder`] and [`Vault::open_holder`].
    pub fn read_holder(
        &self,
        store: &dyn Store,
        holder_id: &[u8],
        aad: &[u8],
    ) -> Result<Option<Vec<u8>>, VaultError> {
        self.load_holder(store, holder_id)?
            .map(|r| self.open_holder(holder_id, &r, aad))
            .transpose()
    }

    /// Starts a new current epoch for new records (the old one stays until shredded or
    /// retired). Returns the new epoch id.
    ///
    /// # Errors
    /// Key-file errors, [`VaultError::Random`].
    pub fn rotate(&self) -> Result<u64, VaultError> {
        let _admin = self.lock_admin();
        let mut next = self.read_keys().clone();
        let id = add_epoch(&mut next, &self.rng)?;
        next.current = Some(id);
        self.replace_keys(next)?;
        tracing::info!(epoch = id, "vault epoch started");
        Ok(id)
    }

    fn lock_admin(&self) -> std::sync::MutexGuard<'_, ()> {
        self.admin
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Destroys one holder's data: deletes the record and retires its epoch (the other
    /// records of that epoch are re-wrapped under a new epoch key; the old key is then
    /// removed from the key file). A holder with no record is a no-op.
    ///
    /// # Errors
    /// Store, key-file and record errors; [`VaultError::Contended`].
    pub fn shred_holder(
        &self,
        store: &dyn Store,
        holder_id: &[u8],
    ) -> Result<ShredReport, VaultError> {
        check_holder_id(holder_id)?;
        let _admin = self.lock_admin();
        let mut report = ShredReport::default();
        let rkey = record_key(holder_id);
        let mut done = false;
        for _ in 0..RETRIES {
            let Some(old) = store.get(Tree::Holders, &rkey)? else {
                done = true;
                break;
            };
            let epoch = SealedRecord::from_bytes(&old)?.epoch;
            let successor = self.begin_retirement(epoch)?;
            let mut batch = Batch::new();
            batch.expect(Tree::Holders, rkey.clone(), Some(old));
            batch.delete(Tree::Holders, rkey.clone());
            batch.delete(Tree::Holders, index_key(epoch, holder_id));
            if let Some(s) = successor {
                batch.put(Tree::Meta, retired_key(epoch), s.to_be_bytes());
            }
            match store.commit(batch) {
                Ok(_) => {
                    report.deleted += 1;
                    done = true;
                    break;
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        if !done {
            return Err(VaultError::Contended);
        }
        self.finish_retirements(store, &mut report)?;
        report.current = self.current_epoch();
        tracing::info!(
            destroyed = ?report.destroyed,
            rewrapped = report.rewrapped,
            "holder shredded"
        );
        Ok(report)
    }

    /// Marks `epoch` retiring in the key file with a new successor epoch (current if
    /// `epoch` was), unless it already is. Returns the successor (`None` if the epoch key
    /// is already gone).
    fn begin_retirement(&self, epoch: u64) -> Result<Option<u64>, VaultError> {
        let mut next = self.read_keys().clone();
        let Some(entry) = next.get(epoch) else {
            return Ok(None);
        };
        if let Some(s) = entry.successor {
            return Ok(Some(s));
        }
        let id = add_epoch(&mut next, &self.rng)?;
        if next.current == Some(epoch) {
            next.current = Some(id);
        }
        for e in &mut next.epochs {
            if e.id == epoch {
                e.successor = Some(id);
            }
        }
        self.replace_keys(next)?;
        Ok(Some(id))
    }

    /// Completes every retirement recorded in the key file: call at start-up after a
    /// crash, and after every shred.
    ///
    /// # Errors
    /// Store, key-file and record errors; [`VaultError::Contended`].
    pub fn recover(&self, store: &dyn Store) -> Result<ShredReport, VaultError> {
        let _admin = self.lock_admin();
        let mut report = ShredReport::default();
        self.finish_retirements(store, &mut report)?;
        report.current = self.current_epoch();
        Ok(report)
    }

    fn finish_retirements(
        &self,
        store: &dyn Store,
        report: &mut ShredReport,
    ) -> Result<(), VaultError> {
        let retiring: Vec<(u64, u64)> = self
            .read_keys()
            .epochs
            .iter()
            .filter_map(|e| e.successor.map(|s| (e.id, s)))
            .collect();
        for (epoch, successor) in retiring {
            self.retire(store, epoch, successor, report)?;
        }
        Ok(())
    }

    /// Moves every record of `epoch` to `successor` (re-wrapping the data key), then
    /// destroys the key of `epoch`.
    fn retire(
        &self,
        store: &dyn Store,
        epoch: u64,
        successor: u64,
        report: &mut ShredReport,
    ) -> Result<(), VaultError> {
        // No record can be staged under `epoch` once this marker is durable.
        let mut mark = Batch::new();
        mark.put(Tree::Meta, retired_key(epoch), successor.to_be_bytes());
        let mut last = store.apply(mark)?;
        let (old_key, new_key) = {
            let keys = self.read_keys();
            match (keys.get(epoch), keys.get(successor)) {
                (Some(o), Some(n)) => (o.clone(), n.clone()),
                _ => {
                    return Err(VaultError::KeyFile {
                        path: self.path.display().to_string(),
                        detail: format!("retiring epoch {epoch} or its successor has no key"),
                    });
                }
            }
        };
        let prefix = index_prefix(epoch);
        let mut conflicts = 0;
        loop {
            let page = store.scan(Tree::Holders, &prefix, None, PAGE)?;
            if page.is_empty() {
                break;
            }
            let mut batch = Batch::new();
            let mut moved = 0u64;
            for (ikey, _) in page {
                let holder_id = ikey.get(prefix.len()..).unwrap_or_default().to_vec();
                batch.delete(Tree::Holders, ikey);
                let rkey = record_key(&holder_id);
                let Some(bytes) = store.get(Tree::Holders, &rkey)? else {
                    continue;
                };
                let record = SealedRecord::from_bytes(&bytes)?;
                if record.epoch != epoch {
                    continue; // a stale index entry: the record moved on
                }
                let dek = unwrap_dek(&old_key, &holder_id, &record)?;
                let wrap_nonce: [u8; NONCE_LEN] = self.random()?;
                let rewrapped = SealedRecord {
                    epoch: successor,
                    wrap_nonce,
                    wrapped_dek: wrap_dek(&new_key, &holder_id, &dek, wrap_nonce)?,
                    ..record
                };
                batch.expect(Tree::Holders, rkey.clone(), Some(bytes));
                batch.put(Tree::Holders, rkey, rewrapped.to_bytes());
                batch.put(Tree::Holders, index_key(successor, &holder_id), Vec::new());
                moved += 1;
            }
            match store.apply(batch) {
                Ok(t) => {
                    last = t;
                    report.rewrapped += moved;
                }
                Err(StoreError::Conflict { .. }) if conflicts < RETRIES => conflicts += 1,
                Err(StoreError::Conflict { .. }) => return Err(VaultError::Contended),
                Err(e) => return Err(e.into()),
            }
        }
        // The re-wrapped keys must be on disk before the old key goes.
        store.wait_durable(last)?;
        let mut next = self.read_keys().clone();
        next.epochs.retain(|e| e.id != epoch);
        if next.current == Some(epoch) {
            next.current = Some(successor);
        }
        self.replace_keys(next)?;
        report.destroyed.push(epoch);
        tracing::info!(epoch, successor, "vault epoch key destroyed");
        Ok(())
    }

    /// Destroys epoch `epoch` outright (retention, or a compromised epoch): its key is
    /// removed from the key file, then its records are deleted. If it was current, a new
    /// current epoch starts first.
    ///
    /// # Errors
    /// Store and key-file errors.
    pub fn shred_epoch(&self, store: &dyn Store, epoch: u64) -> Result<ShredReport, VaultError> {
        let _admin = self.lock_admin();
        let mut report = ShredReport::default();
        // An epoch being retired into this one must land first, or its records would die.
        self.finish_retirements(store, &mut report)?;
        if self.read_keys().get(epoch).is_none() {
            report.current = self.current_epoch();
            return Ok(report);
        }
        let mut next = self.read_keys().clone();
        if next.current == Some(epoch) {
            let id = add_epoch(&mut next, &self.rng)?;
            next.current = Some(id);
            self.replace_keys(next.clone())?;
        }
        self.destroy(store, &[epoch], &mut report)?;
        report.current = self.current_epoch();
        Ok(report)
    }

    /// Sunset: destroys every epoch key and deletes every record. Afterwards the vault
    /// has no current epoch ([`VaultError::NoEpoch`] on seal until [`Vault::rotate`]).
    ///
    /// # Errors
    /// Store and key-file errors.
    pub fn shred_all(&self, store: &dyn Store) -> Result<ShredReport, VaultError> {
        let _admin = self.lock_admin();
        let mut report = ShredReport::default();
        let epochs: Vec<u64> = self.read_keys().epochs.iter().map(|e| e.id).collect();
        self.destroy(store, &epochs, &mut report)?;
        // Index entries of epochs destroyed earlier and any stray records go too.
        delete_prefix(store, Tree::Holders, b"v/", &mut report)?;
        report.current = self.current_epoch();
        Ok(report)
    }

    /// Marks `epochs` retired in the store, removes their keys, then deletes their
    /// records.
    fn destroy(
        &self,
        store: &dyn Store,
        epochs: &[u64],
        report: &mut ShredReport,
    ) -> Result<(), VaultError> {
        let mut mark = Batch::new();
        for e in epochs {
            mark.put(Tree::Meta, retired_key(*e), 0u64.to_be_bytes());
        }
        store.commit(mark)?;
        let mut next = self.read_keys().clone();
        next.epochs.retain(|e| !epochs.contains(&e.id));
        if next.current.is_some_and(|c| epochs.contains(&c)) {
            next.current = None;
        }
        self.replace_keys(next)?;
        report.destroyed.extend_from_slice(epochs);
        tracing::info!(epochs = ?epochs, "vault epoch keys destroyed");
        for e in epochs {
            let prefix = index_prefix(*e);
            loop {
                let page = store.scan(Tree::Holders, &prefix, None, PAGE)?;
                if page.is_empty() {
                    break;
                }
                let mut batch = Batch::new();
                for (ikey, _) in page {
                    if let Some(holder_id) = ikey.get(prefix.len()..) {
                        let rkey = record_key(holder_id);
                        if let Some(bytes) = store.get(Tree::Holders, &rkey)?
                            && SealedRecord::from_bytes(&bytes).is_ok_and(|r| r.epoch == *e)
                        {
                            batch.delete(Tree::Holders, rkey);
                            report.deleted += 1;
                        }
                    }
                    batch.delete(Tree::Holders, ikey);
                }
                store.commit(batch)?;
            }
        }
        Ok(())
    }
}

/// Deletes every key of `tree` under `prefix`, counting deleted records.
fn delete_prefix(
    store: &dyn Store,
    tree: Tree,
    prefix: &[u8],
    report: &mut ShredReport,
) -> Result<(), VaultError> {
    loop {
        let page = store.scan(tree, prefix, None, PAGE)?;
        if page.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::new();
        for (k, _) in page {
            if k.starts_with(RECORD_PREFIX) {
                report.deleted += 1;
            }
            batch.delete(tree, k);
        }
        store.commit(batch)?;
    }
}

/// Adds a fresh epoch key to `set` and returns its id.
fn add_epoch(set: &mut KeySet, rng: &SystemRandom) -> Result<u64, VaultError> {
    let mut key = [0u8; 32];
    rng.fill(&mut key).map_err(|_| VaultError::Random)?;
    let id = set.next_id.max(1);
    set.next_id = id + 1;
    set.epochs.push(EpochKey {
        id,
        successor: None,
        key,
    });
    Ok(id)
}
