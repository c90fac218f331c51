//! c2sp.org/tlog-tiles coordinates: which tiles a tree size implies, their paths
//! (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), the 3-digit-group index encoding
//! (`1234067` → `x001/x234/067`), the hashes a tile holds, and, for robustness, Go sumdb
//! paths with an explicit height (`tile/<H>/<L>/<N>[.p/<W>]`, `data` for entries).
//!
//! Does not own serving or storing tiles (the node does).
//!
//! Parsing is strict: an index must be written canonically (exactly what
//! [`encode_index`] produces), and a partial width must be `1..=255` (`1..2^H` for sumdb).

use super::hash::Hash;
use super::proof::ProofError;
use super::source::LeafHashes;

/// Tile height in C2SP tlog-tiles: a tile holds up to `2^8 = 256` hashes.
pub const TILE_HEIGHT: u32 = 8;
/// Hashes (or entries) in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;
/// The highest level a `u64` tree can need (level 7 covers `2^56`-leaf subtrees).
pub const MAX_LEVEL: u8 = 7;

/// Why a tile path or index does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// The path does not start with `tile/` or has the wrong number of segments.
    #[error("not a tile path")]
    NotATilePath,
    /// The level (or height) is not a canonical decimal in range.
    #[error("bad tile level or height")]
    BadLevel,
    /// The index is not canonical 3-digit groups or overflows.
    #[error("bad tile index")]
    BadIndex,
    /// The partial width is not canonical decimal in range.
    #[error("bad partial tile width")]
    BadWidth,
}

/// Which kind of tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileLevel {
    /// A hash tile at level `L` (hashes of subtrees of `256^L` leaves).
    Hashes(u8),
    /// An entry bundle (`tile/entries/...`).
    Entries,
}

/// One tile: its level, index and width (`1..=256`; 256 is a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// The tile level.
    pub level: TileLevel,
    /// The tile index `N` within its level.
    pub index: u64,
    /// The number of hashes or entries it holds.
    pub width: u16,
}

impl Tile {
    /// Whether the tile holds fewer than 256 hashes.
    pub fn is_partial(&self) -> bool {
        u64::from(self.width) < TILE_WIDTH
    }

    /// The path below the log prefix, e.g. `tile/1/x001/234.p/17`.
    pub fn path(&self) -> String {
        let level = match self.level {
            TileLevel::Hashes(l) => l.to_string(),
            TileLevel::Entries => "entries".to_owned(),
        };
        let mut s = format!("tile/{level}/{}", encode_index(self.index));
        if self.is_partial() {
            s.push_str(&format!(".p/{}", self.width));
        }
        s
    }

    /// Parses a C2SP tile path (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`).
    ///
    /// # Errors
    /// [`TileError`] if the path is not canonical.
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        let segs: Vec<&str> = path.split('/').collect();
        let (Some(&"tile"), Some(level)) = (segs.first(), segs.get(1)) else {
            return Err(TileError::NotATilePath);
        };
        let level = if *level == "entries" {
            TileLevel::Entries
        } else {
            let l = parse_decimal(level).ok_or(TileError::BadLevel)?;
            let l = u8::try_from(l)
                .ok()
                .filter(|l| *l <= MAX_LEVEL)
                .ok_or(TileError::BadLevel)?;
            TileLevel::Hashes(l)
        };
        let (index, width) = parse_index_and_width(segs.get(2..).unwrap_or_default(), 255)?;
        let width = u16::try_from(width.unwrap_or(TILE_WIDTH)).map_err(|_| TileError::BadWidth)?;
        Ok(Self {
            level,
            index,
            width,
        })
    }
}

/// Encodes a tile index as 3-digit groups, all but the last prefixed with `x`.
pub fn encode_index(n: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = n;
    loop {
        groups.push(rest % 1000);
        rest /= 1000;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::new();
    for (i, g) in groups.iter().rev().enumerate() {
        if i + 1 < groups.len() {
            out.push_str(&format!("x{g:03}/"));
        } else {
            out.push_str(&format!("{g:03}"));
        }
    }
    out
}

/// Parses an index written by [`encode_index`] (only its canonical form).
///
/// # Errors
/// [`TileError::BadIndex`].
pub fn parse_index(s: &str) -> Result<u64, TileError> {
    let segs: Vec<&str> = s.split('/').collect();
    match parse_index_and_width(&segs, 0)? {
        (n, None) => Ok(n),
        (_, Some(_)) => Err(TileError::BadIndex),
    }
}

/// A canonical decimal (no sign, no leading zero except `0` itself).
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Parses `[x123/...]NNN[.p/W]` from path segments; `max_width` 0 forbids `.p/W`.
fn parse_index_and_width(segs: &[&str], max_width: u64) -> Result<(u64, Option<u64>), TileError> {
    let (groups, width) = match segs {
        [groups @ .., last, w] if last.ends_with(".p") => {
            let w = parse_decimal(w).ok_or(TileError::BadWidth)?;
            if w == 0 || w > max_width {
                return Err(TileError::BadWidth);
            }
            let mut g: Vec<&str> = groups.to_vec();
            g.push(last.strip_suffix(".p").unwrap_or(last));
            (g, Some(w))
        }
        _ => (segs.to_vec(), None),
    };
    let Some((last, prefix)) = groups.split_last() else {
        return Err(TileError::NotATilePath);
    };
    let digits3 = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit());
    let mut n: u64 = 0;
    for g in prefix {
        let d = g
            .strip_prefix('x')
            .filter(|d| digits3(d))
            .ok_or(TileError::BadIndex)?;
        let v: u64 = d.parse().map_err(|_| TileError::BadIndex)?;
        n = n
            .checked_mul(1000)
            .and_then(|n| n.checked_add(v))
            .ok_or(TileError::BadIndex)?;
    }
    if !digits3(last) {
        return Err(TileError::BadIndex);
    }
    let v: u64 = last.parse().map_err(|_| TileError::BadIndex)?;
    n = n
        .checked_mul(1000)
        .and_then(|n| n.checked_add(v))
        .ok_or(TileError::BadIndex)?;
    // Canonical only: no leading all-zero group.
    if prefix.first().is_some_and(|g| *g == "x000") {
        return Err(TileError::BadIndex);
    }
    Ok((n, width))
}

