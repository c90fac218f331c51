//! A sealed holder record and its canonical bytes, as stored in `Tree::Holders`.
//!
//! **Owns:** the byte layout. **Does not own:** the cryptography (parent module).
//!
//! Layout: `version = 1` ‖ `epoch: u64 BE` ‖ `wrap_nonce: [u8; 12]` ‖
//! `wrapped_dek: [u8; 48]` (AES-256-GCM of the 32-byte data key, with tag) ‖
//! `nonce: [u8; 12]` ‖ `ciphertext` (AES-256-GCM of the plaintext, with its 16-byte tag).

use super::VaultError;

const VERSION: u8 = 1;
/// Length of a wrapped data key: 32 key bytes and a 16-byte tag.
pub(crate) const WRAPPED_DEK_LEN: usize = 48;
/// AES-GCM nonce length.
pub(crate) const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + 8 + NONCE_LEN + WRAPPED_DEK_LEN + NONCE_LEN;

/// A holder's personal data, sealed: the data key wrapped under an epoch key, and the
/// data under the data key.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedRecord {
    /// The epoch whose key wraps the data key.
    pub epoch: u64,
    /// The nonce of the wrapping.
    pub wrap_nonce: [u8; NONCE_LEN],
    /// The wrapped data key.
    pub wrapped_dek: [u8; WRAPPED_DEK_LEN],
    /// The nonce of the data encryption.
    pub nonce: [u8; NONCE_LEN],
    /// The encrypted data with its tag.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for SealedRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedRecord")
            .field("epoch", &self.epoch)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

impl SealedRecord {
    /// The canonical bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.wrap_nonce);
        out.extend_from_slice(&self.wrapped_dek);
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Parses canonical bytes.
    ///
    /// # Errors
    /// [`VaultError::BadRecord`] for a wrong version or a record too short to hold a tag.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VaultError> {
        if bytes.len() < HEADER_LEN + TAG_LEN {
            return Err(VaultError::BadRecord {
                detail: "record is truncated",
            });
        }
        let (header, ciphertext) = bytes.split_at(HEADER_LEN);
        let bad = || VaultError::BadRecord {
            detail: "record header is malformed",
        };
        let (version, rest) = header.split_first().ok_or_else(bad)?;
        if *version != VERSION {
            return Err(VaultError::BadRecord {
                detail: "unknown record version",
            });
        }
        let (epoch, rest) = rest.split_at(8);
        let (wrap_nonce, rest) = rest.split_at(NONCE_LEN);
        let (wrapped_dek, nonce) = rest.split_at(WRAPPED_DEK_LEN);
        Ok(Self {
            epoch: u64::from_be_bytes(epoch.try_into().map_err(|_| bad())?),
            wrap_nonce: wrap_nonce.try_into().map_err(|_| bad())?,
            wrapped_dek: wrapped_dek.try_into().map_err(|_| bad())?,
            nonce: nonce.try_into().map_err(|_| bad())?,
            ciphertext: ciphertext.to_vec(),
        })
    }
}
