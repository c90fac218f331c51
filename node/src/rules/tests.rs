//! Tests of colour rules as data: the shipped Zhejiang and Fujian rule sets walked through
//! their colours and ways back, a third rule set loaded from a data file alone, TOML/JSON
//! equivalence, the canonical round trip, typed refusals, and a scan proving no shipped
//! rule id appears in Rust source. Pure: no store, no clock.
//!
//! Rules are found by what they match (their category), never by id, so these tests
//! name no rule id either.

use std::path::{Path, PathBuf};

use hcx_protocol::cbor::{self, Encoder};
use hcx_protocol::wire::{AreaLevel, Colour, RiskLevel, RuleDocument, RuleRef, WireMessage};
use proptest::prelude::*;

use super::*;

const H: u64 = 3_600;
const D: u64 = 86_400;
/// 2020-07-10 10:00 CST.
const T0: u64 = 1_594_346_400;

fn zhejiang() -> RuleSet {
    bundle("zhejiang.toml")
}

fn fujian() -> RuleSet {
    bundle("fujian.toml")
}

fn bundle(name: &str) -> RuleSet {
    bundled()
        .iter()
        .find(|b| b.file_name == name)
        .expect("bundled file")
        .load()
        .expect("bundled rule set is valid")
}

fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn fourcolour() -> RuleSet {
    RuleSet::load_file(&data_path("fourcolour.toml")).expect("test rule set is valid")
}

fn fact(id: &str, category: Category, at: u64) -> Fact {
    Fact::new(id, category, at)
}

/// The category of the rule that decided `a` (asserting one did).
fn deciding_category(rs: &RuleSet, a: &Assessment) -> Category {
    let id = a.rule_id.as_deref().expect("a rule decided");
    rs.rule(id).expect("rule id is in the rule set").when
}

fn assert_green(rs: &RuleSet, a: &Assessment) {
    assert_eq!(a.colour, Colour::GREEN);
    assert_eq!(a.colour_name, "green");
    assert_eq!(a.risk, RiskLevel::Low);
    assert_eq!(a.reason, None);
    assert_eq!(a.rule_id, None);
    assert!(a.evidence.is_empty());
    assert_eq!(a.rule, rs.id());
}

fn reason(a: &Assessment) -> &str {
    a.reason.as_ref().map(ReasonCategory::as_str).unwrap_or("")
}

// --- the shipped rule sets --------------------------------------------------------------

#[test]
fn bundled_rule_sets_load_with_their_palettes() {
    let zj = zhejiang();
    assert_eq!(zj.region().code(), 330_000);
    let names: Vec<(u8, &str)> = zj
        .palette()
        .iter()
        .map(|c| (c.colour.0, c.name.as_str()))
        .collect();
    assert_eq!(names, [(0, "green"), (1, "yellow"), (2, "red")]);
    let fj = fujian();
    assert_eq!(fj.region().code(), 350_000);
    assert_eq!(fj.colour_by_name("orange"), Some(Colour::ORANGE));
    assert_eq!(fj.colour_by_name("red"), None);
    assert_eq!(bundled().len(), 2);
    assert!(zj.rule_ref().matches(&zj.id()));
    assert_ne!(zj.id(), fj.id());
}

#[test]
fn zhejiang_confirmed_case_is_red_until_quarantine_completes() {
    let zj = zhejiang();
    let mut facts = vec![fact("ev-case", Category::ConfirmedCase, T0)];
    let a = zj.assess(&facts, T0 + H);
    assert_eq!(a.colour, Colour::RED);
    assert_eq!(a.colour_name, "red");
    assert_eq!(a.risk, RiskLevel::High);
    assert_eq!(reason(&a), "confirmed_case");
    assert_eq!(deciding_category(&zj, &a), Category::ConfirmedCase);
    assert_eq!(a.evidence, ["ev-case"]);
    assert_eq!(a.reassess_at, None);

    // A completion dated before the case does not clear it.
    facts.push(fact(
        "ev-old-release",
        Category::QuarantineCompleted,
        T0 - D,
    ));
    assert_eq!(zj.assess(&facts, T0 + H).colour, Colour::RED);

    facts.push(fact(
        "ev-release",
        Category::QuarantineCompleted,
        T0 + 20 * D,
    ));
    // Not yet known before its time; the assessment says when to look again.
    let a = zj.assess(&facts, T0 + 19 * D);
    assert_eq!(a.colour, Colour::RED);
    assert_eq!(a.reassess_at, Some(T0 + 20 * D));
    assert_green(&zj, &zj.assess(&facts, T0 + 20 * D));
}

