//! A generic CBOR data item, for payloads whose shape hcx does not fix (foreign EU DCC
//! claims, rule documents) and for the conformance runner.

use super::decode::{Mode, walk};
use super::{DecodeError, Encoder, Limits};

/// Any CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the integer `-1 - n`.
    Negative(u64),
    /// Major type 2.
    Bytes(Vec<u8>),
    /// Major type 3.
    Text(String),
    /// Major type 4.
    Array(Vec<Self>),
    /// Major type 5, entries in input order.
    Map(Vec<(Self, Self)>),
    /// Major type 6.
    Tag(u64, Box<Self>),
    /// `false` / `true`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// Any other simple value.
    Simple(u8),
    /// A float of any width.
    Float(f64),
}

impl Value {
    /// Decodes exactly one item from `buf` in `mode` under `limits`.
    ///
    /// # Errors
    /// Not well-formed input (either mode); any canonical violation (strict mode); limits;
    /// trailing bytes.
    pub fn decode(buf: &[u8], mode: Mode, limits: Limits) -> Result<Self, DecodeError> {
        if buf.len() > limits.max_bytes {
            return Err(DecodeError::TooLarge {
                size: buf.len(),
                limit: limits.max_bytes,
            });
        }
        let mut pos = 0;
        let v = walk(buf, &mut pos, 1, mode, limits.max_depth, true)?
            .ok_or(DecodeError::Truncated { offset: 0 })?;
        if pos != buf.len() {
            return Err(DecodeError::TrailingBytes { offset: pos });
        }
        Ok(v)
    }

    /// The canonical encoding (RFC 8949 §4.2.1): shortest heads and floats, definite
    /// lengths, map entries sorted bytewise by encoded key.
    pub fn to_canonical(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        self.encode(&mut e);
        e.into_bytes()
    }

    /// Writes the canonical encoding into `e`.
    pub fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Unsigned(n) => {
                e.u64(*n);
            }
            Self::Negative(n) => {
                e.nint(*n);
            }
            Self::Bytes(b) => {
                e.bytes(b);
            }
            Self::Text(t) => {
                e.text(t);
            }
            Self::Array(items) => {
                e.array(items.len());
                for i in items {
                    i.encode(e);
                }
            }
            Self::Map(entries) => {
                let mut sorted: Vec<(Vec<u8>, &Self)> =
                    entries.iter().map(|(k, v)| (k.to_canonical(), v)).collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                e.map(sorted.len());
                for (k, v) in sorted {
                    e.raw(&k);
                    v.encode(e);
                }
            }
            Self::Tag(t, inner) => {
                e.tag(*t);
                inner.encode(e);
            }
            Self::Bool(b) => {
                e.bool(*b);
            }
            Self::Null => {
                e.null();
            }
            Self::Undefined => {
                e.undefined();
            }
            Self::Simple(s) => {
                e.simple(*s);
            }
            Self::Float(f) => {
                e.f64(*f);
            }
        }
    }

    /// The value under integer key `key` of a map.
    pub fn map_get_int(&self, key: i64) -> Option<&Self> {
        let Self::Map(entries) = self else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| k.as_i128() == Some(i128::from(key)))
            .map(|(_, v)| v)
    }

    /// The value under text key `key` of a map.
    pub fn map_get_text(&self, key: &str) -> Option<&Self> {
        let Self::Map(entries) = self else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| matches!(k, Self::Text(t) if t == key))
            .map(|(_, v)| v)
    }

    /// The integer value, if this is an integer.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Self::Unsigned(n) => Some(i128::from(*n)),
            Self::Negative(n) => Some(-1 - i128::from(*n)),
            _ => None,
        }
    }
}
