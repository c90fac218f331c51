//! Verifier keys (`<name>+<8 hex key id>+base64(type ‖ public key)`), the key-id rule
//! (`SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]`), key names, and the Go x/mod private key
//! string `PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)` with its [`NoteSigner`].
//!
//! Supported signature types: `0x01` (Ed25519 over the note text) and `0x04`
//! (cosignature/v1, see `cosignature`). Other types are rejected when parsing a vkey.
//! Does not own the note format (`signed_note`).

use std::fmt;

use ring::digest::{Context, SHA256};

use super::cosignature::Cosignature;
use super::signed_note::SignatureLine;
use super::{b64_decode, b64_encode};
use crate::sign::{Alg, Ed25519Signer, PublicKey, Signer as _};

/// A note signature type hcx supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `0x01`: Ed25519 signature over the note text.
    Ed25519,
    /// `0x04`: Ed25519 `cosignature/v1` (timestamped witness cosignature).
    CosignatureV1,
}

impl KeyType {
    /// The type byte.
    pub const fn byte(self) -> u8 {
        match self {
            Self::Ed25519 => 0x01,
            Self::CosignatureV1 => 0x04,
        }
    }

    /// The type for a type byte, if supported.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            0x01 => Some(Self::Ed25519),
            0x04 => Some(Self::CosignatureV1),
            _ => None,
        }
    }
}

/// Why a verifier key or private key string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum VkeyError {
    /// Not `name+id+key` (or `PRIVATE+KEY+name+id+key`).
    #[error("key string does not have the expected + separated parts")]
    Malformed,
    /// The name is empty or contains whitespace or `+`.
    #[error("invalid key name")]
    BadName,
    /// The key id is not 8 lower-case hex digits.
    #[error("key id is not 8 lower-case hex digits")]
    BadKeyId,
    /// The key material is not strict standard base64.
    #[error("key material is not valid base64")]
    BadBase64,
    /// The type byte is missing or not supported.
    #[error("unsupported key type {byte:#04x}")]
    UnknownKeyType { byte: u8 },
    /// The key is not 32 bytes.
    #[error("key is {len} bytes, expected 32")]
    BadKeyLength { len: usize },
    /// The stated key id is not the one the name and key imply.
    #[error("key id {stated:08x} does not match the computed {computed:08x}")]
    KeyIdMismatch { stated: u32, computed: u32 },
    /// The signing key could not be built.
    #[error("invalid signing key")]
    BadSigningKey,
}

/// Whether `name` is a valid key name: non-empty, no Unicode whitespace, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key id `SHA-256(name ‖ "\n" ‖ type ‖ public_key)[:4]` as a big-endian `u32`.
pub fn key_id(name: &str, key_type: KeyType, public_key: &[u8]) -> u32 {
    let mut ctx = Context::new(&SHA256);
    ctx.update(name.as_bytes());
    ctx.update(b"\n");
    ctx.update(&[key_type.byte()]);
    ctx.update(public_key);
    let d = ctx.finish();
    let mut id = [0u8; 4];
    for (o, b) in id.iter_mut().zip(d.as_ref()) {
        *o = *b;
    }
    u32::from_be_bytes(id)
}

/// Parses exactly 8 lower-case hex digits.
fn parse_key_id(s: &str) -> Result<u32, VkeyError> {
    if s.len() != 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(VkeyError::BadKeyId);
    }
    u32::from_str_radix(s, 16).map_err(|_| VkeyError::BadKeyId)
}

/// A verifier key: who signs (name, key id) and how (type, Ed25519 public key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    key_type: KeyType,
    public_key: [u8; 32],
}

impl VerifierKey {
    /// The verifier key for `public_key` under `name` with signature type `key_type`.
    ///
    /// # Errors
    /// [`VkeyError::BadName`] if the name is not a valid key name.
    pub fn new(name: &str, key_type: KeyType, public_key: [u8; 32]) -> Result<Self, VkeyError> {
        if !is_valid_key_name(name) {
            return Err(VkeyError::BadName);
        }
        let key_id = key_id(name, key_type, &public_key);
        Ok(Self {
            name: name.to_owned(),
            key_id,
            key_type,
            public_key,
        })
    }

    /// The key for a name already known to be valid (no check repeated).
    pub(crate) fn from_valid_parts(name: &str, key_type: KeyType, public_key: [u8; 32]) -> Self {
        let key_id = key_id(name, key_type, &public_key);
        Self {
            name: name.to_owned(),
            key_id,
            key_type,
            public_key,
        }
    }

