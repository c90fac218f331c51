//! The holder binding carried in a health code: the values that let a gate with an
//! identity-card reader confirm that the code belongs to the person in front of it,
//! without letting a scanner that lacks the card read the document number.
//!
//! Owns: the name mask ([`mask_name`]), the document-number mask ([`mask_number`]), the
//! 16-byte Argon2id hash of type ‖ country ‖ normalised number ([`binding_hash`], over
//! [`hash_input`]), its constant-time check ([`matches()`]) and the parameters
//! ([`ARGON2_M_KIB`], [`ARGON2_T`], [`ARGON2_P`]). Does not own the wire struct that
//! carries these values (`crate::wire`), the salt's randomness (the caller draws 16
//! random bytes once per holder, at registration), nor document validation
//! (`crate::identity`): every function here takes an already [`NormalisedId`].
//!
//! Binding, not secrecy: the hash is memory-hard so that recovering a number from a
//! scanned code costs one Argon2id evaluation per guess, per holder (the salt is per
//! holder); a mainland number has little entropy, so a determined attacker with one
//! code can still search it. The masks show what a gate operator needs to compare by
//! eye and no more.

#[cfg(test)]
mod tests;

use argon2::{Algorithm, Argon2, Params, Version};

use crate::cbor::Encoder;
use crate::identity::{DocType, NormalisedId};

/// Argon2id memory cost in KiB (19 MiB, the OWASP password-storage minimum for
/// Argon2id together with [`ARGON2_T`] = 2 and [`ARGON2_P`] = 1).
///
/// Measured with `cargo bench -p hcx-protocol --bench binding` (release build, one core
/// of the 2-core x86-64 development machine): 12.6–14.4 ms per hash over two runs (the
/// slower one while other builds ran). That leaves a factor of about 3.5 for a slower
/// gate CPU within the 50 ms budget; 19 MiB of memory is affordable on any gate.
pub const ARGON2_M_KIB: u32 = 19 * 1024;

/// Argon2id passes over memory.
pub const ARGON2_T: u32 = 2;

/// Argon2id lanes (no threads: the protocol crate runs single-threaded).
pub const ARGON2_P: u32 = 1;

/// Length of the binding hash, in bytes.
pub const HASH_LEN: usize = 16;

/// Length of the per-holder salt, in bytes.
pub const SALT_LEN: usize = 16;

/// Domain-separation label, the first element of [`hash_input`]; a new label means a
/// new binding version.
pub const HASH_LABEL: &str = "hcx-holder-binding-v1";

/// Why a binding hash could not be computed. With the fixed parameters and input sizes
/// used here this cannot happen; it is a typed error rather than a panic because the
/// argon2 API is fallible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // fields named by the variant doc
pub enum BindingError {
    /// The Argon2 implementation refused its parameters or input.
    #[error("argon2: {kind}")]
    Argon2 { kind: argon2::Error },
}

/// The values of a holder binding, as the code claims carry them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingValues {
    /// The document type.
    pub doc_type: DocType,
    /// [`mask_name`] of the holder's name.
    pub name_mask: String,
    /// [`mask_number`] of the normalised document number.
    pub number_mask: String,
    /// The per-holder salt.
    pub salt: [u8; SALT_LEN],
    /// [`binding_hash`] of the document under the salt.
    pub hash: [u8; HASH_LEN],
}

/// Everything a code's holder binding needs, from a validated document, the holder's
/// name as printed on it, and the holder's salt.
///
/// # Errors
/// As [`binding_hash`].
pub fn bind(
    id: &NormalisedId,
    name: &str,
    salt: &[u8; SALT_LEN],
) -> Result<BindingValues, BindingError> {
    Ok(BindingValues {
        doc_type: id.doc_type(),
        name_mask: mask_name(name),
        number_mask: mask_number(id.number()),
        salt: *salt,
        hash: binding_hash(id, salt)?,
    })
}

