//! Repository hygiene that the compiler cannot check: the protocol crate stays pure, every
//! source file says what it owns, and `docs/ARCHITECTURE.md` names modules that exist.

use std::path::{Path, PathBuf};

use hcx_tests::repo_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "corpus" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn protocol_depends_on_no_io_crate() {
    let manifest = std::fs::read_to_string(repo_root().join("protocol/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    for banned in [
        "tokio",
        "sled",
        "libp2p",
        "axum",
        "hyper",
        "reqwest",
        "tracing-subscriber",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(banned)),
            "hcx-protocol must stay pure, but depends on {banned}"
        );
    }
}

#[test]
fn protocol_never_reads_the_clock_or_the_environment() {
    let mut files = Vec::new();
    rust_files(&repo_root().join("protocol/src"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for banned in [
            "SystemTime::now",
            "Instant::now",
            "std::env::var",
            "std::fs::",
            "OsRng",
        ] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["protocol", "node", "conformance", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        assert!(
            first.starts_with("//!"),
            "{} does not open with a //! module doc",
            f.display()
        );
    }
}

#[test]
fn architecture_names_modules_that_exist() {
    let root = repo_root();
    let arch = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    for module in [
        "cbor", "cose", "qr", "wire", "identity", "binding", "merkle", "note",
    ] {
        assert!(
            arch.contains(&format!("`{module}/`")),
            "ARCHITECTURE.md lost {module}/"
        );
        assert!(
            root.join("protocol/src").join(module).is_dir(),
            "protocol/src/{module} is gone"
        );
    }
    for file in ["sign.rs", "base45.rs", "seal.rs", "witness.rs", "verify.rs"] {
        assert!(
            arch.contains(&format!("`{file}`")),
            "ARCHITECTURE.md lost {file}"
        );
        assert!(
            root.join("protocol/src").join(file).is_file(),
            "protocol/src/{file} is gone"
        );
    }
}
