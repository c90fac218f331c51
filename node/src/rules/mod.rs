//! Colour rules as data.
//!
//! A **rule set** is a versioned document a region writes in TOML or JSON
//! ([`document`]), validated into a [`RuleSet`], stored as canonical CBOR ([`canonical`]):
//! the protocol's `rule-set` body (`hcx_protocol::wire::RuleSet`, SPEC §6.2) with this
//! module's rule document embedded at key 4. Its SHA-256 is its id; with its version, that
//! is its `id@version` ([`RuleId`]), and codes carry the 4-byte prefix ([`RuleRef`]).
//!
//! Each rule maps one kind of evidence ([`Category`], a fixed vocabulary the engine knows)
//! to a palette colour **and** a national [`RiskLevel`] (set by the rule, not derived from
//! the colour), with a reason code, a priority, a time window (`starts_after`, `lasts`) and
//! the later evidence that clears it (`clear`). The pure [`engine`] turns a holder's facts
//! into an [`Assessment`] at a given time. The two shipped rule sets (Zhejiang, Fujian) are
//! data files under `node/rules/`, embedded by [`bundled`]; no rule id of either appears
//! in Rust source (a test enforces it).
//!
//! ## Palette
//!
//! Palette names `green`, `yellow`, `red`, `orange` take the protocol's fixed indices 0–3
//! ([`Colour::GREEN`] ...); any other name takes the next index from 4 up, in document
//! order. Every palette must contain `green`. [`RuleSet::palette`] is sorted by index.
//!
//! ## Semantics
//!
//! A rule *matches* a fact of its category `when` (and, for `risk_area_stay`, at least its
//! `level`). It *applies* from the fact's time plus `starts_after` (default: at once) until
//! that plus `lasts` (default: until cleared), unless it was *cleared*: for some `clear`
//! entry, at least `count` (default 1) facts of category `by` dated at or after the
//! triggering fact — or at most `accept_before` before it — and not after `now`. Of the
//! applying (rule, fact) pairs, the highest `priority` wins, ties going to the rule written
//! first; with none, the default colour and risk. Facts dated after `now` are not yet
//! known. Durations are exact hours (`"48h"`) or Asia/Shanghai calendar days (`"14d"`,
//! see [`Duration`]).
//!
//! Not here: storing rule sets (the node's store), signing them into envelopes and the
//! quorum a change needs (`authz`), turning signed evidence into [`Fact`]s (`issuance`).

mod bundled;
pub mod canonical;
pub mod document;
pub mod engine;
mod error;
mod validate;
pub mod vocab;

#[cfg(test)]
mod tests;

use std::path::Path;

use hcx_protocol::wire::{self, AreaLevel, Colour, Region, RiskLevel, RuleId, RuleRef};

pub use bundled::{Bundled, bundled};
pub use engine::{Assessment, Fact, assess};
pub use error::{Format, RuleSetError};
pub use vocab::{Category, Duration, ReasonCategory};

/// The most rules in one rule set.
pub const MAX_RULES: usize = 512;
/// The most clearing entries in one rule.
pub const MAX_CLEARS: usize = 16;
/// The longest rule-set name, in bytes.
pub const MAX_NAME: usize = 128;
/// The longest palette name, in bytes (the protocol's limit).
pub const MAX_COLOUR_NAME: usize = 32;
/// The most palette colours (far more than any region uses; keeps every index below 256).
pub const MAX_PALETTE: usize = 64;

/// The palette names with fixed national indices, in index order.
pub const NATIONAL_COLOURS: [&str; 4] = ["green", "yellow", "red", "orange"];

/// One palette colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteColour {
    /// The index codes carry.
    pub colour: Colour,
    /// Its name (`green`, `orange`, ...).
    pub name: String,
    /// Display colour, RGB.
    pub rgb: [u8; 3],
}

/// Later evidence that ends a rule for a triggering fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clear {
    /// The category of the clearing facts.
    pub by: Category,
    /// How many such facts are needed (at least 1).
    pub count: u32,
    /// How long before the triggering fact a clearing fact may date and still count
    /// (`None`: it must date at or after the triggering fact).
    pub accept_before: Option<Duration>,
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its id (from the document; unique in the rule set).
    pub id: String,
    /// The category of facts it matches.
    pub when: Category,
    /// For categories with a level: the lowest area level it matches.
    pub level: Option<AreaLevel>,
    /// The resulting colour.
    pub colour: Colour,
    /// The resulting national risk level.
    pub risk: RiskLevel,
    /// The reason code told to the holder and issuer.
    pub reason: ReasonCategory,
    /// Higher wins.
    pub priority: u32,
    /// Delay from the triggering fact to the start of the rule's window.
    pub starts_after: Option<Duration>,
    /// Length of the window (`None`: until cleared).
    pub lasts: Option<Duration>,
    /// Evidence that clears it (any one entry suffices).
    pub clear: Vec<Clear>,
}

/// The content of a rule set, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parts {
    pub(crate) region: Region,
    pub(crate) name: String,
    pub(crate) version: u32,
    pub(crate) effective: u64,
    pub(crate) palette: Vec<PaletteColour>,
    pub(crate) default_colour: Colour,
    pub(crate) default_risk: RiskLevel,
    pub(crate) rules: Vec<Rule>,
}

/// A validated rule set with its canonical encoding and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    parts: Parts,
    canonical: Vec<u8>,
    id: RuleId,
}

