//! COSE_Sign1 around wire messages: every message a region key signs (code claims,
//! delegations, venue codes, trust bundles, federation envelopes) is the payload of an
//! hcx-profile COSE_Sign1 whose `external_aad` is the canonical encoding of the
//! message's type tag, so a signature over one type never verifies as another.
//!
//! Not here: the COSE structure itself (`crate::cose`), which key a region uses (the
//! caller's trust store).

use crate::cbor::{DecodeError, Encoder};
use crate::cose::{self, CoseError, Profile, Sign1};
use crate::sign::{PublicKey, Signer};

use super::{KeyId, WireMessage};

/// Bytes a COSE_Sign1 adds around a payload at most: tag, array, protected header with a
/// kid of up to 64 bytes, empty unprotected map, heads, and a 64-byte signature.
pub const COSE_OVERHEAD: usize = 160;

/// Why a signed message could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum OpenError {
    /// Not an hcx-profile COSE_Sign1, or its signature failed.
    #[error("COSE: {0}")]
    Cose(#[from] CoseError),
    /// The key id names no key the caller trusts.
    #[error("unknown key id")]
    UnknownKey,
    /// The payload is not a valid message of the expected type.
    #[error("payload: {0}")]
    Payload(#[from] DecodeError),
}

/// The `external_aad` of a COSE-signed hcx message with type tag `tag`.
pub fn cose_aad(tag: u64) -> Vec<u8> {
    let mut e = Encoder::new();
    e.u64(tag);
    e.into_bytes()
}

/// Signs `msg` as an hcx COSE_Sign1 under `kid`.
///
/// # Errors
/// The signer's failure or an unsupported algorithm.
pub fn sign_cose<T: WireMessage>(
    msg: &T,
    signer: &dyn Signer,
    kid: &KeyId,
) -> Result<Vec<u8>, CoseError> {
    cose::sign1_with_aad(
        signer,
        kid.as_bytes(),
        &msg.to_bytes(),
        &cose_aad(T::TYPE_TAG),
    )
}

/// Parses an hcx COSE_Sign1 carrying a `T`, finds its key with `key_for`, verifies the
/// signature over the received bytes, then strictly decodes the payload.
///
/// # Errors
/// [`OpenError`].
pub fn open_cose<T: WireMessage>(
    bytes: &[u8],
    key_for: impl FnOnce(&KeyId) -> Option<PublicKey>,
) -> Result<(T, KeyId), OpenError> {
    let s = Sign1::parse_with_limit(bytes, Profile::Hcx, T::MAX_BYTES + COSE_OVERHEAD)?;
    let kid = s.kid().and_then(KeyId::new).ok_or(CoseError::MissingKid)?;
    let key = key_for(&kid).ok_or(OpenError::UnknownKey)?;
    s.verify(&key, &cose_aad(T::TYPE_TAG))?;
    Ok((T::from_bytes(s.payload())?, kid))
}
