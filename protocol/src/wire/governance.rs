//! Governance messages: the charter, the admin roster, evidence and approvals signed by
//! accounts on their own devices, the quorum certificate, and the signed rule set.
//!
//! Not here: evaluating rules (the node's rules engine), counting transcodes against
//! thresholds (the node), verifying a charter chain against its predecessor (the node's
//! trust module uses [`Charter::signing_bytes`] and [`CharterBody::hash`]).

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder};
use crate::sign;

use super::{
    CodeIdHash, Colour, Commitment, Digest, Jurisdiction, KeyId, KeyRecord, Region, Role, RuleId,
    Signed, WireMessage, cap, cap_text, signing_input, strictly_ascending, wire_message,
    wire_struct,
};

/// Most members a charter may list.
pub const MAX_CHARTER_MEMBERS: usize = 64;
/// Longest charter purpose text, bytes.
pub const MAX_PURPOSE: usize = 1024;
/// Longest member name, bytes.
pub const MAX_MEMBER_NAME: usize = 64;

wire_struct! {
    /// One charter member: a region, its offline root key and its name.
    pub struct CharterMember {
        /// The region.
        1 req region: Region,
        /// Its root public key.
        2 req root: KeyRecord,
        /// Display name (`浙江`).
        3 req name: String,
    }
    check = CharterMember::check;
}

impl CharterMember {
    fn check(&self) -> Result<(), DecodeError> {
        cap_text(&self.name, MAX_MEMBER_NAME, "member name")?;
        if self.root.public_key().is_none() {
            return Err(DecodeError::InvalidValue {
                field: "root key algorithm",
            });
        }
        Ok(())
    }
}

wire_struct! {
    /// The charter's content: what member roots sign.
    pub struct CharterBody {
        /// Version, 1 for genesis.
        1 req version: u64,
        /// SHA-256 of the previous charter's body (absent for genesis).
        2 opt previous: Digest,
        /// Members, sorted by region.
        3 req members: Vec<CharterMember>,
        /// Approvals needed for the next charter change: `k > n / 2`.
        4 req threshold: u64,
        /// The purpose (one of the sunset-bound uses the regulations allow).
        5 req purpose: String,
        /// Sunset (Unix seconds): after it keys expire and personal data is destroyed.
        6 req sunset: u64,
    }
    check = CharterBody::check;
}

impl CharterBody {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.members, MAX_CHARTER_MEMBERS, "charter members")?;
        cap_text(&self.purpose, MAX_PURPOSE, "purpose")?;
        let regions: Vec<Region> = self.members.iter().map(|m| m.region).collect();
        strictly_ascending(&regions, "charter members (sorted by region, unique)")?;
        let n = self.members.len() as u64;
        if n == 0 || self.threshold * 2 <= n || self.threshold > n {
            return Err(DecodeError::InvalidValue {
                field: "charter threshold",
            });
        }
        if (self.version == 1) != self.previous.is_none() {
            return Err(DecodeError::InvalidValue {
                field: "charter previous hash",
            });
        }
        Ok(())
    }

    /// SHA-256 of the canonical body: the charter's hash.
    pub fn hash(&self) -> Digest {
        Digest(sign::sha256(&crate::cbor::to_canonical(self)))
    }

    /// The member for `region`.
    pub fn member(&self, region: Region) -> Option<&CharterMember> {
        self.members.iter().find(|m| m.region == region)
    }
}

wire_struct! {
    /// One member root's signature over a charter body.
    pub struct MemberSignature {
        /// The signing member region.
        1 req region: Region,
        /// Signature over `signing_input(16, canonical(body))`.
        2 req sig: crate::cbor::Bytes,
    }
}

wire_struct! {
    /// A charter: body plus member root signatures (k of the *previous* charter's members
    /// for an update; every member for genesis).
    pub struct Charter {
        /// The content.
        1 req body: CharterBody,
        /// Signatures, sorted by region.
        2 req signatures: Vec<MemberSignature>,
    }
    check = Charter::check;
}
wire_message!(Charter, 16, 48 * 1024, "charter");

impl Charter {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.signatures, MAX_CHARTER_MEMBERS, "charter signatures")?;
        let regions: Vec<Region> = self.signatures.iter().map(|s| s.region).collect();
        strictly_ascending(&regions, "charter signatures (sorted by region, unique)")
    }

    /// The bytes each member root signs.
    pub fn signing_bytes(&self) -> Vec<u8> {
        signing_input(
            <Self as WireMessage>::TYPE_TAG,
            &crate::cbor::to_canonical(&self.body),
        )
    }
}

