//! Making a region (`hcx init`): key files, the root key's grant of the operational key,
//! the rule sets, the documented `hcx.toml`, the store with its creation record, and the
//! two bootstrap level-1 admins (two, because a level-1 admin's new accounts must be
//! reviewed by another level-1 admin).
//!
//! Admin and evidence-source signing keys are **client-held**: `init` writes the
//! bootstrap admins' keys to `DIR/client-keys/` only so that the operator can move them
//! to the admins' devices; a running node never reads them.

use std::path::{Path, PathBuf};

use hcx_protocol::identity::Region;
use hcx_protocol::sign::{Ed25519Signer, Signer as _};
use hcx_protocol::wire::{Jurisdiction, KeyRecord, OperationalKeyGrant, Signed, WireMessage};

use crate::accounts;
use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::config::TEMPLATE;
use crate::keys::{self, KeyKind};
use crate::node::CREATED_AT_KEY;
use crate::rules;
use crate::store::{SledStore, Tree};

/// How long the root's grant of the operational key lasts.
pub const OPERATIONAL_GRANT_SECS: u64 = 2 * 365 * 86_400;

/// Why a region could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// Not a province-level code.
    #[error("{0} is not a province-level GB/T 2260 code (e.g. 330000)")]
    BadRegion(String),
    /// The folder exists and is not empty.
    #[error("{0} exists and is not empty; hcx init never overwrites a node")]
    NotEmpty(String),
    /// File system.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Keys.
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    /// Store.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Accounts.
    #[error(transparent)]
    Account(#[from] accounts::AccountError),
    /// Audit log.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// A bundled rule set.
    #[error(transparent)]
    Rules(#[from] rules::RuleSetError),
    /// Signing.
    #[error("signing the operational key grant failed")]
    Signing,
}

/// A bootstrap admin made by `init`.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    /// Account id.
    pub account: String,
    /// Bearer token (shown once).
    pub token: String,
    /// The client-held signing key file.
    pub key_file: PathBuf,
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The region.
    pub region: Region,
    /// The operational public key (hex): the anchor for `hcx verify --anchor`.
    pub operational_key: String,
    /// The root public key (hex), for the charter.
    pub root_key: String,
    /// The bootstrap admins.
    pub admins: Vec<BootstrapAdmin>,
    /// The active rule-set file.
    pub rules_file: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> InitError + '_ {
    move |source| InitError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a client-held Ed25519 key (for admins and evidence sources) under
/// `DIR/client-keys/NAME.key`, 0600; returns the signer.
pub fn write_client_key(
    dir: &Path,
    name: &str,
    rng: &dyn ring::rand::SecureRandom,
) -> Result<(Ed25519Signer, PathBuf), InitError> {
    let seed = keys::random_secret(rng)?;
    let folder = dir.join("client-keys");
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    let path = folder.join(format!("{name}.key"));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path).map_err(io(&path))?;
    std::io::Write::write_all(
        &mut f,
        format!("hcx-client-key-v1 ed25519 {}\n", hex::encode(seed)).as_bytes(),
    )
    .map_err(io(&path))?;
    let signer = Ed25519Signer::from_seed(&seed).map_err(|_| InitError::Signing)?;
    Ok((signer, path))
}

/// Reads a client-held key written by [`write_client_key`].
pub fn read_client_key(path: &Path) -> Result<Ed25519Signer, InitError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let mut parts = text.split_ascii_whitespace();
    let bad = || InitError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not an hcx client key file",
        ),
    };
    if parts.next() != Some("hcx-client-key-v1") || parts.next() != Some("ed25519") {
        return Err(bad());
    }
    let seed: [u8; 32] = parts
        .next()
        .and_then(|h| hex::decode(h).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or_else(bad)?;
    Ed25519Signer::from_seed(&seed).map_err(|_| bad())
}