#[test]
fn zhejiang_fever_is_yellow_until_a_negative_test_or_the_fever_ends() {
    let zj = zhejiang();
    let fever = fact("ev-fever", Category::Fever, T0);
    let a = zj.assess(std::slice::from_ref(&fever), T0 + H);
    assert_eq!(a.colour, Colour::YELLOW);
    assert_eq!(a.risk, RiskLevel::Medium);
    assert_eq!(reason(&a), "fever");
    assert_eq!(a.evidence, ["ev-fever"]);

    // A negative test taken before the fever does not clear it.
    let before = fact("ev-neg-0", Category::NucleicAcidNegative, T0 - H);
    let a = zj.assess(&[fever.clone(), before.clone()], T0 + H);
    assert_eq!(a.colour, Colour::YELLOW);

    let negative = fact("ev-neg-1", Category::NucleicAcidNegative, T0 + 6 * H);
    assert_green(
        &zj,
        &zj.assess(&[fever.clone(), before, negative], T0 + 7 * H),
    );

    let resolved = fact("ev-resolved", Category::FeverResolved, T0 + 2 * D);
    assert_green(&zj, &zj.assess(&[fever, resolved], T0 + 2 * D));
}

#[test]
fn zhejiang_risk_area_stay_clears_only_on_a_test_after_arrival() {
    let zj = zhejiang();
    let stay = fact("ev-stay", Category::RiskAreaStay, T0).with_level(AreaLevel::Medium);
    let a = zj.assess(std::slice::from_ref(&stay), T0 + H);
    assert_eq!(a.colour, Colour::YELLOW);
    assert_eq!(reason(&a), "risk_area_stay");
    assert_eq!(deciding_category(&zj, &a), Category::RiskAreaStay);

    let high = fact("ev-high", Category::RiskAreaStay, T0).with_level(AreaLevel::High);
    assert_eq!(zj.assess(&[high], T0 + H).colour, Colour::YELLOW);

    // A report from before arrival is checked and does not count.
    let before = fact("ev-neg-before", Category::NucleicAcidNegative, T0 - 3 * H);
    let a = zj.assess(&[stay.clone(), before.clone()], T0 + H);
    assert_eq!(a.colour, Colour::YELLOW);

    let after = fact("ev-neg-after", Category::NucleicAcidNegative, T0 + 5 * H);
    assert_green(&zj, &zj.assess(&[stay, before, after], T0 + 6 * H));

    // A stay with no level matches no level-conditioned rule.
    let unlevelled = fact("ev-stay-x", Category::RiskAreaStay, T0);
    assert_green(&zj, &zj.assess(&[unlevelled], T0 + H));
}

#[test]
fn zhejiang_overseas_arrival_is_14_days_quarantine_then_7_days_home_observation() {
    let zj = zhejiang();
    // 2020-07-01 20:00 CST: day 0 is 1 July.
    let arrival = 1_593_604_800;
    let jul15 = 1_594_742_400; // 2020-07-15 00:00 CST
    let jul22 = 1_595_347_200; // 2020-07-22 00:00 CST
    let facts = [fact("ev-entry", Category::OverseasArrival, arrival)];

    let a = zj.assess(&facts, arrival + 3 * D);
    assert_eq!(a.colour, Colour::RED);
    assert_eq!(reason(&a), "overseas_central_quarantine");
    assert_eq!(a.reassess_at, Some(jul15));

    let a = zj.assess(&facts, jul15 - 1);
    assert_eq!(reason(&a), "overseas_central_quarantine");

    let a = zj.assess(&facts, jul15);
    assert_eq!(a.colour, Colour::RED);
    assert_eq!(reason(&a), "overseas_home_observation");
    assert_eq!(a.evidence, ["ev-entry"]);
    assert_eq!(a.reassess_at, Some(jul22));

    assert_eq!(zj.assess(&facts, jul22 - 1).colour, Colour::RED);
    let a = zj.assess(&facts, jul22);
    assert_green(&zj, &a);
    assert_eq!(a.reassess_at, None);

    // Home observation ended early: green from then on.
    let early = [
        facts[0].clone(),
        fact(
            "ev-home-done",
            Category::HomeObservationCompleted,
            jul15 + 2 * D,
        ),
    ];
    assert_eq!(zj.assess(&early, jul15 + D).colour, Colour::RED);
    assert_green(&zj, &zj.assess(&early, jul15 + 3 * D));
}

