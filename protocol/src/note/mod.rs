//! C2SP signed notes and what is built on them: verifier keys ([`vkey`]), the note format
//! with signing and opening ([`signed_note`]), `tlog-checkpoint` bodies ([`checkpoint`])
//! and `tlog-cosignature/v1` witness cosignatures ([`cosignature`]).
//!
//! **Owns:** the text formats and their Ed25519 signatures (via `ring`, through
//! [`crate::sign`]). **Does not own:** the witness state machine (`witness`), Merkle maths
//! (`merkle`), or any key storage.
//!
//! Pinned versions: c2sp.org/signed-note@v1.0.0, tlog-checkpoint@v1.0.0,
//! tlog-cosignature@v1.0.1 (Ed25519 only: signature types `0x01` and `0x04`).
//!
//! Choices recorded here:
//! - Key IDs in vkeys must be 8 *lower-case* hex digits (C2SP); Go also accepts upper case.
//! - Checkpoint bodies are parsed strictly (32-byte root, canonical decimal size, no empty
//!   extension lines, final newline); upstream Go parsers are looser.
//! - Base64 in vkeys, private keys and checkpoint roots is strict (canonical padding and
//!   zero trailing bits). In *signature lines* non-zero trailing bits are tolerated, as
//!   Go's `base64.StdEncoding` does: a tampered last character then fails as a signature
//!   (`invalid_signature`, HTTP 403 at a witness) rather than as syntax.
//! - Every signature line from a configured key is verified, including repeats of the
//!   same (name, key id) (Go skips repeats): any failure rejects the whole note.

pub mod checkpoint;
pub mod cosignature;
pub mod signed_note;
pub mod vkey;

#[cfg(test)]
mod tests;

pub use checkpoint::{Checkpoint, CheckpointError};
pub use cosignature::{Cosignature, CosignatureError, Cosigner, signed_message};
pub use signed_note::{Note, NoteError, OpenError, OpenedNote, SignatureLine, open};
pub use vkey::{KeyType, NoteSigner, VerifierKey, VkeyError, is_valid_key_name, key_id};

use base64::Engine as _;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig, general_purpose::STANDARD};

/// Standard base64 that tolerates non-zero trailing bits (Go's `StdEncoding`).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Standard base64 with padding.
pub(crate) fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Strict standard base64 (canonical padding, zero trailing bits).
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    STANDARD.decode(s).ok()
}

/// Standard base64 tolerating non-zero trailing bits (signature lines only).
pub(crate) fn b64_decode_lenient(s: &str) -> Option<Vec<u8>> {
    LENIENT.decode(s).ok()
}
