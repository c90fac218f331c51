//! The strict decoder: [`validate`] walks one whole item and enforces every canonical
//! rule; [`Decoder`] then reads typed values from input that passed it.

use super::value::Value;
use super::{DecodeError, Limits, float};

/// How strict a walk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Canonical CBOR only (RFC 8949 §4.2.1), with tag 0–3 content checked: what every
    /// hcx message must be.
    Strict,
    /// Any well-formed CBOR (RFC 8949 §3 and Appendix F), including indefinite lengths
    /// and non-shortest heads: used only to read foreign data such as EU DCC payloads.
    WellFormed,
}

/// One decoded head: major type, additional information and its argument.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    pub(crate) major: u8,
    /// `None` for an indefinite length (additional information 31).
    pub(crate) arg: Option<u64>,
    /// The additional-information bits (needed for floats and simple values).
    pub(crate) ai: u8,
    /// Whether the argument used its shortest form.
    pub(crate) shortest: bool,
}

fn byte_at(buf: &[u8], pos: usize) -> Result<u8, DecodeError> {
    buf.get(pos)
        .copied()
        .ok_or(DecodeError::Truncated { offset: pos })
}

fn take<'a>(buf: &'a [u8], pos: &mut usize, n: u64) -> Result<&'a [u8], DecodeError> {
    let start = *pos;
    let n = usize::try_from(n).map_err(|_| DecodeError::Truncated { offset: start })?;
    let end = start
        .checked_add(n)
        .ok_or(DecodeError::Truncated { offset: start })?;
    let s = buf
        .get(start..end)
        .ok_or(DecodeError::Truncated { offset: start })?;
    *pos = end;
    Ok(s)
}

pub(crate) fn read_head(buf: &[u8], pos: &mut usize) -> Result<Head, DecodeError> {
    let offset = *pos;
    let b = byte_at(buf, offset)?;
    *pos = offset + 1;
    let major = b >> 5;
    let ai = b & 0x1f;
    let (arg, shortest) = match ai {
        0..=23 => (Some(u64::from(ai)), true),
        24 => {
            let v = u64::from(byte_at(buf, *pos)?);
            *pos += 1;
            // For major type 7, ai 24 is a simple value, judged by the caller.
            (Some(v), major == 7 || v >= 24)
        }
        25..=27 => {
            let n = 1u64 << (ai - 24);
            let s = take(buf, pos, n)?;
            let v = s.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
            let min = match ai {
                25 => 0x100,
                26 => 0x1_0000,
                _ => 0x1_0000_0000,
            };
            (Some(v), major == 7 || v >= min)
        }
        28..=30 => return Err(DecodeError::ReservedAdditionalInfo { offset }),
        _ => {
            // 31: indefinite length for majors 2–5, break for 7, invalid for 0, 1, 6.
            if matches!(major, 0 | 1 | 6) {
                return Err(DecodeError::ReservedAdditionalInfo { offset });
            }
            (None, false)
        }
    };
    Ok(Head {
        major,
        arg,
        ai,
        shortest,
    })
}

/// Validates that `buf` holds exactly one canonical item within `limits`.
///
/// # Errors
/// The first violation found, with its byte offset.
pub fn validate(buf: &[u8], limits: Limits) -> Result<(), DecodeError> {
    if buf.len() > limits.max_bytes {
        return Err(DecodeError::TooLarge {
            size: buf.len(),
            limit: limits.max_bytes,
        });
    }
    let mut pos = 0;
    walk(buf, &mut pos, 1, Mode::Strict, limits.max_depth, false)?;
    if pos != buf.len() {
        return Err(DecodeError::TrailingBytes { offset: pos });
    }
    Ok(())
}

/// The length in bytes of the first well-formed item of `buf` (trailing bytes allowed).
///
/// # Errors
/// If `buf` does not start with a well-formed item.
pub fn item_len(buf: &[u8], mode: Mode, max_depth: usize) -> Result<usize, DecodeError> {
    let mut pos = 0;
    walk(buf, &mut pos, 1, mode, max_depth, false)?;
    Ok(pos)
}