#[test]
fn fujian_orange_carries_different_risk_levels_for_a_case_and_a_fever() {
    let fj = fujian();
    let case = fj.assess(&[fact("ev-case", Category::ConfirmedCase, T0)], T0 + H);
    assert_eq!(case.colour, Colour::ORANGE);
    assert_eq!(case.colour_name, "orange");
    assert_eq!(case.risk, RiskLevel::High);
    assert_eq!(deciding_category(&fj, &case), Category::ConfirmedCase);

    let fever = fj.assess(&[fact("ev-fever", Category::Fever, T0)], T0 + H);
    assert_eq!(fever.colour, Colour::ORANGE);
    assert!(fever.risk < case.risk);
    assert_eq!(fever.risk, RiskLevel::Medium);
    assert_eq!(deciding_category(&fj, &fever), Category::Fever);

    assert_green(&fj, &fj.assess(&[], T0));
}

#[test]
fn fujian_accepts_a_test_from_the_week_before_arrival_and_zhejiang_does_not() {
    let stay = fact("ev-stay", Category::RiskAreaStay, T0).with_level(AreaLevel::Medium);
    let before = fact("ev-neg", Category::NucleicAcidNegative, T0 - 3 * D);
    let facts = [stay, before];
    assert_green(&fujian(), &fujian().assess(&facts, T0 + H));
    assert_eq!(zhejiang().assess(&facts, T0 + H).colour, Colour::YELLOW);

    // Too old for Fujian's seven calendar days.
    let stale = [
        facts[0].clone(),
        fact("ev-neg-old", Category::NucleicAcidNegative, T0 - 8 * D),
    ];
    assert_eq!(fujian().assess(&stale, T0 + H).colour, Colour::ORANGE);
}

#[test]
fn priority_decides_and_evidence_lists_every_trigger_of_the_winner() {
    let zj = zhejiang();
    let facts = [
        fact("ev-fever", Category::Fever, T0),
        fact("ev-contact-2", Category::CloseContact, T0 + 2 * H),
        fact("ev-contact-1", Category::CloseContact, T0 + H),
    ];
    let a = zj.assess(&facts, T0 + 3 * H);
    assert_eq!(a.colour, Colour::RED);
    assert_eq!(deciding_category(&zj, &a), Category::CloseContact);
    assert_eq!(a.evidence, ["ev-contact-1", "ev-contact-2"]);

    // Quarantine ends: the contacts clear, the fever still holds.
    let mut later = facts.to_vec();
    later.push(fact(
        "ev-release",
        Category::QuarantineCompleted,
        T0 + 14 * D,
    ));
    let a = zj.assess(&later, T0 + 14 * D);
    assert_eq!(a.colour, Colour::YELLOW);
    assert_eq!(a.evidence, ["ev-fever"]);
}

#[test]
fn only_facts_some_rule_uses_announce_a_reassessment() {
    let fj = fujian();
    // No Fujian rule uses sub-close contacts: a future one changes nothing.
    let a = fj.assess(&[fact("s", Category::SecondaryContact, T0 + D)], T0);
    assert_eq!(a.reassess_at, None);
    let a = fj.assess(&[fact("f", Category::Fever, T0 + D)], T0);
    assert_green(&fj, &a);
    assert_eq!(a.reassess_at, Some(T0 + D));
}

#[test]
fn suspected_case_needs_two_negative_tests() {
    let zj = zhejiang();
    let mut facts = vec![
        fact("ev-suspect", Category::SuspectedCase, T0),
        fact("ev-neg-1", Category::NucleicAcidNegative, T0 + D),
    ];
    assert_eq!(zj.assess(&facts, T0 + D).colour, Colour::RED);
    facts.push(fact("ev-neg-2", Category::NucleicAcidNegative, T0 + 2 * D));
    assert_green(&zj, &zj.assess(&facts, T0 + 2 * D));
}

// --- the third rule set -----------------------------------------------------------------

