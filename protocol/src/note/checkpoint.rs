//! c2sp.org/tlog-checkpoint@v1.0.0 note bodies, parsed strictly:
//!
//! ```text
//! <origin>\n                non-empty
//! <size>\n                  canonical decimal u64 ("0" for the empty tree)
//! <base64(root)>\n          exactly 32 bytes, strict standard base64
//! [<extension line>\n ...]  each non-empty (NOT RECOMMENDED by the spec)
//! ```
//!
//! Upstream Go parsers accept roots of any length and empty trailing lines; hcx rejects
//! both (the vectors' `c2sp_strict` verdicts). Does not own signatures (`signed_note`) or
//! whether the root is right for the size (the witness checks the size-0 root).

use std::fmt;

use super::{b64_decode, b64_encode};
use crate::merkle::Hash;

/// Why a checkpoint body does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum CheckpointError {
    /// The body does not end in a newline.
    #[error("checkpoint does not end in a newline")]
    NoFinalNewline,
    /// Fewer than three lines.
    #[error("checkpoint has fewer than three lines")]
    TooFewLines,
    /// The origin line is empty.
    #[error("empty origin")]
    EmptyOrigin,
    /// The size is not a canonical decimal `u64`.
    #[error("tree size is not a canonical decimal u64")]
    BadSize,
    /// The root hash is not strict standard base64.
    #[error("root hash is not base64")]
    BadRootBase64,
    /// The root hash is not 32 bytes.
    #[error("root hash is {len} bytes, expected 32")]
    BadRootLength { len: usize },
    /// An extension line is empty.
    #[error("empty extension line")]
    EmptyExtensionLine,
    /// A field contains a newline or control character.
    #[error("field contains a control character")]
    ControlCharacter,
}

/// A checkpoint: the log's origin, tree size, root hash and extension lines.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The log's origin line (hcx: `hcx.<federation-domain>/log/<region>`).
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The RFC 9162 root hash of the tree at `size`.
    pub root: Hash,
    /// Extension lines, in order (hcx writes none).
    pub extensions: Vec<String>,
}

/// Parses a canonical decimal `u64`: digits only, no leading zero except `"0"`.
pub(crate) fn parse_canonical_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn clean_line(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    ///
    /// # Errors
    /// [`CheckpointError::EmptyOrigin`] or [`CheckpointError::ControlCharacter`].
    pub fn new(origin: &str, size: u64, root: Hash) -> Result<Self, CheckpointError> {
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        if !clean_line(origin) {
            return Err(CheckpointError::ControlCharacter);
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// Parses a checkpoint note body (the note text, with its final newline).
    ///
    /// # Errors
    /// [`CheckpointError`] for any deviation from the strict format.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoFinalNewline)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::TooFewLines);
        };
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        if !clean_line(origin) {
            return Err(CheckpointError::ControlCharacter);
        }
        let size = parse_canonical_u64(size).ok_or(CheckpointError::BadSize)?;
        let root = b64_decode(root).ok_or(CheckpointError::BadRootBase64)?;
        let root: Hash = root
            .as_slice()
            .try_into()
            .map_err(|_| CheckpointError::BadRootLength { len: root.len() })?;
        let mut extensions = Vec::new();
        for line in lines {
            if line.is_empty() {
                return Err(CheckpointError::EmptyExtensionLine);
            }
            if !clean_line(line) {
                return Err(CheckpointError::ControlCharacter);
            }
            extensions.push(line.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The note text for this checkpoint (ends in a newline).
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.origin)?;
        writeln!(f, "{}", self.size)?;
        writeln!(f, "{}", b64_encode(&self.root))?;
        for e in &self.extensions {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}
