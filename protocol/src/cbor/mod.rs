//! Canonical CBOR (RFC 8949 §4.2.1, "core deterministic encoding") for every hcx message.
//!
//! This module owns the byte level of the wire: the [`Encoder`] that writes heads in
//! their shortest form, the strict [`Decoder`] that refuses anything an hcx encoder
//! would not have produced, and the generic [`Value`] used where a message carries
//! arbitrary CBOR (and by the conformance runner). It does not know any message type;
//! those live in `crate::wire` and are written against the [`Cbor`] trait.
//!
//! Strictness is enforced in one place, [`validate`]: every decode of a message first
//! walks the whole item and rejects non-shortest integers, lengths and tags, indefinite
//! lengths, unsorted or duplicate map keys, non-shortest floats, reserved or invalid
//! simple values, invalid UTF-8, bad content under tags 0–3, nesting deeper than the
//! limit, anything over the size limit and trailing bytes, wherever in the message the
//! bad pattern sits. The typed readers can then assume canonical input and only check
//! shape.

mod decode;
mod encode;
mod error;
mod float;
mod value;

#[cfg(test)]
mod tests;

pub use decode::{Decoder, MapFields, Mode, item_len, validate};
pub use encode::{Encoder, MapBuilder};
pub use error::DecodeError;
pub use value::Value;

/// The deepest nesting any hcx message may have. The top-level item is at depth 1; each
/// array, map or tag adds one for its contents.
pub const MAX_DEPTH: usize = 16;

/// Bounds applied to one decode: the whole input's size and the nesting depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest accepted input, in bytes (each message type names its own).
    pub max_bytes: usize,
    /// The deepest accepted nesting (at most [`MAX_DEPTH`] for hcx messages).
    pub max_depth: usize,
}

impl Limits {
    /// Limits for a message type whose named size limit is `max_bytes`.
    pub const fn message(max_bytes: usize) -> Self {
        Self {
            max_bytes,
            max_depth: MAX_DEPTH,
        }
    }
}

/// A type with one canonical CBOR encoding.
///
/// `decode` may assume that its input already passed [`validate`] (as
/// [`from_canonical`] guarantees), so it only checks shape and meaning.
pub trait Cbor: Sized {
    /// Writes the canonical encoding of `self`.
    fn encode(&self, e: &mut Encoder);
    /// Reads one value of this type.
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError>;
}

/// The canonical encoding of `value`.
pub fn to_canonical<T: Cbor>(value: &T) -> Vec<u8> {
    let mut e = Encoder::new();
    value.encode(&mut e);
    e.into_bytes()
}

/// Decodes exactly one canonical item of type `T` from `bytes` under `limits`.
///
/// # Errors
/// Any violation of canonical form, the limits, or `T`'s shape; trailing bytes.
pub fn from_canonical<T: Cbor>(bytes: &[u8], limits: Limits) -> Result<T, DecodeError> {
    let mut d = Decoder::new(bytes, limits)?;
    let v = T::decode(&mut d)?;
    d.finish()?;
    Ok(v)
}

/// A byte string (CBOR major type 2), kept distinct from an array of integers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bytes(pub Vec<u8>);

impl Cbor for Bytes {
    fn encode(&self, e: &mut Encoder) {
        e.bytes(&self.0);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Ok(Self(d.bytes()?.to_vec()))
    }
}

impl Cbor for u64 {
    fn encode(&self, e: &mut Encoder) {
        e.u64(*self);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.u64()
    }
}

impl Cbor for u32 {
    fn encode(&self, e: &mut Encoder) {
        e.u64(u64::from(*self));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let offset = d.position();
        Self::try_from(d.u64()?).map_err(|_| DecodeError::IntegerOverflow { offset })
    }
}

impl Cbor for u16 {
    fn encode(&self, e: &mut Encoder) {
        e.u64(u64::from(*self));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let offset = d.position();
        Self::try_from(d.u64()?).map_err(|_| DecodeError::IntegerOverflow { offset })
    }
}

impl Cbor for u8 {
    fn encode(&self, e: &mut Encoder) {
        e.u64(u64::from(*self));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let offset = d.position();
        Self::try_from(d.u64()?).map_err(|_| DecodeError::IntegerOverflow { offset })
    }
}

impl Cbor for i64 {
    fn encode(&self, e: &mut Encoder) {
        e.i64(*self);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.i64()
    }
}

impl Cbor for bool {
    fn encode(&self, e: &mut Encoder) {
        e.bool(*self);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.bool()
    }
}

impl Cbor for String {
    fn encode(&self, e: &mut Encoder) {
        e.text(self);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Ok(d.text()?.to_owned())
    }
}

impl<const N: usize> Cbor for [u8; N] {
    fn encode(&self, e: &mut Encoder) {
        e.bytes(self);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.bytes_fixed::<N>()
    }
}

impl<T: Cbor> Cbor for Vec<T> {
    fn encode(&self, e: &mut Encoder) {
        e.array(self.len());
        for item in self {
            item.encode(e);
        }
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let n = d.array()?;
        // Every item takes at least one byte, so `n` is bounded by the validated input.
        let mut out = Self::with_capacity(n.min(d.remaining()));
        for _ in 0..n {
            out.push(T::decode(d)?);
        }
        Ok(out)
    }
}
