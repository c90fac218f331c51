//! Holder-side codes: the health-code claims (the payload of the QR, COSE-signed by the
//! region's code-signing key; paper codes are the same claims with kind `paper`), the
//! holder binding inside them, and the guardian's delegation.
//!
//! Not here: the COSE wrapping and the `HCX1:` text (`crate::cose`, `crate::qr`), the
//! Argon2id binding hash itself (`crate::binding`), verification (`crate::verify`).

use crate::cbor::DecodeError;
use crate::identity::DocType;

use super::{
    CodeId, Colour, Region, RegionPrefix, RiskLevel, RuleRef, wire_enum, wire_message, wire_struct,
};

/// Default lifetime of a phone code: 24 hours.
pub const PHONE_CODE_LIFETIME: u64 = 24 * 3600;
/// Lifetime of a signed paper code: 7 days.
pub const PAPER_CODE_LIFETIME: u64 = 7 * 24 * 3600;
/// The longest lifetime any code may claim (`expires_at - issued_at`).
pub const MAX_CODE_LIFETIME: u64 = PAPER_CODE_LIFETIME;
/// The longest name mask, in bytes: one character shown (at most 4 bytes of UTF-8) and
/// one `*` (`crate::binding::mask_name` gives `*明`, `J*` or `*`).
pub const MAX_NAME_MASK: usize = 5;
/// The document-number mask: exactly four ASCII characters (`**2X`; at most the last two
/// characters shown, `crate::binding::mask_number`).
pub const NUMBER_MASK_LEN: usize = 4;
/// Length of a delegation reference in a code.
pub const DELEGATION_REF_LEN: usize = 4;

wire_enum! {
    /// What a code is for.
    pub enum CodeKind("code kind") {
        /// A resident's phone code.
        Resident = 1,
        /// An international traveller's phone code.
        International = 2,
        /// A signed paper code for someone without a phone (7-day lifetime).
        Paper = 3,
    }
}

/// The holder binding: binding, not secrecy. A gate with a document reader recomputes
/// `hash` from the document (`crate::binding::matches`); a scanner without it sees only
/// the masks. In [`CodeClaims`] its fields are keys 9–14 of the claims map itself (no
/// nested map: the QR budget is tight).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderBinding {
    /// Document type.
    pub doc_type: DocType,
    /// Name with one character shown (`*明`, `J*`).
    pub name_mask: String,
    /// Document number with at most the last two characters shown (`**2X`).
    pub number_mask: String,
    /// Per-holder salt, fixed at registration.
    pub salt: [u8; 16],
    /// Argon2id(type ‖ country ‖ normalised number, salt), 16 bytes.
    pub hash: [u8; 16],
    /// ISO 3166-1 alpha-3 issuing country, carried for passports only.
    pub country: Option<String>,
}

wire_struct! {
    /// A health code's claims: the COSE_Sign1 payload of the holder QR (and of a paper
    /// code). No reason, no phone, no address, no travel history. Sized so that the
    /// largest code (international, passport with country, delegation, ES256) fits a
    /// version-10 QR at level M: see SPEC.md.
    pub struct CodeClaims {
        /// Random code id, new at every issuance.
        1 req code_id: CodeId,
        /// Issuing region, as its two-digit province prefix.
        2 req issuer: RegionPrefix,
        /// Palette colour.
        3 req colour: Colour,
        /// National risk level.
        4 req risk: RiskLevel,
        /// The rule set (id@version, short form) that produced the colour.
        5 req rule: RuleRef,
        /// Issued at (Unix seconds).
        6 req issued_at: u64,
        /// Lifetime in hours (1 to 168): expires at `issued_at + 3600 × valid_hours`.
        7 req valid_hours: u8,
        /// Resident, international or paper.
        8 req kind: CodeKind,
        /// Holder binding: document type.
        9 req doc_type: DocType,
        /// Holder binding: name mask.
        10 req name_mask: String,
        /// Holder binding: number mask.
        11 req number_mask: String,
        /// Holder binding: salt.
        12 req salt: [u8; 16],
        /// Holder binding: Argon2id hash.
        13 req binding_hash: [u8; 16],
        /// Holder binding: issuing country (passports only).
        14 opt country: String,
        /// The delegation this code is held under: the first four bytes of the
        /// delegation's id (a dependant's code held by a guardian).
        15 opt delegation: [u8; DELEGATION_REF_LEN],
    }
    check = CodeClaims::check;
}

