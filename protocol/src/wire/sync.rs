//! Request-response messages between members: admission (exchange of node certificates
//! under the current charter) and catch-up (heads, then pages of raw signed envelopes).
//! Each travels on its own request-response protocol, so it needs no type frame; none
//! is signed itself: what matters inside (node certificates, envelopes) is.
//!
//! Not here: the libp2p codec and the peer logic (the node).

use crate::cbor::{Bytes, DecodeError};

use super::{
    Digest, Region, StreamId, cap, strictly_ascending, wire_enum, wire_message, wire_struct,
};

wire_struct! {
    /// A request to be admitted as a peer.
    pub struct AdmissionRequest {
        /// The requester's node certificate (its signed envelope's COSE bytes).
        1 req certificate: Bytes,
        /// The charter hash the requester holds.
        2 req charter: Digest,
        /// A fresh challenge the responder's certificate envelope must postdate.
        3 req nonce: [u8; 32],
    }
}
wire_message!(AdmissionRequest, 32, 4096, "admission-request");

wire_enum! {
    /// The outcome of an admission request.
    pub enum AdmissionResult("admission result") {
        /// Admitted: the certificate chains to a charter member.
        Admitted = 1,
        /// The region is not a charter member.
        NotMember = 2,
        /// The requester holds another charter (the newer side sends it by catch-up).
        CharterMismatch = 3,
        /// The certificate did not verify or is outside its validity.
        BadCertificate = 4,
    }
}

wire_struct! {
    /// The answer to an admission request.
    pub struct AdmissionResponse {
        /// Outcome.
        1 req result: AdmissionResult,
        /// The responder's node certificate (COSE bytes).
        2 opt certificate: Bytes,
        /// The charter hash the responder holds.
        3 req charter: Digest,
        /// The request's nonce, echoed.
        4 req nonce: [u8; 32],
    }
}
wire_message!(AdmissionResponse, 33, 4096, "admission-response");

wire_struct! {
    /// Asks a peer for the envelopes of one (region, stream) from a sequence number on.
    pub struct CatchUpRequest {
        /// The sender region whose stream is wanted.
        1 req region: Region,
        /// The stream.
        2 req stream: StreamId,
        /// The first sequence number wanted.
        3 req from_seq: u64,
        /// The resume token of the previous page, if continuing.
        4 opt resume: Bytes,
    }
}
wire_message!(CatchUpRequest, 34, 256, "catch-up-request");

wire_struct! {
    /// The highest sequence number held for one (region, stream).
    #[derive(Hash, PartialOrd, Ord)]
    pub struct Head {
        /// Sender region.
        1 req region: Region,
        /// Stream.
        2 req stream: StreamId,
        /// Highest sequence number held.
        3 req seq: u64,
    }
}

/// Most heads in one answer.
pub const MAX_HEADS: usize = 8192;

wire_struct! {
    /// Every (region, stream) head a peer holds, sorted by (region, stream), unique.
    pub struct CatchUpHeads {
        /// The heads.
        1 req heads: Vec<Head>,
    }
    check = CatchUpHeads::check;
}
wire_message!(CatchUpHeads, 35, 256 * 1024, "catch-up-heads");

impl CatchUpHeads {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.heads, MAX_HEADS, "heads")?;
        let keys: Vec<(Region, &StreamId)> =
            self.heads.iter().map(|h| (h.region, &h.stream)).collect();
        strictly_ascending(&keys, "heads (sorted by region and stream, unique)")
    }
}

/// The catch-up page size limit.
pub const CATCH_UP_PAGE_MAX: usize = 1024 * 1024;
/// The longest resume token.
pub const MAX_RESUME_TOKEN: usize = 64;

wire_struct! {
    /// A page of raw signed envelopes (COSE bytes, in sequence order) and where to resume.
    pub struct CatchUpPage {
        /// The envelopes, exactly as signed.
        1 req items: Vec<Bytes>,
        /// Present when more follow.
        2 opt resume: Bytes,
    }
    check = CatchUpPage::check;
}
wire_message!(CatchUpPage, 36, CATCH_UP_PAGE_MAX, "catch-up-page");

impl CatchUpPage {
    fn check(&self) -> Result<(), DecodeError> {
        match &self.resume {
            Some(r) if r.0.is_empty() || r.0.len() > MAX_RESUME_TOKEN => {
                Err(DecodeError::InvalidValue {
                    field: "resume token",
                })
            }
            _ => Ok(()),
        }
    }
}
