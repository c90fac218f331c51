//! The Chinese permits for residents of Hong Kong, Macao and Taiwan and for foreigners
//! with permanent residence: their number formats.
//!
//! Owns: the four formats below, each applied to input already cleaned up by
//! `identity::normalise` (upper case, no spaces). Does not own the GB 11643 layout itself
//! (`gb11643`) nor the passport rules.
//!
//! Sources: the public format descriptions of the National Immigration Administration
//! (国家移民管理局) and the Ministry of Public Security; where a source describes an
//! internal layout that is not enforced here, the doc comment says so. Format checks are
//! kept to what the sources state plainly, so that no genuine card is refused.

use super::gb11643::{self, Gb11643};
use super::passport;
use super::{IdError, non_digit};

/// The address codes of the residence permit for Hong Kong, Macao and Taiwan residents
/// (港澳台居民居住证, 2018): Hong Kong, Macao, Taiwan. (Taiwan residents' permits use
/// `830000`, not the GB/T 2260 code `710000`.)
pub const RESIDENCE_PERMIT_ADDRESS_CODES: [u32; 3] = [810_000, 820_000, 830_000];

/// Mainland travel permit for Hong Kong and Macao residents (港澳居民来往内地通行证,
/// "回乡证").
///
/// Accepted: `H` (Hong Kong) or `M` (Macao) followed by 8 digits (the holder's lifelong
/// number), or by 10 digits (the card number printed since the 2013 card: the lifelong
/// 8 digits, then a two-digit count of issues). The result is the lifelong 9-character
/// form, so the holder binding survives a card renewal; the issue count is dropped.
///
/// # Errors
/// [`IdError::WrongLength`], [`IdError::BadPrefix`], [`IdError::InvalidCharacter`].
pub fn hk_macao_permit(number: &str) -> Result<String, IdError> {
    let got = number.chars().count();
    if got != 9 && got != 11 {
        return Err(IdError::WrongLength {
            expected: "9 or 11",
            got,
        });
    }
    let mut chars = number.chars();
    match chars.next() {
        Some('H' | 'M') => {}
        Some(ch) => return Err(IdError::BadPrefix { ch }),
        None => return Err(IdError::Empty),
    }
    let digits = chars.as_str();
    non_digit(digits).map_err(|e| shift(e, 1))?;
    number
        .get(..9)
        .map(str::to_owned)
        .ok_or(IdError::WrongLength {
            expected: "9 or 11",
            got,
        })
}

/// Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证, "台胞证").
///
/// Accepted: 8 digits, the lifelong number printed on the card issued since 2015.
/// Refused as [`IdError::ObsoleteFormat`]: the 10-character numbers of the former booklet
/// (all of which expired by 2020, booklets being valid five years and no longer issued
/// after 2015), and 10 digits in general: the card's separate two-digit issue count
/// should not be typed into the number, and a 10-digit input cannot be told apart from a
/// booklet number.
///
/// # Errors
/// [`IdError::WrongLength`], [`IdError::ObsoleteFormat`], [`IdError::InvalidCharacter`].
pub fn taiwan_permit(number: &str) -> Result<String, IdError> {
    let got = number.chars().count();
    if got == 10 {
        return Err(IdError::ObsoleteFormat);
    }
    if got != 8 {
        return Err(IdError::WrongLength { expected: "8", got });
    }
    non_digit(number)?;
    Ok(number.to_owned())
}

/// Residence permit for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, 2018):
/// the GB 11643 layout (valid check character and birth date) with address code exactly
/// `810000`, `820000` or `830000`.
///
/// # Errors
/// As [`Gb11643::parse`], and [`IdError::BadAddressCode`].
pub fn residence_permit(number: &str) -> Result<Gb11643, IdError> {
    let id = Gb11643::parse(number)?;
    if RESIDENCE_PERMIT_ADDRESS_CODES.contains(&id.address_code()) {
        Ok(id)
    } else {
        Err(IdError::BadAddressCode {
            code: id.address_code(),
        })
    }
}

/// Foreigner's permanent residence identity card (外国人永久居留身份证).
///
/// Two formats are valid side by side (the 2017 card stays valid until it expires):
/// - **2017 card**: 15 characters, three Latin letters then 12 digits. The letters are
///   the holder's nationality as an ICAO 9303 / ISO 3166-1 alpha-3 code, and are checked
///   against that list. The digits (place of acceptance, birth date `YYMMDD`, sequence,
///   per secondary descriptions) are not checked further: no official check-digit rule
///   is published for this format.
/// - **2023 card** (issued from 2023-12-01; National Immigration Administration notice on
///   the machine-readable rules of the new card): 18 characters "following GB 11643",
///   17 digits and a MOD 11-2 check character computed as for citizen numbers, the first
///   digit `9` marking a foreigner (citizen numbers start 1–8). The check character is
///   verified. The remaining layout described by secondary sources (place of acceptance,
///   numeric nationality code, birth date, sequence) is not enforced.
///
/// # Errors
/// [`IdError::WrongLength`], [`IdError::InvalidCharacter`], [`IdError::UnknownCountry`],
/// [`IdError::BadPrefix`], [`IdError::BadCheckCharacter`].
pub fn foreign_permanent_residence(number: &str) -> Result<String, IdError> {
    let got = number.chars().count();
    match got {
        15 => {
            let (letters, digits) = number.split_at_checked(3).ok_or(IdError::WrongLength {
                expected: "15 or 18",
                got,
            })?;
            if let Some((position, ch)) = letters
                .chars()
                .enumerate()
                .find(|(_, c)| !c.is_ascii_uppercase())
            {
                return Err(IdError::InvalidCharacter { position, ch });
            }
            non_digit(digits).map_err(|e| shift(e, 3))?;
            if !passport::is_icao_code(letters) {
                return Err(IdError::UnknownCountry);
            }
            Ok(number.to_owned())
        }
        18 => {
            let (body, check) = number.split_at_checked(17).ok_or(IdError::WrongLength {
                expected: "15 or 18",
                got,
            })?;
            non_digit(body)?;
            if let Some(ch) = body.chars().next().filter(|&c| c != '9') {
                return Err(IdError::BadPrefix { ch });
            }
            let got_check = check.chars().next().unwrap_or('?');
            if !(got_check.is_ascii_digit() || got_check == 'X') {
                return Err(IdError::InvalidCharacter {
                    position: 17,
                    ch: got_check,
                });
            }
            let expected = gb11643::check_char(body.as_bytes()).ok_or(IdError::WrongLength {
                expected: "15 or 18",
                got,
            })?;
            if expected != got_check {
                return Err(IdError::BadCheckCharacter {
                    expected,
                    got: got_check,
                });
            }
            Ok(number.to_owned())
        }
        _ => Err(IdError::WrongLength {
            expected: "15 or 18",
            got,
        }),
    }
}

/// Moves the position of an [`IdError::InvalidCharacter`] found in a suffix.
fn shift(e: IdError, by: usize) -> IdError {
    match e {
        IdError::InvalidCharacter { position, ch } => IdError::InvalidCharacter {
            position: position + by,
            ch,
        },
        other => other,
    }
}
