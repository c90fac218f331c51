//! Identity documents: the types hcx accepts for real-name registration and the holder
//! binding ([`DocType`]), their format validation, and the one normalised form
//! ([`NormalisedId`]) that the binding hash is computed over.
//!
//! Owns: the document-type wire enum, input clean-up (case, spaces, full-width forms),
//! the per-type format rules (in [`gb11643`], [`passport`], [`permits`]), the GB/T 2260
//! province-level list ([`regions`]) and the calendar date type ([`Date`]).
//!
//! Does not own: the binding hash and the masks (`crate::binding`), any lookup of whether
//! a document really exists (hcx never asks an authority), or reading the clock: the one
//! check that needs "today" ([`validate`]) takes it as an argument.
//!
//! Format checks catch typing and reading mistakes; they are not proof that a document
//! was issued. Every function here is total: any input yields a value or an [`IdError`].

mod date;
pub mod gb11643;
pub mod passport;
pub mod permits;
pub mod regions;

#[cfg(test)]
mod tests;

pub use date::Date;
pub use regions::{Region, RegionError};

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder};

/// The kind of identity document a holder registered with. The wire value is the
/// discriminant (a small unsigned integer) and never changes meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocType {
    /// Mainland resident identity card (GB 11643, 18 characters).
    MainlandId = 1,
    /// Passport (ICAO 9303), with its issuing country.
    Passport = 2,
    /// Mainland travel permit for Hong Kong and Macao residents.
    HkMacaoPermit = 3,
    /// Mainland travel permit for Taiwan residents.
    TaiwanPermit = 4,
    /// Residence permit for Hong Kong, Macao and Taiwan residents (GB 11643 layout).
    HkMacaoTaiwanResidencePermit = 5,
    /// Foreigner's permanent residence identity card.
    ForeignPermanentResidence = 6,
}

impl DocType {
    /// Every document type, in wire order.
    pub const ALL: [Self; 6] = [
        Self::MainlandId,
        Self::Passport,
        Self::HkMacaoPermit,
        Self::TaiwanPermit,
        Self::HkMacaoTaiwanResidencePermit,
        Self::ForeignPermanentResidence,
    ];

    /// The wire value.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// The type for a wire value.
    pub fn from_code(code: u64) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

impl Cbor for DocType {
    fn encode(&self, e: &mut Encoder) {
        e.u64(self.code());
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::from_code(d.u64()?).ok_or(DecodeError::InvalidValue {
            field: "document type",
        })
    }
}

/// The issuing country recorded for every document type except [`DocType::Passport`]:
/// all of them are issued by authorities of the People's Republic of China.
pub const CHINA: &str = "CHN";

/// The longest raw input (country or number, in characters) looked at; longer input is
/// refused before any other work.
pub const MAX_INPUT_CHARS: usize = 64;

/// Why a document number (or its country) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum IdError {
    /// Nothing left after removing spaces.
    #[error("empty document number")]
    Empty,
    /// More than [`MAX_INPUT_CHARS`] characters of input.
    #[error("input of {chars} characters is too long")]
    TooLong { chars: usize },
    /// A character the document's alphabet does not have, at a character position
    /// (0-based, after clean-up).
    #[error("character {ch:?} not allowed at position {position}")]
    InvalidCharacter { position: usize, ch: char },
    /// The wrong number of characters for the document type (after clean-up).
    #[error("{got} characters, expected {expected}")]
    WrongLength { expected: &'static str, got: usize },
    /// The check character does not match the rest of the number.
    #[error("check character {got:?}, expected {expected:?}")]
    BadCheckCharacter { expected: char, got: char },
    /// The birth-date field is not a calendar date.
    #[error("birth date is not a calendar date")]
    InvalidBirthDate,
    /// The birth date is before 1900-01-01.
    #[error("birth date before 1900")]
    BirthBefore1900,
    /// The birth date is after the `today` passed in.
    #[error("birth date in the future")]
    BirthInFuture,
    /// The address code's first two digits are not a province-level code this document
    /// type is issued under.
    #[error("address code {code:06} is not allowed for this document type")]
    BadAddressCode { code: u32 },
    /// The first character does not name this document type (e.g. not `H`/`M` on a Hong
    /// Kong/Macao permit, not `9` on an 18-digit permanent residence card).
    #[error("prefix {ch:?} not allowed for this document type")]
    BadPrefix { ch: char },
    /// A known but retired layout that hcx does not accept (see the document type's rules).
    #[error("obsolete document number layout")]
    ObsoleteFormat,
    /// The country is not an ICAO 9303 issuing-state code.
    #[error("unknown issuing country code")]
    UnknownCountry,
    /// A country other than China given for a document only China issues.
    #[error("this document type is issued by China only")]
    CountryNotChina,
}

/// A document number in the one form the holder binding hashes: upper case, no spaces,
/// ASCII only, first-generation mainland numbers upgraded to 18 characters, renewal
/// counters dropped. Only [`normalise`] (and [`validate`]) make one, so holding one means
/// the number passed its format checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NormalisedId {
    doc_type: DocType,
    country: String,
    number: String,
    birth_date: Option<Date>,
}