/// Walks one item at `*pos`; builds a [`Value`] when `build` is set.
pub(crate) fn walk(
    buf: &[u8],
    pos: &mut usize,
    depth: usize,
    mode: Mode,
    max_depth: usize,
    build: bool,
) -> Result<Option<Value>, DecodeError> {
    if depth > max_depth {
        return Err(DecodeError::TooDeep { limit: max_depth });
    }
    let strict = mode == Mode::Strict;
    let offset = *pos;
    let h = read_head(buf, pos)?;
    if strict && h.major != 7 && h.arg.is_some() && !h.shortest {
        return Err(DecodeError::NonCanonicalHead { offset });
    }
    let Some(arg) = h.arg else {
        if strict && h.major != 7 {
            return Err(DecodeError::Indefinite { offset });
        }
        return walk_indefinite(buf, pos, offset, h.major, depth, mode, max_depth, build);
    };
    match h.major {
        0 => Ok(build.then_some(Value::Unsigned(arg))),
        1 => Ok(build.then_some(Value::Negative(arg))),
        2 => {
            let s = take(buf, pos, arg)?;
            Ok(build.then(|| Value::Bytes(s.to_vec())))
        }
        3 => {
            let s = take(buf, pos, arg)?;
            let t = std::str::from_utf8(s).map_err(|_| DecodeError::InvalidUtf8 { offset })?;
            Ok(build.then(|| Value::Text(t.to_owned())))
        }
        4 => {
            let n = usize::try_from(arg).map_err(|_| DecodeError::Truncated { offset })?;
            // Every item is at least one byte: refuse counts the input cannot hold before
            // allocating anything.
            if n > buf.len().saturating_sub(*pos) {
                return Err(DecodeError::Truncated { offset });
            }
            let mut items = Vec::with_capacity(if build { n } else { 0 });
            for _ in 0..n {
                if let Some(v) = walk(buf, pos, depth + 1, mode, max_depth, build)? {
                    items.push(v);
                }
            }
            Ok(build.then_some(Value::Array(items)))
        }
        5 => {
            let n = usize::try_from(arg).map_err(|_| DecodeError::Truncated { offset })?;
            if n > buf.len().saturating_sub(*pos) / 2 {
                return Err(DecodeError::Truncated { offset });
            }
            let mut entries = Vec::with_capacity(if build { n } else { 0 });
            let mut prev: Option<(usize, usize)> = None;
            for _ in 0..n {
                let kstart = *pos;
                let k = walk(buf, pos, depth + 1, mode, max_depth, build)?;
                let kend = *pos;
                if strict {
                    check_key_order(buf, prev, (kstart, kend))?;
                }
                prev = Some((kstart, kend));
                let v = walk(buf, pos, depth + 1, mode, max_depth, build)?;
                if let (Some(k), Some(v)) = (k, v) {
                    entries.push((k, v));
                }
            }
            Ok(build.then_some(Value::Map(entries)))
        }
        6 => {
            let cstart = *pos;
            let content = walk(buf, pos, depth + 1, mode, max_depth, build)?;
            if strict {
                check_tag_content(buf, arg, cstart, offset)?;
            }
            Ok(content.map(|c| Value::Tag(arg, Box::new(c))))
        }
        _ => walk_simple(buf, offset, h, arg, strict, build),
    }
}

fn walk_simple(
    buf: &[u8],
    offset: usize,
    h: Head,
    arg: u64,
    strict: bool,
    build: bool,
) -> Result<Option<Value>, DecodeError> {
    let v = match h.ai {
        0..=19 => Value::Simple(arg as u8),
        20 => Value::Bool(false),
        21 => Value::Bool(true),
        22 => Value::Null,
        23 => Value::Undefined,
        24 => {
            if arg < 32 {
                return Err(DecodeError::InvalidSimple { offset });
            }
            Value::Simple(arg as u8)
        }
        25 => Value::Float(float::f16_to_f64(arg as u16)),
        26 => Value::Float(f64::from(f32::from_bits(arg as u32))),
        _ => Value::Float(f64::from_bits(arg)),
    };
    if strict && let Value::Float(x) = v {
        let mut shortest = Vec::with_capacity(9);
        float::encode_shortest(x, &mut shortest);
        if buf.get(offset..offset + shortest.len()) != Some(&shortest[..])
            || shortest.len() != 1 + (1usize << (h.ai - 24))
        {
            return Err(DecodeError::NonCanonicalFloat { offset });
        }
    }
    Ok(build.then_some(v))
}

