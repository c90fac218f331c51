//! The rules engine: a pure function from a rule set, a holder's facts and a time to an
//! explainable [`Assessment`] (colour, risk level, reason, the deciding rule and evidence,
//! and when time alone may change the answer).
//!
//! No store, no clock: `now` is an argument, so the same inputs always give the same
//! output. The semantics are stated in the module doc of `super`. Not here: where facts
//! come from (`issuance` turns signed evidence into [`Fact`]s), writing the status.

use hcx_protocol::wire::{AreaLevel, Colour, RiskLevel, RuleId};

use super::vocab::{Category, ReasonCategory};
use super::{Rule, RuleSet};

/// One fact about a holder, as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The evidence id (reported back in [`Assessment::evidence`]).
    pub id: String,
    /// What kind of fact.
    pub category: Category,
    /// When it happened (Unix seconds): the sample time of a test, the arrival time of a
    /// stay or an entry, the time of an order or a completion.
    pub at: u64,
    /// The area level, for [`Category::RiskAreaStay`].
    pub level: Option<AreaLevel>,
}

impl Fact {
    /// A fact without a level.
    pub fn new(id: impl Into<String>, category: Category, at: u64) -> Self {
        Self {
            id: id.into(),
            category,
            at,
            level: None,
        }
    }

    /// This fact with an area level.
    #[must_use]
    pub fn with_level(mut self, level: AreaLevel) -> Self {
        self.level = Some(level);
        self
    }
}

/// The outcome of assessing a holder's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The palette colour.
    pub colour: Colour,
    /// Its palette name.
    pub colour_name: String,
    /// The national risk level (set by the deciding rule).
    pub risk: RiskLevel,
    /// The deciding rule's reason code (`None` when no rule applies).
    pub reason: Option<ReasonCategory>,
    /// The deciding rule's id (`None` when no rule applies).
    pub rule_id: Option<String>,
    /// The rule set's id@version.
    pub rule: RuleId,
    /// Ids of the facts that triggered the deciding rule and still hold, sorted by time
    /// then id (empty when no rule applies).
    pub evidence: Vec<String>,
    /// The earliest later time at which the outcome may change with no new fact (a
    /// window opening or closing, a fact dated in the future becoming known).
    pub reassess_at: Option<u64>,
}

impl Assessment {
    /// Whether the colour is green.
    pub fn is_green(&self) -> bool {
        self.colour.is_green()
    }
}

/// One rule matched by one fact, still standing (not cleared).
struct Hit<'a> {
    rule_index: usize,
    rule: &'a Rule,
    fact: &'a Fact,
}

/// Assesses `facts` under `rules` at `now`.
pub fn assess(rules: &RuleSet, facts: &[Fact], now: u64) -> Assessment {
    let known: Vec<&Fact> = facts.iter().filter(|f| f.at <= now).collect();
    // A fact dated later becomes known then: a boundary if some rule uses its category.
    let used = |c: Category| {
        rules
            .rules()
            .iter()
            .any(|r| r.when == c || r.clear.iter().any(|x| x.by == c))
    };
    let mut boundaries: Vec<u64> = facts
        .iter()
        .filter(|f| f.at > now && used(f.category))
        .map(|f| f.at)
        .collect();
    let mut hits: Vec<Hit<'_>> = Vec::new();

    for (rule_index, rule) in rules.rules().iter().enumerate() {
        for fact in known.iter().copied().filter(|f| matches(rule, f)) {
            if is_cleared(rule, fact, &known) {
                continue;
            }
            let start = rule.starts_after.map_or(fact.at, |d| d.after(fact.at));
            let end = rule.lasts.map(|d| d.after(start));
            boundaries.extend(
                [Some(start), end]
                    .into_iter()
                    .flatten()
                    .filter(|&t| t > now),
            );
            if start <= now && end.is_none_or(|e| now < e) {
                hits.push(Hit {
                    rule_index,
                    rule,
                    fact,
                });
            }
        }
    }

    let reassess_at = boundaries.into_iter().min();
    // Highest priority; among equals, the rule written first.
    let winner = hits.iter().max_by(|a, b| {
        a.rule
            .priority
            .cmp(&b.rule.priority)
            .then(b.rule_index.cmp(&a.rule_index))
    });
    let Some(winner) = winner else {
        let colour = rules.default_colour();
        return Assessment {
            colour,
            colour_name: name_of(rules, colour),
            risk: rules.default_risk(),
            reason: None,
            rule_id: None,
            rule: rules.id(),
            evidence: Vec::new(),
            reassess_at,
        };
    };
    let mut deciding: Vec<&Fact> = hits
        .iter()
        .filter(|h| h.rule_index == winner.rule_index)
        .map(|h| h.fact)
        .collect();
    deciding.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let mut seen = std::collections::BTreeSet::new();
    let evidence: Vec<String> = deciding
        .iter()
        .filter(|f| seen.insert(f.id.as_str()))
        .map(|f| f.id.clone())
        .collect();
    let rule = winner.rule;
    Assessment {
        colour: rule.colour,
        colour_name: name_of(rules, rule.colour),
        risk: rule.risk,
        reason: Some(rule.reason.clone()),
        rule_id: Some(rule.id.clone()),
        rule: rules.id(),
        evidence,
        reassess_at,
    }
}

/// Whether `fact` triggers `rule` (category, and level where the rule asks for one).
fn matches(rule: &Rule, fact: &Fact) -> bool {
    fact.category == rule.when
        && rule
            .level
            .is_none_or(|min| fact.level.is_some_and(|l| l >= min))
}

/// Whether some clearing entry of `rule` is met for the triggering `fact` among `known`.
fn is_cleared(rule: &Rule, fact: &Fact, known: &[&Fact]) -> bool {
    rule.clear.iter().any(|c| {
        let from = c.accept_before.map_or(fact.at, |d| d.before(fact.at));
        let n = known
            .iter()
            .filter(|g| g.category == c.by && g.at >= from)
            .count();
        n >= c.count as usize
    })
}

fn name_of(rules: &RuleSet, colour: Colour) -> String {
    // Validation puts every rule colour and the default colour in the palette.
    rules.colour_name(colour).unwrap_or_default().to_owned()
}
