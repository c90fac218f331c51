//! Merkle suites (RFC 9162 via `hcx_protocol::merkle`): full trees with their roots and
//! proof tables (the 8-leaf CT tree, the derived `leaf N` tree), inclusion and
//! consistency verification probes, and single hashing facts.
//!
//! Recognition by content: a tree document has `leaves`, `leaf_hashes`, `roots`; a probe
//! document has `probes` whose entries carry `index`+`leaf_hash` (inclusion) or
//! `size1`+`size2` (consistency); a facts document has `vectors` entries with `what`.
//!
//! Documented choice: hashes are `[u8; 32]` in `hcx-protocol`. A probe with a hash of
//! another length is rejected while parsing; that matches every *invalid* probe, and the
//! single *valid* probe with 12-byte roots is skipped with that reason.

use base64::Engine as _;
use hcx_protocol::merkle::{
    self, Hash, LeafHashes, MemoryTree, consistency_proof, inclusion_proof, verify_consistency,
    verify_inclusion,
};
use serde_json::Value as Json;

use super::{FileCtx, Suite};
use crate::report::Report;
use crate::util::{array_field, has_keys, hex_field, str_field};

/// The Merkle suites.
pub fn suites() -> Vec<Suite> {
    vec![
        Suite {
            name: "merkle-tree",
            recognise: is_tree,
            run: run_tree,
        },
        Suite {
            name: "merkle-inclusion-probes",
            recognise: is_inclusion_probes,
            run: run_inclusion_probes,
        },
        Suite {
            name: "merkle-consistency-probes",
            recognise: is_consistency_probes,
            run: run_consistency_probes,
        },
        Suite {
            name: "merkle-misc",
            recognise: is_misc,
            run: run_misc,
        },
    ]
}

const SKIP_SHORT_HASH: &str = "valid upstream only at byte level with non-32-byte hashes; \
    hcx-protocol hashes are [u8; 32], so this is a parse error by design (documented choice)";

/// A 32-byte hash from a hex string, or `None` for any other length.
fn hash_of(s: &str) -> Option<Hash> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
}

fn hash_field(v: &Json, key: &str) -> Option<Hash> {
    str_field(v, key).and_then(hash_of)
}

fn hashes_field(v: &Json, key: &str) -> Option<Vec<Hash>> {
    array_field(v, key)
        .iter()
        .map(|h| h.as_str().and_then(hash_of))
        .collect()
}

fn u64_field(v: &Json, key: &str) -> Option<u64> {
    v.get(key).and_then(Json::as_u64)
}

fn is_tree(doc: &Json) -> bool {
    has_keys(doc, &["leaves", "leaf_hashes", "roots"])
        && doc.get("leaves").is_some_and(Json::is_array)
}

fn leaf_bytes(doc: &Json) -> Option<Vec<Vec<u8>>> {
    let ascii = str_field(doc, "leaf_format").is_some_and(|f| f.starts_with("ascii"));
    array_field(doc, "leaves")
        .iter()
        .map(|l| {
            let s = l.as_str()?;
            if ascii {
                Some(s.as_bytes().to_vec())
            } else {
                hex::decode(s).ok()
            }
        })
        .collect()
}

fn run_tree(doc: &Json, _: &FileCtx, r: &mut Report) {
    let Some(leaves) = leaf_bytes(doc) else {
        r.fail("leaves", "leaves are not decodable");
        return;
    };
    let mut tree = MemoryTree::new();
    for l in &leaves {
        tree.push_leaf(l);
    }
    for (i, h) in array_field(doc, "leaf_hashes").iter().enumerate() {
        let want = h.as_str().and_then(hash_of);
        r.check(
            &format!("leaf_hash #{i}"),
            want.is_some() && tree.leaf_hash(i as u64) == want,
            "leaf hash differs",
        );
    }
    for (level, row) in array_field(doc, "node_hashes_by_level").iter().enumerate() {
        for (i, h) in row
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let want = h.as_str().and_then(hash_of);
            let got = u32::try_from(level)
                .ok()
                .and_then(|l| tree.subtree_hash(l, i as u64));
            r.check(
                &format!("node level {level} #{i}"),
                want.is_some() && got == want,
                "node hash differs",
            );
        }
    }
    let mut roots = std::collections::BTreeMap::new();
    for e in array_field(doc, "roots") {
        let (Some(size), Some(want)) = (u64_field(e, "size"), hash_field(e, "root")) else {
            r.fail("roots", "root entry without size/root");
            continue;
        };
        roots.insert(size, want);
        let got = merkle::root(&tree, size);
        r.check(
            &format!("root size {size}"),
            got == Ok(want),
            format!("got {got:?}"),
        );
    }
    for (i, e) in array_field(doc, "inclusion").iter().enumerate() {
        let (Some(index), Some(size), Some(proof)) = (
            u64_field(e, "index"),
            u64_field(e, "size"),
            hashes_field(e, "proof"),
        ) else {
            r.fail(&format!("inclusion #{i}"), "entry without index/size/proof");
            continue;
        };
        let name = format!("inclusion #{i} index {index} size {size}");
        let generated = inclusion_proof(&tree, index, size);
        r.check(
            &format!("{name} (generate)"),
            generated.as_ref() == Ok(&proof),
            format!("got {generated:?}"),
        );
        let leaf = hash_field(e, "leaf_hash").or_else(|| tree.leaf_hash(index));
        let root = hash_field(e, "root").or_else(|| roots.get(&size).copied());
        match (leaf, root) {
            (Some(leaf), Some(root)) => {
                let v = verify_inclusion(index, size, &leaf, &proof, &root);
                r.check(&format!("{name} (verify)"), v.is_ok(), format!("{v:?}"));
            }
            _ => r.fail(&name, "no leaf hash or root to verify against"),
        }
    }
    for (i, e) in array_field(doc, "consistency").iter().enumerate() {
        let (Some(size1), Some(size2), Some(proof)) = (
            u64_field(e, "size1"),
            u64_field(e, "size2"),
            hashes_field(e, "proof"),
        ) else {
            r.fail(
                &format!("consistency #{i}"),
                "entry without size1/size2/proof",
            );
            continue;
        };
        let name = format!("consistency #{i} {size1} -> {size2}");
        let generated = consistency_proof(&tree, size1, size2);
        r.check(
            &format!("{name} (generate)"),
            generated.as_ref() == Ok(&proof),
            format!("got {generated:?}"),
        );
        let root1 = hash_field(e, "root1").or_else(|| roots.get(&size1).copied());
        let root2 = hash_field(e, "root2").or_else(|| roots.get(&size2).copied());
        match (root1, root2) {
            (Some(r1), Some(r2)) => {
                let v = verify_consistency(size1, size2, &r1, &r2, &proof);
                r.check(&format!("{name} (verify)"), v.is_ok(), format!("{v:?}"));
            }
            _ => r.fail(&name, "no roots to verify against"),
        }
    }
}