#[allow(clippy::too_many_arguments)] // an internal step of `walk`, sharing its state
fn walk_indefinite(
    buf: &[u8],
    pos: &mut usize,
    offset: usize,
    major: u8,
    depth: usize,
    mode: Mode,
    max_depth: usize,
    build: bool,
) -> Result<Option<Value>, DecodeError> {
    let is_break = |p: usize| buf.get(p) == Some(&0xff);
    match major {
        2 | 3 => {
            let mut acc = Vec::new();
            loop {
                if is_break(*pos) {
                    *pos += 1;
                    break;
                }
                let coff = *pos;
                let h = read_head(buf, pos)?;
                let Some(n) = h.arg else {
                    return Err(DecodeError::BadIndefinite { offset: coff });
                };
                if h.major != major {
                    return Err(DecodeError::BadIndefinite { offset: coff });
                }
                let s = take(buf, pos, n)?;
                if major == 3 && std::str::from_utf8(s).is_err() {
                    return Err(DecodeError::InvalidUtf8 { offset: coff });
                }
                acc.extend_from_slice(s);
            }
            if !build {
                return Ok(None);
            }
            if major == 2 {
                Ok(Some(Value::Bytes(acc)))
            } else {
                let t = String::from_utf8(acc).map_err(|_| DecodeError::InvalidUtf8 { offset })?;
                Ok(Some(Value::Text(t)))
            }
        }
        4 | 5 => {
            let mut items = Vec::new();
            let mut entries = Vec::new();
            loop {
                if is_break(*pos) {
                    *pos += 1;
                    break;
                }
                if *pos >= buf.len() {
                    return Err(DecodeError::Truncated { offset: *pos });
                }
                let a = walk(buf, pos, depth + 1, mode, max_depth, build)?;
                if major == 4 {
                    items.extend(a);
                } else {
                    if is_break(*pos) {
                        return Err(DecodeError::BadIndefinite { offset: *pos });
                    }
                    let b = walk(buf, pos, depth + 1, mode, max_depth, build)?;
                    if let (Some(k), Some(v)) = (a, b) {
                        entries.push((k, v));
                    }
                }
            }
            if !build {
                return Ok(None);
            }
            Ok(Some(if major == 4 {
                Value::Array(items)
            } else {
                Value::Map(entries)
            }))
        }
        // A break with no open indefinite item.
        _ => Err(DecodeError::BadIndefinite { offset }),
    }
}

fn check_key_order(
    buf: &[u8],
    prev: Option<(usize, usize)>,
    cur: (usize, usize),
) -> Result<(), DecodeError> {
    let Some(prev) = prev else { return Ok(()) };
    let p = buf.get(prev.0..prev.1).unwrap_or_default();
    let c = buf.get(cur.0..cur.1).unwrap_or_default();
    match p.cmp(c) {
        std::cmp::Ordering::Less => Ok(()),
        std::cmp::Ordering::Equal => Err(DecodeError::DuplicateMapKey { offset: cur.0 }),
        std::cmp::Ordering::Greater => Err(DecodeError::UnsortedMapKeys { offset: cur.0 }),
    }
}

