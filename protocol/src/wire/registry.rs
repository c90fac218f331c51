//! Every message type by name, for callers that learn the type at run time (the
//! conformance runner, a node's debug tooling): decode and re-encode, open a COSE-signed
//! message, verify a detached account signature, and the stable error codes of SPEC.md.
//!
//! Not here: anything a type does beyond decoding and signatures.

use crate::cbor::DecodeError;
use crate::cose::CoseError;
use crate::sign::{PublicKey, SignatureError};

use super::*;

/// The stable name of a decode failure (SPEC.md, "Error codes").
pub fn error_code(e: &DecodeError) -> &'static str {
    match e {
        DecodeError::Truncated { .. } => "truncated",
        DecodeError::Indefinite { .. } => "indefinite_length",
        DecodeError::NonCanonicalHead { .. } | DecodeError::NonCanonicalFloat { .. } => {
            "non_canonical"
        }
        DecodeError::UnsortedMapKeys { .. } => "unsorted_keys",
        DecodeError::DuplicateMapKey { .. } => "duplicate_key",
        DecodeError::TooDeep { .. } => "too_deep",
        DecodeError::TooLarge { .. } => "too_large",
        DecodeError::TrailingBytes { .. } => "trailing_bytes",
        DecodeError::WrongType { .. } => "wrong_type",
        DecodeError::WrongLength { .. } => "wrong_length",
        DecodeError::MissingKey { .. } => "missing_key",
        DecodeError::UnknownKey { .. } => "unknown_key",
        DecodeError::InvalidValue {
            field: "envelope type tag",
        } => "wrong_type_tag",
        DecodeError::InvalidValue { .. } | DecodeError::IntegerOverflow { .. } => "invalid_value",
        _ => "not_well_formed",
    }
}

/// The stable name of a failure to open a COSE-signed message.
pub fn open_error_code(e: &OpenError) -> &'static str {
    match e {
        OpenError::UnknownKey => "unknown_kid",
        OpenError::Payload(d) | OpenError::Cose(CoseError::Decode(d)) => error_code(d),
        OpenError::Cose(CoseError::Signature(_)) => "bad_signature",
        _ => "bad_cose",
    }
}

/// The stable name of a detached-signature failure.
pub fn signature_error_code(_: &SignatureError) -> &'static str {
    "bad_signature"
}

macro_rules! registry {
    (cbor: [$($t:ty),* $(,)?], signed: [$($s:ty),* $(,)?]) => {
        /// Strictly decodes `bytes` as the message type named `name` and re-encodes it;
        /// `None` for an unknown name.
        pub fn decode_reencode(name: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, DecodeError>> {
            $(if name == <$t as WireMessage>::NAME {
                return Some(<$t>::from_bytes(bytes).map(|v| v.to_bytes()));
            })*
            None
        }

        /// Opens `bytes` as a COSE-signed message of the type named `name` (key by kid
        /// from `key_for`), returning the re-encoded payload; `None` for an unknown name.
        pub fn open_reencode(
            name: &str,
            bytes: &[u8],
            key_for: &dyn Fn(&KeyId) -> Option<PublicKey>,
        ) -> Option<Result<Vec<u8>, OpenError>> {
            $(if name == <$t as WireMessage>::NAME {
                return Some(open_cose::<$t>(bytes, key_for).map(|(v, _)| v.to_bytes()));
            })*
            None
        }

        /// Decodes `bytes` as the detached-signed (`Signed<B>`) type named `name` and
        /// verifies it with `key`; `None` for a name that is not a `Signed<B>` type.
        pub fn verify_signed(
            name: &str,
            bytes: &[u8],
            key: &PublicKey,
        ) -> Option<Result<Vec<u8>, &'static str>> {
            $(if name == <$s as WireMessage>::NAME {
                let v = match <$s>::from_bytes(bytes) {
                    Ok(v) => v,
                    Err(e) => return Some(Err(error_code(&e))),
                };
                return Some(v.verify(key).map(|()| v.to_bytes()).map_err(|e| signature_error_code(&e)));
            })*
            None
        }

        /// Whether messages of the type named `name` are detached-signed `Signed<B>`.
        pub fn is_signed_type(name: &str) -> bool {
            false $(|| name == <$s as WireMessage>::NAME)*
        }
    };
}

registry! {
    cbor: [
        CodeClaims, Delegation, VenueStatic, VenueDynamic, TrustBundle,
        Signed<EvidenceBody>, Signed<ApprovalBody>, Signed<TerminalExit>,
        Signed<OperationalKeyGrant>, LogEntry, Envelope, Charter, NodeCertificate,
        KeyAnnouncement, AdminRoster, RuleSet, StatusDeltaBatch, StatusSnapshot,
        RiskAreaList, RiskNotice, CheckpointNote, CosignatureNote, Equivocation, LogReset,
        DestructionStatement, AdmissionRequest, AdmissionResponse, CatchUpRequest,
        CatchUpHeads, CatchUpPage,
    ],
    signed: [
        Signed<EvidenceBody>, Signed<ApprovalBody>, Signed<TerminalExit>,
        Signed<OperationalKeyGrant>,
    ]
}