#[test]
fn rules_expire_by_time() {
    let t4 = fourcolour();
    // Contact orange for 10 calendar days from the contact's day, then green by itself.
    let facts = [fact("ev-contact", Category::CloseContact, T0)];
    let a = t4.assess(&facts, T0);
    assert_eq!(a.colour_name, "orange");
    assert_eq!(a.risk, RiskLevel::High);
    let end = 1_595_174_400; // 2020-07-20 00:00 CST: day 0 is 10 July
    assert_eq!(a.reassess_at, Some(end));
    assert_eq!(t4.assess(&facts, end - 1).colour_name, "orange");
    assert_green(&t4, &t4.assess(&facts, end));

    // Fever lapses after exactly 72 hours.
    let fever = [fact("ev-fever", Category::Fever, T0)];
    assert_eq!(t4.assess(&fever, T0 + 72 * H - 1).colour, Colour::YELLOW);
    assert_green(&t4, &t4.assess(&fever, T0 + 72 * H));
}

#[test]
fn a_third_rule_set_from_data_changes_outcomes_with_no_code_change() {
    let zj = zhejiang();
    let t4 = fourcolour();
    assert_eq!(t4.palette().len(), 4);
    assert_eq!(t4.version(), 7);
    assert_eq!(t4.region().code(), 510_000);

    let compare = |facts: &[Fact], now: u64| (zj.assess(facts, now), t4.assess(facts, now));

    // A close contact: red in Zhejiang, orange (still high risk) here.
    let (z, t) = compare(&[fact("c", Category::CloseContact, T0)], T0 + H);
    assert_eq!(
        (z.colour_name.as_str(), t.colour_name.as_str()),
        ("red", "orange")
    );
    assert_eq!(t.colour, Colour::ORANGE);

    // An overseas arrival on day 8: Zhejiang still quarantines, here observation.
    let entry = [fact("e", Category::OverseasArrival, T0)];
    let (z, t) = compare(&entry, T0 + 8 * D);
    assert_eq!(z.colour, Colour::RED);
    assert_eq!((t.colour, t.risk), (Colour::ORANGE, RiskLevel::Medium));
    // Day 15: Zhejiang home observation, green here.
    let (z, t) = compare(&entry, T0 + 15 * D);
    assert_eq!(z.colour, Colour::RED);
    assert_green(&t4, &t);

    // A fever that ended without a test: green in Zhejiang, still yellow here.
    let fever = [
        fact("f", Category::Fever, T0),
        fact("r", Category::FeverResolved, T0 + H),
    ];
    let (z, t) = compare(&fever, T0 + 2 * H);
    assert_green(&zj, &z);
    assert_eq!((t.colour, t.risk), (Colour::YELLOW, RiskLevel::Low));

    // A high-risk area: yellow in Zhejiang, red here until two negative tests.
    let mut stay = vec![fact("s", Category::RiskAreaStay, T0).with_level(AreaLevel::High)];
    stay.push(fact("n1", Category::NucleicAcidNegative, T0 + H));
    let (z, t) = compare(&stay, T0 + 2 * H);
    assert_green(&zj, &z);
    assert_eq!(t.colour, Colour::RED);
    stay.push(fact("n2", Category::NucleicAcidNegative, T0 + D));
    assert_green(&t4, &t4.assess(&stay, T0 + D));
}

// --- formats and the canonical encoding -------------------------------------------------

fn toml_to_json(toml_text: &str) -> String {
    let v: toml::Value = toml::from_str(toml_text).expect("valid TOML");
    serde_json::to_string_pretty(&v).expect("serialises")
}

#[test]
fn toml_and_json_give_the_same_canonical_bytes_and_id() {
    for b in bundled() {
        let from_toml = b.load().expect("valid");
        let from_json = RuleSet::from_json(&toml_to_json(b.source)).expect("valid JSON");
        assert_eq!(
            from_toml.canonical(),
            from_json.canonical(),
            "{}",
            b.file_name
        );
        assert_eq!(from_toml.id(), from_json.id());
    }
    let json = r##"{
      "version": 2, "region": "440000", "name": "tiny", "effective": 0,
      "default_risk": "low", "default_colour": "green",
      "palette": [{"rgb": "#00FF00", "name": "green"}, {"rgb": "#0000ff", "name": "blue"}],
      "rules": [{"when": "fever", "id": "x", "colour": "blue", "risk": "medium",
                 "reason": "r", "priority": 1, "lasts": "48h",
                 "clear": [{"by": "fever_resolved", "count": 1}]}]
    }"##;
    let toml_text = r##"
        region = "440000"
        name = "tiny"
        version = 2
        effective = 0
        default_colour = "green"
        default_risk = "low"
        palette = [{ name = "green", rgb = "#00ff00" }, { name = "blue", rgb = "#0000FF" }]
        [[rules]]
        id = "x"
        when = "fever"
        colour = "blue"
        risk = "medium"
        reason = "r"
        priority = 1
        lasts = "48h"
        clear = [{ by = "fever_resolved" }]
    "##;
    let a = RuleSet::from_json(json).expect("valid JSON");
    let b = RuleSet::from_toml(toml_text).expect("valid TOML");
    assert_eq!(a.canonical(), b.canonical());
    assert_eq!(a.id(), b.id());
    // A name outside the national four takes index 4.
    assert_eq!(a.colour_by_name("blue"), Some(Colour(4)));
    let r = a.assess(&[fact("f", Category::Fever, T0)], T0);
    assert_eq!((r.colour, r.colour_name.as_str()), (Colour(4), "blue"));
}

