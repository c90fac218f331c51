//! Sealed notice reasons: a risk notice's reason category, encrypted to the recipient
//! region's announced X25519 **notice** key so that only that region can read it, while
//! the notice's header stays in the clear and is bound to the ciphertext.
//!
//! Construction (an ECIES in the style of HPKE's base mode, fixed suite):
//! 1. `shared = X25519(ephemeral_secret, recipient_pk)`; an all-zero result (the
//!    recipient key, or on opening the ephemeral key, is a low-order point) is refused.
//! 2. `key = HKDF-SHA256(salt = "", ikm = shared,
//!    info = SEAL_INFO_LABEL ‖ ephemeral_pk ‖ recipient_pk)`, 32 bytes.
//! 3. `ciphertext = ChaCha20-Poly1305(key, nonce = 0¹², aad, plaintext)` (tag appended).
//!
//! A zero nonce is safe because every key is used once: it depends on the ephemeral key,
//! which the caller must draw fresh (32 random bytes) for every seal. Reusing ephemeral
//! bytes for two plaintexts to the same recipient reuses key and nonce and breaks
//! confidentiality of both.
//!
//! Owns: the construction, [`SealedBox`] and its canonical CBOR form. Does not own the
//! notice message (`crate::wire`), the choice of the header fields used as associated
//! data, key announcements, or randomness (the ephemeral secret is an argument).

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use x25519_dalek::{PublicKey, StaticSecret};

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder, Limits, MapBuilder, from_canonical};

/// The HKDF info prefix; the two public keys follow it.
pub const SEAL_INFO_LABEL: &[u8] = b"hcx-notice-seal-v1";

/// Length of the Poly1305 tag appended to every ciphertext.
pub const TAG_LEN: usize = 16;

/// The largest plaintext sealed (a reason category is a few bytes of CBOR).
pub const MAX_PLAINTEXT: usize = 1024;

/// The largest ciphertext accepted (plaintext and tag).
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + TAG_LEN;

/// Why sealing or opening failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum SealError {
    /// The X25519 result is all zero: the other side's key is a low-order point.
    #[error("low-order public key (all-zero shared secret)")]
    LowOrderPoint,
    /// The plaintext is longer than [`MAX_PLAINTEXT`].
    #[error("plaintext of {len} bytes exceeds {max}")]
    PlaintextTooLong { len: usize, max: usize },
    /// The ciphertext is shorter than a tag or longer than [`MAX_CIPHERTEXT`].
    #[error("ciphertext of {len} bytes has an impossible length")]
    BadCiphertextLength { len: usize },
    /// Authentication failed: wrong key, wrong associated data, or tampered bytes.
    #[error("sealed box does not open with this key and associated data")]
    Decrypt,
    /// The key derivation failed (not reachable with a 32-byte key).
    #[error("key derivation failed")]
    Kdf,
}

/// An encrypted notice reason: the sender's ephemeral X25519 public key and the
/// ChaCha20-Poly1305 ciphertext with its tag.
///
/// CBOR: the canonical map `{1: ephemeral_pk (bstr 32), 2: ciphertext (bstr)}`, at most
/// [`SealedBox::MAX_BYTES`] bytes, ciphertext [`TAG_LEN`]..=[`MAX_CIPHERTEXT`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBox {
    /// The ephemeral public key.
    pub ephemeral_pk: [u8; 32],
    /// Ciphertext followed by the 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl SealedBox {
    /// The size limit of an encoded sealed box.
    pub const MAX_BYTES: usize = 1 + (1 + 2 + 32) + (1 + 3 + MAX_CIPHERTEXT);

    /// The canonical CBOR encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::cbor::to_canonical(self)
    }

    /// Decodes a canonical encoding, under [`Self::MAX_BYTES`].
    ///
    /// # Errors
    /// Any canonical-form, shape or length violation.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        from_canonical(bytes, Limits::message(Self::MAX_BYTES))
    }
}

