//! The tlog-witness `add-checkpoint` state machine as pure code.
//!
//! The node parses a request body with [`AddCheckpointRequest::parse`], looks up the
//! origin's configured log keys and its stored [`WitnessState`] (the last checkpoint this
//! witness cosigned), and calls [`add_checkpoint`] with its [`Cosigner`] and `now`. The
//! outcome is either [`Accepted`] (persist `new_state` **before** replying 200 with
//! [`Accepted::body`]) or a [`Refusal`] carrying the HTTP status and body. The lookup,
//! the call and the write must form one atomic step per origin (a lock or a
//! compare-and-swap on the stored state), or two concurrent requests can roll the state
//! back.
//!
//! **Pinned semantics** (c2sp.org/tlog-witness@v1.0.0 plus the later clarifications in
//! the current text; the vectors' `spec_status`):
//!
//! | check, in this order | status |
//! |---|---|
//! | body is not `old N`, ≤ 63 base64 proof lines, blank line, a signed note whose text is a strict checkpoint | 400 |
//! | origin not configured | 404 (litewitness answered 403) |
//! | no configured log key verifies the note, or a configured key's signature fails (or two configured keys are ambiguous) | 403 |
//! | `old` > checkpoint size | 400 |
//! | `old` ≠ stored size (0 when nothing is stored) | 409, body `"<stored size>\n"`, `text/x.tlog.size` |
//! | size-0 checkpoint whose root is not `SHA-256("")` | 422 |
//! | `old == 0` with a non-empty proof | 422 |
//! | `old ==` size with a non-empty proof, or with a root other than the stored one | 422 (v1.0.0 said 409) |
//! | a proof hash that is not 32 bytes, or a consistency proof that fails | 422 |
//! | otherwise | 200, one cosignature line per cosigner |
//!
//! Size 0 is handled here, not in `merkle` (whose verifier calls `size1 == 0` invalid):
//! the empty tree is consistent with every tree, so `old 0` needs an empty proof.
//! Resubmitting the stored checkpoint is idempotent: 200 with a fresh cosignature and an
//! unchanged state.
//!
//! Does not own storage, locking, the clock, or transport (HTTP or libp2p carry the same
//! bytes); nor the monitoring `GET` endpoint.

use crate::merkle::{self, EMPTY_ROOT, Hash, ProofError};
use crate::note::checkpoint::parse_canonical_u64;
use crate::note::{
    Checkpoint, CheckpointError, CosignatureError, Cosigner, Note, NoteError, OpenError,
    SignatureLine, VerifierKey,
};

/// The most consistency-proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// The content type of a 409 body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// The content type hcx uses for other bodies.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Why an `add-checkpoint` body does not parse (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The first line is not `old <canonical decimal>`.
    #[error("first line is not `old <size>`")]
    BadOldLine,
    /// A proof line is not strict base64.
    #[error("consistency proof line is not base64")]
    BadProofLine,
    /// More than [`MAX_PROOF_LINES`] proof lines.
    #[error("too many consistency proof lines")]
    TooManyProofLines,
    /// No blank line ends the proof.
    #[error("no blank line before the checkpoint")]
    NoBlankLine,
    /// The checkpoint note is malformed.
    #[error("malformed checkpoint note: {0}")]
    Note(#[from] NoteError),
    /// The note text is not a strict checkpoint.
    #[error("malformed checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
}

/// A parsed `add-checkpoint` request (signatures not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpointRequest {
    /// The size the client believes the witness last cosigned.
    pub old_size: u64,
    /// The consistency proof lines, base64-decoded (lengths are checked by
    /// [`add_checkpoint`], which answers 422 for a non-32-byte hash).
    pub proof: Vec<Vec<u8>>,
    /// The signed checkpoint note.
    pub note: Note,
    /// The checkpoint in the note's text.
    pub checkpoint: Checkpoint,
}

/// Splits off the first `\n`-terminated line.
fn next_line(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = rest.iter().position(|b| *b == b'\n')?;
    Some((rest.get(..i)?, rest.get(i + 1..)?))
}

impl AddCheckpointRequest {
    /// Parses a request body.
    ///
    /// # Errors
    /// [`RequestError`] (HTTP 400).
    pub fn parse(body: &[u8]) -> Result<Self, RequestError> {
        let (first, mut rest) = next_line(body).ok_or(RequestError::BadOldLine)?;
        let old_size = std::str::from_utf8(first)
            .ok()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_canonical_u64)
            .ok_or(RequestError::BadOldLine)?;
        let mut proof = Vec::new();
        loop {
            let (line, after) = next_line(rest).ok_or(RequestError::NoBlankLine)?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(RequestError::TooManyProofLines);
            }
            let hash = std::str::from_utf8(line)
                .ok()
                .and_then(crate::note::b64_decode)
                .ok_or(RequestError::BadProofLine)?;
            proof.push(hash);
        }
        let note = Note::parse(rest)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(Self {
            old_size,
            proof,
            note,
            checkpoint,
        })
    }

    /// The checkpoint's origin (to look up the log keys and the stored state).
    pub fn origin(&self) -> &str {
        &self.checkpoint.origin
    }
}

/// What a witness stores per origin: the last checkpoint it cosigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WitnessState {
    /// Its tree size.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
}

/// A cosigned checkpoint: the state to persist, then the lines to return with 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The new state (persist before replying).
    pub new_state: WitnessState,
    /// The checkpoint that was cosigned.
    pub checkpoint: Checkpoint,
    /// The cosignature lines.
    pub cosignatures: Vec<SignatureLine>,
}

