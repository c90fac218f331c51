//! Base45 (RFC 9285): the QR-alphanumeric-friendly text encoding of the holder QR code.
//!
//! This module owns the byte ↔ text transform only; the `HCX1:` / `HC1:` prefixes and the
//! length caps live in `crate::qr`. It is hand-written rather than taken from a crate
//! because it is about sixty lines and because strictness is the point: [`decode`]
//! refuses every input that [`encode`] could not have produced (a length ≡ 1 mod 3, a
//! character outside the 45-character alphabet, lowercase letters, a triplet above
//! 0xFFFF, a pair above 0xFF), so one byte string has exactly one accepted text.

/// The 45-character alphabet of RFC 9285 §4, in value order.
const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Why a text is not strict base45.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum Base45Error {
    /// The text length leaves one character over (length ≡ 1 mod 3).
    #[error("base45 length {len} leaves a single trailing character")]
    BadLength { len: usize },
    /// A character outside the alphabet, at byte offset `offset`.
    #[error("invalid base45 character 0x{byte:02x} at offset {offset}")]
    InvalidChar { offset: usize, byte: u8 },
    /// A group whose value does not fit its bytes (triplet > 0xFFFF, pair > 0xFF).
    #[error("base45 group at offset {offset} encodes {value}, too large")]
    Overflow { offset: usize, value: u32 },
}

/// Encodes `data` as base45 text.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(2) * 3);
    let mut chunks = data.chunks_exact(2);
    for pair in chunks.by_ref() {
        if let [a, b] = pair {
            push_digits(&mut out, u32::from(*a) << 8 | u32::from(*b), 3);
        }
    }
    if let [a] = chunks.remainder() {
        push_digits(&mut out, u32::from(*a), 2);
    }
    out
}

/// Writes `n` base-45 digits of `v`, least significant first (RFC 9285 §4.2).
fn push_digits(out: &mut String, mut v: u32, n: usize) {
    for _ in 0..n {
        // `v % 45 < 45`, so the lookup always hits; the fallback is never taken.
        let c = ALPHABET.get((v % 45) as usize).copied().unwrap_or(b'0');
        out.push(char::from(c));
        v /= 45;
    }
}

/// Decodes strict base45 text.
///
/// # Errors
/// [`Base45Error`] for a bad length, a character outside the alphabet, or a group whose
/// value is too large for its bytes.
pub fn decode(text: &str) -> Result<Vec<u8>, Base45Error> {
    decode_bytes(text.as_bytes())
}

/// [`decode`] for text given as bytes (it need not be UTF-8: any non-alphabet byte is an
/// error).
///
/// # Errors
/// As [`decode`].
pub fn decode_bytes(text: &[u8]) -> Result<Vec<u8>, Base45Error> {
    if text.len() % 3 == 1 {
        return Err(Base45Error::BadLength { len: text.len() });
    }
    let mut out = Vec::with_capacity(text.len() / 3 * 2 + 1);
    for (i, group) in text.chunks(3).enumerate() {
        let offset = i * 3;
        let mut value = 0u32;
        let mut scale = 1u32;
        for (j, &byte) in group.iter().enumerate() {
            let digit = digit(byte).ok_or(Base45Error::InvalidChar {
                offset: offset + j,
                byte,
            })?;
            value += u32::from(digit) * scale;
            scale *= 45;
        }
        if group.len() == 3 {
            let v = u16::try_from(value).map_err(|_| Base45Error::Overflow { offset, value })?;
            out.extend_from_slice(&v.to_be_bytes());
        } else {
            out.push(u8::try_from(value).map_err(|_| Base45Error::Overflow { offset, value })?);
        }
    }
    Ok(out)
}

/// The value of one alphabet character.
const fn digit(c: u8) -> Option<u8> {
    Some(match c {
        b'0'..=b'9' => c - b'0',
        b'A'..=b'Z' => c - b'A' + 10,
        b' ' => 36,
        b'$' => 37,
        b'%' => 38,
        b'*' => 39,
        b'+' => 40,
        b'-' => 41,
        b'.' => 42,
        b'/' => 43,
        b':' => 44,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(encode(b"ietf!"), "QED8WEX0");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(encode(b""), "");
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(encode(&[0xff, 0xff]), "FGW");
        assert_eq!(encode(&[0xff]), "U5");
    }

    #[test]
    fn strict_rejections() {
        assert_eq!(decode("A"), Err(Base45Error::BadLength { len: 1 }));
        assert_eq!(decode("QED8"), Err(Base45Error::BadLength { len: 4 }));
        assert_eq!(
            decode("GGW"),
            Err(Base45Error::Overflow {
                offset: 0,
                value: 65536
            })
        );
        assert_eq!(
            decode(":::"),
            Err(Base45Error::Overflow {
                offset: 0,
                value: 91124
            })
        );
        assert_eq!(
            decode("V5"),
            Err(Base45Error::Overflow {
                offset: 0,
                value: 256
            })
        );
        assert_eq!(
            decode("::"),
            Err(Base45Error::Overflow {
                offset: 0,
                value: 2024
            })
        );
        assert_eq!(
            decode("aB8"),
            Err(Base45Error::InvalidChar {
                offset: 0,
                byte: b'a'
            })
        );
        assert_eq!(
            decode("BB8#B"),
            Err(Base45Error::InvalidChar {
                offset: 3,
                byte: b'#'
            })
        );
        assert!(decode("BBé").is_err());
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let t = encode(&data);
            prop_assert!(t.bytes().all(|c| ALPHABET.contains(&c)));
            prop_assert_eq!(decode(&t).unwrap(), data);
        }

        #[test]
        fn accepted_text_is_canonical(text in "[0-9A-Z $%*+./:-]{0,60}") {
            // Whatever decodes must re-encode to the same text: one text per byte string.
            if let Ok(bytes) = decode(&text) {
                prop_assert_eq!(encode(&bytes), text);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_bytes(&data);
        }
    }
}
