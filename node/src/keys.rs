//! A region's key files, one use each (DESIGN "Keys"): the offline **root** key, the
//! **operational** key, the **code-signing**, **log** and **witness** keys (Ed25519), the
//! **notice** key (X25519) and the **libp2p** identity. Each lives in its own file under
//! `DIR/keys/`, created with mode 0600, holding one line `hcx-key-v1 <kind> <hex secret>`.
//!
//! The root key is needed only at `hcx init` (to grant the operational key) and for
//! charter votes; a key ceremony exports it to offline media and removes it from `DIR`
//! (`hcx keys export-root`, `hcx keys remove-root`). A running node never needs it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hcx_protocol::sign::{Ed25519Signer, PublicKey, Signer};
use hcx_protocol::wire::KeyId;
use ring::rand::SecureRandom;

/// The roles of a region's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Offline region root: grants the operational key, votes on charters.
    Root,
    /// Operational: signs node certificates, key announcements, rosters, envelopes.
    Operational,
    /// Code signing: holder, paper and venue codes, delegations.
    CodeSigning,
    /// Log: checkpoints.
    Log,
    /// Witness: cosignatures of other logs.
    Witness,
    /// Notice: X25519, receives sealed notice reasons.
    Notice,
    /// The libp2p identity (Ed25519 seed).
    P2p,
    /// HMAC key for the node's private lookup indexes (one registration per document),
    /// so an index key reveals no document number.
    Index,
}

impl KeyKind {
    /// Every kind, in creation order.
    pub const ALL: [Self; 8] = [
        Self::Root,
        Self::Operational,
        Self::CodeSigning,
        Self::Log,
        Self::Witness,
        Self::Notice,
        Self::P2p,
        Self::Index,
    ];

    /// The kind's name, used in file names and file headers.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Operational => "operational",
            Self::CodeSigning => "code-signing",
            Self::Log => "log",
            Self::Witness => "witness",
            Self::Notice => "notice",
            Self::P2p => "p2p",
            Self::Index => "index",
        }
    }

    /// The file this key lives in under `dir`.
    pub fn path(self, dir: &Path) -> PathBuf {
        dir.join("keys").join(format!("{}.key", self.name()))
    }
}

/// Why a key file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The file does not exist.
    #[error("key file {path} is missing")]
    Missing { path: String },
    /// The file is not an hcx key file of the expected kind.
    #[error("key file {path} is corrupt or of another kind")]
    Corrupt { path: String },
    /// The file already exists (keys are never overwritten).
    #[error("key file {path} already exists")]
    Exists { path: String },
    /// Reading or writing failed.
    #[error("key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The random source failed.
    #[error("random source failed")]
    Random,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a new key file with mode 0600; never overwrites.
pub fn write_secret(dir: &Path, kind: KeyKind, secret: &[u8; 32]) -> Result<PathBuf, KeyError> {
    let path = kind.path(dir);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            KeyError::Exists {
                path: path.display().to_string(),
            }
        } else {
            KeyError::Io {
                path: path.display().to_string(),
                source: e,
            }
        }
    })?;
    writeln!(f, "hcx-key-v1 {} {}", kind.name(), hex::encode(secret)).map_err(io_err(&path))?;
    f.sync_all().map_err(io_err(&path))?;
    Ok(path)
}

/// Reads the 32-byte secret of `kind` from `dir`.
pub fn read_secret(dir: &Path, kind: KeyKind) -> Result<[u8; 32], KeyError> {
    let path = kind.path(dir);
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            KeyError::Missing {
                path: shown.clone(),
            }
        } else {
            KeyError::Io {
                path: shown.clone(),
                source: e,
            }
        }
    })?;
    parse_secret(&text, kind).ok_or(KeyError::Corrupt { path: shown })
}

fn parse_secret(text: &str, kind: KeyKind) -> Option<[u8; 32]> {
    let mut parts = text.split_ascii_whitespace();
    let (magic, name, hex_secret) = (parts.next()?, parts.next()?, parts.next()?);
    if magic != "hcx-key-v1" || name != kind.name() || parts.next().is_some() {
        return None;
    }
    hex::decode(hex_secret).ok()?.try_into().ok()
}

/// A fresh 32-byte secret from `rng`.
pub fn random_secret(rng: &dyn SecureRandom) -> Result<[u8; 32], KeyError> {
    let mut s = [0u8; 32];
    rng.fill(&mut s).map_err(|_| KeyError::Random)?;
    Ok(s)
}

/// An Ed25519 signing key loaded from its file, with its derived key id.
#[derive(Debug)]
pub struct LoadedKey {
    /// The signer.
    pub signer: Ed25519Signer,
    /// Its key id (first 16 bytes of SHA-256 of the public key).
    pub kid: KeyId,
}

impl LoadedKey {
    /// Loads the Ed25519 key of `kind` from `dir`.
    pub fn load(dir: &Path, kind: KeyKind) -> Result<Self, KeyError> {
        let seed = read_secret(dir, kind)?;
        let signer = Ed25519Signer::from_seed(&seed).map_err(|_| KeyError::Corrupt {
            path: kind.path(dir).display().to_string(),
        })?;
        let kid = KeyId::derive(signer.public_key().as_bytes());
        Ok(Self { signer, kid })
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        self.signer.public_key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_round_trip_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let rng = ring::rand::SystemRandom::new();
        let secret = random_secret(&rng).unwrap();
        let path = write_secret(dir.path(), KeyKind::Log, &secret).unwrap();
        assert_eq!(read_secret(dir.path(), KeyKind::Log).unwrap(), secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            write_secret(dir.path(), KeyKind::Log, &secret),
            Err(KeyError::Exists { .. })
        ));
        // A file of one kind is refused as another, and garbage is refused.
        std::fs::copy(&path, KeyKind::Witness.path(dir.path())).unwrap();
        assert!(matches!(
            read_secret(dir.path(), KeyKind::Witness),
            Err(KeyError::Corrupt { .. })
        ));
        assert!(matches!(
            read_secret(dir.path(), KeyKind::Root),
            Err(KeyError::Missing { .. })
        ));
    }
}
