//! The conformance runner recognises vector files by content: renaming every file and
//! moving it into other folders must not change a single count.

use std::path::{Path, PathBuf};

use hcx_conformance::run_dirs;
use hcx_tests::vectors_dir;

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn counts_do_not_depend_on_file_names_or_folders() {
    let src = vectors_dir();
    let before = run_dirs(std::slice::from_ref(&src)).unwrap();

    let mut files = Vec::new();
    json_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 100, "expected the full shared vector set");

    // Every file gets an opaque name, in a folder whose name says nothing about its
    // format, in reverse order so that directory walk order differs too.
    let tmp = tempfile::tempdir().unwrap();
    for (i, f) in files.iter().rev().enumerate() {
        let dir = tmp
            .path()
            .join(format!("bucket{}", i % 7))
            .join(format!("x{}", i % 3));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(f, dir.join(format!("v{i:04}.json"))).unwrap();
    }
    // Files in other formats beside them are ignored.
    std::fs::write(tmp.path().join("bucket0/notes.txt"), "not a vector").unwrap();

    let after = run_dirs(&[tmp.path().to_path_buf()]).unwrap();
    assert_eq!(before.totals(), after.totals());
    let per_suite = |o: &hcx_conformance::runner::RunOutcome| {
        o.suites
            .iter()
            .map(|(k, r)| (*k, r.passed, r.failures.len(), r.skips.len(), r.files))
            .collect::<Vec<_>>()
    };
    assert_eq!(per_suite(&before), per_suite(&after));
}

#[test]
fn an_unrecognised_json_file_is_a_failure() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("mystery.json"), r#"{"hello": "world"}"#).unwrap();
    let out = run_dirs(&[tmp.path().to_path_buf()]).unwrap();
    assert_eq!(out.totals().failed, 1);
    assert_eq!(out.unrecognised.len(), 1);
}
