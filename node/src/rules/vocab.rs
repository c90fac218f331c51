//! The fixed vocabulary a rule set is written in: evidence [`Category`], [`Duration`]
//! (exact hours or Asia/Shanghai calendar days), [`ReasonCategory`], and the textual names
//! of the protocol's [`RiskLevel`] and [`AreaLevel`].
//!
//! The engine knows these words; rule sets combine them. Nothing here names a rule of any
//! region. Not here: documents (`super::document`), the CBOR layout (`super::canonical`).

use hcx_protocol::wire::{AreaLevel, RiskLevel};

use crate::clock::{SHANGHAI_OFFSET_SECS, shanghai_day};

macro_rules! categories {
    ($( $(#[$m:meta])* $variant:ident = $code:literal, $name:literal; )*) => {
        /// The kind of fact a rule matches. Each has a stable wire code (used in the
        /// canonical rule document) and a `snake_case` name (used in TOML and JSON).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Category {
            $( $(#[$m])* $variant, )*
        }

        impl Category {
            /// Every category, in code order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The code in the canonical rule document.
            pub const fn code(self) -> u64 {
                match self { $( Self::$variant => $code, )* }
            }

            /// The category for a code.
            pub const fn from_code(code: u64) -> Option<Self> {
                match code { $( $code => Some(Self::$variant), )* _ => None }
            }

            /// The name used in rule documents.
            pub const fn name(self) -> &'static str {
                match self { $( Self::$variant => $name, )* }
            }

            /// The category for a document name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $( $name => Some(Self::$variant), )* _ => None }
            }
        }
    };
}

categories! {
    /// A confirmed case.
    ConfirmedCase = 1, "confirmed_case";
    /// A suspected case.
    SuspectedCase = 2, "suspected_case";
    /// An asymptomatic infection.
    AsymptomaticCase = 3, "asymptomatic_case";
    /// A close contact of a case.
    CloseContact = 4, "close_contact";
    /// A sub-close (secondary) contact (Guangxi art. 17).
    SecondaryContact = 5, "secondary_contact";
    /// Arrival from abroad; `at` is the time of entry.
    OverseasArrival = 6, "overseas_arrival";
    /// An order to central quarantine or home medical observation.
    QuarantineOrder = 7, "quarantine_order";
    /// Central quarantine ended.
    QuarantineCompleted = 8, "quarantine_completed";
    /// Home medical observation ended.
    HomeObservationCompleted = 9, "home_observation_completed";
    /// Fever reported at a clinic.
    Fever = 10, "fever";
    /// The fever ended.
    FeverResolved = 11, "fever_resolved";
    /// A stay in a risk area; `at` is the arrival here from it, `level` its level.
    RiskAreaStay = 12, "risk_area_stay";
    /// A negative nucleic-acid test; `at` is when the sample was taken.
    NucleicAcidNegative = 13, "nucleic_acid_negative";
    /// A positive nucleic-acid test; `at` is when the sample was taken.
    NucleicAcidPositive = 14, "nucleic_acid_positive";
}

impl Category {
    /// Whether facts of this category carry an area level a rule may condition on.
    pub const fn has_level(self) -> bool {
        matches!(self, Self::RiskAreaStay)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The document name of a risk level (`low`, `medium`, `high`).
pub const fn risk_name(r: RiskLevel) -> &'static str {
    match r {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    }
}

/// The risk level for a document name.
pub fn risk_from_name(name: &str) -> Option<RiskLevel> {
    RiskLevel::ALL
        .iter()
        .copied()
        .find(|r| risk_name(*r) == name)
}

/// The document name of an area level (`medium`, `high`).
pub const fn area_name(a: AreaLevel) -> &'static str {
    match a {
        AreaLevel::Medium => "medium",
        AreaLevel::High => "high",
    }
}

/// The area level for a document name.
pub fn area_from_name(name: &str) -> Option<AreaLevel> {
    AreaLevel::ALL
        .iter()
        .copied()
        .find(|a| area_name(*a) == name)
}

/// The largest duration accepted, in hours (ten years).
pub const MAX_HOURS: u32 = 87_600;
/// The largest duration accepted, in days (ten years).
pub const MAX_DAYS: u32 = 3_650;

/// A duration in a rule: exact hours, or calendar days in Asia/Shanghai.
///
/// Calendar days count the day of the starting instant as day 0: `t` plus `N` days is
/// the Shanghai midnight that begins day `N` after `t`'s day (an arrival at 20:00 on
/// 1 July plus 14 days is 15 July 00:00 CST), and `t` minus `N` days is the midnight that
/// begins day `N` before `t`'s day. Hours are exact multiples of 3,600 s. Written `"48h"`
/// or `"14d"` in documents; never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duration {
    /// Exact hours.
    Hours(u32),
    /// Asia/Shanghai calendar days.
    Days(u32),
}

