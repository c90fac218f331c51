//! The node: everything one region's running node holds (configuration, clock, store,
//! vault, audit log, active rule set, keys, the live status index), opened from its
//! folder. Services (`issuance`, the account and authz modules) work on a `&Node`; the
//! HTTP layer (`api`) holds it in an `Arc`.
//!
//! Folder layout: `hcx.toml`, `keys/*.key` (0600), `keys/vault.keys` (epoch keys, outside
//! the store so that deleting them really destroys data), `rules/*.toml`, `store/` (sled).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use hcx_protocol::sign::Signer as _;
use hcx_protocol::verify::{TrustStore, TrustedKey};
use hcx_protocol::wire::{CodeIdHash, KeyId, StatusSnapshot};

use crate::audit::AuditLog;
use crate::clock::Clock;
use crate::config::{ClockMode, Config};
use crate::keys::{KeyError, KeyKind, LoadedKey};
use crate::rules::{RuleSet, RuleSetError};
use crate::store::{SledStore, Store, StoreError, Tree};
use crate::vault::{Vault, VaultError};

/// How long a code-signing key is valid after the node's creation.
pub const CODE_KEY_VALIDITY_SECS: u64 = 365 * 86_400;

/// `Meta` key holding the node's creation time (big-endian u64).
pub const CREATED_AT_KEY: &[u8] = b"node/created_at";

/// Why a node could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The folder is not an hcx node folder.
    #[error("{path} is not an hcx node folder (no hcx.toml); run `hcx init` first")]
    NotANode { path: String },
    /// A key file is missing or damaged.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vault key file could not be opened.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The active rule set is invalid.
    #[error("active rule set {path}: {source}")]
    Rules { path: String, source: RuleSetError },
    /// The store lacks the creation record `hcx init` writes.
    #[error("the store has no creation record; the folder was not made by `hcx init`")]
    Uninitialised,
}

/// The keys a running node uses (the root key is not among them).
#[derive(Debug)]
pub struct NodeKeys {
    /// Operational key.
    pub operational: LoadedKey,
    /// Code-signing key.
    pub code_signing: LoadedKey,
}

/// Code-id hashes whose status an online or offline verifier must know about.
#[derive(Debug, Default, Clone)]
pub struct StatusIndex {
    /// Unexpired codes whose holder is no longer green.
    pub non_green: BTreeSet<CodeIdHash>,
    /// Revoked unexpired codes.
    pub revoked: BTreeSet<CodeIdHash>,
}

/// A running region node.
#[derive(Debug)]
pub struct Node {
    /// The node folder.
    pub dir: PathBuf,
    /// Validated configuration.
    pub config: Config,
    /// The one clock.
    pub clock: Clock,
    /// The store.
    pub store: Arc<dyn Store>,
    /// Personal-data vault.
    pub vault: Vault,
    /// The audit log.
    pub audit: AuditLog,
    /// The active rule set.
    pub rules: RwLock<Arc<RuleSet>>,
    /// Signing keys.
    pub keys: NodeKeys,
    /// When the node was created (start of the code-signing key's validity).
    pub created_at: u64,
    /// Live status for verification and snapshots.
    pub status: Mutex<StatusIndex>,
    /// The random source.
    pub rng: ring::rand::SystemRandom,
    /// HMAC key of the private lookup indexes.
    index_key: ring::hmac::Key,
    /// The online trust store, rebuilt when the status index changes or it is a minute
    /// old (verification is the hot path; building it copies the snapshot).
    trust_cache: RwLock<Option<(u64, u64, Arc<TrustStore>)>>,
    /// Incremented on every status index change; a cached trust store built from an
    /// older version is never served.
    status_version: std::sync::atomic::AtomicU64,
}

/// How long a cached online trust store is reused, in seconds.
const TRUST_CACHE_SECS: u64 = 60;

