//! Tests for identity-document validation: known-good and known-bad numbers, every
//! rejection reason, the 15→18 upgrade, permits, passports and regions.

use super::gb11643::{self, Gb11643, check_char, upgrade_15};
use super::passport::{self, ICAO_SPECIAL, ISO_3166_ALPHA3, check_digit, verify_check_digit};
use super::permits;
use super::*;
use crate::cbor::{Limits, from_canonical, to_canonical};
use proptest::prelude::*;

/// The public sample number used in GB 11643 descriptions (Beijing Chaoyang, 1949-12-31).
const SAMPLE: &str = "11010519491231002X";

/// A full number from a 17-digit body, with the check character computed here from the
/// algorithm (independently of `check_char`).
fn with_check(body: &str) -> String {
    assert_eq!(body.len(), 17);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let c = b"10X98765432"[(sum % 11) as usize];
    format!("{body}{}", c as char)
}

fn today() -> Date {
    Date::new(2025, 6, 1).unwrap()
}

fn mainland(n: &str) -> Result<NormalisedId, IdError> {
    normalise(DocType::MainlandId, "", n)
}

#[test]
fn doc_type_wire_codes_unchanged() {
    let codes: Vec<u64> = DocType::ALL.iter().map(|t| t.code()).collect();
    assert_eq!(codes, [1, 2, 3, 4, 5, 6]);
    for t in DocType::ALL {
        assert_eq!(DocType::from_code(t.code()), Some(t));
        assert_eq!(
            from_canonical::<DocType>(&to_canonical(&t), Limits::message(16)),
            Ok(t)
        );
    }
    assert_eq!(DocType::from_code(0), None);
    assert_eq!(DocType::from_code(7), None);
}

#[test]
fn public_sample_is_valid() {
    assert_eq!(check_char(&SAMPLE.as_bytes()[..17]), Some('X'));
    let id = mainland(SAMPLE).unwrap();
    assert_eq!(id.number(), SAMPLE);
    assert_eq!(id.country(), "CHN");
    assert_eq!(id.doc_type(), DocType::MainlandId);
    assert_eq!(id.birth_date(), Date::new(1949, 12, 31));
    let parsed = Gb11643::parse(SAMPLE).unwrap();
    assert_eq!(parsed.address_code(), 110_105);
    assert_eq!(parsed.province_code(), 110_000);
    assert_eq!(parsed.sequence(), 2);
}

#[test]
fn computed_numbers_are_valid() {
    for body in [
        "33010619900307123",
        "35020320001231456",
        "45010219850228001",
        "51010720040229999",
        "65010119000101000",
        "11010120250601010",
    ] {
        let n = with_check(body);
        assert_eq!(
            check_char(body.as_bytes()).map(String::from),
            Some(n[17..].to_owned())
        );
        let id = validate(DocType::MainlandId, "CHN", &n, today()).unwrap();
        assert_eq!(id.number(), n);
    }
}

#[test]
fn lower_case_x_spaces_and_full_width_are_normalised() {
    let lower = SAMPLE.to_lowercase();
    assert_eq!(mainland(&lower).unwrap().number(), SAMPLE);
    assert_eq!(mainland(" 110105 19491231 002x ").unwrap().number(), SAMPLE);
    let full: String = SAMPLE
        .chars()
        .map(|c| char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap())
        .collect();
    assert_eq!(
        mainland(&format!("{full}\u{3000}")).unwrap().number(),
        SAMPLE
    );
    assert_eq!(
        normalise(DocType::MainlandId, " chn ", SAMPLE)
            .unwrap()
            .country(),
        "CHN"
    );
}