/// The Argon2id password input: the canonical CBOR array
/// `[HASH_LABEL, doc_type code, country, number]` (text, unsigned, text, text). CBOR
/// heads carry every length, so no two different documents share an input.
pub fn hash_input(id: &NormalisedId) -> Vec<u8> {
    let mut e = Encoder::new();
    e.array(4)
        .text(HASH_LABEL)
        .u64(id.doc_type().code())
        .text(id.country())
        .text(id.number());
    e.into_bytes()
}

/// The 16-byte Argon2id (version 0x13) hash of [`hash_input`]`(id)` salted with `salt`,
/// with [`ARGON2_M_KIB`], [`ARGON2_T`], [`ARGON2_P`].
///
/// # Errors
/// [`BindingError::Argon2`], which the fixed parameters make unreachable in practice.
pub fn binding_hash(
    id: &NormalisedId,
    salt: &[u8; SALT_LEN],
) -> Result<[u8; HASH_LEN], BindingError> {
    hash_with(&hash_input(id), salt, ARGON2_M_KIB, ARGON2_T)
}

/// Argon2id of `input` under explicit costs (the tests use small ones).
fn hash_with(
    input: &[u8],
    salt: &[u8; SALT_LEN],
    m_kib: u32,
    t: u32,
) -> Result<[u8; HASH_LEN], BindingError> {
    let params = Params::new(m_kib, t, ARGON2_P, Some(HASH_LEN))
        .map_err(|kind| BindingError::Argon2 { kind })?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = [0u8; HASH_LEN];
    argon
        .hash_password_into(input, salt, &mut out)
        .map_err(|kind| BindingError::Argon2 { kind })?;
    Ok(out)
}

/// Whether `id` under `salt` hashes to `expected`. The comparison takes the same time
/// wherever the first difference is. A hash error counts as no match.
pub fn matches(id: &NormalisedId, salt: &[u8; SALT_LEN], expected: &[u8; HASH_LEN]) -> bool {
    binding_hash(id, salt).is_ok_and(|h| constant_time_eq(&h, expected))
}

/// Equality of two hashes without an early exit.
fn constant_time_eq(a: &[u8; HASH_LEN], b: &[u8; HASH_LEN]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// The name mask: exactly one character of the name and one `*`.
///
/// - A name containing Chinese characters shows its **last** Chinese character after
///   the `*` (`张三` → `*三`, `欧阳娜娜` → `*娜`, `买买提·艾力` → `*力`). The surname is
///   hidden on purpose: a few surnames cover most people, so the given-name character
///   tells an operator more while revealing no more.
/// - Any other name shows its **first** letter, upper-cased, then `*` (`Smith, John` →
///   `S*`; pass the primary identifier first, as printed in the passport).
/// - A name with neither gives `*`.
///
/// The mask never shows the name's length.
pub fn mask_name(name: &str) -> String {
    if let Some(c) = name.chars().rev().find(|&c| is_han(c)) {
        return format!("*{c}");
    }
    match name.chars().find(|c| c.is_alphabetic()) {
        Some(c) => {
            let mut upper = c.to_uppercase();
            let shown = match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => c,
            };
            format!("{shown}*")
        }
        None => "*".to_owned(),
    }
}

/// The document-number mask: always four characters, `*` then at most the last two
/// characters of the number — the last two for numbers of 6 or more characters, the
/// last one for 3–5 characters, none below that (so a mask never shows more than a third
/// of a number). `11010519491231002X` → `**2X`, `E1234` → `***4`, `AB` → `****`. The
/// fixed width hides the number's length and keeps codes small. Pass the normalised
/// number ([`NormalisedId::number`]).
pub fn mask_number(number: &str) -> String {
    let len = number.chars().count();
    let shown = match len {
        6.. => 2,
        3..=5 => 1,
        _ => 0,
    };
    let mut out = "*".repeat(MASK_WIDTH - shown);
    out.extend(number.chars().skip(len - shown));
    out
}

/// Width of [`mask_number`]'s output, in characters.
pub const MASK_WIDTH: usize = 4;

/// Whether `c` is a CJK unified or compatibility ideograph.
fn is_han(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xF900..=0xFAFF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2EBEF
            | 0x2F800..=0x2FA1F
            | 0x30000..=0x323AF
    )
}
