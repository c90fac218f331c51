//! Status messages: status delta batches (every colour change, with its rule, actor,
//! evidence commitment and quorum certificate, never its reason), status snapshots for
//! offline verifiers, risk-area lists, and risk notices (B → A, reason sealed to A).
//!
//! Not here: deciding colours (the node's rules engine), the sealed box maths
//! (`crate::seal`).

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder};
use crate::seal::SealedBox;

use super::{
    CodeIdHash, Colour, Commitment, Jurisdiction, QuorumCertificate, Region, RiskLevel, Role,
    RuleId, cap, strictly_ascending, wire_enum, wire_message, wire_struct,
};

/// A code's status: a palette colour, or revoked. Encoded as the colour index (unsigned)
/// or `-1` for revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// A palette colour (green is `Colour::GREEN`).
    Colour(Colour),
    /// The code is revoked.
    Revoked,
}

impl Status {
    /// Whether this is green.
    pub const fn is_green(self) -> bool {
        matches!(self, Self::Colour(c) if c.is_green())
    }
}

impl Cbor for Status {
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Colour(c) => c.encode(e),
            Self::Revoked => {
                e.nint(0);
            }
        }
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        match d.i64()? {
            -1 => Ok(Self::Revoked),
            n => u8::try_from(n)
                .map(|c| Self::Colour(Colour(c)))
                .map_err(|_| DecodeError::InvalidValue { field: "status" }),
        }
    }
}

wire_struct! {
    /// One status change of one code.
    pub struct StatusDelta {
        /// The code.
        1 req code: CodeIdHash,
        /// New status.
        2 req status: Status,
        /// New national risk level.
        3 req risk: RiskLevel,
        /// The rule set (id@version) that produced it.
        4 req rule: RuleId,
        /// Effective time.
        5 req time: u64,
        /// The acting role (required for a non-green change).
        6 opt actor: Role,
        /// The actor's jurisdiction (required for a non-green change).
        7 opt jurisdiction: Jurisdiction,
        /// Commitment to the evidence (required for a non-green change).
        8 opt evidence: Commitment,
        /// The quorum certificate, where the change needed one.
        9 opt quorum: QuorumCertificate,
    }
    check = StatusDelta::check;
}

impl StatusDelta {
    fn check(&self) -> Result<(), DecodeError> {
        let complete =
            self.actor.is_some() && self.jurisdiction.is_some() && self.evidence.is_some();
        if !self.status.is_green() && !complete {
            return Err(DecodeError::InvalidValue {
                field: "non-green delta without actor, jurisdiction and evidence",
            });
        }
        Ok(())
    }
}

/// Most entries in one status delta batch.
pub const MAX_DELTAS_PER_BATCH: usize = 1000;
/// The status delta batch size limit.
pub const STATUS_DELTA_BATCH_MAX: usize = 64 * 1024;

wire_struct! {
    /// Up to 1,000 status changes, at most 64 KiB (broadcast by the issuing region).
    pub struct StatusDeltaBatch {
        /// The deltas.
        1 req deltas: Vec<StatusDelta>,
    }
    check = StatusDeltaBatch::check;
}
wire_message!(
    StatusDeltaBatch,
    21,
    STATUS_DELTA_BATCH_MAX,
    "status-delta-batch"
);

impl StatusDeltaBatch {
    fn check(&self) -> Result<(), DecodeError> {
        if self.deltas.is_empty() {
            return Err(DecodeError::InvalidValue {
                field: "empty delta batch",
            });
        }
        cap(
            &self.deltas,
            MAX_DELTAS_PER_BATCH,
            "status deltas (max 1000)",
        )
    }
}

/// The status snapshot size limit (about 120,000 code hashes).
pub const STATUS_SNAPSHOT_MAX: usize = 4 * 1024 * 1024;

wire_struct! {
    /// A dated snapshot of the non-green or revoked, unexpired codes of one region, for
    /// offline verifiers; past `fresh_until` a verifier says "status stale".
    pub struct StatusSnapshot {
        /// Issuing region.
        1 req region: Region,
        /// Dated (Unix seconds).
        2 req date: u64,
        /// Freshness bound.
        3 req fresh_until: u64,
        /// Hashes of unexpired codes whose status is no longer green, sorted, unique.
        4 req non_green: Vec<CodeIdHash>,
        /// Hashes of revoked unexpired codes, sorted, unique.
        5 req revoked: Vec<CodeIdHash>,
    }
    check = StatusSnapshot::check;
}
wire_message!(StatusSnapshot, 22, STATUS_SNAPSHOT_MAX, "status-snapshot");

impl StatusSnapshot {
    fn check(&self) -> Result<(), DecodeError> {
        if self.fresh_until <= self.date {
            return Err(DecodeError::InvalidValue {
                field: "snapshot freshness",
            });
        }
        strictly_ascending(&self.non_green, "snapshot non-green codes (sorted, unique)")?;
        strictly_ascending(&self.revoked, "snapshot revoked codes (sorted, unique)")
    }

    /// Whether `code` is listed as no longer green (binary search).
    pub fn is_non_green(&self, code: &CodeIdHash) -> bool {
        self.non_green.binary_search(code).is_ok()
    }

    /// Whether `code` is listed as revoked (binary search).
    pub fn is_revoked(&self, code: &CodeIdHash) -> bool {
        self.revoked.binary_search(code).is_ok()
    }
}

wire_enum! {
    /// The level of a risk area.
    pub enum AreaLevel("area level") {
        /// Medium-risk area.
        Medium = 2,
        /// High-risk area.
        High = 3,
    }
}

wire_struct! {
    /// One risk area.
    pub struct RiskArea {
        /// Its division code (a township or village code where that fine).
        1 req area: Jurisdiction,
        /// Level.
        2 req level: AreaLevel,
        /// Since (Unix seconds).
        3 req since: u64,
    }
}

/// Most areas in one list.
pub const MAX_RISK_AREAS: usize = 8192;

wire_struct! {
    /// A region's current risk-area list (a change needs a quorum at the node).
    pub struct RiskAreaList {
        /// The region.
        1 req region: Region,
        /// Version.
        2 req version: u64,
        /// The areas, sorted by code, unique.
        3 req areas: Vec<RiskArea>,
    }
    check = RiskAreaList::check;
}
wire_message!(RiskAreaList, 23, 256 * 1024, "risk-area-list");

impl RiskAreaList {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.areas, MAX_RISK_AREAS, "risk areas")?;
        let codes: Vec<&Jurisdiction> = self.areas.iter().map(|a| &a.area).collect();
        strictly_ascending(&codes, "risk areas (sorted, unique)")
    }
}

wire_struct! {
    /// A risk notice from B to A about a code A issued: the reason category sealed to A's
    /// notice key (`crate::seal`, with [`RiskNotice::seal_aad`] as associated data).
    /// Sent on B's directed stream for A; only B and A serve it.
    pub struct RiskNotice {
        /// The region that issued the code (the recipient).
        1 req target: Region,
        /// The code.
        2 req code: CodeIdHash,
        /// The sealed reason.
        3 req sealed: SealedBox,
    }
}
wire_message!(RiskNotice, 24, 2048, "risk-notice");

impl RiskNotice {
    /// The associated data a sealed reason is bound to: the canonical array
    /// `[sender, target, code]`, so a sealed box cannot be moved to another notice.
    pub fn seal_aad(sender: Region, target: Region, code: &CodeIdHash) -> Vec<u8> {
        let mut e = Encoder::new();
        e.array(3);
        sender.encode(&mut e);
        target.encode(&mut e);
        code.encode(&mut e);
        e.into_bytes()
    }
}