#[test]
fn every_mainland_rejection_reason() {
    assert_eq!(mainland("   "), Err(IdError::Empty));
    assert_eq!(
        mainland(&"1".repeat(65)),
        Err(IdError::TooLong { chars: 65 })
    );
    assert_eq!(
        mainland("1101051949123100"),
        Err(IdError::WrongLength {
            expected: "18",
            got: 16
        })
    );
    assert_eq!(
        mainland("11010519491231002XX"),
        Err(IdError::WrongLength {
            expected: "18",
            got: 19
        })
    );
    assert_eq!(
        mainland("1101051949A231002X"),
        Err(IdError::InvalidCharacter {
            position: 10,
            ch: 'A'
        })
    );
    assert_eq!(
        mainland("11010519491231002Y"),
        Err(IdError::InvalidCharacter {
            position: 17,
            ch: 'Y'
        })
    );
    assert_eq!(
        mainland("张三"),
        Err(IdError::InvalidCharacter {
            position: 0,
            ch: '张'
        })
    );
    assert_eq!(
        mainland("110105194912310021"),
        Err(IdError::BadCheckCharacter {
            expected: 'X',
            got: '1'
        })
    );
    // Not a calendar date: 1949-02-30, month 13, day 0, 2023-02-29.
    for body in [
        "11010519490230002",
        "11010519491301002",
        "11010519491200002",
        "11010520230229002",
    ] {
        assert_eq!(
            mainland(&with_check(body)),
            Err(IdError::InvalidBirthDate),
            "{body}"
        );
    }
    assert_eq!(
        mainland(&with_check("11010518991231002")),
        Err(IdError::BirthBefore1900)
    );
    // Future births pass `normalise` but not `validate`.
    let future = with_check("11010520250602002");
    assert!(mainland(&future).is_ok());
    assert_eq!(
        validate(DocType::MainlandId, "", &future, today()),
        Err(IdError::BirthInFuture)
    );
    // Address codes: unknown province, Taiwan / Hong Kong / Macao, residence-permit 83.
    for (body, code) in [
        ("00010519491231002", 105),
        ("19010519491231002", 190_105),
        ("71000019491231002", 710_000),
        ("81000019491231002", 810_000),
        ("82000019491231002", 820_000),
        ("83000019491231002", 830_000),
        ("99010519491231002", 990_105),
    ] {
        assert_eq!(
            mainland(&with_check(body)),
            Err(IdError::BadAddressCode { code }),
            "{body}"
        );
    }
    assert_eq!(
        normalise(DocType::MainlandId, "USA", SAMPLE),
        Err(IdError::CountryNotChina)
    );
}

#[test]
fn first_generation_upgrade() {
    // 110105 491231 002 → 110105 19 491231 002 + X
    assert_eq!(upgrade_15("110105491231002").unwrap(), SAMPLE);
    assert_eq!(mainland("110105491231002").unwrap().number(), SAMPLE);
    let n15 = "330106850307123";
    let expected = with_check("33010619850307123");
    assert_eq!(mainland(n15).unwrap().number(), expected);
    assert_eq!(
        upgrade_15("11010549123100"),
        Err(IdError::WrongLength {
            expected: "15",
            got: 14
        })
    );
    assert_eq!(
        upgrade_15("11010549123100X"),
        Err(IdError::InvalidCharacter {
            position: 14,
            ch: 'X'
        })
    );
    // An upgraded number still has its date and province checked.
    assert_eq!(mainland("110105490230002"), Err(IdError::InvalidBirthDate));
    assert!(matches!(
        mainland("810000491231002"),
        Err(IdError::BadAddressCode { .. })
    ));
}

#[test]
fn check_char_rejects_bad_bodies() {
    assert_eq!(check_char(b"1101051949123100"), None);
    assert_eq!(check_char(b"1101051949123100X"), None);
    assert_eq!(gb11643::WEIGHTS.len(), 17);
    // Weight i is 2^(17-i) mod 11.
    for (i, w) in gb11643::WEIGHTS.iter().enumerate() {
        assert_eq!(*w, (1u32 << (17 - i)) % 11);
    }
}