#[test]
fn canonical_round_trip_and_protocol_id_agree() {
    for rs in [zhejiang(), fujian(), fourcolour()] {
        let back = RuleSet::from_canonical(rs.canonical()).expect("round trip");
        assert_eq!(back, rs);
        let wire = rs.to_wire().expect("protocol body");
        assert_eq!(wire.id(), rs.id());
        assert_eq!(wire.to_bytes(), rs.canonical());
        assert_eq!(RuleRef::of(&rs.id()), Some(rs.rule_ref()));
    }
}

#[test]
fn rendered_documents_parse_back_to_the_same_rule_set() {
    for rs in [zhejiang(), fujian(), fourcolour()] {
        for format in [Format::Toml, Format::Json] {
            let text = rs.to_document(format);
            let back = RuleSet::parse(&text, format).expect("rendered document parses");
            assert_eq!(back.canonical(), rs.canonical(), "{format}");
        }
    }
}

#[test]
fn stored_encodings_are_decoded_strictly() {
    let rs = zhejiang();
    let mut trailing = rs.canonical().to_vec();
    trailing.push(0);
    assert!(matches!(
        RuleSet::from_canonical(&trailing),
        Err(RuleSetError::Cbor(_))
    ));
    assert!(RuleSet::from_canonical(&rs.canonical()[..10]).is_err());

    // A clear entry spelling out the default count of 1 is not canonical.
    let mut wire = rs.to_wire().expect("protocol body");
    wire.document = RuleDocument(tiny_document(Some(1), 11));
    let bytes = cbor::to_canonical(&wire);
    assert!(matches!(
        RuleSet::from_canonical(&bytes),
        Err(RuleSetError::NotCanonical)
    ));
    // Without it, the same document is accepted.
    wire.document = RuleDocument(tiny_document(None, 11));
    let ok = RuleSet::from_canonical(&cbor::to_canonical(&wire)).expect("canonical");
    assert_eq!(ok.rules().len(), 1);
    // An evidence category outside the vocabulary is refused.
    wire.document = RuleDocument(tiny_document(None, 999));
    assert!(matches!(
        RuleSet::from_canonical(&cbor::to_canonical(&wire)),
        Err(RuleSetError::Cbor(_))
    ));
    // A palette index that disagrees with its name is refused.
    let mut wire = rs.to_wire().expect("protocol body");
    if let Some(p) = wire.palette.get_mut(2) {
        p.colour = Colour(9);
    }
    assert!(matches!(
        RuleSet::from_canonical(&cbor::to_canonical(&wire)),
        Err(RuleSetError::PaletteIndex { .. })
    ));
}

/// A one-rule document (fever → yellow, cleared by `clear_category`).
fn tiny_document(count: Option<u64>, clear_category: u64) -> Vec<u8> {
    let mut e = Encoder::new();
    e.map(4)
        .u64(1)
        .text("tiny")
        .u64(2)
        .u64(0)
        .u64(3)
        .u64(1)
        .u64(4);
    e.array(1).map(7);
    e.u64(1).text("x").u64(2).u64(Category::Fever.code());
    e.u64(3)
        .u64(1)
        .u64(4)
        .u64(2)
        .u64(5)
        .text("fever")
        .u64(6)
        .u64(1);
    e.u64(10).array(1);
    match count {
        Some(n) => e.map(2).u64(1).u64(clear_category).u64(2).u64(n),
        None => e.map(1).u64(1).u64(clear_category),
    };
    e.into_bytes()
}

// --- refusals ---------------------------------------------------------------------------

