//! Background upkeep of a running node, on the node's clock: once a minute it purges
//! expired idempotency records and counter buckets past the longest window; once per
//! Asia/Shanghai day it starts a new vault epoch (so shredding one holder re-wraps at
//! most a day's registrations). Each pass is bounded and logs what it did.

use std::sync::Arc;
use std::time::Duration;

use crate::node::Node;

/// Seconds between passes.
pub const PASS_INTERVAL_SECS: u64 = 60;
/// Most records one pass purges from each tree.
pub const PURGE_MAX: usize = 10_000;
/// How long an idempotency record is kept.
pub const IDEMPOTENCY_TTL_SECS: u64 = 24 * 3600;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    /// Idempotency records deleted.
    pub idempotency_purged: usize,
    /// Whether counter buckets were pruned.
    pub counters_pruned: bool,
    /// The new vault epoch, if one was started.
    pub rotated_to: Option<u64>,
}

/// One maintenance pass at the node's current time; `last_day` is the Shanghai day of the
/// last epoch rotation (updated when this pass rotates).
pub fn pass(node: &Node, last_day: &mut u64) -> PassReport {
    let now = node.clock.now();
    let mut report = PassReport::default();
    match crate::api::idempotency::purge_expired(
        node.store.as_ref(),
        now,
        IDEMPOTENCY_TTL_SECS,
        PURGE_MAX,
    ) {
        Ok(n) => report.idempotency_purged = n,
        Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
    }
    let cfg = node.authz_config();
    match crate::authz::prune_counters(node.store.as_ref(), now, &cfg, PURGE_MAX) {
        Ok(batch) if !batch.is_empty() => match node.store.commit(batch) {
            Ok(_) => report.counters_pruned = true,
            Err(e) => tracing::warn!(error = %e, "counter prune failed"),
        },
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "counter prune failed"),
    }
    let today = crate::clock::shanghai_day(now);
    if today > *last_day {
        match node.vault.rotate() {
            Ok(epoch) => {
                *last_day = today;
                report.rotated_to = Some(epoch);
            }
            Err(e) => tracing::warn!(error = %e, "vault epoch rotation failed"),
        }
    }
    if report != PassReport::default() {
        tracing::info!(?report, "maintenance pass");
    }
    report
}

/// Runs passes every [`PASS_INTERVAL_SECS`] until the task is dropped.
pub async fn run(node: Arc<Node>) {
    let mut last_day = crate::clock::shanghai_day(node.clock.now());
    let mut tick = tokio::time::interval(Duration::from_secs(PASS_INTERVAL_SECS));
    tick.tick().await;
    loop {
        tick.tick().await;
        let n = Arc::clone(&node);
        let mut day = last_day;
        match tokio::task::spawn_blocking(move || {
            pass(&n, &mut day);
            day
        })
        .await
        {
            Ok(d) => last_day = d,
            Err(e) => tracing::error!(error = %e, "maintenance pass panicked"),
        }
    }
}
