//! The sled implementation of [`Store`]: the only code in the node that knows sled.
//!
//! **Owns:** opening the database (48 MiB cache, bounded retries while another handle
//! still holds the lock file, sled#1289; damage reported as [`StoreError::Corrupt`]),
//! one sled tree per [`Tree`] (named by [`Tree::name`]), atomic multi-tree batches with
//! guards (sled transactions over a `Vec<sled::Tree>`), group commit, the digest.
//! **Does not own:** key layouts or encodings (each module owns its trees), encryption
//! (the vault seals personal data before it reaches the store).
//!
//! ## Group commit protocol
//!
//! [`Store::apply`] commits a sled transaction and then takes a ticket from a counter
//! (`applied`), so every batch whose ticket is `<= t` was in sled's log before ticket
//! `t` was handed out. [`Store::wait_durable`] then works on a mutex-protected state
//! `{ durable, flushing, flushes }` and a condvar:
//!
//! 1. if `durable >= ticket`, the batch is already on disk: return;
//! 2. if a flush is running, wait on the condvar (that flush may or may not cover the
//!    ticket: it started at some `target`, re-check on wake-up);
//! 3. otherwise become the flusher: set `flushing`, read `target = applied` (which is
//!    `>= ticket`, since our ticket was taken before), release the mutex, call
//!    `db.flush()` (write + fsync of everything logged so far), then set
//!    `durable = max(durable, target)`, clear `flushing`, count the flush and wake all.
//!
//! Every writer that applied before a flush started is covered by it; writers that
//! applied during a flush wait for the next one, which one of them runs for all. So `N`
//! concurrent writers share a handful of fsyncs instead of making `N`.
//! [`SledStore::flush_count`] exposes the number of flushes for tests and metrics.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use ring::digest::{Context, SHA256};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{Batch, KeyValue, Op, Store, StoreError, Tree, WriteTicket};

/// The page cache size handed to sled.
pub const CACHE_CAPACITY: u64 = 48 * 1024 * 1024;

/// How many times opening retries while the lock file is held.
pub const OPEN_ATTEMPTS: u32 = 40;

/// The pause between open attempts.
pub const OPEN_RETRY_DELAY: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
struct FlushState {
    durable: u64,
    flushing: bool,
    flushes: u64,
}

/// A [`Store`] on a sled database in one directory.
#[derive(Debug)]
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    trees: HashMap<Tree, sled::Tree>,
    applied: AtomicU64,
    flush: Mutex<FlushState>,
    flushed: Condvar,
}

/// Whether a sled error is the lock file being held (sled reports it as an `Other` I/O
/// error whose message names the lock).
fn is_lock_error(e: &sled::Error) -> bool {
    match e {
        sled::Error::Io(io) => {
            io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock")
        }
        _ => false,
    }
}

fn map_sled(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Corruption { at, .. } => StoreError::Corrupt {
            detail: match at {
                Some(ptr) => format!("sled found damaged data at {ptr}"),
                None => "sled found damaged data".to_owned(),
            },
        },
        sled::Error::ReportableBug(msg) => StoreError::Corrupt {
            detail: format!("sled reported an internal inconsistency: {msg}"),
        },
        sled::Error::Unsupported(msg) => StoreError::Corrupt {
            detail: format!("the store cannot be used as found: {msg}"),
        },
        sled::Error::CollectionNotFound(name) => StoreError::Corrupt {
            detail: format!(
                "tree {:?} is missing",
                String::from_utf8_lossy(name.as_ref())
            ),
        },
        sled::Error::Io(io) => StoreError::Io(io.to_string()),
    }
}