impl Cbor for SealedBox {
    fn encode(&self, e: &mut Encoder) {
        let mut m = MapBuilder::new();
        m.entry(1, |e| {
            e.bytes(&self.ephemeral_pk);
        });
        m.entry(2, |e| {
            e.bytes(&self.ciphertext);
        });
        m.finish(e);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut m = d.begin_map()?;
        let ephemeral_pk = m.required(d, 1, Decoder::bytes_fixed::<32>)?;
        let ciphertext = m.required(d, 2, |d| {
            let b = d.bytes()?;
            if (TAG_LEN..=MAX_CIPHERTEXT).contains(&b.len()) {
                Ok(b.to_vec())
            } else {
                Err(DecodeError::InvalidValue {
                    field: "sealed box ciphertext length",
                })
            }
        })?;
        m.finish(d)?;
        Ok(Self {
            ephemeral_pk,
            ciphertext,
        })
    }
}

/// The X25519 public key of a secret (for a region's announced notice key, or to
/// check an ephemeral key).
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    PublicKey::from(&StaticSecret::from(*secret)).to_bytes()
}

/// Encrypts `plaintext` to `recipient_pk`, binding `aad` (the notice's header fields).
/// `ephemeral_secret` must be 32 fresh random bytes, used for this seal only.
///
/// # Errors
/// [`SealError::LowOrderPoint`] for a low-order recipient key,
/// [`SealError::PlaintextTooLong`].
pub fn seal(
    recipient_pk: &[u8; 32],
    ephemeral_secret: [u8; 32],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<SealedBox, SealError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(SealError::PlaintextTooLong {
            len: plaintext.len(),
            max: MAX_PLAINTEXT,
        });
    }
    let secret = StaticSecret::from(ephemeral_secret);
    let ephemeral_pk = PublicKey::from(&secret).to_bytes();
    let key = derive_key(&secret, recipient_pk, &ephemeral_pk, recipient_pk)?;
    let mut ciphertext = plaintext.to_vec();
    key.seal_in_place_append_tag(zero_nonce(), Aad::from(aad), &mut ciphertext)
        .map_err(|_| SealError::PlaintextTooLong {
            len: plaintext.len(),
            max: MAX_PLAINTEXT,
        })?;
    Ok(SealedBox {
        ephemeral_pk,
        ciphertext,
    })
}

/// Decrypts a sealed box addressed to the holder of `recipient_secret`, with the same
/// `aad` it was sealed with.
///
/// # Errors
/// [`SealError::BadCiphertextLength`], [`SealError::LowOrderPoint`] for a low-order
/// ephemeral key, [`SealError::Decrypt`] for a wrong key, wrong `aad` or any change to
/// the box.
pub fn open(
    recipient_secret: &[u8; 32],
    sealed: &SealedBox,
    aad: &[u8],
) -> Result<Vec<u8>, SealError> {
    let len = sealed.ciphertext.len();
    if !(TAG_LEN..=MAX_CIPHERTEXT).contains(&len) {
        return Err(SealError::BadCiphertextLength { len });
    }
    let secret = StaticSecret::from(*recipient_secret);
    let recipient_pk = PublicKey::from(&secret).to_bytes();
    let key = derive_key(
        &secret,
        &sealed.ephemeral_pk,
        &sealed.ephemeral_pk,
        &recipient_pk,
    )?;
    let mut buf = sealed.ciphertext.clone();
    let plain_len = key
        .open_in_place(zero_nonce(), Aad::from(aad), &mut buf)
        .map_err(|_| SealError::Decrypt)?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

/// The AEAD key from our secret and their public key; the HKDF info names both public
/// keys, ephemeral first.
fn derive_key(
    ours: &StaticSecret,
    theirs: &[u8; 32],
    ephemeral_pk: &[u8; 32],
    recipient_pk: &[u8; 32],
) -> Result<LessSafeKey, SealError> {
    let shared = ours.diffie_hellman(&PublicKey::from(*theirs));
    if !shared.was_contributory() {
        return Err(SealError::LowOrderPoint);
    }
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &[]).extract(shared.as_bytes());
    let info: [&[u8]; 3] = [SEAL_INFO_LABEL, ephemeral_pk, recipient_pk];
    let okm = prk
        .expand(&info, &CHACHA20_POLY1305)
        .map_err(|_| SealError::Kdf)?;
    Ok(LessSafeKey::new(UnboundKey::from(okm)))
}

fn zero_nonce() -> Nonce {
    Nonce::assume_unique_for_key([0u8; NONCE_LEN])
}

#[cfg(test)]
mod tests;