/// Most entries in one admin roster.
pub const MAX_ROSTER_ENTRIES: usize = 4096;

wire_struct! {
    /// One account in the admin roster.
    pub struct RosterEntry {
        /// The account's key id.
        1 req kid: KeyId,
        /// The account's public key (on its own device).
        2 req key: KeyRecord,
        /// Its role.
        3 req role: Role,
        /// Its jurisdiction.
        4 req jurisdiction: Jurisdiction,
        /// The account that created it (absent for accounts created by the operator at
        /// genesis of the roster).
        5 opt created_by: KeyId,
        /// Created at.
        6 req created_at: u64,
        /// Disabled at, when the account was withdrawn.
        7 opt disabled_at: u64,
    }
}

wire_struct! {
    /// The admin roster: every account's key, role, jurisdiction and creator, published
    /// to all members (so a minted approver is visible).
    pub struct AdminRoster {
        /// The region.
        1 req region: Region,
        /// Roster version (increases with each change).
        2 req version: u64,
        /// Entries, sorted by key id.
        3 req entries: Vec<RosterEntry>,
    }
    check = AdminRoster::check;
}
wire_message!(AdminRoster, 19, 1024 * 1024, "admin-roster");

impl AdminRoster {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.entries, MAX_ROSTER_ENTRIES, "roster entries")?;
        let kids: Vec<&KeyId> = self.entries.iter().map(|e| &e.kid).collect();
        strictly_ascending(&kids, "roster entries (sorted by key id, unique)")
    }

    /// The entry for `kid` (binary search: entries are sorted).
    pub fn entry(&self, kid: &KeyId) -> Option<&RosterEntry> {
        self.entries
            .binary_search_by(|e| e.kid.cmp(kid))
            .ok()
            .and_then(|i| self.entries.get(i))
    }
}

/// An evidence category (the kind of fact, not its content). Values 1–7 are named;
/// others are reserved and refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EvidenceCategory(u8);

impl EvidenceCategory {
    /// A confirmed case.
    pub const CONFIRMED_CASE: Self = Self(1);
    /// A suspected case.
    pub const SUSPECTED_CASE: Self = Self(2);
    /// An asymptomatic infection.
    pub const ASYMPTOMATIC_CASE: Self = Self(3);
    /// A close contact of a case.
    pub const CLOSE_CONTACT: Self = Self(4);
    /// A sub-close (secondary) contact (Guangxi art. 17).
    pub const SECONDARY_CONTACT: Self = Self(5);
    /// Arrival from abroad (customs); the time is the time of entry.
    pub const OVERSEAS_ARRIVAL: Self = Self(6);
    /// An order to central quarantine or home medical observation.
    pub const QUARANTINE_ORDER: Self = Self(7);
    /// Central quarantine ended.
    pub const QUARANTINE_COMPLETED: Self = Self(8);
    /// Home medical observation ended.
    pub const HOME_OBSERVATION_COMPLETED: Self = Self(9);
    /// Fever reported at a clinic.
    pub const FEVER: Self = Self(10);
    /// The fever ended.
    pub const FEVER_RESOLVED: Self = Self(11);
    /// A stay in a risk area; the time is the arrival from it.
    pub const RISK_AREA_STAY: Self = Self(12);
    /// A negative nucleic-acid test; the time is when the sample was taken.
    pub const NUCLEIC_ACID_NEGATIVE: Self = Self(13);
    /// A positive nucleic-acid test.
    pub const NUCLEIC_ACID_POSITIVE: Self = Self(14);

    /// The highest category code.
    pub const MAX_CODE: u64 = 14;

    /// The category for a wire value, if known.
    pub const fn from_code(code: u64) -> Option<Self> {
        if code >= 1 && code <= Self::MAX_CODE {
            Some(Self(code as u8))
        } else {
            None
        }
    }

    /// The wire value.
    pub const fn code(self) -> u64 {
        self.0 as u64
    }
}

impl Cbor for EvidenceCategory {
    fn encode(&self, e: &mut Encoder) {
        e.u64(self.code());
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::from_code(d.u64()?).ok_or(DecodeError::InvalidValue {
            field: "evidence category",
        })
    }
}

wire_struct! {
    /// Evidence, signed by an evidence-source account (a health, police or customs feed):
    /// carried as `Signed<EvidenceBody>`.
    pub struct EvidenceBody {
        /// Category.
        1 req category: EvidenceCategory,
        /// The code it concerns.
        2 req subject: CodeIdHash,
        /// Time of the fact (Unix seconds).
        3 req time: u64,
        /// Salted commitment to the evidence record kept by the source.
        4 req commitment: Commitment,
    }
}
wire_message!(EvidenceBody, 6, 256, "evidence");