impl RuleSet {
    /// Parses and validates a TOML document.
    ///
    /// # Errors
    /// [`RuleSetError::Syntax`] for a malformed document; any validation error.
    pub fn from_toml(text: &str) -> Result<Self, RuleSetError> {
        document::parse(text, Format::Toml)
    }

    /// Parses and validates a JSON document.
    ///
    /// # Errors
    /// [`RuleSetError::Syntax`] for a malformed document; any validation error.
    pub fn from_json(text: &str) -> Result<Self, RuleSetError> {
        document::parse(text, Format::Json)
    }

    /// Parses and validates a document in `format`.
    ///
    /// # Errors
    /// As [`RuleSet::from_toml`].
    pub fn parse(text: &str, format: Format) -> Result<Self, RuleSetError> {
        document::parse(text, format)
    }

    /// Loads a `.toml` or `.json` file.
    ///
    /// # Errors
    /// [`RuleSetError::Io`], [`RuleSetError::UnknownFormat`], or a parse error.
    pub fn load_file(path: &Path) -> Result<Self, RuleSetError> {
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Format::Toml,
            Some("json") => Format::Json,
            _ => {
                return Err(RuleSetError::UnknownFormat {
                    path: path.to_owned(),
                });
            }
        };
        let text = std::fs::read_to_string(path).map_err(|source| RuleSetError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, format)
    }

    /// Decodes a stored canonical encoding strictly: it must be a protocol `rule-set`
    /// body whose document is a valid rule document, and byte-identical to the encoding
    /// of what it decodes to.
    ///
    /// # Errors
    /// [`RuleSetError::Cbor`], [`RuleSetError::NotCanonical`], or any validation error.
    pub fn from_canonical(bytes: &[u8]) -> Result<Self, RuleSetError> {
        let parts = canonical::decode(bytes)?;
        let rs = Self::new(parts)?;
        if rs.canonical != bytes {
            return Err(RuleSetError::NotCanonical);
        }
        Ok(rs)
    }

    /// Validates `parts` and computes the canonical encoding and id.
    pub(crate) fn new(parts: Parts) -> Result<Self, RuleSetError> {
        validate::validate(&parts)?;
        let canonical = canonical::encode(&parts);
        let limit = wire::RuleSet::MAX_BYTES_CONST;
        if canonical.len() > limit {
            return Err(RuleSetError::TooLarge {
                size: canonical.len(),
                limit,
            });
        }
        let id = RuleId {
            hash: hcx_protocol::sign::sha256(&canonical),
            version: parts.version,
        };
        Ok(Self {
            parts,
            canonical,
            id,
        })
    }

    /// This rule set as a TOML or JSON document (palette in index order, optional fields
    /// left out when at their default); parsing it gives back the same rule set.
    pub fn to_document(&self, format: Format) -> String {
        document::render(self, format)
    }

    /// The canonical CBOR encoding (what is stored and signed).
    pub fn canonical(&self) -> &[u8] {
        &self.canonical
    }

    /// The id@version: SHA-256 of [`RuleSet::canonical`] and the version.
    pub fn id(&self) -> RuleId {
        self.id
    }

    /// The short reference codes carry (the version is at most 65,535 by validation).
    pub fn rule_ref(&self) -> RuleRef {
        // Validation keeps the version within 16 bits, so `of` always succeeds.
        RuleRef::of(&self.id).unwrap_or(RuleRef {
            prefix: [0; 4],
            version: 0,
        })
    }

    /// The protocol `rule-set` body, for signing into an envelope. Its id equals
    /// [`RuleSet::id`].
    ///
    /// # Errors
    /// Never for a validated rule set; kept fallible because it re-decodes.
    pub fn to_wire(&self) -> Result<wire::RuleSet, RuleSetError> {
        use hcx_protocol::wire::WireMessage;
        Ok(wire::RuleSet::from_bytes(&self.canonical)?)
    }

    /// The region.
    pub fn region(&self) -> Region {
        self.parts.region
    }

    /// The human-readable name.
    pub fn name(&self) -> &str {
        &self.parts.name
    }

    /// The version.
    pub fn version(&self) -> u32 {
        self.parts.version
    }

    /// Effective from (Unix seconds).
    pub fn effective(&self) -> u64 {
        self.parts.effective
    }

    /// The palette, sorted by index.
    pub fn palette(&self) -> &[PaletteColour] {
        &self.parts.palette
    }

    /// The colour given when no rule applies.
    pub fn default_colour(&self) -> Colour {
        self.parts.default_colour
    }

    /// The risk level given when no rule applies.
    pub fn default_risk(&self) -> RiskLevel {
        self.parts.default_risk
    }

    /// The rules, in document order.
    pub fn rules(&self) -> &[Rule] {
        &self.parts.rules
    }

    /// The rule with id `id`.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.parts.rules.iter().find(|r| r.id == id)
    }

    /// The palette name of `colour`.
    pub fn colour_name(&self, colour: Colour) -> Option<&str> {
        self.palette_entry(colour).map(|p| p.name.as_str())
    }

    /// The palette entry of `colour`.
    pub fn palette_entry(&self, colour: Colour) -> Option<&PaletteColour> {
        self.parts.palette.iter().find(|p| p.colour == colour)
    }

    /// The colour named `name`.
    pub fn colour_by_name(&self, name: &str) -> Option<Colour> {
        self.parts
            .palette
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.colour)
    }

    /// Assesses `facts` at `now` (see [`engine::assess`]).
    pub fn assess(&self, facts: &[Fact], now: u64) -> Assessment {
        assess(self, facts, now)
    }
}
