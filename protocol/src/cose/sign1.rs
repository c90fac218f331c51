//! The COSE_Sign1 message: parse under a [`Profile`], verify over the received protected
//! bytes, and sign (hcx profile only). Header bucket rules live in `header.rs`.
//!
//! The hcx path borrows every field from the input (one validating walk, one walk of the
//! protected header, one buffer for the `Sig_structure`), because a node verifies
//! thousands of codes per second; the DCC path builds a generic [`Value`] and owns its
//! fields.

use std::borrow::Cow;

use super::header::{self, check_kid, encode_hcx_protected, parse_hcx_protected};
use super::{CoseError, MAX_SIGN1_BYTES, Profile, TAG_CWT, TAG_SIGN1};
use crate::cbor::{Decoder, Encoder, Limits, MAX_DEPTH, Mode, Value};
use crate::sign::{Alg, PublicKey, Signer};

/// A parsed COSE_Sign1 message whose structure and headers satisfy its profile. Its
/// signature is not checked until [`Sign1::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign1<'a> {
    profile: Profile,
    alg: Alg,
    kid: Option<Cow<'a, [u8]>>,
    protected: Cow<'a, [u8]>,
    payload: Cow<'a, [u8]>,
    signature: Cow<'a, [u8]>,
}

impl<'a> Sign1<'a> {
    /// Parses `bytes` under `profile`, up to [`MAX_SIGN1_BYTES`].
    ///
    /// # Errors
    /// Any [`CoseError`] describing how the message breaks the profile.
    pub fn parse(bytes: &'a [u8], profile: Profile) -> Result<Self, CoseError> {
        Self::parse_with_limit(bytes, profile, MAX_SIGN1_BYTES)
    }

    /// Parses `bytes` under `profile`, refusing anything over `max_bytes`.
    ///
    /// # Errors
    /// As [`Sign1::parse`]; [`crate::cbor::DecodeError::TooLarge`] past the limit.
    pub fn parse_with_limit(
        bytes: &'a [u8],
        profile: Profile,
        max_bytes: usize,
    ) -> Result<Self, CoseError> {
        match profile {
            Profile::Hcx => parse_hcx(bytes, max_bytes),
            Profile::Dcc => parse_dcc(bytes, max_bytes),
        }
    }

    /// The profile the message was read under.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The signature algorithm named by the headers.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key id: always present under [`Profile::Hcx`] (from the protected header);
    /// under [`Profile::Dcc`] the protected kid, else the unprotected one, if any.
    pub fn kid(&self) -> Option<&[u8]> {
        self.kid.as_deref()
    }

    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The protected header bucket exactly as received (the content of the bstr).
    pub fn protected_bytes(&self) -> &[u8] {
        &self.protected
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The bytes that were signed: `["Signature1", protected, external_aad, payload]`.
    pub fn to_be_signed(&self, external_aad: &[u8]) -> Vec<u8> {
        sig_structure(&self.protected, external_aad, &self.payload)
    }

    /// Verifies the signature with `key` over the received protected bytes.
    ///
    /// # Errors
    /// [`CoseError::Signature`] with `AlgKeyMismatch` if `key` is not of the message's
    /// algorithm, or `BadSignature`.
    pub fn verify(&self, key: &PublicKey, external_aad: &[u8]) -> Result<(), CoseError> {
        let tbs = self.to_be_signed(external_aad);
        key.verify(self.alg, &tbs, &self.signature)?;
        Ok(())
    }

    /// Checks that the message names the key id `expected`.
    ///
    /// # Errors
    /// [`CoseError::KidMismatch`] if it names another or none.
    pub fn check_kid(&self, expected: &[u8]) -> Result<(), CoseError> {
        if self.kid() == Some(expected) {
            Ok(())
        } else {
            Err(CoseError::KidMismatch)
        }
    }
}

/// Signs `payload` as a canonical, tagged hcx-profile COSE_Sign1 with key id `kid` and an
/// empty external_aad.
///
/// # Errors
/// [`CoseError::UnsupportedAlg`] if the signer's algorithm is not EdDSA or ES256, a kid
/// length error, or the signer's failure.
pub fn sign1(signer: &dyn Signer, kid: &[u8], payload: &[u8]) -> Result<Vec<u8>, CoseError> {
    sign1_with_aad(signer, kid, payload, &[])
}

/// [`sign1`] with an external_aad bound into the signature (not carried in the message).
///
/// # Errors
/// As [`sign1`].
pub fn sign1_with_aad(
    signer: &dyn Signer,
    kid: &[u8],
    payload: &[u8],
    external_aad: &[u8],
) -> Result<Vec<u8>, CoseError> {
    let alg = signer.alg();
    if !Profile::Hcx.can_sign(alg) {
        return Err(CoseError::UnsupportedAlg { id: alg.cose_id() });
    }
    check_kid(kid)?;
    let protected = encode_hcx_protected(alg, kid);
    let signature = signer.sign(&sig_structure(&protected, external_aad, payload))?;
    let mut e = Encoder::new();
    e.tag(TAG_SIGN1)
        .array(4)
        .bytes(&protected)
        .map(0)
        .bytes(payload)
        .bytes(&signature);
    Ok(e.into_bytes())
}

fn parse_hcx(bytes: &[u8], max_bytes: usize) -> Result<Sign1<'_>, CoseError> {
    let shape = |what| move |_| CoseError::BadStructure { what };
    let mut d = Decoder::new(bytes, Limits::message(max_bytes))?;
    if d.peek_major()? != 6 {
        return Err(CoseError::MissingTag);
    }
    let tag = d.tag()?;
    if tag != TAG_SIGN1 {
        return Err(CoseError::WrongTag { tag });
    }
    if d.array().map_err(shape("not an array"))? != 4 {
        return Err(CoseError::BadStructure {
            what: "array length is not 4",
        });
    }
    let protected = d
        .bytes()
        .map_err(shape("protected header is not a byte string"))?;
    if d.map().map_err(shape("unprotected header is not a map"))? != 0 {
        return Err(CoseError::UnprotectedNotAllowed);
    }
    if d.peek_null() {
        return Err(CoseError::DetachedPayload);
    }
    let payload = d.bytes().map_err(shape("payload is not a byte string"))?;
    let signature = d.bytes().map_err(shape("signature is not a byte string"))?;
    d.finish()?;
    let (alg, kid) = parse_hcx_protected(protected)?;
    Ok(Sign1 {
        profile: Profile::Hcx,
        alg,
        kid: Some(Cow::Borrowed(kid)),
        protected: Cow::Borrowed(protected),
        payload: Cow::Borrowed(payload),
        signature: Cow::Borrowed(signature),
    })
}