fn probes(doc: &Json) -> Option<&Vec<Json>> {
    doc.get("probes")
        .and_then(Json::as_array)
        .filter(|p| !p.is_empty())
}

fn is_inclusion_probes(doc: &Json) -> bool {
    probes(doc).is_some_and(|p| {
        p.iter()
            .all(|e| has_keys(e, &["index", "size", "leaf_hash", "proof", "valid"]))
    })
}

fn is_consistency_probes(doc: &Json) -> bool {
    probes(doc).is_some_and(|p| {
        p.iter()
            .all(|e| has_keys(e, &["size1", "size2", "proof", "valid"]))
    })
}

fn probe_name(e: &Json, i: usize) -> String {
    format!("#{i} {}", str_field(e, "id").unwrap_or("?"))
}

/// Runs every probe of `doc`: `verify` parses a probe and verifies it (`None` when the
/// probe's fields do not parse as 32-byte hashes and sizes).
fn run_probes(doc: &Json, r: &mut Report, verify: impl Fn(&Json) -> Option<bool>) {
    for (i, e) in probes(doc).into_iter().flatten().enumerate() {
        let name = probe_name(e, i);
        let Some(valid) = e.get("valid").and_then(Json::as_bool) else {
            r.fail(&name, "probe without a boolean `valid`");
            continue;
        };
        let verdict = match verify(e) {
            Some(v) => v,
            None if valid => {
                r.skip(&name, SKIP_SHORT_HASH);
                continue;
            }
            None => false,
        };
        r.check(
            &name,
            verdict == valid,
            format!("verified={verdict}, expected {valid}"),
        );
    }
}

fn run_inclusion_probes(doc: &Json, _: &FileCtx, r: &mut Report) {
    run_probes(doc, r, |e| {
        let (index, size) = (u64_field(e, "index")?, u64_field(e, "size")?);
        let (leaf, proof, root) = (
            hash_field(e, "leaf_hash")?,
            hashes_field(e, "proof")?,
            hash_field(e, "root")?,
        );
        Some(verify_inclusion(index, size, &leaf, &proof, &root).is_ok())
    });
}

fn run_consistency_probes(doc: &Json, _: &FileCtx, r: &mut Report) {
    run_probes(doc, r, |e| {
        let (s1, s2) = (u64_field(e, "size1")?, u64_field(e, "size2")?);
        let (r1, r2, proof) = (
            hash_field(e, "root1")?,
            hash_field(e, "root2")?,
            hashes_field(e, "proof")?,
        );
        Some(verify_consistency(s1, s2, &r1, &r2, &proof).is_ok())
    });
}

fn is_misc(doc: &Json) -> bool {
    doc.get("vectors")
        .and_then(Json::as_array)
        .is_some_and(|v| !v.is_empty() && v.iter().all(|e| e.get("what").is_some()))
}

fn run_misc(doc: &Json, _: &FileCtx, r: &mut Report) {
    for (i, e) in array_field(doc, "vectors").iter().enumerate() {
        let name = format!("#{i} {}", str_field(e, "what").unwrap_or("?"));
        let want: Option<Vec<u8>> = hex_field(e, "hex").or_else(|| {
            str_field(e, "base64")
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        });
        let Some(want) = want else {
            r.fail(&name, "no expected hash");
            continue;
        };
        let got = if let Some(ascii) = str_field(e, "leaf_ascii") {
            merkle::leaf_hash(ascii.as_bytes())
        } else if let Some(leaf) = hex_field(e, "leaf_hex") {
            merkle::leaf_hash(&leaf)
        } else {
            // No leaf input: the fact is the empty-tree root.
            merkle::root(&Vec::<Hash>::new(), 0).unwrap_or([0; 32])
        };
        r.check(
            &name,
            got.as_slice() == want.as_slice(),
            format!("got {}", hex::encode(got)),
        );
    }
}