    /// Parses a vkey string, recomputing and checking the key id.
    ///
    /// # Errors
    /// [`VkeyError`] for any syntax error, unsupported type, wrong key length or key-id
    /// mismatch.
    pub fn parse(s: &str) -> Result<Self, VkeyError> {
        // The base64 key may itself contain '+': split off name and id only.
        let mut parts = s.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VkeyError::Malformed);
        };
        if !is_valid_key_name(name) {
            return Err(VkeyError::BadName);
        }
        let stated = parse_key_id(id)?;
        let raw = b64_decode(key).ok_or(VkeyError::BadBase64)?;
        let (&type_byte, pk) = raw
            .split_first()
            .ok_or(VkeyError::UnknownKeyType { byte: 0 })?;
        let key_type =
            KeyType::from_byte(type_byte).ok_or(VkeyError::UnknownKeyType { byte: type_byte })?;
        let public_key: [u8; 32] = pk
            .try_into()
            .map_err(|_| VkeyError::BadKeyLength { len: pk.len() })?;
        let v = Self::new(name, key_type, public_key)?;
        if v.key_id != stated {
            return Err(VkeyError::KeyIdMismatch {
                stated,
                computed: v.key_id,
            });
        }
        Ok(v)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub const fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature type.
    pub const fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The Ed25519 public key.
    pub const fn public_key(&self) -> &[u8; 32] {
        &self.public_key
    }

    /// Whether `signature` (the signature-line bytes after the key id) is a valid
    /// signature of this key over the note `text`. For `cosignature/v1` keys the bytes are
    /// `timestamp ‖ signature` and the signed message is
    /// [`signed_message`](super::signed_message)`(text, timestamp)`.
    pub fn verify(&self, text: &str, signature: &[u8]) -> bool {
        let pk = PublicKey::Ed25519(self.public_key);
        match self.key_type {
            KeyType::Ed25519 => pk.verify(Alg::EdDsa, text.as_bytes(), signature).is_ok(),
            KeyType::CosignatureV1 => Cosignature::from_bytes(signature).is_ok_and(|c| {
                let msg = super::signed_message(text, c.timestamp);
                pk.verify(Alg::EdDsa, msg.as_bytes(), &c.signature).is_ok()
            }),
        }
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = Vec::with_capacity(33);
        raw.push(self.key_type.byte());
        raw.extend_from_slice(&self.public_key);
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, b64_encode(&raw))
    }
}

/// An Ed25519 (type `0x01`) note signer: a key name plus the signing key.
#[derive(Debug)]
pub struct NoteSigner {
    name: String,
    key_id: u32,
    signer: Ed25519Signer,
}

impl NoteSigner {
    /// A signer named `name` with the Ed25519 key whose seed is `seed`.
    ///
    /// # Errors
    /// [`VkeyError::BadName`] or [`VkeyError::BadSigningKey`].
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, VkeyError> {
        if !is_valid_key_name(name) {
            return Err(VkeyError::BadName);
        }
        let signer = Ed25519Signer::from_seed(seed).map_err(|_| VkeyError::BadSigningKey)?;
        let key_id = key_id(name, KeyType::Ed25519, &signer.public_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_id,
            signer,
        })
    }

    /// Parses a Go x/mod private key `PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)`,
    /// checking the key id against the derived public key.
    ///
    /// # Errors
    /// [`VkeyError`] for any syntax error, other type, wrong length or id mismatch.
    pub fn parse_private_key(s: &str) -> Result<Self, VkeyError> {
        let rest = s.strip_prefix("PRIVATE+KEY+").ok_or(VkeyError::Malformed)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VkeyError::Malformed);
        };
        let stated = parse_key_id(id)?;
        let raw = b64_decode(key).ok_or(VkeyError::BadBase64)?;
        let (&type_byte, seed) = raw
            .split_first()
            .ok_or(VkeyError::UnknownKeyType { byte: 0 })?;
        if type_byte != KeyType::Ed25519.byte() {
            return Err(VkeyError::UnknownKeyType { byte: type_byte });
        }
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| VkeyError::BadKeyLength { len: seed.len() })?;
        let s = Self::from_seed(name, &seed)?;
        if s.key_id != stated {
            return Err(VkeyError::KeyIdMismatch {
                stated,
                computed: s.key_id,
            });
        }
        Ok(s)
    }

    /// The private key string (secret: handle with care).
    pub fn to_private_key_string(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(KeyType::Ed25519.byte());
        raw.extend_from_slice(self.signer.seed());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            b64_encode(&raw)
        )
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub const fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The Ed25519 seed (secret: handle with care).
    pub fn seed(&self) -> &[u8; 32] {
        self.signer.seed()
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey::from_valid_parts(&self.name, KeyType::Ed25519, self.signer.public_bytes())
    }

    /// The signature line for note `text` (the text is not validated here; see
    /// [`Note::sign`](super::Note::sign)).
    ///
    /// # Errors
    /// [`crate::sign::SignatureError`] if signing fails.
    pub fn sign_text(&self, text: &str) -> Result<SignatureLine, crate::sign::SignatureError> {
        let signature = self.signer.sign(text.as_bytes())?;
        Ok(SignatureLine {
            name: self.name.clone(),
            key_id: self.key_id,
            signature,
        })
    }
}