impl Duration {
    /// Parses `"<n>h"` or `"<n>d"` with `n` from 1 to the unit's maximum.
    pub fn parse(s: &str) -> Option<Self> {
        let (digits, unit) = s.split_at(s.len().checked_sub(1)?);
        if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = digits.parse().ok()?;
        let d = match unit {
            "h" => Self::Hours(n),
            "d" => Self::Days(n),
            _ => return None,
        };
        d.is_valid().then_some(d)
    }

    /// Whether the amount is within 1 and the unit's maximum.
    pub const fn is_valid(self) -> bool {
        match self {
            Self::Hours(n) => n >= 1 && n <= MAX_HOURS,
            Self::Days(n) => n >= 1 && n <= MAX_DAYS,
        }
    }

    /// The unit code in the canonical document (1 hours, 2 days) and the amount.
    pub const fn parts(self) -> (u64, u32) {
        match self {
            Self::Hours(n) => (1, n),
            Self::Days(n) => (2, n),
        }
    }

    /// The duration for a unit code and amount, if valid.
    pub const fn from_parts(unit: u64, n: u32) -> Option<Self> {
        let d = match unit {
            1 => Self::Hours(n),
            2 => Self::Days(n),
            _ => return None,
        };
        if d.is_valid() { Some(d) } else { None }
    }

    /// `t` plus this duration (saturating).
    pub fn after(self, t: u64) -> u64 {
        match self {
            Self::Hours(n) => t.saturating_add(u64::from(n) * 3_600),
            Self::Days(n) => shanghai_midnight(shanghai_day(t).saturating_add(u64::from(n))),
        }
    }

    /// `t` minus this duration (saturating at 0).
    pub fn before(self, t: u64) -> u64 {
        match self {
            Self::Hours(n) => t.saturating_sub(u64::from(n) * 3_600),
            Self::Days(n) => shanghai_midnight(shanghai_day(t).saturating_sub(u64::from(n))),
        }
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Hours(n) => write!(f, "{n}h"),
            Self::Days(n) => write!(f, "{n}d"),
        }
    }
}

/// The Unix time at which Shanghai calendar day `day` begins.
fn shanghai_midnight(day: u64) -> u64 {
    day.saturating_mul(86_400)
        .saturating_sub(SHANGHAI_OFFSET_SECS)
}

/// The longest rule id or reason code, in bytes.
pub const MAX_TOKEN: usize = 64;

/// Whether `s` is a valid token (rule id, reason code): 1 to 64 of `a-z A-Z 0-9 . _ -`.
pub fn is_token(s: &str) -> bool {
    (1..=MAX_TOKEN).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Why a non-green colour was given, as a short code from the rule set (told to the holder
/// and the issuer only, never to a verifier).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonCategory(String);

impl ReasonCategory {
    /// A reason code, if it is a valid token.
    pub fn new(s: &str) -> Option<Self> {
        is_token(s).then(|| Self(s.to_owned()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReasonCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