/// Every hash tile a tree of `size` leaves implies, level by level: full tiles, then the
/// partial tile of each level if any. Level `L` holds `floor(size / 256^L)` hashes.
pub fn tiles_for_size(size: u64) -> Vec<Tile> {
    let mut out = Vec::new();
    for level in 0..=MAX_LEVEL {
        let count = size >> (u32::from(level) * TILE_HEIGHT);
        if count == 0 {
            break;
        }
        push_level(&mut out, TileLevel::Hashes(level), count);
    }
    out
}

/// Every entry bundle a tree of `size` leaves implies.
pub fn entry_tiles_for_size(size: u64) -> Vec<Tile> {
    let mut out = Vec::new();
    push_level(&mut out, TileLevel::Entries, size);
    out
}

fn push_level(out: &mut Vec<Tile>, level: TileLevel, count: u64) {
    let full = count / TILE_WIDTH;
    for index in 0..full {
        out.push(Tile {
            level,
            index,
            width: 256,
        });
    }
    let rest = count % TILE_WIDTH;
    if rest > 0 {
        // rest < 256, so the conversion cannot fail.
        out.push(Tile {
            level,
            index: full,
            width: u16::try_from(rest).unwrap_or(255),
        });
    }
}

/// The hashes a hash tile holds: the roots of the complete subtrees at Merkle level
/// `8·L`, indices `N·256 .. N·256 + W`.
///
/// # Errors
/// [`ProofError::MissingHash`] if the source lacks one; `BadLevel`-like requests (an
/// entries tile) yield an empty list.
pub fn tile_hashes<S: LeafHashes + ?Sized>(src: &S, tile: &Tile) -> Result<Vec<Hash>, ProofError> {
    let TileLevel::Hashes(level) = tile.level else {
        return Ok(Vec::new());
    };
    let merkle_level = u32::from(level) * TILE_HEIGHT;
    let start = tile.index.saturating_mul(TILE_WIDTH);
    (0..u64::from(tile.width))
        .map(|i| {
            let index = start.saturating_add(i);
            src.subtree_hash(merkle_level, index)
                .ok_or(ProofError::MissingHash {
                    level: merkle_level,
                    index,
                })
        })
        .collect()
}

/// A Go sumdb tile (`tile/<H>/<L>/<N>[.p/<W>]`): C2SP fixes `H = 8` and drops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SumdbTile {
    /// Tile height `H` (1..=30).
    pub height: u8,
    /// Level `L`, or `None` for a data tile (`data`).
    pub level: Option<u8>,
    /// Tile index `N`.
    pub index: u64,
    /// Width `W` (`2^H` for a full tile).
    pub width: u64,
}

impl SumdbTile {
    /// Parses a Go sumdb tile path.
    ///
    /// # Errors
    /// [`TileError`] if the path is not canonical.
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        let segs: Vec<&str> = path.split('/').collect();
        let (Some(&"tile"), Some(h), Some(l)) = (segs.first(), segs.get(1), segs.get(2)) else {
            return Err(TileError::NotATilePath);
        };
        let height = parse_decimal(h)
            .filter(|h| (1..=30).contains(h))
            .and_then(|h| u8::try_from(h).ok())
            .ok_or(TileError::BadLevel)?;
        let level = if *l == "data" {
            None
        } else {
            let l = parse_decimal(l)
                .filter(|l| *l <= 63)
                .ok_or(TileError::BadLevel)?;
            Some(u8::try_from(l).map_err(|_| TileError::BadLevel)?)
        };
        let full = 1u64 << height;
        let (index, width) = parse_index_and_width(segs.get(3..).unwrap_or_default(), full - 1)?;
        Ok(Self {
            height,
            level,
            index,
            width: width.unwrap_or(full),
        })
    }
}