#[test]
fn regions_are_the_34_province_codes() {
    assert_eq!(Region::all().count(), 34);
    assert_eq!(Region::COUNT, 34);
    let codes: Vec<u32> = Region::all().map(Region::code).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(Region::all().filter(|r| r.is_mainland()).count(), 31);
    for (code, name, en) in [
        ("110000", "北京市", "Beijing"),
        ("330000", "浙江省", "Zhejiang"),
        ("350000", "福建省", "Fujian"),
        ("450000", "广西壮族自治区", "Guangxi"),
        ("510000", "四川省", "Sichuan"),
        ("710000", "台湾省", "Taiwan"),
        ("810000", "香港特别行政区", "Hong Kong"),
        ("820000", "澳门特别行政区", "Macao"),
    ] {
        let r = Region::parse(code).unwrap();
        assert_eq!(r.name(), name);
        assert_eq!(r.name_en(), en);
        assert_eq!(r.to_string(), code);
        assert_eq!(code.parse::<Region>(), Ok(r));
    }
    assert_eq!(Region::parse("330000").unwrap().short_name(), "浙江");
    assert_eq!(Region::parse("150000").unwrap().pinyin(), "Nei Mongol");
    for r in Region::all() {
        assert!(!r.name().is_empty() && !r.short_name().is_empty());
        assert!(!r.pinyin().is_empty() && !r.name_en().is_empty());
        assert_eq!(
            Region::from_prefix(u8::try_from(r.code() / 10_000).unwrap()),
            Some(r)
        );
    }
    for bad in ["330100", "330106", "830000", "000000", "990000", "100000"] {
        let code = bad.parse().unwrap();
        assert_eq!(
            Region::parse(bad),
            Err(RegionError::NotProvinceLevel { code })
        );
    }
    for bad in ["33000", "3300000", "33000a", "", "３３００００", "+33000"] {
        assert_eq!(Region::parse(bad), Err(RegionError::NotSixDigits), "{bad}");
    }
    assert_eq!(Region::from_prefix(255), None);
}

#[test]
fn region_cbor() {
    let r = Region::parse("330000").unwrap();
    let bytes = to_canonical(&r);
    assert_eq!(bytes, [0x1a, 0x00, 0x05, 0x09, 0x10]);
    assert_eq!(from_canonical::<Region>(&bytes, Limits::message(16)), Ok(r));
    for bad in [330_100u64, 0, u64::from(u32::MAX) + 1] {
        let bytes = to_canonical(&bad);
        assert!(from_canonical::<Region>(&bytes, Limits::message(16)).is_err());
    }
    assert!(
        from_canonical::<Region>(&to_canonical(&"330000".to_owned()), Limits::message(16)).is_err()
    );
}

#[test]
fn icao_lists() {
    assert!(
        ISO_3166_ALPHA3.windows(2).all(|w| w[0] < w[1]),
        "ISO list sorted, unique"
    );
    assert!(
        ICAO_SPECIAL.windows(2).all(|w| w[0] < w[1]),
        "ICAO list sorted, unique"
    );
    assert!(
        ISO_3166_ALPHA3
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
    );
    assert!(ICAO_SPECIAL.iter().all(|c| !ISO_3166_ALPHA3.contains(c)));
    for c in [
        "CHN", "USA", "GBR", "DEU", "HKG", "MAC", "TWN", "FRA", "JPN", "D", "GBD", "GBN", "GBO",
        "GBP", "GBS", "UNO", "UNA", "UNK", "XXA", "XXB", "XXC", "XXX", "EUE", "RKS", "XOM", "XPO",
    ] {
        assert!(passport::is_icao_code(c), "{c}");
    }
    for c in ["", "XX", "ZZZ", "UTO", "chn", "DE", "CHNA", "ANT"] {
        assert!(!passport::is_icao_code(c), "{c}");
    }
}

