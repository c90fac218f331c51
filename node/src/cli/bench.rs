//! `hcx bench issue`: issuance throughput, durable. Makes a region in a temporary folder,
//! registers holders, then issues codes from several threads through the same service
//! the HTTP route calls; every code is acknowledged only after its batch (code, status,
//! audit leaf) is flushed by group commit. Prints codes per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use hcx_node::accounts::{self, AccountId};
use hcx_node::config::Config;
use hcx_node::init::init_region;
use hcx_node::issuance::{IssueRequest, RegisterRequest};
use hcx_node::node::Node;
use hcx_protocol::identity::DocType;

pub(crate) fn bench_issue(codes: usize, holders: usize, threads: usize) -> anyhow::Result<()> {
    let tmp = tempfile::Builder::new().prefix("hcx-bench-").tempdir()?;
    let dir = tmp.path().join("region");
    let report = init_region("330000", &dir)?;
    let node = Arc::new(Node::open(&dir, Config::load(&dir)?)?);
    let admin = accounts::load_account(
        node.store.as_ref(),
        &AccountId(report.admins[0].account.clone()),
    )?
    .context("admin")?
    .principal();
    eprintln!("registering {holders} holders (Argon2id binding each)...");
    let mut principals = Vec::with_capacity(holders);
    for i in 0..holders {
        let r = node.register_holder(
            &admin,
            RegisterRequest {
                name: "张三".into(),
                doc_type: DocType::Passport,
                country: "FRA".into(),
                number: format!("B{i:08}"),
                phone: None,
                guardian: None,
                jurisdiction: Some("330106".into()),
            },
        )?;
        let a = accounts::load_account(node.store.as_ref(), &AccountId(r.holder.account.clone()))?
            .context("holder")?;
        principals.push(a.principal());
    }
    let principals = Arc::new(principals);
    let next = Arc::new(AtomicUsize::new(0));
    eprintln!("issuing {codes} codes from {threads} threads...");
    let start = node_clock_instant();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (node, principals, next) = (
                Arc::clone(&node),
                Arc::clone(&principals),
                Arc::clone(&next),
            );
            std::thread::spawn(move || -> anyhow::Result<()> {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= codes {
                        return Ok(());
                    }
                    let p = &principals[i % principals.len()];
                    node.issue_code(p, &IssueRequest::default())?;
                }
            })
        })
        .collect();
    for w in workers {
        w.join().map_err(|_| anyhow::anyhow!("worker panicked"))??;
    }
    let secs = start.elapsed().as_secs_f64();
    let size = node.audit.size(node.store.as_ref())?;
    println!(
        "issued {codes} codes in {secs:.2} s: {:.0} codes/s durable ({threads} threads, {holders} holders, audit log now {size} leaves)",
        codes as f64 / secs
    );
    Ok(())
}

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn node_clock_instant() -> std::time::Instant {
    std::time::Instant::now()
}
