//! `hcx up`: a ready region in a temporary folder. It makes the region (`hcx init`),
//! starts the node, opens sample accounts (a terminal, a health-feed evidence source, a
//! Hangzhou level-2 admin), registers two holders and a dependant, issues a first code,
//! and prints the node's URL and a walkthrough of curl lines that work as printed.
//! Ctrl-C stops it and removes the folder. With `--check`, it runs every walkthrough line
//! itself (with `sh` and `curl`), checks each answer, and exits: CI runs that.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use hcx_node::accounts::{self, AccountId, OpenRequest, Principal, ReviewDecision};
use hcx_node::config::Config;
use hcx_node::init::{init_region, read_client_key, write_client_key};
use hcx_node::issuance::{IssueRequest, RegisterRequest};
use hcx_node::node::Node;
use hcx_protocol::identity::DocType;
use hcx_protocol::sign::{Ed25519Signer, Signer as _, sha256};
use hcx_protocol::wire::{
    Commitment, EvidenceBody, EvidenceCategory, Jurisdiction, KeyId, Role, Signed, WireMessage,
};

/// One walkthrough step: what it shows, the command, and a text its output must contain.
struct Step {
    title: String,
    command: String,
    expect: &'static str,
}

pub(crate) fn up(region: &str, http: SocketAddr, check: bool) -> anyhow::Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix("hcx-up-")
        .tempdir()
        .context("making a temporary folder")?;
    let dir = tmp.path().join("region");
    let report = init_region(region, &dir)?;
    let mut config = Config::load(&dir)?;
    config.listen = http;
    config.check_listen(http)?;
    let node = Arc::new(Node::open(&dir, config)?);
    let admin_a = principal(&node, &report.admins[0].account)?;
    let admin_b = principal(&node, &report.admins[1].account)?;
    let province = &region[..2];
    let city = format!("{province}01");

    // Sample accounts: opened by admin A, reviewed by admin B (the two-person opening).
    let source_key_path = write_client_key(&dir, "health-feed", &node.rng)?.1;
    let source_key = read_client_key(&source_key_path)?;
    let admin2_key = write_client_key(&dir, "city-admin", &node.rng)?.0;
    let terminal = open(
        &node,
        &admin_a,
        &admin_b,
        Role::Terminal,
        &city,
        None,
        "gate 1",
    )?;
    let source = open(
        &node,
        &admin_a,
        &admin_b,
        Role::EvidenceSource,
        province,
        Some(&source_key),
        "health feed",
    )?;
    let admin2 = open(
        &node,
        &admin_a,
        &admin_b,
        Role::Admin(2),
        &city,
        Some(&admin2_key),
        "city admin",
    )?;
    let terminal_p = principal(&node, &terminal.0)?;

    // Holders: two residents and a dependant of the first.
    let county = format!("{city}06");
    let reg = |name: &str, number: &str, guardian: Option<String>, by: &Principal| {
        node.register_holder(
            by,
            RegisterRequest {
                name: name.into(),
                doc_type: DocType::MainlandId,
                country: String::new(),
                number: number.into(),
                phone: None,
                guardian,
                jurisdiction: Some(county.clone()),
            },
        )
    };
    let first = reg("张三", &sample_id(&county, 1), None, &terminal_p)?;
    let second = reg("李四", &sample_id(&county, 2), None, &terminal_p)?;
    let holder_token = first.token.clone().context("holder token")?;
    let holder_p = principal(&node, &first.holder.account)?;
    let dependant = reg(
        "张小三",
        &sample_id(&county, 3),
        Some(first.holder.id.clone()),
        &holder_p,
    )?;
    let code = node.issue_code(&holder_p, &IssueRequest::default())?;

    // Evidence the health feed signs on its own device: a fever seen a minute ago.
    let evidence = signed_fever(&source_key, &code.code_id, node.clock.now() - 60)?;
    let evidence_id = hex::encode(&sha256(&hex::decode(&evidence)?)[..16]);

    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(http).await.with_context(|| format!("cannot listen on {http}"))?;
        let url = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(hcx_node::server::run(Arc::clone(&node), listener, async {
            let _ = rx.await;
        }));
        let hcx = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "hcx".into());
        let steps = walkthrough(&url, &hcx, &Tokens {
            holder: holder_token,
            terminal: terminal.1.clone(),
            source: source.1.clone(),
            admin2: admin2.1.clone(),
            holder_id: first.holder.id.clone(),
            dependant_id: dependant.holder.id.clone(),
            code_text: code.text.clone(),
            evidence,
            evidence_id,
            anchor: report.operational_key.clone(),
            bundle: tmp.path().join("bundle.cose").display().to_string(),
        });
        println!("hcx up: region {} ({}) is running at {url}", report.region.code(), report.region.name());
        println!("  folder {} (removed when you stop)", dir.display());
        println!("  accounts: admins {} and {}; terminal, health feed and city admin opened and reviewed", report.admins[0].account, report.admins[1].account);
        println!("  holders: {} (with dependant {}), {}", first.holder.id, dependant.holder.id, second.holder.id);
        println!("  tokens (shown once):");
        println!("    level-1 admin A   {}", report.admins[0].token);
        println!("    level-1 admin B   {}", report.admins[1].token);
        println!("    city admin (L2)   {}", admin2.1);
        println!("    gate terminal     {}", terminal.1);
        println!("    health feed       {}   (signing key {})", source.1, source_key_path.display());
        println!("    holder {}   {}", first.holder.id, first.token.as_deref().unwrap_or(""));
        println!();
        println!("walkthrough (copy and paste):");
        for (i, s) in steps.iter().enumerate() {
            println!("\n# {}. {}\n{}", i + 1, s.title, s.command);
        }
        let outcome = if check {
            run_steps(&steps).await
        } else {
            println!("\nCtrl-C stops the node.");
            let _ = tokio::signal::ctrl_c().await;
            Ok(())
        };
        let _ = tx.send(());
        server.await??;
        outcome
    })?;
    drop(tmp);
    Ok(())
}

