//! Commit combining: concurrent [`AuditLog::commit`](super::AuditLog::commit) callers
//! queue their (batch, leaves) jobs; one of them, the **leader**, takes a group of queued
//! jobs whose keys are disjoint and applies all of them plus their audit leaves
//! (consecutive indices) in **one** store transaction, waits until it is durable (the
//! store's group commit), and answers them. Jobs arriving meanwhile form the next group.
//!
//! **Owns:** the queue, leadership and its hand-off, group selection, the fallback to
//! one transaction per job.
//! **Does not own:** what an append writes (`append`), durability (the store).
//!
//! ## Protocol
//! All queue state is under one mutex: `leading` and the jobs not yet taken. A caller
//! pushes its job; if nobody leads, it becomes the leader, otherwise it sleeps on its
//! own reply slot until it receives either its result or the leadership. A leader takes
//! the queue, keeps a group (its own job, which is always at the front, plus every later
//! job whose keys clash with none already kept, up to [`MAX_GROUP_JOBS`] jobs and
//! [`MAX_GROUP_LEAVES`] leaves), and puts the rest back at the front, in order. After
//! applying and flushing (see [`durable`] for why the leader flushes), it answers every other job of the group, and then, under the mutex, either
//! hands the leadership to the job now at the front of the queue or, if the queue is
//! empty, clears `leading`. Because the check "queue empty, stop leading" and every
//! push happen under the same mutex, a job can never be left queued with nobody
//! leading, and no timeout is needed.
//!
//! ## Why keys must be disjoint
//! A transaction checks every guard against the state before it, so two batches
//! guarding or writing the same key could both pass their guards (for example two
//! status changes of one holder, each expecting the same sequence number). Such a job
//! waits for a later group. The audit log's own keys are excluded from the check (the
//! leader writes them once for the whole group); a job whose batch itself touches them
//! (none does today) is applied alone.
//!
//! ## Failures
//! If the combined transaction fails (a guard no longer holds, or a store error), the
//! leader applies the group's jobs one by one, so each caller gets its own result and a
//! refused job writes nothing. If the leader panics, its guard answers the group with
//! [`AuditError::Interrupted`] and hands the leadership on.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::append::{self, Appended};
use super::{AuditError, AuditReceipt, SIZE_KEY};
use crate::store::{Batch, Op, Store, Tree};

/// The most jobs one combined transaction takes.
pub const MAX_GROUP_JOBS: usize = 256;

/// The most audit leaves one combined transaction appends (a single job may bring up to
/// [`super::MAX_ENTRIES_PER_COMMIT`] on its own).
pub const MAX_GROUP_LEAVES: usize = 4096;

/// What a waiting caller receives.
#[derive(Debug)]
enum Reply {
    /// The job was applied (not yet durable) or refused.
    Done(Result<AuditReceipt, AuditError>),
    /// The caller is now the leader; its job is at the front of the queue.
    Lead,
}

/// One caller's reply slot.
#[derive(Debug, Default)]
struct Slot {
    reply: Mutex<Option<Reply>>,
    ready: Condvar,
}

impl Slot {
    fn send(&self, reply: Reply) {
        *self.reply.lock().unwrap_or_else(PoisonError::into_inner) = Some(reply);
        self.ready.notify_one();
    }

