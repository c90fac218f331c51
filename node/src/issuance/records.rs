//! The issuance records the node keeps, and their key layouts. Records are JSON documents
//! (readable in a debugger, versioned by their shape); personal data never appears in
//! them in clear: a holder's real-name data is one sealed blob from the vault.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `Holders` | `h:<holder id>` | [`HolderRecord`] |
//! | `Holders` | `g:<guardian id>:<dependant id>` | empty (dependants of a guardian) |
//! | `Codes` | `c:<code id hex>` | [`CodeRecord`] |
//! | `Codes` | `x:<code-id hash hex>` | code id hex (evidence names codes by hash) |
//! | `Codes` | `h:<holder id>:<issued-at BE hex>:<code id hex>` | empty (a holder's codes) |
//! | `Evidence` | `e:<evidence id>` | [`EvidenceRecord`] |
//! | `Evidence` | `h:<holder id>:<evidence id>` | empty (a holder's evidence) |
//! | `StatusLog` | `<lineage hex>:<seq BE hex>` | [`StatusRecord`] |

use serde::{Deserialize, Serialize};

/// A registered holder. The real-name data (name, document number, phone) is not here:
/// the vault keeps it sealed under the holder's own key (its own keys in `Holders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderRecord {
    /// Holder id (32 hex characters, random).
    pub id: String,
    /// Document type code.
    pub doc_type: u64,
    /// Issuing country (passports).
    pub country: Option<String>,
    /// Name mask as shown on codes.
    pub name_mask: String,
    /// Number mask as shown on codes.
    pub number_mask: String,
    /// Binding salt, hex.
    pub salt: String,
    /// Argon2id binding hash, hex.
    pub binding_hash: String,
    /// Holder-private lineage id (hex): links the status history across re-issued codes.
    pub lineage: String,
    /// The division-code jurisdiction the holder was registered in.
    pub jurisdiction: String,
    /// The guardian holding this dependant's codes, if any.
    pub guardian: Option<String>,
    /// The holder's sign-in account.
    pub account: String,
    /// Registered at.
    pub created_at: u64,
    /// Whether the code kind is international (no resident ID).
    pub international: bool,
}

/// An issued code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// Code id, hex.
    pub code_id: String,
    /// Holder id.
    pub holder: String,
    /// Issued at.
    pub issued_at: u64,
    /// Expires at.
    pub expires_at: u64,
    /// Palette colour index.
    pub colour: u8,
    /// Colour name in the issuing rule set.
    pub colour_name: String,
    /// Risk level name.
    pub risk: String,
    /// Rule set id@version as `hash-hex@version`.
    pub rule: String,
    /// `resident`, `international` or `paper`.
    pub kind: String,
    /// The QR text.
    pub text: String,
    /// The guardian account that requested it, for a dependant's code.
    pub requested_by: Option<String>,
}

/// An evidence record received from an evidence-source account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Evidence id (hex of SHA-256 of the signed evidence bytes, truncated to 16 bytes).
    pub id: String,
    /// The holder it concerns.
    pub holder: String,
    /// Category name (the rules vocabulary).
    pub category: String,
    /// Time of the fact.
    pub at: u64,
    /// Risk-area level for `risk_area_stay`.
    pub level: Option<String>,
    /// The submitting account.
    pub source: String,
    /// The signed evidence bytes, hex (`Signed<EvidenceBody>`).
    pub signed: String,
    /// Received at.
    pub received_at: u64,
    /// The transcode that accepted it (account), once accepted.
    pub accepted_by: Option<String>,
    /// Accepted at.
    pub accepted_at: Option<u64>,
}

/// One entry of a holder's status history: what colour, why (reason category, told to
/// the holder and issuer only), under which rule, on which evidence, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    /// Sequence within the lineage.
    pub seq: u64,
    /// When.
    pub at: u64,
    /// Palette colour index.
    pub colour: u8,
    /// Colour name.
    pub colour_name: String,
    /// Risk level name.
    pub risk: String,
    /// Reason category (holder and issuer only; never on the wire).
    pub reason: Option<String>,
    /// Rule set id@version.
    pub rule_set: String,
    /// The rule that decided it.
    pub rule_id: Option<String>,
    /// Evidence ids that decided it.
    pub evidence: Vec<String>,
    /// The acting account (`rules` for a change by elapsed time under the rules).
    pub actor: String,
    /// The acting role (`admin-1`..`admin-5`, `rules`).
    pub role: String,
    /// The actor's jurisdiction.
    pub jurisdiction: String,
    /// Quorum certificate (canonical CBOR, hex) when one was needed.
    pub quorum: Option<String>,
}

/// `h:<id>` in `Holders`.
pub fn holder_key(id: &str) -> Vec<u8> {
    format!("h:{id}").into_bytes()
}

/// `g:<guardian>:<dependant>` in `Holders`.
pub fn dependant_key(guardian: &str, dependant: &str) -> Vec<u8> {
    format!("g:{guardian}:{dependant}").into_bytes()
}

/// `c:<code id>` in `Codes`.
pub fn code_key(code_id: &str) -> Vec<u8> {
    format!("c:{code_id}").into_bytes()
}

/// `x:<code-id hash>` in `Codes`.
pub fn code_hash_key(hash_hex: &str) -> Vec<u8> {
    format!("x:{hash_hex}").into_bytes()
}

/// `h:<holder>:<issued at>:<code id>` in `Codes`.
pub fn holder_code_key(holder: &str, issued_at: u64, code_id: &str) -> Vec<u8> {
    format!("h:{holder}:{issued_at:016x}:{code_id}").into_bytes()
}

/// `e:<id>` in `Evidence`.
pub fn evidence_key(id: &str) -> Vec<u8> {
    format!("e:{id}").into_bytes()
}

/// `h:<holder>:<id>` in `Evidence`.
pub fn holder_evidence_key(holder: &str, id: &str) -> Vec<u8> {
    format!("h:{holder}:{id}").into_bytes()
}

/// `<lineage>:<seq>` in `StatusLog`.
pub fn status_key(lineage: &str, seq: u64) -> Vec<u8> {
    format!("{lineage}:{seq:016x}").into_bytes()
}
