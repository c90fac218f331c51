//! The `hcx` binary's command line: a region made by `hcx init`, and clear errors for a
//! missing or corrupt folder, a bad configuration, a port in use, and a refused bind off
//! loopback. Runs the real binary.

use std::process::Command;

fn hcx(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hcx"))
        .args(args)
        .env("HCX_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn init_makes_a_region_and_serve_explains_every_refusal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("zj");
    let d = dir.to_str().unwrap();

    let (ok, out) = hcx(&["init", "--region", "330000", "--dir", d]);
    assert!(ok, "{out}");
    assert!(out.contains("token hcx_"), "{out}");
    for key in [
        "root",
        "operational",
        "code-signing",
        "log",
        "witness",
        "notice",
        "p2p",
        "index",
    ] {
        assert!(
            dir.join("keys").join(format!("{key}.key")).is_file(),
            "{key} key missing"
        );
    }
    assert!(dir.join("hcx.toml").is_file());

    let (ok, out) = hcx(&["init", "--region", "330000", "--dir", d]);
    assert!(!ok && out.contains("not empty"), "{out}");
    let (ok, out) = hcx(&[
        "init",
        "--region",
        "330100",
        "--dir",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert!(!ok && out.contains("province-level"), "{out}");

    let (ok, out) = hcx(&[
        "serve",
        "--dir",
        tmp.path().join("nowhere").to_str().unwrap(),
    ]);
    assert!(!ok && out.contains("hcx.toml"), "{out}");

    let (ok, out) = hcx(&["serve", "--dir", d, "--http", "0.0.0.0:0"]);
    assert!(!ok && out.contains("insecure"), "{out}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().to_string();
    let (ok, out) = hcx(&["serve", "--dir", d, "--http", &port]);
    assert!(!ok && out.contains("cannot listen"), "{out}");

    let config = dir.join("hcx.toml");
    let good = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{good}\nunknown_key = 1\n")).unwrap();
    let (ok, out) = hcx(&["serve", "--dir", d]);
    assert!(!ok && out.contains("not a valid hcx.toml"), "{out}");
    std::fs::write(&config, &good).unwrap();

    std::fs::write(dir.join("keys").join("code-signing.key"), "garbage").unwrap();
    let (ok, out) = hcx(&["serve", "--dir", d]);
    assert!(!ok && out.contains("corrupt"), "{out}");
}

#[test]
fn the_root_key_ceremony_exports_then_removes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("fj");
    let d = dir.to_str().unwrap();
    assert!(hcx(&["init", "--region", "350000", "--dir", d]).0);
    let root = std::fs::read(dir.join("keys/root.key")).unwrap();
    let out = tmp.path().join("offline-root.key");
    let (ok, text) = hcx(&[
        "keys",
        "export-root",
        "--dir",
        d,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    assert_eq!(std::fs::read(&out).unwrap(), root);
    assert!(hcx(&["keys", "remove-root", "--dir", d]).0);
    assert!(!dir.join("keys/root.key").exists());
}

#[test]
fn qr_renders_svg_and_png() {
    let tmp = tempfile::tempdir().unwrap();
    let svg = tmp.path().join("c.svg");
    let png = tmp.path().join("c.png");
    assert!(hcx(&["qr", "HCX1:ABC", "--svg", svg.to_str().unwrap()]).0);
    assert!(hcx(&["qr", "HCX1:ABC", "--png", png.to_str().unwrap()]).0);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
}
