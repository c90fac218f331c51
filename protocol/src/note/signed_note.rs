//! The c2sp.org/signed-note@v1.0.0 format: text, a blank line, then signature lines
//! `— <name> base64(key_id[4] ‖ signature)`. Parsing ([`Note::parse`]), signing
//! ([`Note::sign`]) and opening against configured keys ([`open`]).
//!
//! Opening outcomes follow the shared vocabulary: ok, malformed ([`OpenError::Malformed`]),
//! invalid_signature (a configured key's line fails: the whole note is rejected),
//! unverified (no configured key signed), ambiguous (two configured keys share the
//! (name, key id) a line uses). Syntax is checked for the whole note before any
//! signature. At most [`MAX_SIGNATURE_LINES`] lines are accepted (Go's cap; C2SP
//! requires at least 16). Identical repeated lines from unknown keys are dropped.
//!
//! Does not own key formats (`vkey`) or what the text means (`checkpoint`).

use std::fmt;

use super::vkey::{NoteSigner, VerifierKey, is_valid_key_name};
use super::{b64_decode_lenient, b64_encode};

/// The most signature lines a note may carry.
pub const MAX_SIGNATURE_LINES: usize = 100;

/// The prefix of a signature line: U+2014 EM DASH and a space.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Why a note is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is not UTF-8.
    #[error("note is not valid UTF-8")]
    NotUtf8,
    /// The note contains an ASCII control character other than newline.
    #[error("note contains a control character")]
    ControlCharacter,
    /// The text is empty or does not end in a newline.
    #[error("note text must be non-empty and end in a newline")]
    TextNoNewline,
    /// There is no blank line separating text and signatures.
    #[error("note has no signature block")]
    NoSignatureBlock,
    /// The signature block is empty or does not end in a newline.
    #[error("signature block is empty or does not end in a newline")]
    BadSignatureBlock,
    /// A signature line is not `— <name> <base64>` with at least 5 bytes.
    #[error("malformed signature line")]
    BadSignatureLine,
    /// More than [`MAX_SIGNATURE_LINES`] signature lines.
    #[error("too many signature lines")]
    TooManySignatures,
    /// The signer failed.
    #[error("signing failed")]
    Signing,
}

/// Why a note does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum OpenError {
    /// The note is malformed.
    #[error("malformed note: {0}")]
    Malformed(#[from] NoteError),
    /// A configured key's signature line does not verify: reject the whole note.
    #[error("invalid signature by {name} ({key_id:08x})")]
    InvalidSignature { name: String, key_id: u32 },
    /// No configured key signed the note.
    #[error("note has no verifiable signatures")]
    Unverified,
    /// Two configured keys share the (name, key id) a signature line uses.
    #[error("ambiguous key {name} ({key_id:08x})")]
    Ambiguous { name: String, key_id: u32 },
}

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignatureLine {
    /// The key name.
    pub name: String,
    /// The key id (first 4 bytes of the decoded payload).
    pub key_id: u32,
    /// The signature bytes after the key id.
    pub signature: Vec<u8>,
}

impl SignatureLine {
    /// Parses a line (without its final newline).
    ///
    /// # Errors
    /// [`NoteError::BadSignatureLine`].
    pub fn parse(line: &str) -> Result<Self, NoteError> {
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(NoteError::BadSignatureLine)?;
        let (name, b64) = rest.split_once(' ').ok_or(NoteError::BadSignatureLine)?;
        if !is_valid_key_name(name) || b64.is_empty() {
            return Err(NoteError::BadSignatureLine);
        }
        let raw = b64_decode_lenient(b64).ok_or(NoteError::BadSignatureLine)?;
        match raw.as_slice() {
            [a, b, c, d, sig @ ..] if !sig.is_empty() => Ok(Self {
                name: name.to_owned(),
                key_id: u32::from_be_bytes([*a, *b, *c, *d]),
                signature: sig.to_vec(),
            }),
            _ => Err(NoteError::BadSignatureLine),
        }
    }

    /// The base64 payload `base64(key_id ‖ signature)`.
    pub fn payload_base64(&self) -> String {
        let mut raw = Vec::with_capacity(4 + self.signature.len());
        raw.extend_from_slice(&self.key_id.to_be_bytes());
        raw.extend_from_slice(&self.signature);
        b64_encode(&raw)
    }
}

impl fmt::Display for SignatureLine {
    /// The line with its final newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{SIGNATURE_PREFIX}{} {}",
            self.name,
            self.payload_base64()
        )
    }
}

/// Checks note text: non-empty, ends in `\n`, no control characters but `\n`.
fn check_text(text: &str) -> Result<(), NoteError> {
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    if !text.ends_with('\n') {
        return Err(NoteError::TextNoNewline);
    }
    Ok(())
}

