//! [`RuleSetError`]: every way a rule-set document, file or canonical encoding is refused.
//!
//! Not here: evaluation, which cannot fail (a validated rule set always assesses).

use std::path::PathBuf;

use hcx_protocol::cbor::DecodeError;

/// Where a rule set came from when it failed to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A TOML document.
    Toml,
    /// A JSON document.
    Json,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
        })
    }
}

/// Why a rule set was refused. `rule` fields name the offending rule by its id (or its
/// position, `#3`, when the id itself is the problem).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields are named by their variant's documentation
pub enum RuleSetError {
    /// The file could not be read.
    #[error("cannot read rule set {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file name ends in neither `.toml` nor `.json`.
    #[error("rule set {path} is neither .toml nor .json")]
    UnknownFormat { path: PathBuf },
    /// The text is not a well-formed document of the rule-set shape (syntax, wrong type,
    /// unknown or missing field).
    #[error("{format} rule set: {message}")]
    Syntax { format: Format, message: String },
    /// The canonical encoding is not a valid rule set.
    #[error("rule set encoding: {0}")]
    Cbor(#[from] DecodeError),
    /// The encoding decodes but is not the canonical encoding of what it decodes to.
    #[error("rule set encoding is not canonical")]
    NotCanonical,
    /// The canonical encoding exceeds the protocol's rule-set size limit.
    #[error("rule set is {size} bytes, over the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
    /// The region is not a province-level division code.
    #[error("region {value:?} is not a province-level division code")]
    BadRegion { value: String },
    /// The version is 0 or does not fit the 16 bits a code's rule reference carries.
    #[error("version {version} is outside 1..=65535")]
    BadVersion { version: u32 },
    /// The name is empty or too long.
    #[error("rule set name must be 1 to {max} bytes")]
    BadName { max: usize },
    /// No colour in the palette.
    #[error("the palette is empty")]
    EmptyPalette,
    /// The palette has no `green` (the protocol requires colour 0).
    #[error("the palette has no green")]
    MissingGreen,
    /// More colours than the protocol allows.
    #[error("the palette has {count} colours, over the limit of {max}")]
    PaletteTooLarge { count: usize, max: usize },
    /// A palette name is not a token.
    #[error("palette name {name:?} is not 1-32 of a-z 0-9 _ -")]
    BadColourName { name: String },
    /// The same palette name twice.
    #[error("palette colour {name:?} appears twice")]
    DuplicateColour { name: String },
    /// A display colour is not `#rrggbb`.
    #[error("palette colour {name:?} has display colour {value:?}, expected #rrggbb")]
    BadRgb { name: String, value: String },
    /// A palette entry's index disagrees with its name (canonical decode).
    #[error("palette colour {name:?} has index {colour}, expected {expected}")]
    PaletteIndex {
        name: String,
        colour: u8,
        expected: u8,
    },
    /// A colour name not in the palette.
    #[error("{}colour {name:?} is not in the palette", in_rule(rule))]
    UnknownColour { rule: Option<String>, name: String },
    /// A colour index not in the palette (canonical decode).
    #[error("{}colour index {colour} is not in the palette", in_rule(rule))]
    ColourNotInPalette { rule: Option<String>, colour: u8 },
    /// A risk level other than `low`, `medium`, `high`.
    #[error("{}unknown risk level {name:?}", in_rule(rule))]
    UnknownRiskLevel { rule: Option<String>, name: String },
    /// An evidence category outside the engine's vocabulary.
    #[error("rule {rule}: unknown evidence category {name:?}")]
    UnknownCategory { rule: String, name: String },
    /// An area level other than `medium`, `high`.
    #[error("rule {rule}: unknown area level {name:?}")]
    UnknownAreaLevel { rule: String, name: String },
    /// An area-level condition on a category whose facts carry no level.
    #[error("rule {rule}: category {category} carries no area level")]
    LevelNotApplicable { rule: String, category: String },
    /// A rule id that is not a token.
    #[error("rule {rule}: id is not 1-64 of a-z A-Z 0-9 . _ -")]
    BadRuleId { rule: String },
    /// The same rule id twice.
    #[error("rule id {rule:?} appears twice")]
    DuplicateRuleId { rule: String },
    /// A reason code that is not a token.
    #[error("rule {rule}: reason {reason:?} is not 1-64 of a-z A-Z 0-9 . _ -")]
    BadReason { rule: String, reason: String },
    /// A duration that is not `<n>h` / `<n>d` within range.
    #[error("rule {rule}: bad duration {value:?} (expected e.g. \"48h\" or \"14d\", not zero)")]
    BadDuration { rule: String, value: String },
    /// A clearing count of zero.
    #[error("rule {rule}: a clearing count must be at least 1")]
    BadCount { rule: String },
    /// A rule that neither expires nor can be cleared: no way back to green.
    #[error("rule {rule}: neither expires nor is cleared by any evidence")]
    NoWayBack { rule: String },
    /// A rule cleared by the very category that triggers it.
    #[error("rule {rule}: cleared by its own trigger category {category}")]
    SelfClearing { rule: String, category: String },
    /// Too many rules, or too many clearing entries in one rule.
    #[error("{what}: {count} over the limit of {max}")]
    TooMany {
        what: &'static str,
        count: usize,
        max: usize,
    },
}

fn in_rule(rule: &Option<String>) -> String {
    rule.as_ref()
        .map(|r| format!("rule {r}: "))
        .unwrap_or_default()
}