fn panic_detail(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// One attempt at opening sled. sled 0.34 can panic on some damaged files instead of
/// returning `Corruption`; the panic is caught and reported as corruption, because a
/// node must refuse to start with a clear message rather than abort.
fn open_once(path: &Path) -> Result<sled::Db, StoreError> {
    let config = sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_CAPACITY)
        .mode(sled::Mode::HighThroughput);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || config.open())) {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) if is_lock_error(&e) => Err(StoreError::Locked {
            path: path.display().to_string(),
        }),
        Ok(Err(e)) => Err(map_sled(e)),
        Err(payload) => Err(StoreError::Corrupt {
            detail: format!(
                "opening {} failed: {}",
                path.display(),
                panic_detail(payload.as_ref())
            ),
        }),
    }
}

impl SledStore {
    /// Opens (or creates) the store in directory `path`. While another handle still holds
    /// the lock (a previous handle in this process that sled is still closing, sled#1289,
    /// or another process), retries [`OPEN_ATTEMPTS`] times [`OPEN_RETRY_DELAY`] apart.
    ///
    /// # Errors
    /// [`StoreError::Locked`] after the retries, [`StoreError::Corrupt`] for damaged files,
    /// [`StoreError::Io`] otherwise.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        if path.exists() && !path.is_dir() {
            return Err(StoreError::Corrupt {
                detail: format!("{} is not a directory", path.display()),
            });
        }
        let mut attempt = 0;
        let db = loop {
            attempt += 1;
            match open_once(path) {
                Ok(db) => break db,
                Err(StoreError::Locked { .. }) if attempt < OPEN_ATTEMPTS => {
                    tracing::debug!(attempt, path = %path.display(), "store locked, retrying");
                    std::thread::sleep(OPEN_RETRY_DELAY);
                }
                Err(e) => return Err(e),
            }
        };
        let mut trees = HashMap::with_capacity(Tree::ALL.len());
        for tree in Tree::ALL {
            trees.insert(tree, db.open_tree(tree.name()).map_err(map_sled)?);
        }
        tracing::info!(path = %path.display(), recovered = db.was_recovered(), "store opened");
        Ok(Self {
            path: path.to_path_buf(),
            db,
            trees,
            applied: AtomicU64::new(0),
            flush: Mutex::new(FlushState::default()),
            flushed: Condvar::new(),
        })
    }

    /// The directory the store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many group-commit flushes (fsyncs) have run since open.
    pub fn flush_count(&self) -> u64 {
        self.lock_flush().flushes
    }

    /// Flushes everything applied so far (used on shutdown).
    ///
    /// # Errors
    /// [`StoreError::Io`] if sled cannot write.
    pub fn flush(&self) -> Result<(), StoreError> {
        let ticket = WriteTicket(self.applied.load(Ordering::SeqCst));
        self.wait_durable(ticket)
    }

    fn tree(&self, tree: Tree) -> Result<&sled::Tree, StoreError> {
        self.trees.get(&tree).ok_or_else(|| StoreError::Corrupt {
            detail: format!("tree {} was not opened", tree.name()),
        })
    }

    fn lock_flush(&self) -> MutexGuard<'_, FlushState> {
        // A poisoned lock only means a flusher panicked; the counters stay meaningful.
        self.flush
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        if let Err(e) = self.db.flush() {
            tracing::warn!(error = %e, "final store flush failed");
        }
    }
}

/// The trees some batches touch, each once, and the position of each in the transaction.
fn batch_trees(batches: &[&Batch]) -> BTreeMap<Tree, usize> {
    let mut set: BTreeMap<Tree, usize> = BTreeMap::new();
    for batch in batches {
        let touched = batch
            .guards
            .iter()
            .map(|g| g.tree)
            .chain(batch.ops.iter().map(|op| match op {
                Op::Put { tree, .. } | Op::Delete { tree, .. } => *tree,
            }));
        for t in touched {
            set.insert(t, 0);
        }
    }
    for (i, v) in set.values_mut().enumerate() {
        *v = i;
    }
    set
}

fn put_len_prefixed(ctx: &mut Context, bytes: &[u8]) {
    ctx.update(&(bytes.len() as u64).to_be_bytes());
    ctx.update(bytes);
}

