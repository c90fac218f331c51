//! The EU DCC QR text chain, read-only: strip `HC1:`, strict base45, then zlib inflate
//! with a size cap when the bytes start with a zlib header (0x78). The result is the COSE
//! message, to be read with `crate::cose::Profile::Dcc`.
//!
//! Each step is public on its own so the conformance runner can check the intermediates
//! the DCC test files carry. hcx never writes this format.

use super::QrError;
use crate::base45;

/// The DCC prefix (HCERT v1). `HC2:`, `HL0:` and unprefixed text are refused.
pub const DCC_PREFIX: &str = "HC1:";

/// The longest DCC text accepted: 4,296 characters, the alphanumeric capacity of the
/// largest QR symbol (version 40-L). No scanned code can be longer.
pub const MAX_DCC_TEXT_CHARS: usize = 4296;

/// The largest inflated COSE message accepted (the largest in the EU test set is 870
/// bytes); bounds the memory a hostile zlib stream can claim.
pub const MAX_INFLATED_BYTES: usize = 16 * 1024;

/// The first byte of every zlib stream with a 32 KiB window (RFC 1950 CMF, deflate).
pub const ZLIB_FIRST_BYTE: u8 = 0x78;

/// The base45 part of a DCC text.
///
/// # Errors
/// [`QrError::TooLong`] past [`MAX_DCC_TEXT_CHARS`]; [`QrError::WrongPrefix`] unless the
/// text starts with exactly `HC1:`.
pub fn strip_prefix(text: &str) -> Result<&str, QrError> {
    if text.len() > MAX_DCC_TEXT_CHARS {
        return Err(QrError::TooLong {
            len: text.len(),
            max: MAX_DCC_TEXT_CHARS,
        });
    }
    text.strip_prefix(DCC_PREFIX).ok_or(QrError::WrongPrefix)
}

/// Inflates a zlib stream (RFC 1950, Adler-32 checked) of at most
/// [`MAX_INFLATED_BYTES`] output.
///
/// # Errors
/// [`QrError::InflateTooLarge`] past the cap; [`QrError::Inflate`] for anything that is
/// not one complete zlib stream.
pub fn inflate(compressed: &[u8]) -> Result<Vec<u8>, QrError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    decompress_to_vec_zlib_with_limit(compressed, MAX_INFLATED_BYTES).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => QrError::InflateTooLarge {
            limit: MAX_INFLATED_BYTES,
        },
        _ => QrError::Inflate,
    })
}

/// The COSE bytes of a DCC text: prefix, base45, and inflate if the data starts with
/// [`ZLIB_FIRST_BYTE`] (tagged COSE starts with 0xD2 or 0xD8, untagged with 0x84, so the
/// first byte tells the two apart).
///
/// # Errors
/// Any error of [`strip_prefix`], base45 or [`inflate`].
pub fn decode(text: &str) -> Result<Vec<u8>, QrError> {
    let raw = base45::decode(strip_prefix(text)?)?;
    if raw.first() == Some(&ZLIB_FIRST_BYTE) {
        inflate(&raw)
    } else {
        Ok(raw)
    }
}
