//! A proleptic Gregorian calendar date, as printed in identity-document numbers.
//!
//! Owns: construction with range checks, parsing `YYYYMMDD` digits, and conversion from
//! Unix time (so a caller holding `now` can make "today"). Does not own time zones: the
//! caller shifts `now` to local time first.

/// A calendar date (year 1–9999). Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 1900-01-01, the earliest birth date identity numbers are accepted with.
    pub const JAN_1_1900: Self = Self {
        year: 1900,
        month: 1,
        day: 1,
    };

    /// The date, if it exists in the calendar (year 1–9999).
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if year == 0 || year > 9999 || month == 0 || month > 12 || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// The date of `YYYYMMDD` given as eight ASCII digits; `None` for anything else or a
    /// date that does not exist.
    pub fn parse_yyyymmdd(digits: &[u8]) -> Option<Self> {
        if digits.len() != 8 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let num = |range: std::ops::Range<usize>| {
            digits
                .get(range)
                .map(|d| d.iter().fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0')))
        };
        let year = num(0..4)?;
        let month = u8::try_from(num(4..6)?).ok()?;
        let day = u8::try_from(num(6..8)?).ok()?;
        Self::new(year, month, day)
    }

    /// The UTC date of a Unix time in seconds; `None` past year 9999. For the date in
    /// China (UTC+8) pass `now + 8 * 3600`.
    pub fn from_unix_seconds(secs: u64) -> Option<Self> {
        Self::from_unix_days(secs / 86_400)
    }

    /// The date `days` days after 1970-01-01; `None` past year 9999.
    pub fn from_unix_days(days: u64) -> Option<Self> {
        // Howard Hinnant's `civil_from_days`, for non-negative day counts.
        let z = days.checked_add(719_468)?;
        let era = z / 146_097;
        let doe = z % 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe.checked_add(era.checked_mul(400)?)? + u64::from(month <= 2);
        Self::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

const fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
