//! The TOML/JSON surface of a rule set: the document shape (serde, unknown fields refused)
//! and its resolution into typed parts (names → palette indices, categories, levels,
//! durations), each failure a typed [`RuleSetError`].
//!
//! ```toml
//! region = "330000"                 # province-level division code
//! name = "Zhejiang health code"
//! version = 1                       # 1..=65535; bump on every change
//! effective = 1593964800            # Unix seconds
//! default_colour = "green"
//! default_risk = "low"              # low | medium | high
//!
//! [[palette]]                       # green/yellow/red/orange take indices 0-3,
//! name = "green"                    # other names 4, 5, ... in this order
//! rgb = "#22aa44"
//!
//! [[rules]]
//! id = "any-token"                  # unique; a-z A-Z 0-9 . _ -
//! when = "risk_area_stay"           # a `vocab::Category` name
//! level = "medium"                  # optional: lowest area level matched
//! colour = "yellow"
//! risk = "medium"
//! reason = "risk_area_stay"         # reason code told to the holder and issuer
//! priority = 40                     # higher wins
//! starts_after = "14d"              # optional: window starts this long after the fact
//! lasts = "7d"                      # optional: window length (default: until cleared)
//! clear = [{ by = "nucleic_acid_negative", count = 1, accept_before = "168h" }]
//! ```
//!
//! JSON documents have the same keys. Not here: validation shared with the canonical
//! decoder (`super::validate`), the CBOR layout (`super::canonical`).

use serde::{Deserialize, Serialize};

use hcx_protocol::wire::{Colour, Region};

