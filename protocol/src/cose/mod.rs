//! COSE_Sign1 (RFC 9052 §4.2): the one signed envelope of hcx, in two profiles.
//!
//! - [`Profile::Hcx`] is what hcx writes and accepts for its own codes and messages: tag 18,
//!   the whole message canonical CBOR, a protected header that is exactly the canonical map
//!   `{1: alg, 4: kid}` (alg EdDSA or ES256, kid a byte string of 16–64 bytes), an empty
//!   unprotected header and an attached payload.
//! - [`Profile::Dcc`] reads foreign COSE_Sign1 messages (EU DCC codes, the cose-wg
//!   examples): tags 18 and/or 61 optional, any well-formed CBOR without trailing bytes,
//!   alg from the protected header else the unprotected one, kid likewise with the protected
//!   value winning; ES256 and PS256 (and EdDSA, which no DCC uses).
//!
//! Both profiles verify over `Sig_structure = ["Signature1", protected, external_aad,
//! payload]` built from the protected bytes **as received**; the protected map is never
//! re-encoded. [`sign1`] writes the hcx profile only.
//!
//! This module does not know what a payload means (see `crate::wire`), which key belongs
//! to a kid (the caller's trust store does), nor the QR text around the bytes
//! (`crate::qr`).

mod header;
mod profile;
mod sign1;

#[cfg(test)]
mod tests;

pub use profile::Profile;
pub use sign1::{Sign1, sign1, sign1_with_aad};

use crate::cbor::DecodeError;
use crate::sign::SignatureError;

/// CBOR tag of a COSE_Sign1 message (RFC 9052 §2).
pub const TAG_SIGN1: u64 = 18;
/// CBOR tag of a CWT (RFC 8392 §6), which EU DCC codes may wrap around tag 18.
pub const TAG_CWT: u64 = 61;
/// The shortest key id the hcx profile accepts (DESIGN: "key ids are at least 16 bytes").
pub const MIN_KID_LEN: usize = 16;
/// The longest key id the hcx profile accepts (a SHA-256 digest is 32; 64 leaves room).
pub const MAX_KID_LEN: usize = 64;
/// The largest message [`Sign1::parse`] accepts; use [`Sign1::parse_with_limit`] for a
/// message type with its own named limit.
pub const MAX_SIGN1_BYTES: usize = 256 * 1024;

/// Header labels (RFC 9052 §3.1).
pub(crate) mod label {
    /// `alg`.
    pub(crate) const ALG: i64 = 1;
    /// `crit`.
    pub(crate) const CRIT: i64 = 2;
    /// `kid`.
    pub(crate) const KID: i64 = 4;
}

/// Why a COSE_Sign1 message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum CoseError {
    /// The bytes are not (canonical, for hcx) CBOR, exceed the limit, or have trailing
    /// bytes.
    #[error("COSE CBOR: {0}")]
    Decode(#[from] DecodeError),
    /// The hcx profile requires tag 18 and the message has none.
    #[error("missing COSE_Sign1 tag 18")]
    MissingTag,
    /// A tag other than the profile allows (hcx: 18; dcc: 18 and 61, each at most once).
    #[error("unexpected CBOR tag {tag}")]
    WrongTag { tag: u64 },
    /// The message is not `[bstr, map, bstr, bstr]`, or a header is not a map.
    #[error("not a COSE_Sign1 structure: {what}")]
    BadStructure { what: &'static str },
    /// A header parameter of the wrong type (`alg` not an integer, `kid` not bytes).
    #[error("header parameter {label} has the wrong type")]
    BadHeader { label: i64 },
    /// The same header label twice, or in both buckets where the profile forbids it.
    #[error("duplicate header label {label}")]
    DuplicateLabel { label: i64 },
    /// A protected header label the hcx profile does not allow.
    #[error("header label {label} not allowed in the protected header")]
    UnexpectedHeader { label: i64 },
    /// No `alg` (hcx: none in the protected header).
    #[error("no alg header parameter")]
    MissingAlg,
    /// An `alg` the profile does not accept.
    #[error("unsupported alg {id}")]
    UnsupportedAlg { id: i64 },
    /// No `kid` (hcx: none in the protected header).
    #[error("no kid header parameter")]
    MissingKid,
    /// A kid shorter than [`MIN_KID_LEN`].
    #[error("kid of {len} bytes is shorter than {MIN_KID_LEN}")]
    KidTooShort { len: usize },
    /// A kid longer than [`MAX_KID_LEN`].
    #[error("kid of {len} bytes is longer than {MAX_KID_LEN}")]
    KidTooLong { len: usize },
    /// A `crit` header parameter: hcx understands no extension header.
    #[error("critical header parameters not understood")]
    UnknownCritical,
    /// The hcx profile requires an empty unprotected header.
    #[error("unprotected header must be empty")]
    UnprotectedNotAllowed,
    /// The payload is `nil` (detached); neither profile supports that.
    #[error("detached payload not supported")]
    DetachedPayload,
    /// The message's kid is not the one the caller expected.
    #[error("kid does not match the expected key")]
    KidMismatch,
    /// The signature failed (or the key does not fit the algorithm).
    #[error("signature: {0}")]
    Signature(#[from] SignatureError),
}