struct Tokens {
    holder: String,
    terminal: String,
    source: String,
    admin2: String,
    holder_id: String,
    dependant_id: String,
    code_text: String,
    evidence: String,
    evidence_id: String,
    anchor: String,
    bundle: String,
}

fn walkthrough(url: &str, hcx: &str, t: &Tokens) -> Vec<Step> {
    let post = |path: &str, token: &str, key: &str, body: &str| {
        format!(
            "curl -s -X POST {url}{path} -H 'Authorization: Bearer {token}' -H 'Idempotency-Key: {key}' -H 'Content-Type: application/json' -d '{body}'"
        )
    };
    let verify = format!(
        "curl -s -X POST {url}/v1/verify -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' -d '{{\"text\":\"{}\"}}'",
        t.terminal, t.code_text
    );
    vec![
        Step {
            title: "the node is up, and describes its API".into(),
            command: format!("curl -s {url}/healthz && curl -s {url}/openapi.json | head -c 120"),
            expect: "\"ok\"",
        },
        Step {
            title: "the holder refreshes their code (signed, verifiable offline)".into(),
            command: post("/v1/codes", &t.holder, "walkthrough-code", "{}"),
            expect: "HCX1:",
        },
        Step {
            title: "the guardian holds the dependant's code".into(),
            command: post(
                "/v1/codes",
                &t.holder,
                "walkthrough-dependant",
                &format!("{{\"holder\":\"{}\"}}", t.dependant_id),
            ),
            expect: "\"green\"",
        },
        Step {
            title: "a gate verifies the first code: valid, green, no reason shown".into(),
            command: verify.clone(),
            expect: "\"valid\"",
        },
        Step {
            title: "the health feed reports a fever, signed with its own key".into(),
            command: post(
                "/v1/evidence",
                &t.source,
                "walkthrough-evidence",
                &format!("{{\"signed\":\"{}\"}}", t.evidence),
            ),
            expect: "fever",
        },
        Step {
            title: "a city admin transcodes on that evidence: yellow, with rule and reason".into(),
            command: post(
                "/v1/transcode",
                &t.admin2,
                "walkthrough-transcode",
                &format!(
                    "{{\"targets\":[{{\"holder\":\"{}\",\"evidence\":[\"{}\"]}}]}}",
                    t.holder_id, t.evidence_id
                ),
            ),
            expect: "\"yellow\"",
        },
        Step {
            title: "the old green code no longer passes as current".into(),
            command: verify,
            expect: "status_changed",
        },
        Step {
            title: "the holder sees their colour, why, and the history".into(),
            command: format!(
                "curl -s {url}/v1/holders/me/status -H 'Authorization: Bearer {}'",
                t.holder
            ),
            expect: "\"reason\"",
        },
        Step {
            title: "a gate takes the trust bundle and verifies offline".into(),
            command: format!(
                "curl -s {url}/v1/trust-bundle -o {} && {hcx} verify --bundle {} --anchor {} '{}'; true",
                t.bundle, t.bundle, t.anchor, t.code_text
            ),
            expect: "\"result\"",
        },
        Step {
            title: "metrics for Prometheus".into(),
            command: format!("curl -s {url}/metrics | grep -m 3 hcx_"),
            expect: "hcx_",
        },
    ]
}