use super::validate::palette_indices;
use super::vocab::{self, Category, Duration, ReasonCategory};
use super::{Clear, Format, PaletteColour, Parts, Rule, RuleSet, RuleSetError};

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    region: String,
    name: String,
    version: u32,
    effective: u64,
    default_colour: String,
    default_risk: String,
    palette: Vec<DocColour>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rules: Vec<DocRule>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DocColour {
    name: String,
    rgb: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DocRule {
    id: String,
    when: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    colour: String,
    risk: String,
    reason: String,
    priority: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lasts: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    clear: Vec<DocClear>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct DocClear {
    by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accept_before: Option<String>,
}

/// Renders `rs` back into document form in `format`; parsing the result gives the same
/// rule set (same canonical bytes, same id).
pub(crate) fn render(rs: &RuleSet, format: Format) -> String {
    let name = |c: Colour| rs.colour_name(c).unwrap_or_default().to_owned();
    let doc = Doc {
        region: rs.region().to_string(),
        name: rs.name().to_owned(),
        version: rs.version(),
        effective: rs.effective(),
        default_colour: name(rs.default_colour()),
        default_risk: vocab::risk_name(rs.default_risk()).to_owned(),
        palette: rs
            .palette()
            .iter()
            .map(|c| DocColour {
                name: c.name.clone(),
                rgb: format!("#{}", hex::encode(c.rgb)),
            })
            .collect(),
        rules: rs
            .rules()
            .iter()
            .map(|r| DocRule {
                id: r.id.clone(),
                when: r.when.name().to_owned(),
                level: r.level.map(|l| vocab::area_name(l).to_owned()),
                colour: name(r.colour),
                risk: vocab::risk_name(r.risk).to_owned(),
                reason: r.reason.as_str().to_owned(),
                priority: r.priority,
                starts_after: r.starts_after.map(|d| d.to_string()),
                lasts: r.lasts.map(|d| d.to_string()),
                clear: r
                    .clear
                    .iter()
                    .map(|c| DocClear {
                        by: c.by.name().to_owned(),
                        count: (c.count != 1).then_some(c.count),
                        accept_before: c.accept_before.map(|d| d.to_string()),
                    })
                    .collect(),
            })
            .collect(),
    };
    match format {
        // Every field is a string, an integer or a list of tables of those: both
        // serialisers accept the shape, so the fallbacks are never taken.
        Format::Toml => toml::to_string(&doc).unwrap_or_default(),
        Format::Json => serde_json::to_string_pretty(&doc).unwrap_or_default(),
    }
}

/// Parses a document in `format` and validates it into a [`RuleSet`].
pub(crate) fn parse(text: &str, format: Format) -> Result<RuleSet, RuleSetError> {
    let doc: Doc = match format {
        Format::Toml => toml::from_str(text).map_err(|e| RuleSetError::Syntax {
            format,
            message: e.message().to_owned(),
        })?,
        Format::Json => serde_json::from_str(text).map_err(|e| RuleSetError::Syntax {
            format,
            message: e.to_string(),
        })?,
    };
    RuleSet::new(resolve(doc)?)
}

fn resolve(doc: Doc) -> Result<Parts, RuleSetError> {
    let region = Region::parse(&doc.region).map_err(|_| RuleSetError::BadRegion {
        value: doc.region.clone(),
    })?;
    if doc.palette.is_empty() {
        return Err(RuleSetError::EmptyPalette);
    }
    let indices = palette_indices(doc.palette.iter().map(|c| c.name.as_str()));
    let mut palette = Vec::with_capacity(doc.palette.len());
    for ((colour, name), c) in indices.into_iter().zip(&doc.palette) {
        let rgb = parse_rgb(&c.rgb).ok_or_else(|| RuleSetError::BadRgb {
            name: name.to_owned(),
            value: c.rgb.clone(),
        })?;
        palette.push(PaletteColour {
            colour,
            name: name.to_owned(),
            rgb,
        });
    }
    palette.sort_by_key(|c| c.colour);
    let colour = |rule: Option<&str>, name: &str| -> Result<Colour, RuleSetError> {
        palette
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.colour)
            .ok_or_else(|| RuleSetError::UnknownColour {
                rule: rule.map(str::to_owned),
                name: name.to_owned(),
            })
    };
    let risk = |rule: Option<&str>, name: &str| {
        vocab::risk_from_name(name).ok_or_else(|| RuleSetError::UnknownRiskLevel {
            rule: rule.map(str::to_owned),
            name: name.to_owned(),
        })
    };
    let default_colour = colour(None, &doc.default_colour)?;
    let default_risk = risk(None, &doc.default_risk)?;
    let mut rules = Vec::with_capacity(doc.rules.len().min(super::MAX_RULES));
    for r in &doc.rules {
        let id = r.id.as_str();
        let rule = Rule {
            id: r.id.clone(),
            when: category(id, &r.when)?,
            level: r
                .level
                .as_deref()
                .map(|l| {
                    vocab::area_from_name(l).ok_or_else(|| RuleSetError::UnknownAreaLevel {
                        rule: id.to_owned(),
                        name: l.to_owned(),
                    })
                })
                .transpose()?,
            colour: colour(Some(id), &r.colour)?,
            risk: risk(Some(id), &r.risk)?,
            reason: ReasonCategory::new(&r.reason).ok_or_else(|| RuleSetError::BadReason {
                rule: id.to_owned(),
                reason: r.reason.clone(),
            })?,
            priority: r.priority,
            starts_after: duration(id, r.starts_after.as_deref())?,
            lasts: duration(id, r.lasts.as_deref())?,
            clear: r
                .clear
                .iter()
                .map(|c| {
                    Ok(Clear {
                        by: category(id, &c.by)?,
                        count: c.count.unwrap_or(1),
                        accept_before: duration(id, c.accept_before.as_deref())?,
                    })
                })
                .collect::<Result<_, RuleSetError>>()?,
        };
        rules.push(rule);
    }
    Ok(Parts {
        region,
        name: doc.name,
        version: doc.version,
        effective: doc.effective,
        palette,
        default_colour,
        default_risk,
        rules,
    })
}

fn category(rule: &str, name: &str) -> Result<Category, RuleSetError> {
    Category::from_name(name).ok_or_else(|| RuleSetError::UnknownCategory {
        rule: rule.to_owned(),
        name: name.to_owned(),
    })
}

fn duration(rule: &str, text: Option<&str>) -> Result<Option<Duration>, RuleSetError> {
    text.map(|t| {
        Duration::parse(t).ok_or_else(|| RuleSetError::BadDuration {
            rule: rule.to_owned(),
            value: t.to_owned(),
        })
    })
    .transpose()
}

/// Parses `#rrggbb` (hex digits of either case).
fn parse_rgb(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let bytes = hex::decode(hex).ok()?;
    bytes.try_into().ok()
}
