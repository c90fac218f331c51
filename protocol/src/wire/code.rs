//! Holder-side codes: the health-code claims (the payload of the QR, COSE-signed by the
//! region's code-signing key; paper codes are the same claims with kind `paper`), the
//! holder binding inside them, and the guardian's delegation.
//!
//! Not here: the COSE wrapping and the `HCX1:` text (`crate::cose`, `crate::qr`), the
//! Argon2id binding hash itself (`crate::binding`), verification (`crate::verify`).

use crate::cbor::DecodeError;
use crate::identity::DocType;

use super::{
    CodeId, Colour, Region, RiskLevel, RuleId, cap_text, wire_enum, wire_message, wire_struct,
};

/// Default lifetime of a phone code: 24 hours.
pub const PHONE_CODE_LIFETIME: u64 = 24 * 3600;
/// Lifetime of a signed paper code: 7 days.
pub const PAPER_CODE_LIFETIME: u64 = 7 * 24 * 3600;
/// The longest lifetime any code may claim (`expires_at - issued_at`).
pub const MAX_CODE_LIFETIME: u64 = PAPER_CODE_LIFETIME;
/// The longest name mask, in bytes of UTF-8 (one character shown, the rest `*`).
pub const MAX_NAME_MASK: usize = 32;
/// The longest document-number mask, in bytes (at most the last two characters shown).
pub const MAX_NUMBER_MASK: usize = 24;

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

wire_struct! {
    /// The holder binding: binding, not secrecy. A gate with a document reader recomputes
    /// `hash` from the document; a scanner without it sees only the masks.
    pub struct HolderBinding {
        /// Document type.
        1 req doc_type: DocType,
        /// Name with one character shown (`张*`, `J***`).
        2 req name_mask: String,
        /// Document number with at most the last two characters shown.
        3 req number_mask: String,
        /// Per-holder salt, fixed at registration.
        4 req salt: [u8; 16],
        /// Argon2id(type ‖ country ‖ normalised number, salt), 16 bytes.
        5 req hash: [u8; 16],
        /// ISO 3166-1 alpha-3 issuing country (passports and foreign documents only).
        6 opt country: String,
    }
    check = HolderBinding::check;
}

impl HolderBinding {
    fn check(&self) -> Result<(), DecodeError> {
        cap_text(&self.name_mask, MAX_NAME_MASK, "name mask")?;
        cap_text(&self.number_mask, MAX_NUMBER_MASK, "number mask")?;
        if let Some(c) = &self.country
            && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(DecodeError::InvalidValue { field: "country" });
        }
        Ok(())
    }
}

wire_struct! {
    /// A health code's claims: the COSE_Sign1 payload of the holder QR (and of a paper
    /// code). No reason, no phone, no address, no travel history.
    pub struct CodeClaims {
        /// Random code id, new at every issuance.
        1 req code_id: CodeId,
        /// Issuing region.
        2 req issuer: Region,
        /// Palette colour.
        3 req colour: Colour,
        /// National risk level.
        4 req risk: RiskLevel,
        /// The rule set (id@version) that produced the colour.
        5 req rule: RuleId,
        /// Issued at (Unix seconds).
        6 req issued_at: u64,
        /// Expires at (Unix seconds).
        7 req expires_at: u64,
        /// Resident, international or paper.
        8 req kind: CodeKind,
        /// The holder binding.
        9 req holder: HolderBinding,
        /// The delegation this code is held under (a dependant's code held by a guardian).
        10 opt delegation: [u8; 16],
    }
    check = CodeClaims::check;
}

/// Largest encoded code claims.
pub const CODE_CLAIMS_MAX: usize = 512;
wire_message!(CodeClaims, 1, CODE_CLAIMS_MAX, "code-claims");

impl CodeClaims {
    fn check(&self) -> Result<(), DecodeError> {
        let life = self.expires_at.checked_sub(self.issued_at);
        match life {
            Some(l) if l > 0 && l <= MAX_CODE_LIFETIME => Ok(()),
            _ => Err(DecodeError::InvalidValue {
                field: "code lifetime",
            }),
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
        /// Delegation id (what a code's `delegation` field names).
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
