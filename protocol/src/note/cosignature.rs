//! c2sp.org/tlog-cosignature@v1.0.1, Ed25519 `cosignature/v1` (signature type `0x04`).
//!
//! A cosignature is a note signature line whose payload is
//! `key_id[4] ‖ timestamp (u64 big-endian, < 2^63) ‖ Ed25519 signature[64]`, over
//!
//! ```text
//! cosignature/v1\n
//! time <timestamp>\n
//! <the whole checkpoint note text>
//! ```
//!
//! Meaning: as of `timestamp` this is the largest checkpoint for the origin the cosigner
//! has seen, consistent with everything it saw before. Verification is done by
//! [`VerifierKey::verify`](super::VerifierKey::verify) for type-`0x04` keys. A witness
//! key must never be a log key: the same public key as a type-`0x01` vkey has another key
//! id, so cosignatures never verify under it. Does not own the witness's rules
//! (`witness`).

use super::signed_note::SignatureLine;
use super::vkey::{KeyType, VerifierKey, VkeyError, is_valid_key_name, key_id};
use crate::sign::{Ed25519Signer, Signer as _};

/// The first line of the signed message.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1\n";

/// Timestamps must be below this bound (`2^63`).
pub const MAX_TIMESTAMP_EXCLUSIVE: u64 = 1 << 63;

/// Why a cosignature payload is invalid or could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum CosignatureError {
    /// The payload after the key id is not 8 + 64 bytes.
    #[error("cosignature is {len} bytes, expected 72 after the key id")]
    WrongLength { len: usize },
    /// The timestamp is `2^63` or more.
    #[error("timestamp {timestamp} is not below 2^63")]
    TimestampTooLarge { timestamp: u64 },
    /// The signer failed.
    #[error("signing failed")]
    Signing,
}

/// The message a `cosignature/v1` signs for `checkpoint_text` at `timestamp`.
pub fn signed_message(checkpoint_text: &str, timestamp: u64) -> String {
    format!("{COSIGNATURE_V1_HEADER}time {timestamp}\n{checkpoint_text}")
}

/// A decoded `cosignature/v1` signature (the signature-line bytes after the key id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cosignature {
    /// POSIX seconds, below `2^63`.
    pub timestamp: u64,
    /// The Ed25519 signature over [`signed_message`].
    pub signature: [u8; 64],
}

impl Cosignature {
    /// Decodes `timestamp[8] ‖ signature[64]`.
    ///
    /// # Errors
    /// [`CosignatureError::WrongLength`] or [`CosignatureError::TimestampTooLarge`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CosignatureError> {
        let wrong = CosignatureError::WrongLength { len: bytes.len() };
        if bytes.len() != 72 {
            return Err(wrong);
        }
        let (ts, sig) = bytes.split_at(8);
        let timestamp = u64::from_be_bytes(ts.try_into().map_err(|_| wrong)?);
        if timestamp >= MAX_TIMESTAMP_EXCLUSIVE {
            return Err(CosignatureError::TimestampTooLarge { timestamp });
        }
        let signature: [u8; 64] = sig.try_into().map_err(|_| wrong)?;
        Ok(Self {
            timestamp,
            signature,
        })
    }

    /// Decodes a signature line's bytes after the key id (see [`Self::from_bytes`]).
    ///
    /// # Errors
    /// As [`Self::from_bytes`].
    pub fn from_line(line: &SignatureLine) -> Result<Self, CosignatureError> {
        Self::from_bytes(&line.signature)
    }

    /// Encodes `timestamp ‖ signature`.
    pub fn to_bytes(&self) -> [u8; 72] {
        let mut out = [0u8; 72];
        for (o, b) in out
            .iter_mut()
            .zip(self.timestamp.to_be_bytes().iter().chain(&self.signature))
        {
            *o = *b;
        }
        out
    }
}

/// A witness's `cosignature/v1` signer: its name plus its own Ed25519 key.
#[derive(Debug)]
pub struct Cosigner {
    name: String,
    key_id: u32,
    signer: Ed25519Signer,
}

impl Cosigner {
    /// A cosigner named `name` with `signer`.
    ///
    /// # Errors
    /// [`VkeyError::BadName`] if `name` is not a valid key name.
    pub fn new(name: &str, signer: Ed25519Signer) -> Result<Self, VkeyError> {
        if !is_valid_key_name(name) {
            return Err(VkeyError::BadName);
        }
        let key_id = key_id(name, KeyType::CosignatureV1, &signer.public_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_id,
            signer,
        })
    }

    /// A cosigner from an Ed25519 seed.
    ///
    /// # Errors
    /// [`VkeyError::BadName`] or [`VkeyError::BadSigningKey`].
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, VkeyError> {
        let signer = Ed25519Signer::from_seed(seed).map_err(|_| VkeyError::BadSigningKey)?;
        Self::new(name, signer)
    }

    /// The cosigner's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cosigner's key id (type `0x04`).
    pub const fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The type-`0x04` verifier key for this cosigner.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey::from_valid_parts(
            &self.name,
            KeyType::CosignatureV1,
            self.signer.public_bytes(),
        )
    }

    /// The cosignature line for `checkpoint_text` at `timestamp`.
    ///
    /// # Errors
    /// [`CosignatureError::TimestampTooLarge`] or [`CosignatureError::Signing`].
    pub fn cosign(
        &self,
        checkpoint_text: &str,
        timestamp: u64,
    ) -> Result<SignatureLine, CosignatureError> {
        if timestamp >= MAX_TIMESTAMP_EXCLUSIVE {
            return Err(CosignatureError::TimestampTooLarge { timestamp });
        }
        let msg = signed_message(checkpoint_text, timestamp);
        let sig = self
            .signer
            .sign(msg.as_bytes())
            .map_err(|_| CosignatureError::Signing)?;
        let signature: [u8; 64] = sig.try_into().map_err(|_| CosignatureError::Signing)?;
        let c = Cosignature {
            timestamp,
            signature,
        };
        Ok(SignatureLine {
            name: self.name.clone(),
            key_id: self.key_id,
            signature: c.to_bytes().to_vec(),
        })
    }
}