impl Store for SledStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tree(tree)?
            .get(key)
            .map_err(map_sled)?
            .map(|v| v.to_vec()))
    }

    fn scan(
        &self,
        tree: Tree,
        prefix: &[u8],
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<KeyValue>, StoreError> {
        let t = self.tree(tree)?;
        let start = match after {
            Some(a) if a >= prefix => Bound::Excluded(a.to_vec()),
            _ => Bound::Included(prefix.to_vec()),
        };
        let mut out = Vec::new();
        for item in t.range::<Vec<u8>, _>((start, Bound::Unbounded)) {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(map_sled)?;
            if !k.starts_with(prefix) {
                break;
            }
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn count(&self, tree: Tree) -> Result<u64, StoreError> {
        Ok(self.tree(tree)?.len() as u64)
    }

    fn apply(&self, batch: Batch) -> Result<WriteTicket, StoreError> {
        self.apply_all(&[&batch])
    }

    fn apply_all(&self, batches: &[&Batch]) -> Result<WriteTicket, StoreError> {
        let positions = batch_trees(batches);
        if positions.is_empty() {
            return Ok(WriteTicket(self.applied.load(Ordering::SeqCst)));
        }
        let mut trees = Vec::with_capacity(positions.len());
        for t in positions.keys() {
            trees.push(self.tree(*t)?.clone());
        }
        let result = trees.as_slice().transaction(|view| {
            let at = |tree: Tree| {
                positions
                    .get(&tree)
                    .and_then(|i| view.get(*i))
                    // `positions` lists every tree of the batches and `view` has one
                    // entry per element of `trees`, built from `positions` in order.
                    .expect("every batch tree is in the transaction")
            };
            // Every guard first, against the state before any write of the transaction.
            for guard in batches.iter().flat_map(|b| &b.guards) {
                let current = at(guard.tree).get(&guard.key)?;
                if current.as_deref() != guard.expected.as_deref() {
                    return Err(ConflictableTransactionError::Abort(guard.tree));
                }
            }
            for op in batches.iter().flat_map(|b| &b.ops) {
                match op {
                    Op::Put { tree, key, value } => {
                        at(*tree).insert(key.as_slice(), value.as_slice())?;
                    }
                    Op::Delete { tree, key } => {
                        at(*tree).remove(key.as_slice())?;
                    }
                }
            }
            Ok(())
        });
        match result {
            Ok(()) => Ok(WriteTicket(self.applied.fetch_add(1, Ordering::SeqCst) + 1)),
            Err(TransactionError::Abort(tree)) => Err(StoreError::Conflict { tree }),
            Err(TransactionError::Storage(e)) => Err(map_sled(e)),
        }
    }

    fn wait_durable(&self, ticket: WriteTicket) -> Result<(), StoreError> {
        let mut state = self.lock_flush();
        loop {
            if state.durable >= ticket.0 {
                return Ok(());
            }
            if state.flushing {
                state = self
                    .flushed
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            }
            state.flushing = true;
            let target = self.applied.load(Ordering::SeqCst);
            drop(state);
            let result = self.db.flush();
            state = self.lock_flush();
            state.flushing = false;
            state.flushes += 1;
            if result.is_ok() {
                state.durable = state.durable.max(target);
            }
            self.flushed.notify_all();
            if let Err(e) = result {
                tracing::error!(error = %e, "store flush failed");
                return Err(map_sled(e));
            }
        }
    }

    fn digest(&self) -> Result<[u8; 32], StoreError> {
        let mut ctx = Context::new(&SHA256);
        for tree in Tree::ALL {
            for item in self.tree(tree)?.iter() {
                let (k, v) = item.map_err(map_sled)?;
                put_len_prefixed(&mut ctx, tree.name().as_bytes());
                put_len_prefixed(&mut ctx, &k);
                put_len_prefixed(&mut ctx, &v);
            }
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        Ok(out)
    }
}