/// A signed note: its text and its signature lines, in order (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<SignatureLine>,
}

impl Note {
    /// A note with `text` and no signatures yet.
    ///
    /// # Errors
    /// [`NoteError::TextNoNewline`] or [`NoteError::ControlCharacter`].
    pub fn new(text: &str) -> Result<Self, NoteError> {
        check_text(text)?;
        Ok(Self {
            text: text.to_owned(),
            signatures: Vec::new(),
        })
    }

    /// Parses a note's syntax (signatures are not verified).
    ///
    /// # Errors
    /// [`NoteError`] for any syntax error.
    pub fn parse(bytes: &[u8]) -> Result<Self, NoteError> {
        let s = std::str::from_utf8(bytes).map_err(|_| NoteError::NotUtf8)?;
        if s.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::ControlCharacter);
        }
        let split = s.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let (text, sigs) = (s.get(..=split), s.get(split + 2..));
        let (Some(text), Some(sigs)) = (text, sigs) else {
            return Err(NoteError::NoSignatureBlock);
        };
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(NoteError::BadSignatureBlock);
        }
        let mut signatures = Vec::new();
        for line in sigs.split_terminator('\n') {
            if signatures.len() == MAX_SIGNATURE_LINES {
                return Err(NoteError::TooManySignatures);
            }
            signatures.push(SignatureLine::parse(line)?);
        }
        Ok(Self {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note text, with its final newline.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines in order.
    pub fn signatures(&self) -> &[SignatureLine] {
        &self.signatures
    }

    /// Appends a signature line.
    ///
    /// # Errors
    /// [`NoteError::TooManySignatures`] past [`MAX_SIGNATURE_LINES`].
    pub fn push_signature(&mut self, line: SignatureLine) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURE_LINES {
            return Err(NoteError::TooManySignatures);
        }
        self.signatures.push(line);
        Ok(())
    }

    /// Signs the text with `signer` and appends the line.
    ///
    /// # Errors
    /// [`NoteError::Signing`] or [`NoteError::TooManySignatures`].
    pub fn sign(&mut self, signer: &NoteSigner) -> Result<(), NoteError> {
        let line = signer
            .sign_text(&self.text)
            .map_err(|_| NoteError::Signing)?;
        self.push_signature(line)
    }

    /// Verifies the signatures against `verifiers` (see [`open`]).
    ///
    /// # Errors
    /// [`OpenError`] other than `Malformed`.
    pub fn verify(&self, verifiers: &[VerifierKey]) -> Result<OpenedNote, OpenError> {
        let mut verified: Vec<SignatureLine> = Vec::new();
        let mut unverified: Vec<SignatureLine> = Vec::new();
        for line in &self.signatures {
            let mut keys = verifiers
                .iter()
                .filter(|k| k.name() == line.name && k.key_id() == line.key_id);
            let (Some(key), None) = (keys.next(), keys.next()) else {
                if verifiers
                    .iter()
                    .any(|k| k.name() == line.name && k.key_id() == line.key_id)
                {
                    return Err(OpenError::Ambiguous {
                        name: line.name.clone(),
                        key_id: line.key_id,
                    });
                }
                if !unverified.contains(line) {
                    unverified.push(line.clone());
                }
                continue;
            };
            if !key.verify(&self.text, &line.signature) {
                return Err(OpenError::InvalidSignature {
                    name: line.name.clone(),
                    key_id: line.key_id,
                });
            }
            if !verified
                .iter()
                .any(|v| v.name == line.name && v.key_id == line.key_id)
            {
                verified.push(line.clone());
            }
        }
        if verified.is_empty() {
            return Err(OpenError::Unverified);
        }
        Ok(OpenedNote {
            note: self.clone(),
            verified,
            unverified,
        })
    }

    /// The note's wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.text)?;
        for s in &self.signatures {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

/// A note whose signatures were checked: at least one configured key verified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedNote {
    /// The whole note, every line included.
    pub note: Note,
    /// One line per configured (name, key id) that verified, in note order.
    pub verified: Vec<SignatureLine>,
    /// Lines from keys that are not configured (deduplicated), in note order.
    pub unverified: Vec<SignatureLine>,
}

impl OpenedNote {
    /// The note text.
    pub fn text(&self) -> &str {
        self.note.text()
    }
}

/// Parses `bytes` as a signed note and verifies it against `verifiers`.
///
/// # Errors
/// [`OpenError::Malformed`], [`OpenError::InvalidSignature`], [`OpenError::Unverified`]
/// or [`OpenError::Ambiguous`].
pub fn open(bytes: &[u8], verifiers: &[VerifierKey]) -> Result<OpenedNote, OpenError> {
    Note::parse(bytes)?.verify(verifiers)
}