/// Makes a region in `dir` (which must not exist or be empty).
///
/// # Errors
/// A bad region, a non-empty folder, and any I/O, key, store or account failure.
pub fn init_region(region_code: &str, dir: &Path) -> Result<InitReport, InitError> {
    let region =
        Region::parse(region_code).map_err(|_| InitError::BadRegion(region_code.to_owned()))?;
    if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(InitError::NotEmpty(dir.display().to_string()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let rng = ring::rand::SystemRandom::new();
    let now = Clock::system().now();

    for kind in KeyKind::ALL {
        keys::write_secret(dir, kind, &keys::random_secret(&rng)?)?;
    }
    let root = keys::LoadedKey::load(dir, KeyKind::Root)?;
    let operational = keys::LoadedKey::load(dir, KeyKind::Operational)?;
    let grant = OperationalKeyGrant {
        region,
        key: KeyRecord::of(&operational.public_key()),
        not_before: now,
        not_after: now + OPERATIONAL_GRANT_SECS,
    };
    let signed =
        Signed::sign(grant, root.kid.clone(), &root.signer).map_err(|_| InitError::Signing)?;
    let grant_path = dir.join("operational-grant.cbor");
    std::fs::write(&grant_path, signed.to_bytes()).map_err(io(&grant_path))?;

    // Rule sets: both shipped files, and the active one for this region (the shipped
    // set of the same region, else Zhejiang's adapted to this region as a starting point).
    let rules_dir = dir.join("rules");
    std::fs::create_dir_all(&rules_dir).map_err(io(&rules_dir))?;
    let mut active = None;
    for b in rules::bundled() {
        let path = rules_dir.join(b.file_name);
        std::fs::write(&path, b.source).map_err(io(&path))?;
        if b.load()?.region() == region {
            active = Some(format!("rules/{}", b.file_name));
        }
    }
    let rules_file = match active {
        Some(f) => f,
        None => {
            let base = rules::bundled()
                .first()
                .map(|b| b.source)
                .unwrap_or_default();
            let adapted = base.replacen(
                "region = \"330000\"",
                &format!("region = \"{}\"", region.code()),
                1,
            );
            rules::RuleSet::from_toml(&adapted)?;
            let path = rules_dir.join("active.toml");
            std::fs::write(&path, adapted).map_err(io(&path))?;
            "rules/active.toml".to_owned()
        }
    };
    let config = TEMPLATE
        .replace("{region}", &region.code().to_string())
        .replace("{rules}", &rules_file);
    let config_path = dir.join("hcx.toml");
    std::fs::write(&config_path, config).map_err(io(&config_path))?;

    // The store, its creation record, and the bootstrap admins.
    let store = SledStore::open(dir.join("store"))?;
    let audit = AuditLog::new();
    let province = Jurisdiction::new(&region.code().to_string()[..2])
        .ok_or_else(|| InitError::BadRegion(region_code.to_owned()))?;
    let mut admins = Vec::new();
    for label in ["bootstrap-admin-a", "bootstrap-admin-b"] {
        let (signer, key_file) = write_client_key(dir, label, &rng)?;
        let opened = accounts::bootstrap_admin(
            &store,
            province.clone(),
            signer.public_key(),
            label,
            now,
            &rng,
        )?;
        let mut batch = opened.batch;
        if admins.is_empty() {
            batch.expect(Tree::Meta, CREATED_AT_KEY, None);
            batch.put(Tree::Meta, CREATED_AT_KEY, now.to_be_bytes().to_vec());
        }
        audit.commit(&store, batch, &opened.log)?;
        admins.push(BootstrapAdmin {
            account: opened.account.id.0.clone(),
            token: opened.token,
            key_file,
        });
    }
    store.flush()?;
    Ok(InitReport {
        region,
        operational_key: hex::encode(operational.public_key().as_bytes()),
        root_key: hex::encode(root.public_key().as_bytes()),
        admins,
        rules_file,
    })
}
