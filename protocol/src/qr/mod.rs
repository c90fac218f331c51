//! The QR text codec: the holder code text `HCX1:` + base45(COSE bytes), and the read-only
//! EU DCC chain `HC1:` + base45(zlib(COSE)) in [`dcc`].
//!
//! This module owns prefixes, length caps and (for DCC only) inflation. It does not parse
//! or verify the COSE message inside (`crate::cose`), nor draw the QR symbol.
//!
//! The hcx profile never compresses: a code is a signature, random ids and hashes, which
//! do not shrink, and leaving inflate out removes a decompression-bomb surface from every
//! gate. The text is capped at [`MAX_HCX_TEXT_CHARS`] = 311 characters, the alphanumeric
//! capacity of a version-10 QR symbol at error-correction level M (ISO/IEC 18004),
//! the largest symbol DESIGN allows for a holder code. Base45 output and the prefix are all
//! in the QR alphanumeric set, so the whole text is one alphanumeric segment; the cap
//! leaves room for `(311 − 5) / 3 × 2 = 204` COSE bytes.

pub mod dcc;

use crate::base45::{self, Base45Error};

/// The prefix of an hcx holder code text (version 1 of the text format).
pub const HCX_PREFIX: &str = "HCX1:";

/// The longest hcx code text accepted or produced: QR version 10-M alphanumeric capacity.
pub const MAX_HCX_TEXT_CHARS: usize = 311;

/// The largest COSE message whose text fits [`MAX_HCX_TEXT_CHARS`].
pub const MAX_HCX_COSE_BYTES: usize = (MAX_HCX_TEXT_CHARS - HCX_PREFIX.len()) / 3 * 2;

/// Why a QR text was refused (or could not be produced).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum QrError {
    /// The text (or the text an encode would produce) is longer than the profile allows.
    #[error("QR text of {len} characters exceeds the cap of {max}")]
    TooLong { len: usize, max: usize },
    /// The text does not start with the profile's exact prefix.
    #[error("QR text does not start with the expected prefix")]
    WrongPrefix,
    /// The part after the prefix is not strict base45.
    #[error("base45: {0}")]
    Base45(#[from] Base45Error),
    /// The zlib stream is corrupt or truncated (DCC only).
    #[error("zlib stream is corrupt or truncated")]
    Inflate,
    /// The zlib stream inflates past the cap (DCC only).
    #[error("zlib stream inflates past {limit} bytes")]
    InflateTooLarge { limit: usize },
}

/// The hcx code text for a COSE message: `HCX1:` + base45, uncompressed.
///
/// # Errors
/// [`QrError::TooLong`] if the text would exceed [`MAX_HCX_TEXT_CHARS`], so an issuer can
/// never produce a code that [`decode_hcx`] (or a version-10 QR) refuses.
pub fn encode_hcx(cose: &[u8]) -> Result<String, QrError> {
    let len = hcx_text_len(cose.len());
    if len > MAX_HCX_TEXT_CHARS {
        return Err(QrError::TooLong {
            len,
            max: MAX_HCX_TEXT_CHARS,
        });
    }
    let mut text = String::with_capacity(len);
    text.push_str(HCX_PREFIX);
    text.push_str(&base45::encode(cose));
    Ok(text)
}

/// The length of the hcx text for a COSE message of `cose_len` bytes.
pub const fn hcx_text_len(cose_len: usize) -> usize {
    HCX_PREFIX.len() + cose_len / 2 * 3 + (cose_len % 2) * 2
}

/// The COSE bytes of an hcx code text. The COSE message itself is not parsed here.
///
/// # Errors
/// [`QrError::TooLong`] past the cap (checked first, before any work),
/// [`QrError::WrongPrefix`] unless the text starts with exactly `HCX1:`,
/// [`QrError::Base45`] for anything that is not strict base45.
pub fn decode_hcx(text: &str) -> Result<Vec<u8>, QrError> {
    if text.len() > MAX_HCX_TEXT_CHARS {
        return Err(QrError::TooLong {
            len: text.len(),
            max: MAX_HCX_TEXT_CHARS,
        });
    }
    let body = text.strip_prefix(HCX_PREFIX).ok_or(QrError::WrongPrefix)?;
    Ok(base45::decode(body)?)
}

#[cfg(test)]
mod tests;