    fn wait(&self) -> Reply {
        let mut r = self.reply.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(reply) = r.take() {
                return reply;
            }
            r = self.ready.wait(r).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A queued commit.
#[derive(Debug)]
struct Job {
    batch: Batch,
    leaves: Vec<Vec<u8>>,
    slot: Arc<Slot>,
}

#[derive(Debug, Default)]
struct Queue {
    leading: bool,
    jobs: VecDeque<Job>,
}

/// The combining appender (one per [`AuditLog`](super::AuditLog)).
#[derive(Debug, Default)]
pub(super) struct Combiner {
    queue: Mutex<Queue>,
}

impl Combiner {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned queue only means a thread panicked while holding it; the queue is
        // consistent after every statement that changes it.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `batch` with `leaves` (validated canonical entries) appended to the log,
    /// combined with concurrent callers' jobs where possible, and waits until durable.
    pub(super) fn submit(
        &self,
        store: &dyn Store,
        batch: Batch,
        leaves: Vec<Vec<u8>>,
    ) -> Result<AuditReceipt, AuditError> {
        let slot = Arc::new(Slot::default());
        let lead = {
            let mut q = self.lock();
            q.jobs.push_back(Job {
                batch,
                leaves,
                slot: Arc::clone(&slot),
            });
            !std::mem::replace(&mut q.leading, true)
        };
        if !lead {
            match slot.wait() {
                Reply::Done(result) => return result,
                Reply::Lead => {}
            }
        }
        self.lead(store, &slot)
    }

    /// Runs one group as the leader; returns the leader's own result.
    fn lead(&self, store: &dyn Store, own: &Arc<Slot>) -> Result<AuditReceipt, AuditError> {
        let group = {
            let mut q = self.lock();
            let (group, rest) = select(q.jobs.drain(..).collect());
            for job in rest.into_iter().rev() {
                q.jobs.push_front(job);
            }
            group
        };
        let mut handoff = Handoff {
            combiner: self,
            unanswered: group.iter().map(|j| Arc::clone(&j.slot)).collect(),
            own: Arc::clone(own),
            passed: false,
        };
        let results = durable(store, apply_group(store, &group));
        // Hand on first: the next leader wakes while this one answers its group.
        handoff.pass_on();
        let mut mine = None;
        for (job, result) in group.iter().zip(results) {
            if Arc::ptr_eq(&job.slot, own) {
                mine = Some(result);
            } else {
                job.slot.send(Reply::Done(result));
            }
        }
        handoff.unanswered.clear();
        drop(handoff);
        // The leader's job is at the front of the queue when it selects, and the first
        // job is always kept.
        mine.unwrap_or(Err(AuditError::Interrupted))
    }
}

/// Hands the leadership on when the leader is done, and on a panic answers the jobs of
/// its group that were not answered yet.
struct Handoff<'a> {
    combiner: &'a Combiner,
    unanswered: Vec<Arc<Slot>>,
    own: Arc<Slot>,
    passed: bool,
}

impl Handoff<'_> {
    /// Gives the leadership to the job at the front of the queue, or clears `leading`.
    fn pass_on(&mut self) {
        if std::mem::replace(&mut self.passed, true) {
            return;
        }
        let mut q = self.combiner.lock();
        match q.jobs.front() {
            Some(next) => next.slot.send(Reply::Lead),
            None => q.leading = false,
        }
    }
}

impl Drop for Handoff<'_> {
    fn drop(&mut self) {
        self.pass_on();
        for slot in self.unanswered.drain(..) {
            if !Arc::ptr_eq(&slot, &self.own) {
                slot.send(Reply::Done(Err(AuditError::Interrupted)));
            }
        }
    }
}

/// Whether a key is the audit log's own (written once per group by the leader).
fn is_audit_key(tree: Tree, key: &[u8]) -> bool {
    matches!(tree, Tree::AuditLog | Tree::AuditTree) || (tree == Tree::Meta && key == SIZE_KEY)
}

/// Every key a batch guards or writes.
fn all_keys(batch: &Batch) -> impl Iterator<Item = (Tree, &[u8])> {
    batch
        .guards
        .iter()
        .map(|g| (g.tree, g.key.as_slice()))
        .chain(batch.ops.iter().map(|op| match op {
            Op::Put { tree, key, .. } | Op::Delete { tree, key } => (*tree, key.as_slice()),
        }))
}

/// Every key a batch guards or writes, except the audit log's own.
fn keys(batch: &Batch) -> impl Iterator<Item = (Tree, &[u8])> {
    all_keys(batch).filter(|(t, k)| !is_audit_key(*t, k))
}