/// Largest encoded code claims.
pub const CODE_CLAIMS_MAX: usize = 512;
wire_message!(CodeClaims, 1, CODE_CLAIMS_MAX, "code-claims");

impl CodeClaims {
    fn check(&self) -> Result<(), DecodeError> {
        let seconds = u64::from(self.valid_hours) * 3600;
        if seconds == 0 || seconds > MAX_CODE_LIFETIME {
            return Err(DecodeError::InvalidValue {
                field: "code lifetime",
            });
        }
        if self.issued_at.checked_add(seconds).is_none() {
            return Err(DecodeError::InvalidValue {
                field: "code lifetime",
            });
        }
        let name_ok = self.name_mask.len() <= MAX_NAME_MASK
            && self.name_mask.chars().count() <= 2
            && self.name_mask.contains('*');
        if !name_ok {
            return Err(DecodeError::InvalidValue { field: "name mask" });
        }
        let number_ok = self.number_mask.len() == NUMBER_MASK_LEN
            && self.number_mask.is_ascii()
            && self.number_mask.starts_with("**");
        if !number_ok {
            return Err(DecodeError::InvalidValue {
                field: "number mask",
            });
        }
        let passport = self.doc_type == DocType::Passport;
        match &self.country {
            Some(c) if passport && c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                Ok(())
            }
            None if !passport => Ok(()),
            _ => Err(DecodeError::InvalidValue { field: "country" }),
        }
    }

    /// Expiry (Unix seconds).
    pub fn expires_at(&self) -> u64 {
        self.issued_at
            .saturating_add(u64::from(self.valid_hours) * 3600)
    }

    /// The holder binding.
    pub fn holder(&self) -> HolderBinding {
        HolderBinding {
            doc_type: self.doc_type,
            name_mask: self.name_mask.clone(),
            number_mask: self.number_mask.clone(),
            salt: self.salt,
            hash: self.binding_hash,
            country: self.country.clone(),
        }
    }

    /// Claims from their parts (the holder binding spread into keys 9–14).
    #[allow(clippy::too_many_arguments)] // one argument per claim, named at the call site
    pub fn new(
        code_id: CodeId,
        issuer: Region,
        colour: Colour,
        risk: RiskLevel,
        rule: RuleRef,
        issued_at: u64,
        valid_hours: u8,
        kind: CodeKind,
        holder: HolderBinding,
        delegation: Option<[u8; DELEGATION_REF_LEN]>,
    ) -> Self {
        Self {
            code_id,
            issuer: RegionPrefix(issuer),
            colour,
            risk,
            rule,
            issued_at,
            valid_hours,
            kind,
            doc_type: holder.doc_type,
            name_mask: holder.name_mask,
            number_mask: holder.number_mask,
            salt: holder.salt,
            binding_hash: holder.hash,
            country: holder.country,
            delegation,
        }
    }
}

/// Delegation scope bit: show the dependant's code.
pub const SCOPE_SHOW: u64 = 1;
/// Delegation scope bit: apply for or renew the dependant's code.
pub const SCOPE_APPLY: u64 = 2;
/// Delegation scope bit: appeal on the dependant's behalf.
pub const SCOPE_APPEAL: u64 = 4;

wire_struct! {
    /// A guardian's delegation for a dependant's code: COSE-signed by the issuing region's
    /// code-signing key; scoped and expiring; every use is logged.
    pub struct Delegation {
        /// Delegation id (a code's `delegation` field carries its first four bytes).
        1 req id: [u8; 16],
        /// Issuing region.
        2 req issuer: Region,
        /// The guardian's holder-binding hash.
        3 req guardian: [u8; 16],
        /// The dependant's code id.
        4 req dependant: CodeId,
        /// Scope bits (`SCOPE_*`).
        5 req scope: u64,
        /// Issued at.
        6 req issued_at: u64,
        /// Expires at.
        7 req expires_at: u64,
    }
    check = Delegation::check;
}
wire_message!(Delegation, 2, 512, "delegation");

impl Delegation {
    fn check(&self) -> Result<(), DecodeError> {
        if self.scope == 0 || self.scope & !(SCOPE_SHOW | SCOPE_APPLY | SCOPE_APPEAL) != 0 {
            return Err(DecodeError::InvalidValue {
                field: "delegation scope",
            });
        }
        if self.expires_at <= self.issued_at {
            return Err(DecodeError::InvalidValue {
                field: "delegation expiry",
            });
        }
        Ok(())
    }
}
