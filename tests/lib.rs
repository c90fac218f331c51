//! Shared helpers for the end-to-end tests in `it/`: where the repository and the
//! external conformance vectors are.

use std::path::PathBuf;

/// The repository root (the workspace folder).
pub fn repo_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// The shared external vectors: `HCX_VECTORS_DIR` if set, else `../shared/vectors` beside
/// the checkout.
///
/// # Panics
/// If the folder does not exist, with a message saying how to provide it: a test that
/// silently ran on nothing would prove nothing.
pub fn vectors_dir() -> PathBuf {
    let dir = std::env::var_os("HCX_VECTORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/vectors"));
    assert!(
        dir.is_dir(),
        "conformance vectors not found at {}: set HCX_VECTORS_DIR to the shared vectors folder",
        dir.display()
    );
    dir
}

/// hcx's own committed vectors.
pub fn hcx_vectors_dir() -> PathBuf {
    repo_root().join("conformance/vectors/hcx")
}