/// Splits the queued jobs into the group to apply now (the first job, then every job
/// whose keys clash with no kept job, within the limits) and the rest, both in order.
fn select(jobs: Vec<Job>) -> (Vec<Job>, Vec<Job>) {
    let mut keep = Vec::with_capacity(jobs.len());
    {
        let mut seen: HashSet<(Tree, &[u8])> = HashSet::new();
        let (mut count, mut leaves, mut closed) = (0usize, 0usize, false);
        for job in &jobs {
            // A batch touching the audit log's own keys is never combined.
            let own_audit = all_keys(&job.batch).any(|(t, k)| is_audit_key(t, k));
            let take = count == 0
                || (!closed
                    && !own_audit
                    && count < MAX_GROUP_JOBS
                    && leaves + job.leaves.len() <= MAX_GROUP_LEAVES
                    && keys(&job.batch).all(|k| !seen.contains(&k)));
            if take {
                seen.extend(keys(&job.batch));
                count += 1;
                leaves += job.leaves.len();
                closed |= own_audit;
            }
            keep.push(take);
        }
    }
    let (mut group, mut rest) = (Vec::new(), Vec::new());
    for (job, take) in jobs.into_iter().zip(keep) {
        if take {
            group.push(job);
        } else {
            rest.push(job);
        }
    }
    (group, rest)
}

/// Waits until every applied job of a group is durable (the store's group commit). The
/// leader flushes before answering and before handing on the leadership: with sled a
/// flush holds off transactions anyway, so the next group gathers while this one is
/// flushed and is applied in one go right after. If the flush fails, every applied job
/// gets the failure (its write may or may not reach the disk).
fn durable(
    store: &dyn Store,
    mut results: Vec<Result<AuditReceipt, AuditError>>,
) -> Vec<Result<AuditReceipt, AuditError>> {
    let last = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.ticket))
        .max();
    if let Some(ticket) = last
        && let Err(e) = store.wait_durable(ticket)
    {
        for r in &mut results {
            if r.is_ok() {
                *r = Err(AuditError::Store(e.clone()));
            }
        }
    }
    results
}

/// Applies the jobs as one transaction; if that fails, one transaction each.
fn apply_group(store: &dyn Store, group: &[Job]) -> Vec<Result<AuditReceipt, AuditError>> {
    if group.len() > 1 {
        match apply_together(store, group) {
            Ok(receipts) => return receipts.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::debug!(jobs = group.len(), error = %e, "combined audit commit refused; applying one by one");
            }
        }
    }
    group
        .iter()
        .map(|job| {
            apply_together(store, std::slice::from_ref(job))
                .map(|mut r| r.pop().ok_or(AuditError::Interrupted))?
        })
        .collect()
}