async fn run_steps(steps: &[Step]) -> anyhow::Result<()> {
    println!("\nchecking the walkthrough:");
    for (i, s) in steps.iter().enumerate() {
        let out = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&s.command)
            .output()
            .await
            .context("running sh")?;
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() || !text.contains(s.expect) {
            bail!(
                "walkthrough step {} ({}) did not answer as expected: {}",
                i + 1,
                s.title,
                text
            );
        }
        println!("  step {} ok: {}", i + 1, s.title);
    }
    println!("walkthrough: {} passed, 0 failed", steps.len());
    Ok(())
}

fn principal(node: &Node, account: &str) -> anyhow::Result<Principal> {
    let a = accounts::load_account(node.store.as_ref(), &AccountId(account.to_owned()))?
        .context("account")?;
    Ok(a.principal())
}

#[allow(clippy::too_many_arguments)] // a sample account has this many parts
fn open(
    node: &Node,
    opener: &Principal,
    reviewer: &Principal,
    role: Role,
    jurisdiction: &str,
    key: Option<&Ed25519Signer>,
    label: &str,
) -> anyhow::Result<(String, String)> {
    let now = node.clock.now();
    let req = OpenRequest {
        role,
        jurisdiction: Jurisdiction::new(jurisdiction).context("jurisdiction")?,
        public_key: key.map(|k| k.public_key()),
        label: label.into(),
    };
    let opened = accounts::open_account(node.store.as_ref(), opener, req, now, &node.rng)?;
    node.audit
        .commit(node.store.as_ref(), opened.batch, &opened.log)?;
    let reviewed = accounts::review_account(
        node.store.as_ref(),
        reviewer,
        &opened.account.id,
        ReviewDecision::Approve,
        now,
    )?;
    node.audit
        .commit(node.store.as_ref(), reviewed.batch, &reviewed.log)?;
    Ok((opened.account.id.0, opened.token))
}

fn signed_fever(source: &Ed25519Signer, code_id: &str, time: u64) -> anyhow::Result<String> {
    let id: [u8; 16] = hex::decode(code_id)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("code id"))?;
    let body = EvidenceBody {
        category: EvidenceCategory::FEVER,
        subject: hcx_protocol::wire::CodeId(id).hash(),
        time,
        commitment: Commitment(sha256(
            format!("clinic record for {code_id} at {time}").as_bytes(),
        )),
    };
    let kid = KeyId::derive(&source.public_bytes());
    Ok(hex::encode(Signed::sign(body, kid, source)?.to_bytes()))
}

/// A valid GB 11643 number in `county` (born 1990-01-0n).
fn sample_id(county: &str, n: u32) -> String {
    let body = format!("{county}1990010{n}{:03}", 100 + n);
    let check = hcx_protocol::identity::gb11643::check_char(body.as_bytes()).unwrap_or('0');
    format!("{body}{check}")
}