impl NormalisedId {
    /// The document type.
    pub fn doc_type(&self) -> DocType {
        self.doc_type
    }

    /// The issuing country: an ICAO 9303 code for passports (`D` for Germany), otherwise
    /// [`CHINA`].
    pub fn country(&self) -> &str {
        &self.country
    }

    /// The normalised number.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The birth date encoded in the number, for the types whose layout has one (mainland
    /// identity card, residence permit).
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }
}

/// Checks the format of a document number and returns its normalised form.
///
/// `country` is the issuing state: an ICAO 9303 code for a passport (`DEU` is accepted
/// and stored as ICAO's `D`); for every other type it must be empty or `CHN`.
/// Input clean-up, for both arguments: full-width ASCII forms and the ideographic space
/// become ASCII, white space is removed, letters are upper-cased.
///
/// Per type (details in each module): [`DocType::MainlandId`]: [`gb11643::validate_mainland`]
/// (15-digit numbers are upgraded); [`DocType::Passport`]: [`passport::validate_number`];
/// [`DocType::HkMacaoPermit`]: [`permits::hk_macao_permit`]; [`DocType::TaiwanPermit`]:
/// [`permits::taiwan_permit`]; [`DocType::HkMacaoTaiwanResidencePermit`]:
/// [`permits::residence_permit`]; [`DocType::ForeignPermanentResidence`]:
/// [`permits::foreign_permanent_residence`].
///
/// No check here depends on the date; use [`validate`] to also refuse a birth date after
/// today.
///
/// # Errors
/// The first rule the input breaks, as an [`IdError`].
pub fn normalise(doc_type: DocType, country: &str, number: &str) -> Result<NormalisedId, IdError> {
    let country = clean(country)?;
    let number = clean(number)?;
    if number.is_empty() {
        return Err(IdError::Empty);
    }
    let country = match doc_type {
        DocType::Passport => passport::normalise_country(&country)?,
        _ if country.is_empty() || country == CHINA => CHINA.to_owned(),
        _ => return Err(IdError::CountryNotChina),
    };
    let (number, birth_date) = match doc_type {
        DocType::MainlandId => {
            let id = gb11643::validate_mainland(&number)?;
            let birth = id.birth_date();
            (id.into_string(), Some(birth))
        }
        DocType::HkMacaoTaiwanResidencePermit => {
            let id = permits::residence_permit(&number)?;
            let birth = id.birth_date();
            (id.into_string(), Some(birth))
        }
        DocType::Passport => (passport::validate_number(&number)?, None),
        DocType::HkMacaoPermit => (permits::hk_macao_permit(&number)?, None),
        DocType::TaiwanPermit => (permits::taiwan_permit(&number)?, None),
        DocType::ForeignPermanentResidence => {
            (permits::foreign_permanent_residence(&number)?, None)
        }
    };
    Ok(NormalisedId {
        doc_type,
        country,
        number,
        birth_date,
    })
}

/// [`normalise`], and also refuses a birth date after `today` (the local date where the
/// document is presented; for China, `Date::from_unix_seconds(now + 8 * 3600)`).
///
/// # Errors
/// As [`normalise`], and [`IdError::BirthInFuture`].
pub fn validate(
    doc_type: DocType,
    country: &str,
    number: &str,
    today: Date,
) -> Result<NormalisedId, IdError> {
    let id = normalise(doc_type, country, number)?;
    match id.birth_date {
        Some(birth) if birth > today => Err(IdError::BirthInFuture),
        _ => Ok(id),
    }
}

/// Input clean-up shared by every type: full-width ASCII (U+FF01–U+FF5E) and the
/// ideographic space map to ASCII, white space is dropped, ASCII letters are upper-cased.
/// Anything else that is not ASCII is refused.
fn clean(input: &str) -> Result<String, IdError> {
    let chars = input.chars().count();
    if chars > MAX_INPUT_CHARS {
        return Err(IdError::TooLong { chars });
    }
    let mut out = String::with_capacity(chars);
    for c in input.chars() {
        let c = fold_width(c);
        if c.is_whitespace() {
            continue;
        }
        if !c.is_ascii() || c.is_ascii_control() {
            return Err(IdError::InvalidCharacter {
                position: out.chars().count(),
                ch: c,
            });
        }
        out.push(c.to_ascii_uppercase());
    }
    Ok(out)
}

/// Maps a full-width form (U+FF01–U+FF5E) to its ASCII twin and U+3000 to a space.
fn fold_width(c: char) -> char {
    match u32::from(c) {
        0x3000 => ' ',
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

/// The first character of `s` that is not an ASCII digit, with its position, as an error.
fn non_digit(s: &str) -> Result<(), IdError> {
    match s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((position, ch)) => Err(IdError::InvalidCharacter { position, ch }),
        None => Ok(()),
    }
}