/// One transaction: every job's batch plus the audit append of all their leaves.
fn apply_together(store: &dyn Store, jobs: &[Job]) -> Result<Vec<AuditReceipt>, AuditError> {
    let leaves: Vec<&[Vec<u8>]> = jobs.iter().map(|j| j.leaves.as_slice()).collect();
    let (audit, appended) = append::stage(store, &leaves)?;
    let mut batches: Vec<&Batch> = jobs.iter().map(|j| &j.batch).collect();
    batches.push(&audit);
    let ticket = store.apply_all(&batches)?;
    Ok(appended
        .into_iter()
        .map(
            |Appended {
                 first_index,
                 size,
                 root,
             }| AuditReceipt {
                ticket,
                first_index,
                size,
                root,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    //! Deterministic tests of group selection and the fallback, on a real sled store
    //! (the concurrent behaviour is tested in `audit::tests`).

    use hcx_protocol::merkle::{MemoryTree, leaf_hash};
    use hcx_protocol::wire::WireMessage;

    use super::*;
    use crate::store::{SledStore, StoreError};

    fn leaf(n: u64) -> Vec<u8> {
        crate::audit::tests::entry(n).to_bytes()
    }

    fn job(batch: Batch, leaves: Vec<Vec<u8>>) -> Job {
        Job {
            batch,
            leaves,
            slot: Arc::new(Slot::default()),
        }
    }

    fn put(key: &[u8]) -> Batch {
        let mut b = Batch::new();
        b.put(Tree::Codes, key.to_vec(), b"v".to_vec());
        b
    }

    #[test]
    fn select_keeps_disjoint_jobs_and_defers_clashing_ones_in_order() {
        let mut guarded = Batch::new();
        guarded.expect(Tree::Codes, b"a".to_vec(), None);
        // A batch touching an audit key is applied alone.
        let mut audit_too = put(b"d");
        audit_too.put(Tree::Meta, SIZE_KEY.to_vec(), b"x".to_vec());
        let jobs = vec![
            job(put(b"a"), vec![leaf(0)]),
            job(put(b"b"), vec![leaf(1)]),
            job(guarded, vec![leaf(2)]),
            job(put(b"b"), vec![leaf(3)]),
            job(audit_too, vec![leaf(4)]),
            job(put(b"c"), vec![leaf(5)]),
        ];
        let (group, rest) = select(jobs);
        let firsts = |v: &[Job]| v.iter().map(|j| j.leaves[0].clone()).collect::<Vec<_>>();
        assert_eq!(firsts(&group), vec![leaf(0), leaf(1), leaf(5)]);
        assert_eq!(firsts(&rest), vec![leaf(2), leaf(3), leaf(4)]);
        // At the front, it is taken, and nothing after it.
        let (group, rest) = select(rest);
        assert_eq!(firsts(&group), vec![leaf(2), leaf(3)]);
        assert_eq!(firsts(&rest), vec![leaf(4)]);
        let mut audit_first = put(b"e");
        audit_first.expect(Tree::AuditLog, 0u64.to_be_bytes().to_vec(), None);
        let (group, rest) = select(vec![
            job(audit_first, vec![leaf(6)]),
            job(put(b"f"), vec![leaf(7)]),
        ]);
        assert_eq!(firsts(&group), vec![leaf(6)]);
        assert_eq!(firsts(&rest), vec![leaf(7)]);
    }

    #[test]
    fn select_respects_the_leaf_limit_but_always_keeps_the_first() {
        let big: Vec<Vec<u8>> = (0..MAX_GROUP_LEAVES as u64).map(leaf).collect();
        let (group, rest) = select(vec![job(put(b"a"), big), job(put(b"b"), vec![leaf(9)])]);
        assert_eq!((group.len(), rest.len()), (1, 1));
    }

    #[test]
    fn a_refused_job_in_a_group_falls_back_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path().join("store")).unwrap();
        let mut refused = put(b"loser");
        refused.expect(Tree::Accounts, b"k".to_vec(), Some(b"absent".to_vec()));
        let group = vec![
            job(put(b"one"), vec![leaf(1), leaf(2)]),
            job(refused, vec![leaf(3)]),
            job(put(b"three"), vec![leaf(4)]),
        ];
        let results = apply_group(&store, &group);
        assert!(matches!(
            results[1],
            Err(AuditError::Store(StoreError::Conflict {
                tree: Tree::Accounts
            }))
        ));
        let (a, c) = (results[0].as_ref().unwrap(), results[2].as_ref().unwrap());
        let mem =
            MemoryTree::from_leaf_hashes([leaf(1), leaf(2), leaf(4)].iter().map(|l| leaf_hash(l)));
        assert_eq!((a.first_index, a.size), (0, 2));
        assert_eq!((c.first_index, c.size), (2, 3));
        assert_eq!(c.root, mem.root());
        assert_eq!(store.get(Tree::Codes, b"loser").unwrap(), None);
        assert!(store.get(Tree::Codes, b"three").unwrap().is_some());
    }

    #[test]
    fn a_combined_group_is_one_transaction_with_consecutive_leaves() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path().join("store")).unwrap();
        let group: Vec<Job> = (0..5u64)
            .map(|i| job(put(&i.to_be_bytes()), vec![leaf(i)]))
            .collect();
        let results = apply_group(&store, &group);
        let mut mem = MemoryTree::new();
        let ticket = results[0].as_ref().unwrap().ticket;
        for (i, r) in results.iter().enumerate() {
            let r = r.as_ref().unwrap();
            mem.push_leaf(&leaf(i as u64));
            assert_eq!(r.ticket, ticket, "one transaction, one ticket");
            assert_eq!((r.first_index, r.size), (i as u64, i as u64 + 1));
            assert_eq!(r.root, mem.root());
        }
    }
}
