//! The canonical CBOR layout of a rule set: what is stored, hashed into its id and signed.
//!
//! The outer item is the protocol's `rule-set` body (`hcx_protocol::wire::RuleSet`, SPEC
//! §6.2), so the id this module's bytes hash to is the id the protocol computes:
//!
//! ```cddl
//! rule-set = {
//!   1: region,                 ; six-digit province code
//!   2: uint,                   ; version, 1..65535
//!   3: uint,                   ; effective from (Unix seconds)
//!   4: rule-document,
//!   5: [+ { 1: colour, 2: tstr, 3: bstr .size 3 }] }   ; palette, sorted by index
//!
//! rule-document = {
//!   1: tstr,                   ; name
//!   2: colour,                 ; default colour
//!   3: risk-level,             ; default risk level (1 low, 2 medium, 3 high)
//!   4: [* rule] }              ; in document order (breaks priority ties)
//!
//! rule = {
//!   1: tstr,                   ; rule id
//!   2: category,               ; uint, `vocab::Category::code`
//!   3: colour,
//!   4: risk-level,
//!   5: tstr,                   ; reason code
//!   6: uint,                   ; priority (u32)
//!   ? 7: area-level,           ; minimum area level (2 medium, 3 high)
//!   ? 8: duration,             ; starts after (absent: at once)
//!   ? 9: duration,             ; lasts (absent: until cleared)
//!   ? 10: [+ clear] }          ; absent when the rule has no clearing entry
//!
//! clear = {
//!   1: category,
//!   ? 2: uint,                 ; count, absent when 1 (so present means >= 2)
//!   ? 3: duration }            ; accept-before window
//!
//! duration = [unit, uint]      ; unit 1 exact hours, 2 Asia/Shanghai calendar days
//! ```
//!
//! Every map is canonical (shortest heads, sorted keys); optional fields are absent rather
//! than default-valued, so one rule set has exactly one encoding. Decoding is strict: the
//! caller re-encodes and compares ([`super::RuleSet::from_canonical`]).
//!
//! Not here: validation of meaning (`super::validate`), the TOML/JSON surface.

use hcx_protocol::cbor::{self, Cbor, DecodeError, Decoder, Encoder, Limits, MapBuilder};
use hcx_protocol::wire::{
    self, AreaLevel, Colour, PaletteEntry, RiskLevel, RuleDocument, WireMessage,
};

use super::validate::palette_indices;
use super::vocab::{Category, Duration, ReasonCategory};
use super::{Clear, PaletteColour, Parts, Rule, RuleSetError};

/// The canonical encoding of `p` (a protocol `rule-set` body).
pub(crate) fn encode(p: &Parts) -> Vec<u8> {
    let body = wire::RuleSet {
        region: p.region,
        version: p.version,
        effective: p.effective,
        document: RuleDocument(encode_document(p)),
        palette: p
            .palette
            .iter()
            .map(|c| PaletteEntry {
                colour: c.colour,
                name: c.name.clone(),
                rgb: c.rgb,
            })
            .collect(),
    };
    cbor::to_canonical(&body)
}

fn encode_document(p: &Parts) -> Vec<u8> {
    let mut e = Encoder::new();
    let mut m = MapBuilder::new();
    m.entry(1, |e| {
        e.text(&p.name);
    });
    m.entry(2, |e| p.default_colour.encode(e));
    m.entry(3, |e| p.default_risk.encode(e));
    m.entry(4, |e| {
        e.array(p.rules.len());
        for r in &p.rules {
            encode_rule(r, e);
        }
    });
    m.finish(&mut e);
    e.into_bytes()
}

fn encode_rule(r: &Rule, e: &mut Encoder) {
    let mut m = MapBuilder::new();
    m.entry(1, |e| {
        e.text(&r.id);
    });
    m.entry(2, |e| {
        e.u64(r.when.code());
    });
    m.entry(3, |e| r.colour.encode(e));
    m.entry(4, |e| r.risk.encode(e));
    m.entry(5, |e| {
        e.text(r.reason.as_str());
    });
    m.entry(6, |e| {
        e.u64(u64::from(r.priority));
    });
    if let Some(level) = r.level {
        m.entry(7, |e| level.encode(e));
    }
    if let Some(d) = r.starts_after {
        m.entry(8, |e| encode_duration(d, e));
    }
    if let Some(d) = r.lasts {
        m.entry(9, |e| encode_duration(d, e));
    }
    if !r.clear.is_empty() {
        m.entry(10, |e| {
            e.array(r.clear.len());
            for c in &r.clear {
                encode_clear(c, e);
            }
        });
    }
    m.finish(e);
}

