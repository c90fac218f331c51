//! Passports (ICAO Doc 9303): the issuing-state code, the document number and its check
//! digit.
//!
//! Owns: the ICAO 9303 issuing-state list (every ISO 3166-1 alpha-3 code, plus the codes
//! ICAO adds in Doc 9303 Part 3 for states, organisations and persons ISO does not list),
//! the number alphabet, and the 7-3-1 check digit. Does not own the rest of the MRZ
//! (names, dates): hcx binds only type, country and number.
//!
//! Number rule: 1–9 characters of `A–Z0–9` after clean-up — the TD3 document-number field
//! is nine characters, filler `<` stripped; longer numbers (which ICAO continues in the
//! optional-data field) are not accepted.

use super::IdError;

/// ISO 3166-1 alpha-3, all 249 officially assigned codes, sorted.
pub const ISO_3166_ALPHA3: [&str; 249] = [
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM",
    "GAB", "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN",
    "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ",
    "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE",
    "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS",
    "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL",
    "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP",
    "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL",
    "TKM", "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY",
    "USA", "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// Codes ICAO 9303 (Part 3, "codes for nationality, place of birth or issuing state")
/// uses beyond ISO 3166-1, sorted. `D` is Germany (its MRZ shows `D<<`); `RKS` is used by
/// Kosovo's own passports.
pub const ICAO_SPECIAL: [&str; 26] = [
    "D",   // Germany
    "EUE", // European Union
    "GBD", // British Overseas Territories Citizen
    "GBN", // British National (Overseas)
    "GBO", // British Overseas Citizen
    "GBP", // British Protected Person
    "GBS", // British Subject
    "RKS", // Kosovo
    "UNA", // specialised agency of the United Nations
    "UNK", // resident of Kosovo, travel document issued by UNMIK
    "UNO", // United Nations Organization
    "XBA", // African Development Bank
    "XCC", // Caribbean Community (CARICOM)
    "XCE", // Council of Europe
    "XCO", // Common Market for Eastern and Southern Africa (COMESA)
    "XDC", // Southern African Development Community
    "XEC", // Economic Community of West African States (ECOWAS)
    "XES", // Organisation of Eastern Caribbean States
    "XIM", // African Export-Import Bank
    "XMP", // Parliamentary Assembly of the Mediterranean
    "XOM", // Sovereign Military Order of Malta
    "XPO", // International Criminal Police Organization (INTERPOL)
    "XXA", // stateless person (1954 Convention)
    "XXB", // refugee (1951 Convention)
    "XXC", // refugee (other)
    "XXX", // person of unspecified nationality
];

/// The longest passport number accepted (the TD3 document-number field).
pub const MAX_NUMBER_LEN: usize = 9;

/// Whether `code` (upper case) is an ICAO 9303 issuing-state code.
pub fn is_icao_code(code: &str) -> bool {
    ISO_3166_ALPHA3.binary_search(&code).is_ok() || ICAO_SPECIAL.binary_search(&code).is_ok()
}

/// The stored form of an issuing country (already cleaned up): an ICAO code as is, and
/// ISO `DEU` as ICAO's `D`, so a number typed with `DEU` and one read from a German
/// passport's MRZ bind to the same hash.
///
/// # Errors
/// [`IdError::UnknownCountry`].
pub fn normalise_country(code: &str) -> Result<String, IdError> {
    match code {
        "DEU" => Ok("D".to_owned()),
        c if is_icao_code(c) => Ok(c.to_owned()),
        _ => Err(IdError::UnknownCountry),
    }
}

/// Validates a cleaned-up passport number: 1–9 characters of `A–Z0–9`.
///
/// # Errors
/// [`IdError::Empty`], [`IdError::WrongLength`], [`IdError::InvalidCharacter`].
pub fn validate_number(number: &str) -> Result<String, IdError> {
    let got = number.chars().count();
    if got == 0 {
        return Err(IdError::Empty);
    }
    if got > MAX_NUMBER_LEN {
        return Err(IdError::WrongLength {
            expected: "1-9",
            got,
        });
    }
    let bad = number
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit()));
    if let Some((position, ch)) = bad {
        return Err(IdError::InvalidCharacter { position, ch });
    }
    Ok(number.to_owned())
}

/// The ICAO 9303 check digit (0–9) of an MRZ field: each character's value (`0`–`9` as
/// is, `A`–`Z` = 10–35, filler `<` = 0) times the repeating weights 7, 3, 1, summed,
/// mod 10. `None` if the field has another character.
pub fn check_digit(field: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (c, w) in field.chars().zip([7u32, 3, 1].into_iter().cycle()) {
        let v = match c {
            '0'..='9' | 'A'..='Z' => c.to_digit(36)?,
            '<' => 0,
            _ => return None,
        };
        sum = (sum + v * w) % 10;
    }
    u8::try_from(sum).ok()
}

/// Checks the MRZ check digit of a (cleaned-up, valid) passport number, computed over
/// the nine-character TD3 field (the number padded with `<`).
///
/// # Errors
/// [`IdError::InvalidCharacter`] if `check` is not a digit, [`IdError::BadCheckCharacter`]
/// if it does not match, and the errors of [`validate_number`].
pub fn verify_check_digit(number: &str, check: char) -> Result<(), IdError> {
    let number = validate_number(number)?;
    let got = check.to_digit(10).ok_or(IdError::InvalidCharacter {
        position: 0,
        ch: check,
    })?;
    let field = format!("{number:<<9}");
    let expected = check_digit(&field).ok_or(IdError::InvalidCharacter {
        position: 0,
        ch: check,
    })?;
    if u32::from(expected) == got {
        Ok(())
    } else {
        Err(IdError::BadCheckCharacter {
            expected: char::from(b'0' + expected),
            got: check,
        })
    }
}

/// [`super::normalise`] for a passport, also checking the MRZ check digit of the number
/// when one is given (e.g. read from the MRZ by a document scanner).
///
/// # Errors
/// As [`super::normalise`] and [`verify_check_digit`].
pub fn normalise_with_check(
    country: &str,
    number: &str,
    check: Option<char>,
) -> Result<super::NormalisedId, IdError> {
    let id = super::normalise(super::DocType::Passport, country, number)?;
    if let Some(check) = check {
        verify_check_digit(id.number(), check)?;
    }
    Ok(id)
}
