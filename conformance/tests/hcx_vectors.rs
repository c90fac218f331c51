//! hcx's own vectors: the committed files are exactly what the generator writes (so
//! nobody edits a vector by hand or forgets to regenerate), the hcx suite passes them
//! all, and it notices a changed expectation.

use std::path::{Path, PathBuf};

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/hcx")
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn committed_vectors_match_a_fresh_generation() {
    let tmp = tempfile::tempdir().unwrap();
    hcx_conformance::generate::generate_hcx_vectors(tmp.path()).unwrap();
    let fresh = files(tmp.path());
    let committed = files(&committed());
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&fresh),
        names(&committed),
        "regenerate: cargo run -p hcx-conformance -- generate-hcx-vectors conformance/vectors/hcx"
    );
    for ((name, a), (_, b)) in fresh.iter().zip(&committed) {
        assert!(
            a == b,
            "{name} differs from a fresh generation; regenerate the vectors"
        );
    }
}

#[test]
fn hcx_suite_passes_every_committed_case() {
    let outcome = hcx_conformance::run_dirs(&[committed()]).unwrap();
    let report = outcome.suites.get("hcx").expect("hcx suite ran");
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert!(
        outcome.unrecognised.is_empty(),
        "{:?}",
        outcome.unrecognised
    );
    assert!(report.passed > 300);
    assert_eq!(report.files, files(&committed()).len());
}

#[test]
fn hcx_suite_catches_a_wrong_expectation() {
    let tmp = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(committed().join("qr-text.json")).unwrap();
    let bad = src.replacen("\"expect\": \"expired\"", "\"expect\": \"accept\"", 1);
    assert_ne!(src, bad);
    std::fs::write(tmp.path().join("x.json"), bad).unwrap();
    let outcome = hcx_conformance::run_dirs(&[tmp.path().to_path_buf()]).unwrap();
    assert_eq!(outcome.suites.get("hcx").unwrap().failures.len(), 1);
}