#[test]
fn passports() {
    let id = normalise(DocType::Passport, "chn", " e1234 5678 ").unwrap();
    assert_eq!((id.country(), id.number()), ("CHN", "E12345678"));
    assert_eq!(id.birth_date(), None);
    assert_eq!(
        normalise(DocType::Passport, "DEU", "C01X00T47")
            .unwrap()
            .country(),
        "D"
    );
    assert_eq!(
        normalise(DocType::Passport, "d", "C01X00T47")
            .unwrap()
            .country(),
        "D"
    );
    assert_eq!(
        normalise(DocType::Passport, "GBN", "1").unwrap().number(),
        "1"
    );
    assert_eq!(
        normalise(DocType::Passport, "ZZZ", "E12345678"),
        Err(IdError::UnknownCountry)
    );
    assert_eq!(
        normalise(DocType::Passport, "", "E12345678"),
        Err(IdError::UnknownCountry)
    );
    assert_eq!(
        normalise(DocType::Passport, "USA", "E123456789"),
        Err(IdError::WrongLength {
            expected: "1-9",
            got: 10
        })
    );
    assert_eq!(
        normalise(DocType::Passport, "USA", "E1234-678"),
        Err(IdError::InvalidCharacter {
            position: 5,
            ch: '-'
        })
    );
    assert_eq!(
        normalise(DocType::Passport, "USA", "E1234<678"),
        Err(IdError::InvalidCharacter {
            position: 5,
            ch: '<'
        })
    );
    assert_eq!(normalise(DocType::Passport, "USA", ""), Err(IdError::Empty));
}

#[test]
fn passport_check_digits() {
    // The ICAO 9303 specimen TD3 line `L898902C36UTO7408122F1204159...`: number
    // L898902C3 with check 6, birth date 740812 with check 2, expiry 120415 with check 9.
    assert_eq!(check_digit("L898902C3"), Some(6));
    assert_eq!(check_digit("740812"), Some(2));
    assert_eq!(check_digit("120415"), Some(9));
    // By hand: X=33·7 + S=28·3 + 1·1 + 2·7 + 3·3 + 4·1 + 5·7 + 6·3 + 7·1 = 403.
    assert_eq!(check_digit("XS1234567"), Some(3));
    assert_eq!(
        check_digit("L898902C<"),
        Some(check_digit("L898902C").unwrap())
    );
    assert_eq!(check_digit("l898902c3"), None);
    assert_eq!(verify_check_digit("L898902C3", '6'), Ok(()));
    assert_eq!(
        verify_check_digit("L898902C3", '7'),
        Err(IdError::BadCheckCharacter {
            expected: '6',
            got: '7'
        })
    );
    assert!(matches!(
        verify_check_digit("L898902C3", 'X'),
        Err(IdError::InvalidCharacter { .. })
    ));
    // Short numbers are padded with `<` to the nine-character field.
    let short_check = check_digit("AB12<<<<<").unwrap();
    assert_eq!(
        verify_check_digit("AB12", char::from(b'0' + short_check)),
        Ok(())
    );
    let id = passport::normalise_with_check("USA", "l898902c3", Some('6')).unwrap();
    assert_eq!(id.number(), "L898902C3");
    assert!(passport::normalise_with_check("USA", "L898902C3", Some('5')).is_err());
    assert!(passport::normalise_with_check("USA", "L898902C3", None).is_ok());
}