const BASE: &str = r##"
region = "330000"
name = "t"
version = 1
effective = 0
default_colour = "green"
default_risk = "low"
palette = [{ name = "green", rgb = "#00ff00" }, { name = "red", rgb = "#ff0000" }]
"##;

fn with_rule(rule: &str) -> String {
    format!("{BASE}\n[[rules]]\n{rule}")
}

const RULE: &str = r#"id = "a"
when = "fever"
colour = "red"
risk = "high"
reason = "r"
priority = 1
clear = [{ by = "fever_resolved" }]
"#;

#[test]
fn invalid_documents_are_refused_with_a_typed_error() {
    use RuleSetError as E;
    let parse = |t: &str| RuleSet::from_toml(t);
    assert!(parse(&with_rule(RULE)).is_ok());

    let err = parse(&with_rule(&RULE.replace("\"red\"", "\"purple\"")));
    assert!(
        matches!(&err, Err(E::UnknownColour { rule: Some(r), name }) if r == "a" && name == "purple"),
        "{err:?}"
    );
    let dup = format!("{}\n[[rules]]\n{RULE}", with_rule(RULE));
    assert!(matches!(parse(&dup), Err(E::DuplicateRuleId { rule }) if rule == "a"));
    let err = parse(&with_rule(&RULE.replace("\"fever\"", "\"sneezing\"")));
    assert!(matches!(err, Err(E::UnknownCategory { name, .. }) if name == "sneezing"));
    let no_palette = BASE.replace(
        r##"[{ name = "green", rgb = "#00ff00" }, { name = "red", rgb = "#ff0000" }]"##,
        "[]",
    );
    assert!(matches!(parse(&no_palette), Err(E::EmptyPalette)));
    let no_green = BASE.replace("\"green\"", "\"teal\"");
    assert!(matches!(parse(&no_green), Err(E::MissingGreen)));
    let bad_default = BASE.replace("default_colour = \"green\"", "default_colour = \"blue\"");
    assert!(matches!(
        parse(&bad_default),
        Err(E::UnknownColour { rule: None, .. })
    ));
    let dup_colour = BASE.replace("\"red\"", "\"green\"");
    assert!(matches!(parse(&dup_colour), Err(E::DuplicateColour { .. })));
    let bad_name = BASE.replace("\"red\"", "\"Red Code\"");
    assert!(matches!(parse(&bad_name), Err(E::BadColourName { .. })));
    let bad_rgb = BASE.replace("#ff0000", "red");
    assert!(matches!(parse(&bad_rgb), Err(E::BadRgb { .. })));

    let unknown_field = with_rule(&format!("{RULE}colour_blind = true\n"));
    assert!(matches!(
        parse(&unknown_field),
        Err(E::Syntax {
            format: Format::Toml,
            ..
        })
    ));
    assert!(matches!(
        RuleSet::from_json("{\"region\": 330000}"),
        Err(E::Syntax {
            format: Format::Json,
            ..
        })
    ));
    let err = parse(&with_rule(&RULE.replace("\"high\"", "\"extreme\"")));
    assert!(matches!(err, Err(E::UnknownRiskLevel { .. })));
    for bad in ["0d", "14w", "d", "-1h", "99999d"] {
        let t = with_rule(&format!("{RULE}lasts = \"{bad}\"\n"));
        assert!(
            matches!(parse(&t), Err(E::BadDuration { value, .. }) if value == bad),
            "{bad}"
        );
    }
    let t = with_rule(&format!("{RULE}level = \"medium\"\n"));
    assert!(matches!(parse(&t), Err(E::LevelNotApplicable { .. })));
    let t = with_rule(&RULE.replace(
        "when = \"fever\"",
        "when = \"risk_area_stay\"\nlevel = \"low\"",
    ));
    assert!(matches!(parse(&t), Err(E::UnknownAreaLevel { .. })));
    let t = with_rule(&RULE.replace("clear = [{ by = \"fever_resolved\" }]", ""));
    assert!(matches!(parse(&t), Err(E::NoWayBack { .. })));
    let t = with_rule(&RULE.replace("by = \"fever_resolved\"", "by = \"fever\""));
    assert!(matches!(parse(&t), Err(E::SelfClearing { .. })));
    let t = with_rule(&RULE.replace(
        "by = \"fever_resolved\"",
        "by = \"fever_resolved\", count = 0",
    ));
    assert!(matches!(parse(&t), Err(E::BadCount { .. })));
    let t = with_rule(&RULE.replace("id = \"a\"", "id = \"a b\""));
    assert!(matches!(parse(&t), Err(E::BadRuleId { .. })));
    let t = with_rule(&RULE.replace("reason = \"r\"", "reason = \"\""));
    assert!(matches!(parse(&t), Err(E::BadReason { .. })));
    assert!(matches!(
        parse(&BASE.replace("330000", "330100")),
        Err(E::BadRegion { .. })
    ));
    assert!(matches!(
        parse(&BASE.replace("version = 1", "version = 0")),
        Err(E::BadVersion { version: 0 })
    ));
    assert!(matches!(
        parse(&BASE.replace("version = 1", "version = 65536")),
        Err(E::BadVersion { .. })
    ));
    assert!(matches!(
        parse(&BASE.replace("name = \"t\"", "name = \"\"")),
        Err(E::BadName { .. })
    ));
}

