//! Offline tools: render a QR text (`hcx qr`), verify a code against a trust bundle file
//! (`hcx verify`), and the root-key ceremony (`hcx keys export-root|remove-root`).

use std::path::Path;

use anyhow::{Context as _, bail};
use hcx_node::keys::KeyKind;
use hcx_node::{clock::Clock, render};
use hcx_protocol::sign::PublicKey;
use hcx_protocol::verify::{TrustStore, verify_qr_text};
use hcx_protocol::wire::{KeyId, TrustBundle, open_cose};

/// `hcx qr TEXT --svg FILE | --png FILE`.
pub(crate) fn qr(text: &str, svg: Option<&Path>, png: Option<&Path>) -> anyhow::Result<()> {
    match (svg, png) {
        (Some(path), None) => std::fs::write(path, render::svg(text)?)
            .with_context(|| format!("writing {}", path.display()))?,
        (None, Some(path)) => std::fs::write(path, render::png(text)?)
            .with_context(|| format!("writing {}", path.display()))?,
        _ => bail!("give exactly one of --svg FILE or --png FILE"),
    }
    println!("QR version {} at level M", render::version(text)?);
    Ok(())
}

/// `hcx verify --bundle FILE --anchor HEX TEXT`: prints the verdict as JSON; returns
/// whether the code is valid.
pub(crate) fn verify(
    bundle: &Path,
    anchor: &str,
    at: Option<u64>,
    text: &str,
) -> anyhow::Result<bool> {
    let bytes = std::fs::read(bundle).with_context(|| format!("reading {}", bundle.display()))?;
    let anchor_bytes: [u8; 32] = hex::decode(anchor.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .context("--anchor must be a 32-byte Ed25519 public key in hex")?;
    let anchor_key = PublicKey::Ed25519(anchor_bytes);
    let anchor_kid = KeyId::derive(&anchor_bytes);
    let (trust_bundle, _) = open_cose::<TrustBundle>(&bytes, |kid| {
        (*kid == anchor_kid).then(|| anchor_key.clone())
    })
    .map_err(|e| anyhow::anyhow!("the trust bundle does not verify under the anchor key: {e}"))?;
    let now = at.unwrap_or_else(|| Clock::system().now());
    let trust = TrustStore::from_bundle(&trust_bundle);
    let v = verify_qr_text(text, &trust, now);
    println!(
        "{}",
        serde_json::to_string_pretty(&hcx_node::present::verification(&v))?
    );
    Ok(v.result == hcx_protocol::verify::ResultCode::Valid)
}

/// `hcx keys export-root --dir DIR --out FILE`.
pub(crate) fn export_root(dir: &Path, out: &Path) -> anyhow::Result<()> {
    let secret = hcx_node::keys::read_secret(dir, KeyKind::Root)?;
    let out_dir = tempfile::tempdir()?;
    let written = hcx_node::keys::write_secret(out_dir.path(), KeyKind::Root, &secret)?;
    if out.exists() {
        bail!("{} exists; the export never overwrites", out.display());
    }
    std::fs::copy(&written, out).with_context(|| format!("writing {}", out.display()))?;
    #[cfg(unix)]
    std::fs::set_permissions(out, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    println!(
        "root key exported to {}; store it offline, then run `hcx keys remove-root`",
        out.display()
    );
    Ok(())
}

/// `hcx keys remove-root --dir DIR`.
pub(crate) fn remove_root(dir: &Path) -> anyhow::Result<()> {
    let path = KeyKind::Root.path(dir);
    let len = std::fs::metadata(&path)
        .with_context(|| format!("{} not found", path.display()))?
        .len();
    // Overwrite before unlinking, so the secret does not linger in the freed blocks of
    // simple filesystems (journaling and SSDs may still keep copies: the export is the
    // authoritative copy from now on).
    std::fs::write(&path, vec![0u8; usize::try_from(len).unwrap_or(0)])?;
    std::fs::remove_file(&path)?;
    println!("root key removed from {}", dir.display());
    Ok(())
}
