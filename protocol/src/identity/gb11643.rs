//! GB 11643-1999 citizen identity numbers (公民身份号码), the layout shared by the
//! mainland resident identity card and the residence permit for Hong Kong, Macao and
//! Taiwan residents.
//!
//! Layout (18 characters): six-digit address code (GB/T 2260), eight-digit birth date
//! `YYYYMMDD`, three-digit sequence code (odd for men, even for women), and a check
//! character computed by ISO 7064 MOD 11-2 over the first 17 digits: weights
//! `7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`, sum mod 11 indexes `10X98765432`.
//!
//! First-generation cards (1984–2004) carry 15 digits: the birth year has two digits and
//! there is no check character. [`upgrade_15`] inserts `19` before the two-digit year and
//! appends the check character, which is exactly the 18-digit number the holder was given
//! in 1999 (GB 11643-1999 §5; a holder born before 1900 would need `18`, but this module
//! refuses births before 1900 anyway).
//!
//! Owns: the check character, the layout and the date rule (a real calendar date, not
//! before 1900). Does not own: which address codes a document type allows (the callers
//! [`validate_mainland`] and `permits::residence_permit` decide), nor "not after today"
//! (`identity::validate`).

use super::{Date, IdError, Region, non_digit};

/// The ISO 7064 MOD 11-2 weights of the first 17 digits.
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for each value of the weighted sum mod 11.
pub const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// The earliest birth date accepted.
pub const EARLIEST_BIRTH: Date = Date::JAN_1_1900;

/// The check character (`0`–`9` or `X`) of a 17-digit body; `None` unless `body` is
/// exactly 17 ASCII digits.
pub fn check_char(body: &[u8]) -> Option<char> {
    if body.len() != 17 || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let index = usize::try_from(sum % 11).ok()?;
    CHECK_CHARS.get(index).map(|&c| char::from(c))
}

/// A number with a valid GB 11643 layout: 17 digits, a matching check character, a
/// birth date from 1900 on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gb11643 {
    number: String,
    address_code: u32,
    birth_date: Date,
    sequence: u16,
}

impl Gb11643 {
    /// Checks the layout of an 18-character number (upper-case `X` only; use
    /// `identity::normalise` for raw input).
    ///
    /// # Errors
    /// [`IdError::WrongLength`], [`IdError::InvalidCharacter`],
    /// [`IdError::BadCheckCharacter`], [`IdError::InvalidBirthDate`],
    /// [`IdError::BirthBefore1900`], in that order of checking.
    pub fn parse(number: &str) -> Result<Self, IdError> {
        let bytes = number.as_bytes();
        let got = number.chars().count();
        if got != 18 || bytes.len() != 18 {
            return Err(IdError::WrongLength {
                expected: "18",
                got,
            });
        }
        let (body, check) = bytes.split_at(17);
        let body_str = number.get(..17).ok_or(IdError::WrongLength {
            expected: "18",
            got,
        })?;
        non_digit(body_str)?;
        let got_check = check.first().map_or('?', |&c| char::from(c));
        if !(got_check.is_ascii_digit() || got_check == 'X') {
            return Err(IdError::InvalidCharacter {
                position: 17,
                ch: got_check,
            });
        }
        let expected = check_char(body).ok_or(IdError::WrongLength {
            expected: "18",
            got,
        })?;
        if expected != got_check {
            return Err(IdError::BadCheckCharacter {
                expected,
                got: got_check,
            });
        }
        let birth_date = body
            .get(6..14)
            .and_then(Date::parse_yyyymmdd)
            .ok_or(IdError::InvalidBirthDate)?;
        if birth_date < EARLIEST_BIRTH {
            return Err(IdError::BirthBefore1900);
        }
        let address_code = digits_value(body.get(..6));
        let sequence = u16::try_from(digits_value(body.get(14..17))).unwrap_or(u16::MAX);
        Ok(Self {
            number: number.to_owned(),
            address_code,
            birth_date,
            sequence,
        })
    }

    /// The number (18 characters).
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The number, by value.
    pub fn into_string(self) -> String {
        self.number
    }

    /// The six-digit address code.
    pub fn address_code(&self) -> u32 {
        self.address_code
    }

    /// The province-level code the address code falls under (`330106` → `330000`).
    pub fn province_code(&self) -> u32 {
        self.address_code / 10_000 * 10_000
    }

    /// The birth date.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The three-digit sequence code (odd for men, even for women).
    pub fn sequence(&self) -> u16 {
        self.sequence
    }
}

/// Validates a mainland resident identity card number: 18 characters (or 15 digits,
/// upgraded with [`upgrade_15`]), the [`Gb11643`] layout, and an address code under one
/// of the 31 mainland province-level divisions. Codes 71 (Taiwan), 81 (Hong Kong) and 82
/// (Macao) are refused: resident identity cards are issued by mainland public security
/// organs only, and 81/82/83 mark the residence permit (`DocType` 5) instead.
///
/// # Errors
/// As [`Gb11643::parse`] and [`upgrade_15`], and [`IdError::BadAddressCode`].
pub fn validate_mainland(number: &str) -> Result<Gb11643, IdError> {
    let id = if number.len() == 15 {
        Gb11643::parse(&upgrade_15(number)?)?
    } else {
        Gb11643::parse(number)?
    };
    match Region::from_code(id.province_code()) {
        Some(region) if region.is_mainland() => Ok(id),
        _ => Err(IdError::BadAddressCode {
            code: id.address_code(),
        }),
    }
}

/// Upgrades a first-generation 15-digit number to 18 characters: `19` is inserted before
/// the two-digit birth year (after the six-digit address code) and the check character
/// appended. The result's layout is not otherwise checked; parse it.
///
/// # Errors
/// [`IdError::WrongLength`] unless 15 characters, [`IdError::InvalidCharacter`] for a
/// non-digit.
pub fn upgrade_15(number: &str) -> Result<String, IdError> {
    let got = number.chars().count();
    if got != 15 || number.len() != 15 {
        return Err(IdError::WrongLength {
            expected: "15",
            got,
        });
    }
    non_digit(number)?;
    let (address, rest) = number.split_at(6);
    let mut body = String::with_capacity(18);
    body.push_str(address);
    body.push_str("19");
    body.push_str(rest);
    let check = check_char(body.as_bytes()).ok_or(IdError::WrongLength {
        expected: "15",
        got,
    })?;
    body.push(check);
    Ok(body)
}

/// The decimal value of a run of ASCII digits (callers pass at most 6).
fn digits_value(digits: Option<&[u8]>) -> u32 {
    digits.unwrap_or_default().iter().fold(0u32, |acc, d| {
        acc.saturating_mul(10)
            .saturating_add(u32::from(d.wrapping_sub(b'0')))
    })
}