impl Accepted {
    /// The 200 response body: the cosignature lines.
    pub fn body(&self) -> String {
        self.cosignatures.iter().map(ToString::to_string).collect()
    }
}

/// Why the witness refuses a request; each maps to an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum Refusal {
    /// 400: the body does not parse.
    #[error("malformed request: {0}")]
    Malformed(#[from] RequestError),
    /// 404: the origin is not configured.
    #[error("unknown log origin")]
    UnknownOrigin,
    /// 403: no configured log key verifies the checkpoint, or one fails.
    #[error("checkpoint not signed by the log: {0}")]
    NotAuthenticated(OpenError),
    /// 400: `old` is larger than the checkpoint's size.
    #[error("old size {old} is larger than the checkpoint size {size}")]
    OldSizeTooLarge { old: u64, size: u64 },
    /// 409: `old` is not the size this witness last cosigned (`current`).
    #[error("old size does not match the witness's size {current}")]
    Conflict { current: u64 },
    /// 422: a size-0 checkpoint whose root is not `SHA-256("")`.
    #[error("size-0 checkpoint with a non-empty root")]
    BadEmptyRoot,
    /// 422: a proof where none belongs (`old == 0` or `old == size`).
    #[error("consistency proof must be empty")]
    UnexpectedProof,
    /// 422: same size as stored but another root (a fork).
    #[error("same size as the cosigned checkpoint, different root")]
    RootMismatch,
    /// 422: a proof hash that is not 32 bytes.
    #[error("consistency proof hash is {len} bytes")]
    BadProofHash { len: usize },
    /// 422: the consistency proof does not verify.
    #[error("consistency proof does not verify: {0}")]
    BadProof(ProofError),
    /// 500: cosigning failed (for example a clock at or past 2^63).
    #[error("cosigning failed: {0}")]
    Signing(CosignatureError),
}

impl Refusal {
    /// The HTTP status code.
    pub const fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) | Self::OldSizeTooLarge { .. } => 400,
            Self::NotAuthenticated(_) => 403,
            Self::UnknownOrigin => 404,
            Self::Conflict { .. } => 409,
            Self::BadEmptyRoot
            | Self::UnexpectedProof
            | Self::RootMismatch
            | Self::BadProofHash { .. }
            | Self::BadProof(_) => 422,
            Self::Signing(_) => 500,
        }
    }

    /// The response body: `"<size>\n"` for 409, the error text otherwise.
    pub fn body(&self) -> String {
        match self {
            Self::Conflict { current } => format!("{current}\n"),
            other => format!("{other}\n"),
        }
    }

    /// The response content type.
    pub const fn content_type(&self) -> &'static str {
        match self {
            Self::Conflict { .. } => SIZE_CONTENT_TYPE,
            _ => TEXT_CONTENT_TYPE,
        }
    }
}

/// Runs the witness rules for one request (see the module table for the order).
///
/// `log_keys` is `None` when the origin is not configured; `stored` is `None` when this
/// witness never cosigned for the origin (equivalent to size 0).
///
/// # Errors
/// A [`Refusal`] with the status to answer.
pub fn add_checkpoint(
    request: &AddCheckpointRequest,
    log_keys: Option<&[VerifierKey]>,
    stored: Option<WitnessState>,
    cosigner: &Cosigner,
    now: u64,
) -> Result<Accepted, Refusal> {
    let keys = log_keys.ok_or(Refusal::UnknownOrigin)?;
    request
        .note
        .verify(keys)
        .map_err(Refusal::NotAuthenticated)?;
    let cp = &request.checkpoint;
    let old = request.old_size;
    if old > cp.size {
        return Err(Refusal::OldSizeTooLarge { old, size: cp.size });
    }
    let current = stored.unwrap_or(WitnessState {
        size: 0,
        root: EMPTY_ROOT,
    });
    if old != current.size {
        return Err(Refusal::Conflict {
            current: current.size,
        });
    }
    if cp.size == 0 && cp.root != EMPTY_ROOT {
        return Err(Refusal::BadEmptyRoot);
    }
    if old == 0 || old == cp.size {
        if !request.proof.is_empty() {
            return Err(Refusal::UnexpectedProof);
        }
        if old == cp.size && old != 0 && cp.root != current.root {
            return Err(Refusal::RootMismatch);
        }
    } else {
        let proof: Vec<Hash> = request
            .proof
            .iter()
            .map(|h| {
                Hash::try_from(h.as_slice()).map_err(|_| Refusal::BadProofHash { len: h.len() })
            })
            .collect::<Result<_, _>>()?;
        merkle::verify_consistency(old, cp.size, &current.root, &cp.root, &proof)
            .map_err(Refusal::BadProof)?;
    }
    let line = cosigner
        .cosign(request.note.text(), now)
        .map_err(Refusal::Signing)?;
    Ok(Accepted {
        new_state: WitnessState {
            size: cp.size,
            root: cp.root,
        },
        checkpoint: cp.clone(),
        cosignatures: vec![line],
    })
}

/// Parses `body` and runs [`add_checkpoint`], with `lookup` giving the configured log
/// keys (`None` if unknown) and the stored state for the request's origin.
///
/// # Errors
/// A [`Refusal`] with the status to answer.
pub fn handle<F>(body: &[u8], lookup: F, cosigner: &Cosigner, now: u64) -> Result<Accepted, Refusal>
where
    F: FnOnce(&str) -> (Option<Vec<VerifierKey>>, Option<WitnessState>),
{
    let request = AddCheckpointRequest::parse(body)?;
    let (keys, stored) = lookup(request.origin());
    add_checkpoint(&request, keys.as_deref(), stored, cosigner, now)
}

#[cfg(test)]
mod tests;
