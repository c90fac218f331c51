//! Validation shared by both ways into a [`RuleSet`](super::RuleSet) (a TOML/JSON document
//! and a stored canonical encoding), and the palette-name → index rule.
//!
//! Not here: parsing (`super::document`, `super::canonical`).

use std::collections::BTreeSet;

use hcx_protocol::wire::Colour;

use super::vocab;
use super::{MAX_CLEARS, MAX_COLOUR_NAME, MAX_NAME, MAX_PALETTE, MAX_RULES, NATIONAL_COLOURS};
use super::{Parts, Rule, RuleSetError};

/// Assigns palette indices to names in document order: national names take their fixed
/// index, others the next from 4. Returns `(colour, name)` in document order.
pub(crate) fn palette_indices<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<(Colour, &'a str)> {
    let mut next: u16 = NATIONAL_COLOURS.len() as u16;
    names
        .into_iter()
        .map(|name| {
            let national = NATIONAL_COLOURS.iter().position(|n| *n == name);
            let index = match national {
                Some(i) => i as u16,
                None => {
                    let i = next;
                    next = next.saturating_add(1);
                    i
                }
            };
            // Validation caps palettes at MAX_PALETTE (64) names, so indices stay below 68;
            // a longer list only reaches here to be refused, and saturates harmlessly.
            (Colour(u8::try_from(index).unwrap_or(u8::MAX)), name)
        })
        .collect()
}

/// Whether `s` is a valid palette name: 1 to 32 of `a-z 0-9 _ -`.
pub(crate) fn is_colour_name(s: &str) -> bool {
    (1..=MAX_COLOUR_NAME).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

/// Checks every invariant of a rule set that its types do not already guarantee.
pub(crate) fn validate(p: &Parts) -> Result<(), RuleSetError> {
    if p.version == 0 || p.version > u32::from(u16::MAX) {
        return Err(RuleSetError::BadVersion { version: p.version });
    }
    if p.name.is_empty() || p.name.len() > MAX_NAME {
        return Err(RuleSetError::BadName { max: MAX_NAME });
    }
    if p.palette.is_empty() {
        return Err(RuleSetError::EmptyPalette);
    }
    if p.palette.len() > MAX_PALETTE {
        return Err(RuleSetError::PaletteTooLarge {
            count: p.palette.len(),
            max: MAX_PALETTE,
        });
    }
    let mut names = BTreeSet::new();
    for c in &p.palette {
        if !is_colour_name(&c.name) {
            return Err(RuleSetError::BadColourName {
                name: c.name.clone(),
            });
        }
        if !names.insert(c.name.as_str()) {
            return Err(RuleSetError::DuplicateColour {
                name: c.name.clone(),
            });
        }
    }
    if !p.palette.iter().any(|c| c.colour == Colour::GREEN) {
        return Err(RuleSetError::MissingGreen);
    }
    let in_palette = |c: Colour| p.palette.iter().any(|e| e.colour == c);
    if !in_palette(p.default_colour) {
        return Err(RuleSetError::ColourNotInPalette {
            rule: None,
            colour: p.default_colour.0,
        });
    }
    if p.rules.len() > MAX_RULES {
        return Err(RuleSetError::TooMany {
            what: "rules",
            count: p.rules.len(),
            max: MAX_RULES,
        });
    }
    let mut ids = BTreeSet::new();
    for (i, r) in p.rules.iter().enumerate() {
        if !vocab::is_token(&r.id) {
            return Err(RuleSetError::BadRuleId {
                rule: format!("#{}", i + 1),
            });
        }
        if !ids.insert(r.id.as_str()) {
            return Err(RuleSetError::DuplicateRuleId { rule: r.id.clone() });
        }
        validate_rule(r, &in_palette)?;
    }
    Ok(())
}

fn validate_rule(r: &Rule, in_palette: &dyn Fn(Colour) -> bool) -> Result<(), RuleSetError> {
    let rule = || r.id.clone();
    if !in_palette(r.colour) {
        return Err(RuleSetError::ColourNotInPalette {
            rule: Some(rule()),
            colour: r.colour.0,
        });
    }
    if r.level.is_some() && !r.when.has_level() {
        return Err(RuleSetError::LevelNotApplicable {
            rule: rule(),
            category: r.when.to_string(),
        });
    }
    for d in [r.starts_after, r.lasts].into_iter().flatten() {
        if !d.is_valid() {
            return Err(RuleSetError::BadDuration {
                rule: rule(),
                value: d.to_string(),
            });
        }
    }
    if r.clear.len() > MAX_CLEARS {
        return Err(RuleSetError::TooMany {
            what: "clearing entries in a rule",
            count: r.clear.len(),
            max: MAX_CLEARS,
        });
    }
    if r.lasts.is_none() && r.clear.is_empty() {
        return Err(RuleSetError::NoWayBack { rule: rule() });
    }
    for c in &r.clear {
        if c.count == 0 {
            return Err(RuleSetError::BadCount { rule: rule() });
        }
        if c.by == r.when {
            return Err(RuleSetError::SelfClearing {
                rule: rule(),
                category: c.by.to_string(),
            });
        }
        if let Some(d) = c.accept_before.filter(|d| !d.is_valid()) {
            return Err(RuleSetError::BadDuration {
                rule: rule(),
                value: d.to_string(),
            });
        }
    }
    Ok(())
}
