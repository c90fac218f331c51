//! Tests for the holder binding: known answers (computed independently with OpenSSL's
//! Argon2id through Python `cryptography`), determinism, sensitivity to every input,
//! and the masks' limits.

use super::*;
use crate::identity::normalise;
use proptest::prelude::*;

const SAMPLE: &str = "11010519491231002X";
const SALT: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

fn sample() -> NormalisedId {
    normalise(DocType::MainlandId, "", SAMPLE).unwrap()
}

/// Fast parameters for property tests (the real ones take ~1 s in a debug build).
fn quick(id: &NormalisedId, salt: &[u8; 16]) -> [u8; 16] {
    hash_with(&hash_input(id), salt, 64, 1).unwrap()
}

#[test]
fn hash_input_is_canonical_cbor() {
    let expected = hex::decode(
        "84756863782d686f6c6465722d62696e64696e672d7631016343484e72313130313035313934393132333130303258",
    )
    .unwrap();
    assert_eq!(hash_input(&sample()), expected);
    let v = crate::cbor::Value::decode(
        &expected,
        crate::cbor::Mode::Strict,
        crate::cbor::Limits::message(256),
    );
    assert!(v.is_ok());
}

#[test]
fn known_answers() {
    // Independent: Argon2id(v=0x13, m, t, p=1, len 16) from OpenSSL via Python.
    assert_eq!(
        hex::encode(binding_hash(&sample(), &SALT).unwrap()),
        "fc07809710dc5a03c82d8c05c3f0dd32"
    );
    assert_eq!(
        hex::encode(quick(&sample(), &SALT)),
        "3f17c6d7722fb599fac4f16e3c70b329"
    );
}

#[test]
fn matches_and_bind() {
    let id = sample();
    let values = bind(&id, "张三", &SALT).unwrap();
    assert_eq!(values.doc_type, DocType::MainlandId);
    assert_eq!(values.name_mask, "*三");
    assert_eq!(values.number_mask, "**2X");
    assert_eq!(values.salt, SALT);
    assert!(matches(&id, &SALT, &values.hash));
    // The same person typed differently (lower case, spaces, 15 digits) still matches.
    let retyped = normalise(DocType::MainlandId, "chn", "110105 491231 002").unwrap();
    assert!(matches(&retyped, &SALT, &values.hash));
    let mut wrong = values.hash;
    wrong[15] ^= 1;
    assert!(!matches(&id, &SALT, &wrong));
    let mut other_salt = SALT;
    other_salt[0] ^= 0x80;
    assert!(!matches(&id, &other_salt, &values.hash));
}

#[test]
fn constant_time_eq_works() {
    assert!(constant_time_eq(&[3; 16], &[3; 16]));
    for i in 0..16 {
        let mut b = [3; 16];
        b[i] = 4;
        assert!(!constant_time_eq(&[3; 16], &b));
    }
}

#[test]
fn type_and_country_change_the_hash() {
    // Same characters under different types/countries must not collide.
    let a = normalise(DocType::Passport, "USA", "E12345678").unwrap();
    let b = normalise(DocType::Passport, "CAN", "E12345678").unwrap();
    let c = normalise(DocType::Passport, "D", "E12345678").unwrap();
    let d = normalise(DocType::Passport, "DEU", "E12345678").unwrap();
    assert_ne!(quick(&a, &SALT), quick(&b, &SALT));
    assert_ne!(quick(&a, &SALT), quick(&c, &SALT));
    assert_eq!(quick(&c, &SALT), quick(&d, &SALT), "DEU is stored as D");
    let permit = normalise(DocType::TaiwanPermit, "", "12345678").unwrap();
    let passport = normalise(DocType::Passport, "CHN", "12345678").unwrap();
    assert_ne!(hash_input(&permit), hash_input(&passport));
    assert_ne!(quick(&permit, &SALT), quick(&passport, &SALT));
}

#[test]
fn name_masks() {
    for (name, mask) in [
        ("张三", "*三"),
        ("欧阳娜娜", "*娜"),
        ("买买提·艾力", "*力"),
        ("王", "*王"),
        ("Smith, John", "S*"),
        ("smith", "S*"),
        ("  o'brien", "O*"),
        ("Ölçer", "Ö*"),
        ("ßmith", "ß*"),
        ("Иванов", "И*"),
        ("李 Lee", "*李"),
        ("", "*"),
        ("123 -", "*"),
        ("𠀀𠀁", "*𠀁"),
    ] {
        assert_eq!(mask_name(name), mask, "{name}");
    }
}

#[test]
fn number_masks() {
    for (number, mask) in [
        (SAMPLE, "**2X"),
        ("E12345678", "**78"),
        ("H12345678", "**78"),
        ("123456", "**56"),
        ("12345", "***5"),
        ("123", "***3"),
        ("12", "****"),
        ("1", "****"),
        ("", "****"),
    ] {
        assert_eq!(mask_number(number), mask, "{number}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn same_inputs_same_hash_any_change_differs(
        number in "[A-Z0-9]{1,9}",
        other in "[A-Z0-9]{1,9}",
        salt in any::<[u8; 16]>(),
        flip in 0usize..128,
    ) {
        let id = normalise(DocType::Passport, "USA", &number).unwrap();
        let h = quick(&id, &salt);
        prop_assert_eq!(h, quick(&id, &salt));
        if other != number {
            let id2 = normalise(DocType::Passport, "USA", &other).unwrap();
            prop_assert_ne!(h, quick(&id2, &salt));
        }
        let mut salt2 = salt;
        salt2[flip / 8] ^= 1 << (flip % 8);
        prop_assert_ne!(h, quick(&id, &salt2));
    }

    #[test]
    fn name_mask_shows_at_most_one_character(name in "\\PC{0,20}") {
        let mask = mask_name(&name);
        let shown: Vec<char> = mask.chars().filter(|&c| c != '*').collect();
        prop_assert!(mask.chars().count() <= 2);
        prop_assert!(shown.len() <= 1);
        if let Some(&c) = shown.first() {
            // The shown character is in the name (or is the upper case of one).
            prop_assert!(name.chars().any(|n| n == c || n.to_uppercase().eq([c])));
        }
    }

    #[test]
    fn number_mask_shows_at_most_the_last_two(number in "\\PC{0,40}") {
        let mask = mask_number(&number);
        prop_assert_eq!(mask.chars().count(), MASK_WIDTH);
        let len = number.chars().count();
        let shown: String = mask.chars().skip_while(|&c| c == '*').collect();
        let n = shown.chars().count();
        prop_assert!(n <= 2 && n * 3 <= len);
        // What is shown is exactly the number's tail.
        let tail: String = number.chars().skip(len - n).collect();
        prop_assert!(n == 0 || tail == shown || tail.ends_with(&shown));
    }
}
