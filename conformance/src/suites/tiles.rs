//! tlog-tiles suite (via `hcx_protocol::merkle::tiles`): index encoding both ways, the
//! full tile list a tree size implies (paths, or the summary's counts when only those are
//! given), and Go sumdb tile paths (with their explicit height) for parser robustness.
//!
//! Recognition by content: an object with `index_encoding` or `tree_size_tiles`.

use hcx_protocol::merkle::tiles::{
    SumdbTile, Tile, TileLevel, encode_index, parse_index, tiles_for_size,
};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, str_field};

/// The tiles suite.
pub fn suites() -> Vec<Suite> {
    vec![Suite {
        name: "tiles",
        recognise: is_tiles_doc,
        run: run_tiles_doc,
    }]
}

fn is_tiles_doc(doc: &Json) -> bool {
    ["index_encoding", "tree_size_tiles"]
        .iter()
        .any(|k| doc.get(*k).is_some_and(Json::is_array))
}

fn run_tiles_doc(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in array_field(doc, "index_encoding").iter().enumerate() {
        let name = format!("index #{i}");
        let (Some(n), Some(path)) = (e.get("n").and_then(Json::as_u64), str_field(e, "path"))
        else {
            r.fail(&name, "case without n/path");
            continue;
        };
        let enc = encode_index(n);
        let dec = parse_index(path);
        r.check(
            &format!("{name} {n}"),
            enc == path && dec == Ok(n),
            format!("encoded {enc}, parsed {dec:?}"),
        );
    }
    for (i, e) in array_field(doc, "tree_size_tiles").iter().enumerate() {
        let Some(size) = e.get("size").and_then(Json::as_u64) else {
            r.fail(&format!("tree size #{i}"), "case without size");
            continue;
        };
        let name = format!("tree size {size}");
        let tiles = tiles_for_size(size);
        let paths: Vec<String> = tiles.iter().map(Tile::path).collect();
        if let Some(want) = e.get("paths_derived").and_then(Json::as_array) {
            let want: Vec<&str> = want.iter().filter_map(Json::as_str).collect();
            let parsed_back = paths
                .iter()
                .all(|p| Tile::parse_path(p).is_ok_and(|t| &t.path() == p));
            r.check(
                &format!("{name} paths"),
                want == paths && parsed_back,
                format!("got {} paths", paths.len()),
            );
        }
        if let Some(summary) = str_field(e, "summary") {
            r.check(
                &format!("{name} summary"),
                summary_matches(summary, &tiles),
                format!("tiles {paths:?}"),
            );
        }
    }
    if let Some(sumdb) = doc.get("sumdb_tile_paths") {
        for (i, e) in array_field(sumdb, "cases").iter().enumerate() {
            let Some(path) = str_field(e, "path") else {
                r.fail(&format!("sumdb #{i}"), "case without path");
                continue;
            };
            let name = format!("sumdb #{i} {path}");
            let parsed = SumdbTile::parse_path(path);
            let ok = if str_field(e, "expect") == Some("invalid") {
                parsed.is_err()
            } else {
                parsed.as_ref().is_ok_and(|t| {
                    let level_ok = match e.get("L") {
                        Some(Json::String(s)) if s == "data" => t.level.is_none(),
                        Some(l) => l
                            .as_u64()
                            .is_some_and(|l| t.level.map(u64::from) == Some(l)),
                        None => false,
                    };
                    level_ok
                        && e.get("H").and_then(Json::as_u64) == Some(u64::from(t.height))
                        && e.get("N").and_then(Json::as_u64) == Some(t.index)
                        && e.get("W").and_then(Json::as_u64) == Some(t.width)
                })
            };
            r.check(&name, ok, format!("parsed {parsed:?}"));
        }
    }
}

/// Checks the counts a summary states ("273 full level-0 tiles, partial level-0 width
/// 112, one full level-0 tile, a partial level-1 tile of width 1", ...) against the list.
fn summary_matches(summary: &str, tiles: &[Tile]) -> bool {
    let full = |level: u8| {
        tiles
            .iter()
            .filter(|t| t.level == TileLevel::Hashes(level) && !t.is_partial())
            .count()
    };
    let partial = |level: u8| {
        tiles
            .iter()
            .find(|t| t.level == TileLevel::Hashes(level) && t.is_partial())
            .map(|t| u64::from(t.width))
    };
    let words: Vec<&str> = summary
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &str| match w {
        "one" | "a" | "an" => Some(1u64),
        w => w.parse().ok(),
    };
    let level_of = |w: &str| w.strip_prefix("level-").and_then(|l| l.parse::<u8>().ok());
    let mut checked = 0;
    for (i, w) in words.iter().enumerate() {
        let at = |k: usize| words.get(k).copied().unwrap_or("");
        // "<n> full level-L tile(s)"
        if *w == "full"
            && i > 0
            && let (Some(n), Some(l)) = (number(at(i - 1)), level_of(at(i + 1)))
        {
            if full(l) as u64 != n {
                return false;
            }
            checked += 1;
        }
        // "partial level-L width W" or "partial level-L tile of width W"
        if *w == "partial"
            && let Some(l) = level_of(at(i + 1))
        {
            let width = (i + 2..words.len().min(i + 6))
                .find(|k| at(*k) == "width")
                .and_then(|k| number(at(k + 1)));
            if width.is_none() || partial(l) != width {
                return false;
            }
            checked += 1;
        }
    }
    // Every full run and every partial tile in the list must have been described.
    let mut levels: Vec<u8> = tiles
        .iter()
        .filter_map(|t| match t.level {
            TileLevel::Hashes(l) => Some(l),
            TileLevel::Entries => None,
        })
        .collect();
    levels.dedup();
    let expected: usize = levels
        .iter()
        .map(|l| usize::from(full(*l) > 0) + usize::from(partial(*l).is_some()))
        .sum();
    checked == expected
}