#[test]
fn load_file_reads_toml_and_json_and_refuses_other_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json_path = dir.path().join("fourcolour.json");
    let source = std::fs::read_to_string(data_path("fourcolour.toml")).expect("read");
    std::fs::write(&json_path, toml_to_json(&source)).expect("write");
    let from_json = RuleSet::load_file(&json_path).expect("JSON file");
    assert_eq!(from_json.id(), fourcolour().id());

    let txt = dir.path().join("rules.txt");
    std::fs::write(&txt, &source).expect("write");
    assert!(matches!(
        RuleSet::load_file(&txt),
        Err(RuleSetError::UnknownFormat { .. })
    ));
    assert!(matches!(
        RuleSet::load_file(&dir.path().join("missing.toml")),
        Err(RuleSetError::Io { .. })
    ));
}

// --- no rule id in source ---------------------------------------------------------------

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_rule_id_of_a_rule_set_appears_in_rust_source() {
    let mut ids: Vec<String> = Vec::new();
    for rs in [zhejiang(), fujian(), fourcolour()] {
        ids.extend(rs.rules().iter().map(|r| r.id.clone()));
    }
    assert!(ids.len() >= 20);
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 5, "found the node's sources");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for id in &ids {
            assert!(
                !text.contains(id.as_str()),
                "rule id {id:?} appears in {}: rules are data",
                file.display()
            );
        }
    }
}

// --- properties -------------------------------------------------------------------------

fn any_fact() -> impl Strategy<Value = Fact> {
    (
        0..Category::ALL.len(),
        0u64..40 * D,
        prop::option::of(prop::sample::select(AreaLevel::ALL)),
        0u8..6,
    )
        .prop_map(|(c, dt, level, n)| Fact {
            id: format!("ev-{n}"),
            category: Category::ALL.get(c).copied().unwrap_or(Category::Fever),
            at: T0 + dt,
            level,
        })
}

proptest! {
    #[test]
    fn assessments_are_deterministic_and_explained(
        facts in prop::collection::vec(any_fact(), 0..8),
        dt in 0u64..45 * D,
        which in 0usize..3,
    ) {
        let rs = match which { 0 => zhejiang(), 1 => fujian(), _ => fourcolour() };
        let now = T0 + dt;
        let a = rs.assess(&facts, now);
        prop_assert_eq!(&a, &rs.assess(&facts, now));
        let mut reversed = facts.clone();
        reversed.reverse();
        prop_assert_eq!(&a, &rs.assess(&reversed, now));
        prop_assert_eq!(rs.colour_name(a.colour), Some(a.colour_name.as_str()));
        prop_assert!(a.reassess_at.is_none_or(|t| t > now));
        match &a.rule_id {
            None => prop_assert!(a.is_green() && a.evidence.is_empty()),
            Some(id) => {
                let rule = rs.rule(id).expect("rule in set");
                prop_assert_eq!(rule.colour, a.colour);
                prop_assert_eq!(rule.risk, a.risk);
                prop_assert!(!a.evidence.is_empty());
                for e in &a.evidence {
                    prop_assert!(facts.iter().any(|f| &f.id == e
                        && f.category == rule.when && f.at <= now));
                }
            }
        }
        // Nothing changes strictly between now and the announced reassessment time.
        if let Some(t) = a.reassess_at {
            let mid = now + (t - now) / 2;
            let b = rs.assess(&facts, mid);
            prop_assert_eq!((b.colour, b.risk, b.rule_id), (a.colour, a.risk, a.rule_id));
        }
    }
}
