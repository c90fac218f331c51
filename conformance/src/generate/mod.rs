//! `hcx-conformance generate-hcx-vectors OUT_DIR`: writes hcx's own conformance vectors,
//! one JSON file per message type plus the QR-text file, deterministically: Ed25519
//! signatures are deterministic, ES256 signatures use RFC 6979 (the `p256` crate, never
//! ring's randomized signer), keys come from fixed seeds and `now` is pinned. Running it
//! twice gives byte-identical files; `conformance/tests/hcx_vectors.rs` checks the
//! committed files against a fresh run.
//!
//! Every expected outcome is asserted against `hcx-protocol` while generating, so a
//! generator run also fails if the implementation disagrees with what a case intends.
//!
//! File format (SPEC.md, "Conformance vectors"): `{"hcx_vectors": 1, "type", "type_tag",
//! "max_bytes", "cases": [...]}` with cases of the forms `cbor`, `cose`, `signed`,
//! `venue_hmac` and `qr`.

mod annotate;
mod hcx;
mod keys;
mod samples;

use std::path::Path;

use anyhow::Context as _;
use serde_json::Value;

pub use annotate::annotate;

/// The pinned `now` of every case (2026-01-01T00:00:00Z).
pub const NOW: u64 = 1_767_225_600;

/// Every vector file: (file name, JSON document).
///
/// # Errors
/// If a case's expected outcome disagrees with `hcx-protocol` (a generator bug or an
/// implementation regression).
pub fn hcx_vectors() -> anyhow::Result<Vec<(String, Value)>> {
    hcx::all_files()
}

/// Writes every vector file into `out` (created if missing).
///
/// # Errors
/// I/O failures, or see [`hcx_vectors`].
pub fn generate_hcx_vectors(out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (name, doc) in hcx_vectors()? {
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        let path = out.join(&name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