/// Tag semantics that strict decoding checks (RFC 8949 §3.4.1–3.4.3): tag 0 holds text,
/// tag 1 a number, tags 2 and 3 a byte string in preferred form (no leading zero, too
/// long for major type 0/1).
fn check_tag_content(
    buf: &[u8],
    tag: u64,
    cstart: usize,
    offset: usize,
) -> Result<(), DecodeError> {
    let first = buf.get(cstart).copied().unwrap_or(0);
    let major = first >> 5;
    let bad = DecodeError::InvalidTag { offset, tag };
    match tag {
        0 if major != 3 => Err(bad),
        1 if !(major == 0 || major == 1 || (major == 7 && (25..=27).contains(&(first & 0x1f)))) => {
            Err(bad)
        }
        2 | 3 => {
            if major != 2 {
                return Err(bad);
            }
            let mut p = cstart;
            let h = read_head(buf, &mut p)?;
            let n = h.arg.unwrap_or(0);
            let lead = buf.get(p).copied();
            if n <= 8 || lead == Some(0) {
                return Err(DecodeError::NonCanonicalHead { offset });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads typed values from one validated canonical item.
#[derive(Debug)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    /// Validates `buf` against `limits` (see [`validate`]) and starts reading it.
    ///
    /// # Errors
    /// Any canonical-form or limit violation anywhere in `buf`.
    pub fn new(buf: &'a [u8], limits: Limits) -> Result<Self, DecodeError> {
        validate(buf, limits)?;
        Ok(Self { buf, pos: 0 })
    }

    /// The current byte offset.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Succeeds only if the whole input was read.
    ///
    /// # Errors
    /// [`DecodeError::TrailingBytes`] otherwise.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes { offset: self.pos })
        }
    }

    /// The major type of the next item, without consuming it.
    ///
    /// # Errors
    /// At end of input.
    pub fn peek_major(&self) -> Result<u8, DecodeError> {
        Ok(byte_at(self.buf, self.pos)? >> 5)
    }

    /// Whether the next item is `null`.
    pub fn peek_null(&self) -> bool {
        self.buf.get(self.pos) == Some(&0xf6)
    }

    fn expect_head(&mut self, major: u8, expected: &'static str) -> Result<u64, DecodeError> {
        let offset = self.pos;
        let mut p = self.pos;
        let h = read_head(self.buf, &mut p)?;
        match (h.major == major, h.arg) {
            (true, Some(arg)) => {
                self.pos = p;
                Ok(arg)
            }
            _ => Err(DecodeError::WrongType { offset, expected }),
        }
    }

    /// An unsigned integer.
    ///
    /// # Errors
    /// If the next item is not one.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        self.expect_head(0, "unsigned integer")
    }

    /// A signed integer that fits `i64`.
    ///
    /// # Errors
    /// If the next item is not an integer, or is out of range.
    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        let offset = self.pos;
        let overflow = DecodeError::IntegerOverflow { offset };
        match self.peek_major()? {
            0 => i64::try_from(self.u64()?).map_err(|_| overflow),
            1 => {
                let n = self.expect_head(1, "integer")?;
                let n = i64::try_from(n).map_err(|_| overflow)?;
                Ok(-1 - n)
            }
            _ => Err(DecodeError::WrongType {
                offset,
                expected: "integer",
            }),
        }
    }

    /// A byte string, borrowed from the input.
    ///
    /// # Errors
    /// If the next item is not one.
    pub fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.expect_head(2, "byte string")?;
        take(self.buf, &mut self.pos, n)
    }

    /// A byte string of exactly `N` bytes.
    ///
    /// # Errors
    /// If the next item is not a byte string of that length.
    pub fn bytes_fixed<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let offset = self.pos;
        let b = self.bytes()?;
        b.try_into().map_err(|_| DecodeError::WrongLength {
            offset,
            expected: N,
            got: b.len(),
        })
    }

    /// A text string, borrowed from the input.
    ///
    /// # Errors
    /// If the next item is not one.
    pub fn text(&mut self) -> Result<&'a str, DecodeError> {
        let offset = self.pos;
        let n = self.expect_head(3, "text string")?;
        let s = take(self.buf, &mut self.pos, n)?;
        std::str::from_utf8(s).map_err(|_| DecodeError::InvalidUtf8 { offset })
    }

    /// The head of an array: its length.
    ///
    /// # Errors
    /// If the next item is not an array.
    pub fn array(&mut self) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let n = self.expect_head(4, "array")?;
        usize::try_from(n).map_err(|_| DecodeError::IntegerOverflow { offset })
    }

    /// An array that must have exactly `len` items.
    ///
    /// # Errors
    /// If the next item is not an array of that length.
    pub fn array_of(&mut self, len: usize) -> Result<(), DecodeError> {
        let offset = self.pos;
        let got = self.array()?;
        if got == len {
            Ok(())
        } else {
            Err(DecodeError::WrongLength {
                offset,
                expected: len,
                got,
            })
        }
    }

    /// The head of a map: its number of entries.
    ///
    /// # Errors
    /// If the next item is not a map.
    pub fn map(&mut self) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let n = self.expect_head(5, "map")?;
        usize::try_from(n).map_err(|_| DecodeError::IntegerOverflow { offset })
    }

    /// Starts reading a map with unsigned-integer keys, field by field.
    ///
    /// # Errors
    /// If the next item is not a map.
    pub fn begin_map(&mut self) -> Result<MapFields, DecodeError> {
        Ok(MapFields {
            remaining: self.map()?,
        })
    }

    /// A tag number; the tagged item follows.
    ///
    /// # Errors
    /// If the next item is not a tag.
    pub fn tag(&mut self) -> Result<u64, DecodeError> {
        self.expect_head(6, "tag")
    }

    /// `true` or `false`.
    ///
    /// # Errors
    /// If the next item is not a boolean.
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        let offset = self.pos;
        match self.buf.get(self.pos) {
            Some(0xf4) => {
                self.pos += 1;
                Ok(false)
            }
            Some(0xf5) => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(DecodeError::WrongType {
                offset,
                expected: "boolean",
            }),
        }
    }

    /// `null`.
    ///
    /// # Errors
    /// If the next item is not `null`.
    pub fn null(&mut self) -> Result<(), DecodeError> {
        if self.peek_null() {
            self.pos += 1;
            Ok(())
        } else {
            Err(DecodeError::WrongType {
                offset: self.pos,
                expected: "null",
            })
        }
    }

    /// The encoded bytes of the next item, consumed whole (for embedded signed messages,
    /// which must be kept exactly as received).
    ///
    /// # Errors
    /// At end of input.
    pub fn raw_item(&mut self) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let rest = self.buf.get(start..).unwrap_or_default();
        let n = item_len(rest, Mode::Strict, super::MAX_DEPTH)?;
        take(self.buf, &mut self.pos, n as u64)
    }

    /// The next item as a generic [`Value`].
    ///
    /// # Errors
    /// At end of input.
    pub fn value(&mut self) -> Result<Value, DecodeError> {
        let v = walk(
            self.buf,
            &mut self.pos,
            1,
            Mode::Strict,
            super::MAX_DEPTH,
            true,
        )?;
        v.ok_or(DecodeError::Truncated { offset: self.pos })
    }

    fn peek_uint_key(&self) -> Option<u64> {
        let mut p = self.pos;
        let h = read_head(self.buf, &mut p).ok()?;
        if h.major == 0 { h.arg } else { None }
    }
}

