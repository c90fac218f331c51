//! The canonical encoder: every head in its shortest form, definite lengths only, map
//! entries sorted bytewise by their encoded keys ([`MapBuilder`]).

use super::float;

/// Writes canonical CBOR into a growing buffer.
#[derive(Debug, Default, Clone)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// The bytes written so far, borrowed.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    fn head(&mut self, major: u8, arg: u64) {
        let m = major << 5;
        match arg {
            0..=23 => self.buf.push(m | arg as u8),
            24..=0xff => self.buf.extend_from_slice(&[m | 24, arg as u8]),
            0x100..=0xffff => {
                self.buf.push(m | 25);
                self.buf.extend_from_slice(&(arg as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                self.buf.push(m | 26);
                self.buf.extend_from_slice(&(arg as u32).to_be_bytes());
            }
            _ => {
                self.buf.push(m | 27);
                self.buf.extend_from_slice(&arg.to_be_bytes());
            }
        }
    }

    /// An unsigned integer (major type 0).
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.head(0, v);
        self
    }

    /// A negative integer `-1 - n` (major type 1).
    pub fn nint(&mut self, n: u64) -> &mut Self {
        self.head(1, n);
        self
    }

    /// A signed integer, as major type 0 or 1.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        if v >= 0 {
            self.head(0, v.unsigned_abs());
        } else {
            // -1 - n = v  =>  n = -1 - v = !v for two's complement; fits in u64.
            self.head(1, (!v).unsigned_abs());
        }
        self
    }

    /// A byte string.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.head(2, b.len() as u64);
        self.buf.extend_from_slice(b);
        self
    }

    /// A text string.
    pub fn text(&mut self, s: &str) -> &mut Self {
        self.head(3, s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// The head of an array of `len` items; the caller writes the items.
    pub fn array(&mut self, len: usize) -> &mut Self {
        self.head(4, len as u64);
        self
    }

    /// The head of a map of `len` entries; the caller writes them in canonical order
    /// (or uses [`MapBuilder`], which sorts).
    pub fn map(&mut self, len: usize) -> &mut Self {
        self.head(5, len as u64);
        self
    }

    /// A tag head; the caller writes the tagged item.
    pub fn tag(&mut self, tag: u64) -> &mut Self {
        self.head(6, tag);
        self
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.buf.push(if v { 0xf5 } else { 0xf4 });
        self
    }

    /// `null`.
    pub fn null(&mut self) -> &mut Self {
        self.buf.push(0xf6);
        self
    }

    /// `undefined`.
    pub fn undefined(&mut self) -> &mut Self {
        self.buf.push(0xf7);
        self
    }

    /// A simple value other than false/true/null/undefined (0–19 or 32–255).
    pub fn simple(&mut self, v: u8) -> &mut Self {
        if v < 24 {
            self.buf.push(0xe0 | v);
        } else {
            self.buf.extend_from_slice(&[0xf8, v]);
        }
        self
    }

    /// A float in its shortest exact form.
    pub fn f64(&mut self, v: f64) -> &mut Self {
        float::encode_shortest(v, &mut self.buf);
        self
    }

    /// An item that is already canonical CBOR (for example an embedded signed message).
    pub fn raw(&mut self, item: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(item);
        self
    }
}

/// Collects map entries in any order and writes them sorted bytewise by encoded key, so a
/// message's field order in code can never make its encoding non-canonical.
#[derive(Debug, Default)]
pub struct MapBuilder {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

impl MapBuilder {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the entry `key => f(..)` with an unsigned-integer key.
    pub fn entry(&mut self, key: u64, f: impl FnOnce(&mut Encoder)) -> &mut Self {
        let mut k = Encoder::new();
        k.u64(key);
        self.entry_with_key(k.into_bytes(), f)
    }

    /// Adds the entry `key => f(..)` with a signed-integer key (COSE header labels).
    pub fn entry_i64(&mut self, key: i64, f: impl FnOnce(&mut Encoder)) -> &mut Self {
        let mut k = Encoder::new();
        k.i64(key);
        self.entry_with_key(k.into_bytes(), f)
    }

    /// Adds an entry whose key is given already encoded.
    pub fn entry_with_key(&mut self, key: Vec<u8>, f: impl FnOnce(&mut Encoder)) -> &mut Self {
        let mut v = Encoder::new();
        f(&mut v);
        self.entries.push((key, v.into_bytes()));
        self
    }

    /// How many entries were added.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the map. Entries are sorted by encoded key; the caller must not add a key
    /// twice (debug builds assert it).
    pub fn finish(mut self, e: &mut Encoder) {
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        debug_assert!(
            self.entries
                .windows(2)
                .all(|w| w.first().map(|a| &a.0) != w.get(1).map(|b| &b.0)),
            "duplicate map key"
        );
        e.map(self.entries.len());
        for (k, v) in &self.entries {
            e.raw(k);
            e.raw(v);
        }
    }
}
