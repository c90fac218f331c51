//! Rolling-window transcode counters, per actor and per jurisdiction, in
//! `Tree::Counters`. Every *target* counts (a batch of ten codes adds ten), so a list
//! split into small batches reaches the same totals as the list.
//!
//! Layout: key `a:` ‖ actor id ‖ `0x00` ‖ bucket start (u64 big-endian), or `j:` ‖
//! jurisdiction digits ‖ `0x00` ‖ bucket start; value a u64 big-endian count. Bucket
//! start = `now - now % bucket_secs`. A window of `secs` at `now` sums every bucket
//! that overlaps `(now - secs, now]`, so it may include up to one bucket more than the
//! window: counts round up, never down. Increments are guarded read-modify-writes, so
//! two concurrent transcodes conflict (and retry) rather than both slipping under a
//! threshold. [`prune_counters`] deletes buckets older than the longest window.
//!
//! Not here: what happens past a threshold (`super::quorum`).

use std::collections::BTreeMap;

use hcx_protocol::wire::Jurisdiction;

use super::{AuthzConfig, AuthzError};
use crate::accounts::AccountId;
use crate::store::{Batch, Store, Tree};

/// Counts already recorded in each configured window (before the action at hand).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowCounts {
    /// One entry per configured window, in config order.
    pub windows: Vec<WindowCount>,
}

/// The counts of one window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WindowCount {
    /// Window length, seconds.
    pub secs: u64,
    /// Targets the actor transcoded in the window.
    pub actor: u64,
    /// Targets transcoded in the window, per counted jurisdiction (only those the
    /// action at hand touches).
    pub jurisdictions: BTreeMap<String, u64>,
}

/// The jurisdiction a target is counted under: its first `digits` digits.
pub fn counted_jurisdiction(target: &Jurisdiction, digits: usize) -> String {
    let s = target.as_str();
    s.get(..digits).unwrap_or(s).to_owned()
}

/// Targets per counted jurisdiction.
pub fn per_jurisdiction(targets: &[Jurisdiction], digits: usize) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for t in targets {
        *m.entry(counted_jurisdiction(t, digits)).or_insert(0) += 1;
    }
    m
}

fn series_prefix(kind: u8, name: &str) -> Vec<u8> {
    let mut k = vec![kind, b':'];
    k.extend_from_slice(name.as_bytes());
    k.push(0);
    k
}

fn bucket_key(prefix: &[u8], bucket: u64) -> Vec<u8> {
    [prefix, &bucket.to_be_bytes()].concat()
}

fn be_u64(bytes: &[u8]) -> Result<u64, AuthzError> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| AuthzError::Corrupt {
            tree: Tree::Counters,
            detail: "expected a big-endian u64".into(),
        })
}

fn bucket_of(key: &[u8]) -> Result<u64, AuthzError> {
    key.len()
        .checked_sub(8)
        .and_then(|i| key.get(i..))
        .ok_or(AuthzError::Corrupt {
            tree: Tree::Counters,
            detail: "counter key too short".into(),
        })
        .and_then(be_u64)
}

/// Sums one series over every window: `out[i]` for `cfg.windows[i]`.
fn sum_series(
    store: &dyn Store,
    prefix: &[u8],
    now: u64,
    cfg: &AuthzConfig,
) -> Result<Vec<u64>, AuthzError> {
    let b = cfg.bucket_secs.max(1);
    let earliest = now.saturating_sub(cfg.longest_window());
    let first_bucket = earliest - earliest % b;
    let after = first_bucket.checked_sub(1).map(|x| bucket_key(prefix, x));
    let limit = usize::try_from(cfg.longest_window() / b + 2).unwrap_or(usize::MAX);
    let rows = store.scan(Tree::Counters, prefix, after.as_deref(), limit)?;
    let mut out = vec![0u64; cfg.windows.len()];
    for (k, v) in rows {
        let bucket = bucket_of(&k)?;
        let count = be_u64(&v)?;
        for (o, w) in out.iter_mut().zip(&cfg.windows) {
            // The bucket overlaps (now - secs, now].
            if bucket.saturating_add(b) > now.saturating_sub(w.secs) && bucket <= now {
                *o = o.saturating_add(count);
            }
        }
    }
    Ok(out)
}

