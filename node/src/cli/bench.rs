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

/// `hcx bench verify`: online verification over HTTP on loopback, load from `wrk` with
/// many terminal tokens (each under its own per-token rate limit), cycling through them.
/// Prints wrk's report and the client's CPU time (bash `times` for wrk's process).
pub(crate) fn bench_verify(
    terminals: usize,
    seconds: u64,
    connections: usize,
) -> anyhow::Result<()> {
    use hcx_node::accounts::{OpenRequest, ReviewDecision};
    use hcx_protocol::wire::{Jurisdiction, Role};

    let tmp = tempfile::Builder::new().prefix("hcx-bench-").tempdir()?;
    let dir = tmp.path().join("region");
    let report = init_region("330000", &dir)?;
    let node = Arc::new(Node::open(&dir, Config::load(&dir)?)?);
    let load = |id: &str| -> anyhow::Result<accounts::Principal> {
        Ok(
            accounts::load_account(node.store.as_ref(), &AccountId(id.to_owned()))?
                .context("account")?
                .principal(),
        )
    };
    let (a, b) = (
        load(&report.admins[0].account)?,
        load(&report.admins[1].account)?,
    );
    eprintln!("opening {terminals} terminal accounts...");
    let mut tokens = Vec::with_capacity(terminals);
    for i in 0..terminals {
        let now = node.clock.now();
        let req = OpenRequest {
            role: Role::Terminal,
            jurisdiction: Jurisdiction::new("3301").context("j")?,
            public_key: None,
            label: format!("gate {i}"),
        };
        let opened = accounts::open_account(node.store.as_ref(), &a, req, now, &node.rng)?;
        node.audit
            .commit(node.store.as_ref(), opened.batch, &opened.log)?;
        let reviewed = accounts::review_account(
            node.store.as_ref(),
            &b,
            &opened.account.id,
            ReviewDecision::Approve,
            now,
        )?;
        node.audit
            .commit(node.store.as_ref(), reviewed.batch, &reviewed.log)?;
        tokens.push(opened.token);
    }
    let holder = node.register_holder(
        &a,
        RegisterRequest {
            name: "张三".into(),
            doc_type: DocType::Passport,
            country: "FRA".into(),
            number: "B12345678".into(),
            phone: None,
            guardian: None,
            jurisdiction: Some("330106".into()),
        },
    )?;
    let holder_p = load(&holder.holder.account)?;
    let code = node.issue_code(&holder_p, &IssueRequest::default())?;
    let script = tmp.path().join("verify.lua");
    let token_list = tokens
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(",");
    std::fs::write(
        &script,
        format!(
            "local tokens = {{{token_list}}}\nlocal i = 0\nwrk.method = \"POST\"\nwrk.body = '{{\"text\":\"{}\"}}'\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\n\
             request = function()\n  i = i + 1\n  wrk.headers[\"Authorization\"] = \"Bearer \" .. tokens[(i % #tokens) + 1]\n  return wrk.format(nil, \"/v1/verify\")\nend\n",
            code.text
        ),
    )?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(hcx_node::server::run(Arc::clone(&node), listener, async {
            let _ = rx.await;
        }));
        let cmd = format!(
            "wrk -t1 -c{connections} -d{seconds}s -s {} {url}; times",
            script.display()
        );
        eprintln!("running: {cmd}");
        let out = tokio::process::Command::new("bash")
            .arg("-c")
            .arg(&cmd)
            .output()
            .await
            .context("running wrk (install Debian's wrk)")?;
        println!("{}", String::from_utf8_lossy(&out.stdout));
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        let _ = tx.send(());
        server.await??;
        anyhow::Ok(())
    })?;
    Ok(())
}
