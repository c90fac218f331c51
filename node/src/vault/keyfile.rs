//! The vault's key file: the epoch keys, kept outside sled in one small file (mode 0600)
//! that is replaced atomically (temp file, fsync, rename, fsync of the directory), so a
//! destroyed epoch key is gone from the file system's live files once
//! [`KeySet::save`] returns.
//!
//! **Owns:** the file format and its integrity check. **Does not own:** what the keys
//! wrap (see the parent module).
//!
//! Format (all integers big-endian): `"HCXVKEY1"` ‖ `next_id: u64` ‖ `current: u64` (0:
//! none) ‖ `count: u32` ‖ `count × (id: u64 ‖ successor: u64 (0: live) ‖ key: [u8; 32])`
//! ‖ SHA-256 of everything before it.

use std::io::Write;
use std::path::Path;

use ring::digest::{SHA256, digest};

use super::VaultError;

const MAGIC: &[u8; 8] = b"HCXVKEY1";
const ENTRY_LEN: usize = 8 + 8 + 32;
/// More epochs than this means a damaged or hostile file.
const MAX_EPOCHS: usize = 1 << 20;

/// One epoch key.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct EpochKey {
    /// The epoch id (never reused).
    pub(crate) id: u64,
    /// While the epoch is being retired: the epoch its records move to.
    pub(crate) successor: Option<u64>,
    /// The AES-256-GCM key wrapping the epoch's data keys.
    pub(crate) key: [u8; 32],
}

impl std::fmt::Debug for EpochKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpochKey")
            .field("id", &self.id)
            .field("successor", &self.successor)
            .finish_non_exhaustive()
    }
}

/// The key file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeySet {
    /// The id the next epoch gets.
    pub(crate) next_id: u64,
    /// The epoch new records are sealed under.
    pub(crate) current: Option<u64>,
    /// Every epoch key still in existence.
    pub(crate) epochs: Vec<EpochKey>,
}

fn damaged(path: &Path, what: &str) -> VaultError {
    VaultError::KeyFile {
        path: path.display().to_string(),
        detail: what.to_owned(),
    }
}

fn take<'a>(buf: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if buf.len() < n {
        return None;
    }
    let (head, tail) = buf.split_at(n);
    *buf = tail;
    Some(head)
}

fn take_u64(buf: &mut &[u8]) -> Option<u64> {
    take(buf, 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
}

impl KeySet {
    /// The key of epoch `id`.
    pub(crate) fn get(&self, id: u64) -> Option<&EpochKey> {
        self.epochs.iter().find(|e| e.id == id)
    }

    /// The file bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 8 + 8 + 4 + self.epochs.len() * ENTRY_LEN + 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.next_id.to_be_bytes());
        out.extend_from_slice(&self.current.unwrap_or(0).to_be_bytes());
        // MAX_EPOCHS bounds the count far below u32::MAX.
        out.extend_from_slice(
            &u32::try_from(self.epochs.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        for e in &self.epochs {
            out.extend_from_slice(&e.id.to_be_bytes());
            out.extend_from_slice(&e.successor.unwrap_or(0).to_be_bytes());
            out.extend_from_slice(&e.key);
        }
        let sum = digest(&SHA256, &out);
        out.extend_from_slice(sum.as_ref());
        out
    }

    /// Parses file bytes, refusing anything damaged.
    pub(crate) fn decode(path: &Path, bytes: &[u8]) -> Result<Self, VaultError> {
        if bytes.len() < MAGIC.len() + 8 + 8 + 4 + 32 {
            return Err(damaged(path, "file is truncated"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 32);
        if digest(&SHA256, body).as_ref() != sum {
            return Err(damaged(path, "checksum mismatch"));
        }
        let mut buf = body;
        if take(&mut buf, 8) != Some(MAGIC.as_slice()) {
            return Err(damaged(path, "not an hcx vault key file"));
        }
        let header = (|| {
            let next_id = take_u64(&mut buf)?;
            let current = take_u64(&mut buf)?;
            let count = take(&mut buf, 4).and_then(|b| <[u8; 4]>::try_from(b).ok())?;
            Some((next_id, current, u32::from_be_bytes(count) as usize))
        })();
        let Some((next_id, current, count)) = header else {
            return Err(damaged(path, "header is truncated"));
        };
        if count > MAX_EPOCHS || buf.len() != count * ENTRY_LEN {
            return Err(damaged(path, "epoch count does not match the file length"));
        }
        let mut epochs = Vec::with_capacity(count);
        for _ in 0..count {
            let entry = (|| {
                let id = take_u64(&mut buf)?;
                let successor = take_u64(&mut buf)?;
                let key = take(&mut buf, 32).and_then(|b| <[u8; 32]>::try_from(b).ok())?;
                Some(EpochKey {
                    id,
                    successor: (successor != 0).then_some(successor),
                    key,
                })
            })();
            let Some(entry) = entry else {
                return Err(damaged(path, "epoch entry is truncated"));
            };
            if entry.id == 0
                || entry.id >= next_id
                || epochs.iter().any(|e: &EpochKey| e.id == entry.id)
            {
                return Err(damaged(path, "bad epoch id"));
            }
            epochs.push(entry);
        }
        let set = Self {
            next_id,
            current: (current != 0).then_some(current),
            epochs,
        };
        if let Some(c) = set.current
            && set.get(c).is_none()
        {
            return Err(damaged(path, "current epoch has no key"));
        }
        Ok(set)
    }

    /// Reads the key file.
    pub(crate) fn load(path: &Path) -> Result<Self, VaultError> {
        let bytes = std::fs::read(path).map_err(|e| VaultError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        Self::decode(path, &bytes)
    }

    /// Replaces the key file atomically and durably: write a 0600 temp file next to it,
    /// fsync it, rename it over the old file, fsync the directory.
    pub(crate) fn save(&self, path: &Path) -> Result<(), VaultError> {
        let io = |e: std::io::Error| VaultError::Io {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let dir = path
            .parent()
            .ok_or_else(|| damaged(path, "key file path has no directory"))?;
        create_private_dir(dir).map_err(io)?;
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(".tmp");
        let tmp = std::path::PathBuf::from(tmp_name);
        {
            let mut f = private_file(&tmp).map_err(io)?;
            f.write_all(&self.encode()).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)?;
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)?;
        Ok(())
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}