/// Reads the entries of a map whose keys are unsigned integers, in ascending key order.
///
/// Canonical order puts smaller unsigned keys first, so a reader that asks for its keys in
/// ascending order meets them in input order; a key it never asks for is an unknown key.
#[derive(Debug)]
pub struct MapFields {
    remaining: usize,
}

impl MapFields {
    /// Reads the value of `key` with `f` if it is the next key.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn optional<'a, T>(
        &mut self,
        d: &mut Decoder<'a>,
        key: u64,
        f: impl FnOnce(&mut Decoder<'a>) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        if self.remaining == 0 || d.peek_uint_key() != Some(key) {
            return Ok(None);
        }
        d.u64()?;
        self.remaining -= 1;
        f(d).map(Some)
    }

    /// Reads the value of `key` with `f`; the key must be next.
    ///
    /// # Errors
    /// [`DecodeError::MissingKey`] if it is not, or whatever `f` returns.
    pub fn required<'a, T>(
        &mut self,
        d: &mut Decoder<'a>,
        key: u64,
        f: impl FnOnce(&mut Decoder<'a>) -> Result<T, DecodeError>,
    ) -> Result<T, DecodeError> {
        self.optional(d, key, f)?
            .ok_or(DecodeError::MissingKey { key })
    }

    /// Succeeds if every entry was read.
    ///
    /// # Errors
    /// [`DecodeError::UnknownKey`] for the first entry nobody asked for.
    pub fn finish(self, d: &Decoder<'_>) -> Result<(), DecodeError> {
        if self.remaining == 0 {
            Ok(())
        } else {
            Err(DecodeError::UnknownKey {
                offset: d.position(),
            })
        }
    }
}