impl Node {
    /// Opens the node in `dir` with `config`.
    ///
    /// # Errors
    /// A missing folder, key, store or vault problem, or an invalid rule set.
    pub fn open(dir: &Path, config: Config) -> Result<Self, OpenError> {
        if !dir.join("hcx.toml").is_file() {
            return Err(OpenError::NotANode {
                path: dir.display().to_string(),
            });
        }
        let keys = NodeKeys {
            operational: LoadedKey::load(dir, KeyKind::Operational)?,
            code_signing: LoadedKey::load(dir, KeyKind::CodeSigning)?,
        };
        let rules_path = dir.join(&config.active_rules);
        let rules = RuleSet::load_file(&rules_path).map_err(|source| OpenError::Rules {
            path: rules_path.display().to_string(),
            source,
        })?;
        let index_key = ring::hmac::Key::new(
            ring::hmac::HMAC_SHA256,
            &crate::keys::read_secret(dir, KeyKind::Index)?,
        );
        let rng = ring::rand::SystemRandom::new();
        let vault = Vault::open_or_create(dir.join("keys").join("vault.keys"), rng.clone())?;
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.join("store"))?);
        // Finish a shred a crash interrupted, before anything reads holder records.
        vault.recover(store.as_ref())?;
        let created_at = store
            .get(Tree::Meta, CREATED_AT_KEY)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map(u64::from_be_bytes)
            .ok_or(OpenError::Uninitialised)?;
        let clock = match config.clock {
            ClockMode::System => Clock::system(),
            ClockMode::Manual => {
                let start = config.clock_start.unwrap_or_else(|| Clock::system().now());
                tracing::warn!(
                    start,
                    "MANUAL CLOCK: this node takes its time from POST /v1/admin/clock; never use in production"
                );
                Clock::manual(start)
            }
        };
        let node = Self {
            dir: dir.to_path_buf(),
            config,
            clock,
            store,
            vault,
            audit: AuditLog::new(),
            rules: RwLock::new(Arc::new(rules)),
            keys,
            created_at,
            status: Mutex::new(StatusIndex::default()),
            rng,
            index_key,
            trust_cache: RwLock::new(None),
            status_version: std::sync::atomic::AtomicU64::new(0),
        };
        node.rebuild_status_index()?;
        Ok(node)
    }

    /// The keyed digest of `data` for a private lookup index.
    pub fn index_digest(&self, data: &[u8]) -> [u8; 32] {
        let tag = ring::hmac::sign(&self.index_key, data);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// The active rule set.
    pub fn rules(&self) -> Arc<RuleSet> {
        match self.rules.read() {
            Ok(r) => Arc::clone(&r),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The code-signing key's id.
    pub fn code_kid(&self) -> &KeyId {
        &self.keys.code_signing.kid
    }

    /// The trust store for verifying this region's codes online (cached; see
    /// [`Node::build_trust_store`]).
    pub fn trust_store(&self) -> Arc<TrustStore> {
        use std::sync::atomic::Ordering;
        let now = self.clock.now();
        let version = self.status_version.load(Ordering::SeqCst);
        if let Ok(guard) = self.trust_cache.read()
            && let Some((built, v, t)) = guard.as_ref()
            && *v == version
            && now >= *built
            && now < built + TRUST_CACHE_SECS
        {
            return Arc::clone(t);
        }
        let t = Arc::new(self.build_trust_store());
        if let Ok(mut guard) = self.trust_cache.write() {
            *guard = Some((now, version, Arc::clone(&t)));
        }
        t
    }

    /// The trust store for verifying this region's codes online: the code-signing key and
    /// a snapshot of the live status.
    pub fn build_trust_store(&self) -> TrustStore {
        let now = self.clock.now();
        let mut t = TrustStore::new();
        t.add_key(
            self.keys.code_signing.kid.clone(),
            TrustedKey {
                region: self.config.region,
                key: self.keys.code_signing.signer.public_key(),
                not_before: self.created_at,
                not_after: self.created_at + CODE_KEY_VALIDITY_SECS,
            },
        );
        t.add_snapshot(self.snapshot(now));
        t
    }

    /// A status snapshot of this region at `now`, fresh for the configured bound.
    pub fn snapshot(&self, now: u64) -> StatusSnapshot {
        let idx = self.status_index();
        StatusSnapshot {
            region: self.config.region,
            date: now,
            fresh_until: now + self.config.snapshot_fresh_secs,
            non_green: idx.non_green.iter().copied().collect(),
            revoked: idx.revoked.iter().copied().collect(),
        }
    }

    /// A copy of the live status index.
    pub fn status_index(&self) -> StatusIndex {
        match self.status.lock() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Applies `f` to the live status index.
    pub fn with_status_index<R>(&self, f: impl FnOnce(&mut StatusIndex) -> R) -> R {
        let r = match self.status.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        };
        // After the change: a trust store built from the old index carries the old
        // version and is never served again.
        self.status_version
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        r
    }
}
