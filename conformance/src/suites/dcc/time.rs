//! Date-time parsing for the EU DCC files (FORMAT.md §4.5): `VALIDATIONCLOCK` and the
//! date-time strings inside payloads and the `JSON` field.
//!
//! Accepted: `YYYY-MM-DDThh:mm:ss`, an optional fraction of 0–9 digits, then `Z`,
//! `±hh:mm`, `±hhmm` or nothing (read as UTC). Hand-written because the runner needs the
//! no-zone and `+0200` forms that an RFC 3339 parser refuses.

/// A UTC instant: seconds since the Unix epoch and nanoseconds within the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    pub(crate) secs: i64,
    pub(crate) nanos: u32,
}

/// Parses a DCC date-time, or `None` if `s` is not one.
pub(crate) fn parse(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut pos = 19;
    let mut nanos = 0u32;
    if sep(pos, b'.') {
        pos += 1;
        let digits = b
            .get(pos..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let frac = num(pos, digits)?;
        nanos = u32::try_from(frac * 10i64.pow(9 - digits as u32)).ok()?;
        pos += digits;
    }
    let offset_secs = match b.get(pos..)? {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest.len() {
                5 if rest.get(2) == Some(&b':') => (num(pos + 1, 2)?, num(pos + 4, 2)?),
                4 => (num(pos + 1, 2)?, num(pos + 3, 2)?),
                _ => return None,
            };
            let off = h * 3600 + m * 60;
            if *sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(Instant { secs, nanos })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_seen_in_the_data() {
        let z = parse("2021-06-08T20:17:27Z").unwrap();
        assert_eq!(z.secs, 1_623_183_447);
        assert_eq!(
            parse("2021-06-08T20:17:27.9906293Z").unwrap().nanos,
            990_629_300
        );
        assert_eq!(parse("2021-06-08T20:17:27").unwrap(), z);
        assert_eq!(parse("2021-06-08T22:17:27+02:00").unwrap(), z);
        assert_eq!(parse("2021-06-08T22:17:27+0200").unwrap(), z);
        assert_eq!(parse("2021-06-08T18:17:27-02:00").unwrap(), z);
        assert_eq!(parse("1970-01-01T00:00:00Z").unwrap().secs, 0);
        for bad in [
            "2021-06-08",
            "2021-06-08 20:17:27Z",
            "2021-13-08T20:17:27Z",
            "2021-06-08T20:17:27.Z",
            "2021-06-08T20:17:27+2",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