fn parse_dcc(bytes: &[u8], max_bytes: usize) -> Result<Sign1<'static>, CoseError> {
    let mut v = Value::decode(bytes, Mode::WellFormed, Limits::message(max_bytes))?;
    let (mut seen_sign1, mut seen_cwt) = (false, false);
    while let Value::Tag(tag, inner) = v {
        match tag {
            TAG_SIGN1 if !seen_sign1 => seen_sign1 = true,
            TAG_CWT if !seen_cwt => seen_cwt = true,
            _ => return Err(CoseError::WrongTag { tag }),
        }
        v = *inner;
    }
    let Value::Array(items) = v else {
        return Err(CoseError::BadStructure {
            what: "not an array",
        });
    };
    let Ok([protected, unprotected, payload, signature]) = <[Value; 4]>::try_from(items) else {
        return Err(CoseError::BadStructure {
            what: "array length is not 4",
        });
    };
    let Value::Bytes(protected) = protected else {
        return Err(CoseError::BadStructure {
            what: "protected header is not a byte string",
        });
    };
    let payload = match payload {
        Value::Bytes(p) => p,
        Value::Null => return Err(CoseError::DetachedPayload),
        _ => {
            return Err(CoseError::BadStructure {
                what: "payload is not a byte string",
            });
        }
    };
    let Value::Bytes(signature) = signature else {
        return Err(CoseError::BadStructure {
            what: "signature is not a byte string",
        });
    };
    let h = header::parse_dcc(&protected, &unprotected, MAX_DEPTH)?;
    Ok(Sign1 {
        profile: Profile::Dcc,
        alg: h.alg,
        kid: h.kid.map(Cow::Owned),
        protected: Cow::Owned(protected),
        payload: Cow::Owned(payload),
        signature: Cow::Owned(signature),
    })
}

/// `Sig_structure` for COSE_Sign1 (RFC 9052 §4.4), definite lengths, in one allocation.
pub(super) fn sig_structure(protected: &[u8], external_aad: &[u8], payload: &[u8]) -> Vec<u8> {
    const CONTEXT: &[u8] = b"\x84\x6aSignature1";
    let len = CONTEXT.len() + 27 + protected.len() + external_aad.len() + payload.len();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(CONTEXT);
    for b in [protected, external_aad, payload] {
        push_bstr_head(&mut out, b.len());
        out.extend_from_slice(b);
    }
    out
}

/// Writes the shortest major-type-2 head for a byte string of `len` bytes.
fn push_bstr_head(out: &mut Vec<u8>, len: usize) {
    const BSTR: u8 = 0x40;
    let len = len as u64;
    if len < 24 {
        out.push(BSTR | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[BSTR | 24, len as u8]);
    } else if len <= 0xffff {
        out.push(BSTR | 25);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else if len <= 0xffff_ffff {
        out.push(BSTR | 26);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(BSTR | 27);
        out.extend_from_slice(&len.to_be_bytes());
    }
}