wire_struct! {
    /// An approval of one action (identified by its hash), signed by an admin on their
    /// own device: carried as `Signed<ApprovalBody>`.
    pub struct ApprovalBody {
        /// SHA-256 of the canonical action being approved.
        1 req action: Digest,
        /// Time of approval.
        2 req time: u64,
    }
}
wire_message!(ApprovalBody, 7, 128, "approval");

/// Most approvals in one quorum certificate.
pub const MAX_APPROVALS: usize = 32;

wire_struct! {
    /// k-of-n approvals of one action from distinct admins.
    pub struct QuorumCertificate {
        /// The approved action's hash.
        1 req action: Digest,
        /// The number of approvals required.
        2 req k: u64,
        /// The approvals, sorted by signer key id.
        3 req approvals: Vec<Signed<ApprovalBody>>,
    }
    check = QuorumCertificate::check;
}

impl QuorumCertificate {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.approvals, MAX_APPROVALS, "approvals")?;
        let kids: Vec<&KeyId> = self.approvals.iter().map(|a| &a.signer).collect();
        strictly_ascending(&kids, "approvals (sorted by signer, unique)")?;
        if self.k == 0 || (self.approvals.len() as u64) < self.k {
            return Err(DecodeError::InvalidValue {
                field: "quorum size",
            });
        }
        if self.approvals.iter().any(|a| a.body.action != self.action) {
            return Err(DecodeError::InvalidValue {
                field: "approval action",
            });
        }
        Ok(())
    }
}

/// A rule document: one canonical CBOR item, embedded as is (not re-encoded), in the
/// rules language the node evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDocument(pub Vec<u8>);

impl RuleDocument {
    /// The document as a generic value.
    ///
    /// # Errors
    /// Never for a decoded document (it was validated); kept fallible for constructed ones.
    pub fn value(&self) -> Result<crate::cbor::Value, DecodeError> {
        crate::cbor::Value::decode(
            &self.0,
            crate::cbor::Mode::Strict,
            crate::cbor::Limits::message(RuleSet::MAX_BYTES_CONST),
        )
    }
}

impl Cbor for RuleDocument {
    fn encode(&self, e: &mut Encoder) {
        e.raw(&self.0);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Ok(Self(d.raw_item()?.to_vec()))
    }
}

wire_struct! {
    /// One palette entry of a rule set: a colour index and its name.
    pub struct PaletteEntry {
        /// The index codes carry.
        1 req colour: Colour,
        /// Its name (`green`, `橙码`).
        2 req name: String,
        /// Display colour, RGB.
        3 req rgb: [u8; 3],
    }
}

wire_struct! {
    /// A signed rule set (in an envelope signed by the operational key). Its id is
    /// SHA-256 of this canonical encoding; with `version`, that is its id@version.
    pub struct RuleSet {
        /// The region.
        1 req region: Region,
        /// Version (increases with each change).
        2 req version: u32,
        /// Effective from.
        3 req effective: u64,
        /// The rule document.
        4 req document: RuleDocument,
        /// The palette, sorted by colour index; must include green (0).
        5 req palette: Vec<PaletteEntry>,
    }
    check = RuleSet::check;
}
wire_message!(RuleSet, 20, RuleSet::MAX_BYTES_CONST, "rule-set");

impl RuleSet {
    /// The size limit (256 KiB).
    pub const MAX_BYTES_CONST: usize = 256 * 1024;

    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.palette, 256, "palette")?;
        let v: Vec<Colour> = self.palette.iter().map(|p| p.colour).collect();
        strictly_ascending(&v, "palette (sorted, unique)")?;
        if v.first() != Some(&Colour::GREEN) {
            return Err(DecodeError::InvalidValue {
                field: "palette without green",
            });
        }
        for p in &self.palette {
            cap_text(&p.name, 32, "palette name")?;
        }
        Ok(())
    }

    /// The rule set's id@version.
    pub fn id(&self) -> RuleId {
        RuleId {
            hash: sign::sha256(&crate::cbor::to_canonical(self)),
            version: self.version,
        }
    }

    /// The palette entry for `colour`.
    pub fn palette_entry(&self, colour: Colour) -> Option<&PaletteEntry> {
        self.palette.iter().find(|p| p.colour == colour)
    }
}