#[test]
fn hk_macao_permits() {
    let n = |s| normalise(DocType::HkMacaoPermit, "", s);
    assert_eq!(n("H12345678").unwrap().number(), "H12345678");
    assert_eq!(n("m1234567801").unwrap().number(), "M12345678");
    assert_eq!(
        n("H1234567802").unwrap(),
        n("H12345678").unwrap(),
        "issue count dropped"
    );
    assert_eq!(n("A12345678"), Err(IdError::BadPrefix { ch: 'A' }));
    assert_eq!(n("812345678"), Err(IdError::BadPrefix { ch: '8' }));
    assert_eq!(
        n("H1234567"),
        Err(IdError::WrongLength {
            expected: "9 or 11",
            got: 8
        })
    );
    assert_eq!(
        n("H123456789"),
        Err(IdError::WrongLength {
            expected: "9 or 11",
            got: 10
        })
    );
    assert_eq!(
        n("H1234X678"),
        Err(IdError::InvalidCharacter {
            position: 5,
            ch: 'X'
        })
    );
    assert_eq!(
        normalise(DocType::HkMacaoPermit, "HKG", "H12345678"),
        Err(IdError::CountryNotChina)
    );
    assert_eq!(
        permits::hk_macao_permit("H12345678"),
        Ok("H12345678".to_owned())
    );
}

#[test]
fn taiwan_permits() {
    let n = |s| normalise(DocType::TaiwanPermit, "", s);
    assert_eq!(n("01234567").unwrap().number(), "01234567");
    assert_eq!(n("0123456789"), Err(IdError::ObsoleteFormat));
    assert_eq!(
        n("1234567"),
        Err(IdError::WrongLength {
            expected: "8",
            got: 7
        })
    );
    assert_eq!(
        n("123456789"),
        Err(IdError::WrongLength {
            expected: "8",
            got: 9
        })
    );
    assert_eq!(
        n("T1234567"),
        Err(IdError::InvalidCharacter {
            position: 0,
            ch: 'T'
        })
    );
    assert_eq!(
        normalise(DocType::TaiwanPermit, "TWN", "01234567"),
        Err(IdError::CountryNotChina)
    );
}

#[test]
fn residence_permits() {
    let n = |s: &str| validate(DocType::HkMacaoTaiwanResidencePermit, "", s, today());
    for body in [
        "81000019900101001",
        "82000020000229002",
        "83000019751231003",
    ] {
        let number = with_check(body);
        let id = n(&number).unwrap();
        assert_eq!(id.number(), number);
        assert!(id.birth_date().is_some());
    }
    for (body, code) in [
        ("81010019900101001", 810_100),
        ("71000019900101001", 710_000),
        ("11010519900101001", 110_105),
    ] {
        assert_eq!(n(&with_check(body)), Err(IdError::BadAddressCode { code }));
    }
    let good = with_check("81000019900101001");
    let mut bad = good[..17].to_owned();
    bad.push(if good.ends_with('0') { '1' } else { '0' });
    assert!(matches!(n(&bad), Err(IdError::BadCheckCharacter { .. })));
    assert_eq!(
        n(&with_check("81000019901301001")),
        Err(IdError::InvalidBirthDate)
    );
    assert_eq!(
        n(&with_check("81000020300101001")),
        Err(IdError::BirthInFuture)
    );
    // A residence-permit number is not a mainland identity card number.
    assert!(matches!(
        mainland(&good),
        Err(IdError::BadAddressCode { .. })
    ));
}

#[test]
fn foreign_permanent_residence_cards() {
    let n = |s: &str| normalise(DocType::ForeignPermanentResidence, "", s);
    assert_eq!(n("usa110085030101").unwrap().number(), "USA110085030101");
    assert_eq!(n("GBR310090123102").unwrap().number(), "GBR310090123102");
    assert_eq!(n("ZZZ110085030101"), Err(IdError::UnknownCountry));
    assert_eq!(
        n("US1110085030101"),
        Err(IdError::InvalidCharacter {
            position: 2,
            ch: '1'
        })
    );
    assert_eq!(
        n("USA11008503010A"),
        Err(IdError::InvalidCharacter {
            position: 14,
            ch: 'A'
        })
    );
    let new = with_check("91184019850301001");
    assert_eq!(n(&new).unwrap().number(), new);
    let citizen = with_check("11010519491231002");
    assert_eq!(n(&citizen), Err(IdError::BadPrefix { ch: '1' }));
    let mut bad = new[..17].to_owned();
    bad.push(if new.ends_with('0') { '1' } else { '0' });
    assert!(matches!(n(&bad), Err(IdError::BadCheckCharacter { .. })));
    assert_eq!(
        n("9118401985030100Y"),
        Err(IdError::WrongLength {
            expected: "15 or 18",
            got: 17
        })
    );
    assert_eq!(
        n("91184019850301001Y"),
        Err(IdError::InvalidCharacter {
            position: 17,
            ch: 'Y'
        })
    );
    assert_eq!(
        n("USA1100850301"),
        Err(IdError::WrongLength {
            expected: "15 or 18",
            got: 13
        })
    );
}