/// The counts recorded so far for `actor` and for the jurisdictions `targets` fall in.
///
/// # Errors
/// Store failure or corrupt counters.
pub fn read_counts(
    store: &dyn Store,
    actor: &AccountId,
    targets: &[Jurisdiction],
    now: u64,
    cfg: &AuthzConfig,
) -> Result<WindowCounts, AuthzError> {
    let actor_sums = sum_series(store, &series_prefix(b'a', actor.as_str()), now, cfg)?;
    let mut windows: Vec<WindowCount> = cfg
        .windows
        .iter()
        .zip(actor_sums)
        .map(|(w, actor)| WindowCount {
            secs: w.secs,
            actor,
            jurisdictions: BTreeMap::new(),
        })
        .collect();
    for j in per_jurisdiction(targets, cfg.jurisdiction_digits).keys() {
        let sums = sum_series(store, &series_prefix(b'j', j), now, cfg)?;
        for (w, s) in windows.iter_mut().zip(sums) {
            w.jurisdictions.insert(j.clone(), s);
        }
    }
    Ok(WindowCounts { windows })
}

fn add(store: &dyn Store, batch: &mut Batch, key: Vec<u8>, n: u64) -> Result<(), AuthzError> {
    let old = store.get(Tree::Counters, &key)?;
    let cur = old.as_deref().map_or(Ok(0), be_u64)?;
    batch.expect(Tree::Counters, key.clone(), old);
    batch.put(
        Tree::Counters,
        key,
        cur.saturating_add(n).to_be_bytes().to_vec(),
    );
    Ok(())
}

/// A guarded batch adding `targets` to the actor's and the jurisdictions' current
/// buckets. Commit it with the transcode (whether or not a quorum approved it: every
/// transcode counts).
///
/// # Errors
/// Store failure or corrupt counters.
pub fn record_transcodes(
    store: &dyn Store,
    actor: &AccountId,
    targets: &[Jurisdiction],
    now: u64,
    cfg: &AuthzConfig,
) -> Result<Batch, AuthzError> {
    let bucket = now - now % cfg.bucket_secs.max(1);
    let mut batch = Batch::new();
    if targets.is_empty() {
        return Ok(batch);
    }
    let n = targets.len() as u64;
    add(
        store,
        &mut batch,
        bucket_key(&series_prefix(b'a', actor.as_str()), bucket),
        n,
    )?;
    for (j, c) in per_jurisdiction(targets, cfg.jurisdiction_digits) {
        add(
            store,
            &mut batch,
            bucket_key(&series_prefix(b'j', &j), bucket),
            c,
        )?;
    }
    Ok(batch)
}

/// A batch deleting every bucket that ended before the longest window began (at most
/// `limit` keys; run it periodically).
///
/// # Errors
/// Store failure or corrupt counters.
pub fn prune_counters(
    store: &dyn Store,
    now: u64,
    cfg: &AuthzConfig,
    limit: usize,
) -> Result<Batch, AuthzError> {
    let horizon = now.saturating_sub(cfg.longest_window().saturating_add(cfg.bucket_secs));
    let mut batch = Batch::new();
    let mut after: Option<Vec<u8>> = None;
    while batch.ops.len() < limit {
        let page = store.scan(Tree::Counters, b"", after.as_deref(), 1024)?;
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        for (k, _) in page {
            if bucket_of(&k)? < horizon && batch.ops.len() < limit {
                batch.delete(Tree::Counters, k);
            }
        }
    }
    Ok(batch)
}