fn encode_clear(c: &Clear, e: &mut Encoder) {
    let mut m = MapBuilder::new();
    m.entry(1, |e| {
        e.u64(c.by.code());
    });
    if c.count != 1 {
        m.entry(2, |e| {
            e.u64(u64::from(c.count));
        });
    }
    if let Some(d) = c.accept_before {
        m.entry(3, |e| encode_duration(d, e));
    }
    m.finish(e);
}

fn encode_duration(d: Duration, e: &mut Encoder) {
    let (unit, n) = d.parts();
    e.array(2).u64(unit).u64(u64::from(n));
}

/// Decodes the parts of a stored rule set. The caller validates them and checks that they
/// re-encode to `bytes`.
pub(crate) fn decode(bytes: &[u8]) -> Result<Parts, RuleSetError> {
    let body = wire::RuleSet::from_bytes(bytes)?;
    let names = body.palette.iter().map(|p| p.name.as_str());
    for ((expected, name), entry) in palette_indices(names).into_iter().zip(&body.palette) {
        if expected != entry.colour {
            return Err(RuleSetError::PaletteIndex {
                name: name.to_owned(),
                colour: entry.colour.0,
                expected: expected.0,
            });
        }
    }
    let palette = body
        .palette
        .iter()
        .map(|p| PaletteColour {
            colour: p.colour,
            name: p.name.clone(),
            rgb: p.rgb,
        })
        .collect();
    let mut d = Decoder::new(
        &body.document.0,
        Limits::message(wire::RuleSet::MAX_BYTES_CONST),
    )?;
    let mut f = d.begin_map()?;
    let name = f.required(&mut d, 1, |d| d.text().map(str::to_owned))?;
    let default_colour = f.required(&mut d, 2, Colour::decode)?;
    let default_risk = f.required(&mut d, 3, RiskLevel::decode)?;
    let rules = f.required(&mut d, 4, |d| {
        let n = d.array()?;
        let mut rules = Vec::with_capacity(n.min(super::MAX_RULES));
        for _ in 0..n {
            rules.push(decode_rule(d)?);
        }
        Ok(rules)
    })?;
    f.finish(&d)?;
    d.finish()?;
    Ok(Parts {
        region: body.region,
        name,
        version: body.version,
        effective: body.effective,
        palette,
        default_colour,
        default_risk,
        rules,
    })
}

fn decode_rule(d: &mut Decoder<'_>) -> Result<Rule, DecodeError> {
    let mut f = d.begin_map()?;
    let id = f.required(d, 1, |d| d.text().map(str::to_owned))?;
    let when = f.required(d, 2, decode_category)?;
    let colour = f.required(d, 3, Colour::decode)?;
    let risk = f.required(d, 4, RiskLevel::decode)?;
    let reason = f.required(d, 5, |d| {
        ReasonCategory::new(d.text()?).ok_or(DecodeError::InvalidValue { field: "reason" })
    })?;
    let priority = f.required(d, 6, u32::decode)?;
    let level = f.optional(d, 7, AreaLevel::decode)?;
    let starts_after = f.optional(d, 8, decode_duration)?;
    let lasts = f.optional(d, 9, decode_duration)?;
    let clear = f
        .optional(d, 10, |d| {
            let n = d.array()?;
            let mut out = Vec::with_capacity(n.min(super::MAX_CLEARS));
            for _ in 0..n {
                out.push(decode_clear(d)?);
            }
            Ok(out)
        })?
        .unwrap_or_default();
    f.finish(d)?;
    Ok(Rule {
        id,
        when,
        level,
        colour,
        risk,
        reason,
        priority,
        starts_after,
        lasts,
        clear,
    })
}

fn decode_clear(d: &mut Decoder<'_>) -> Result<Clear, DecodeError> {
    let mut f = d.begin_map()?;
    let by = f.required(d, 1, decode_category)?;
    let count = f.optional(d, 2, u32::decode)?.unwrap_or(1);
    let accept_before = f.optional(d, 3, decode_duration)?;
    f.finish(d)?;
    Ok(Clear {
        by,
        count,
        accept_before,
    })
}

fn decode_category(d: &mut Decoder<'_>) -> Result<Category, DecodeError> {
    Category::from_code(d.u64()?).ok_or(DecodeError::InvalidValue {
        field: "evidence category",
    })
}

fn decode_duration(d: &mut Decoder<'_>) -> Result<Duration, DecodeError> {
    d.array_of(2)?;
    let unit = d.u64()?;
    let n = u32::decode(d)?;
    Duration::from_parts(unit, n).ok_or(DecodeError::InvalidValue { field: "duration" })
}