#[test]
fn dates() {
    assert_eq!(Date::from_unix_seconds(0), Date::new(1970, 1, 1));
    assert_eq!(Date::from_unix_seconds(951_782_400), Date::new(2000, 2, 29));
    assert_eq!(
        Date::from_unix_seconds(1_748_736_000),
        Date::new(2025, 6, 1)
    );
    assert_eq!(Date::from_unix_days(u64::MAX), None);
    assert_eq!(Date::from_unix_days(2_932_896), Date::new(9999, 12, 31));
    assert_eq!(Date::from_unix_days(2_932_897), None);
    assert_eq!(Date::new(1900, 2, 29), None);
    assert!(Date::new(2000, 2, 29).is_some());
    assert_eq!(Date::parse_yyyymmdd(b"20240229"), Date::new(2024, 2, 29));
    assert_eq!(Date::parse_yyyymmdd(b"2024022"), None);
    assert_eq!(Date::parse_yyyymmdd(b"2024022a"), None);
    assert_eq!(Date::new(2024, 2, 29).unwrap().to_string(), "2024-02-29");
    assert!(Date::new(1999, 12, 31) < Date::new(2000, 1, 1));
}

proptest! {
    #[test]
    fn unix_days_round_trip(days in 0u64..2_932_897) {
        let d = Date::from_unix_days(days).unwrap();
        let next = Date::from_unix_days(days + 1);
        if let Some(next) = next { prop_assert!(next > d); }
    }

    #[test]
    fn normalise_never_panics(doc in 1u64..=6, country in ".{0,8}", number in ".{0,70}") {
        let t = DocType::from_code(doc).unwrap();
        if let Ok(id) = normalise(t, &country, &number) {
            prop_assert!(id.number().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            // Normalising is idempotent.
            let again = normalise(t, id.country(), id.number());
            prop_assert_eq!(again, Ok(id));
        }
    }

    #[test]
    fn any_valid_body_round_trips(
        province in proptest::sample::select(Region::all().filter(|r| r.is_mainland()).collect::<Vec<_>>()),
        rest in 0u32..10_000,
        days in 0u64..20_000,
        seq in 0u16..1000,
    ) {
        let birth = Date::from_unix_days(days).unwrap();
        let body = format!(
            "{:02}{:04}{:04}{:02}{:02}{:03}",
            province.code() / 10_000, rest, birth.year(), birth.month(), birth.day(), seq
        );
        let n = with_check(&body);
        let id = mainland(&n).unwrap();
        prop_assert_eq!(id.number(), n.as_str());
        prop_assert_eq!(id.birth_date(), Some(birth));
        // Changing any one of the 17 digits breaks the check character.
        for i in 0..17 {
            let mut bytes = n.clone().into_bytes();
            bytes[i] = b'0' + (bytes[i] - b'0' + 1) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Gb11643::parse(&changed).is_err());
        }
    }

    #[test]
    fn region_parse_never_panics(s in ".{0,10}") {
        let _ = Region::parse(&s);
    }
}

proptest! {
    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
        let _ = from_canonical::<Region>(&bytes, Limits::message(16));
        let _ = from_canonical::<DocType>(&bytes, Limits::message(16));
    }
}
