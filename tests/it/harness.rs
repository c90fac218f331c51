//! A real region node for end-to-end tests: made by `hcx init` in a temporary folder,
//! configured with a manual clock and small quorum thresholds, served over HTTP on an
//! ephemeral loopback port, and driven with a real HTTP client.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hcx_node::config::Config;
use hcx_node::init::{InitReport, init_region, read_client_key};
use hcx_node::node::Node;
use hcx_protocol::sign::Ed25519Signer;
use hcx_protocol::wire::{
    ApprovalBody, CodeId, Commitment, Digest, EvidenceBody, EvidenceCategory, KeyId, Signed,
    WireMessage,
};
use serde_json::{Value, json};

/// The manual clock's start: the next UTC midnight after the test began, so it is
/// always after the node's creation (its code-signing key's start).
#[allow(clippy::disallowed_methods)] // the test harness picks the manual clock's start
pub(crate) fn t0() -> u64 {
    static T0: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *T0.get_or_init(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        (now / 86_400 + 1) * 86_400
    })
}

/// A running node and what the tests need to drive it.
pub(crate) struct TestNode {
    pub(crate) url: String,
    pub(crate) node: Arc<Node>,
    pub(crate) report: InitReport,
    _dir: tempfile::TempDir,
    client: reqwest::Client,
    keys: AtomicU64,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// An HTTP answer: status and JSON body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl Answer {
    #[track_caller]
    pub(crate) fn ok(self) -> Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {} {}",
            self.status,
            self.body
        );
        self.body
    }

    #[track_caller]
    pub(crate) fn refused(self, status: u16, code: &str) -> Value {
        assert_eq!(
            (self.status, self.body["code"].as_str().unwrap_or("")),
            (status, code),
            "{}",
            self.body
        );
        self.body
    }
}

impl TestNode {
    /// Starts a node for `region` with `rules` (a file under the node folder, or `None`
    /// for the region's shipped rule set) and quorum thresholds.
    pub(crate) async fn start(
        region: &str,
        rules_file: Option<(&str, &str)>,
        per_actor_per_hour: u32,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node");
        let report = init_region(region, &path).unwrap();
        let mut toml = std::fs::read_to_string(path.join("hcx.toml")).unwrap();
        toml = toml
            .replace("mode = \"system\"", "mode = \"manual\"")
            .replace("# start = 1767225600", &format!("start = {}", t0()))
            .replace(
                "per_actor_per_hour = 50",
                &format!("per_actor_per_hour = {per_actor_per_hour}"),
            )
            .replace("rate_per_second = 200", "rate_per_second = 100000")
            .replace("rate_burst = 400", "rate_burst = 100000");
        if let Some((name, text)) = rules_file {
            std::fs::write(path.join("rules").join(name), text).unwrap();
            toml = toml.replace(
                &format!("active = \"{}\"", report.rules_file),
                &format!("active = \"rules/{name}\""),
            );
        }
        std::fs::write(path.join("hcx.toml"), toml).unwrap();
        let config = Config::load(&path).unwrap();
        let node = Arc::new(Node::open(&path, config).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&node);
        let task = tokio::spawn(async move {
            hcx_node::server::run(served, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Self {
            url,
            node,
            report,
            _dir: dir,
            client: reqwest::Client::new(),
            keys: AtomicU64::new(0),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server and waits for it.
    pub(crate) async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
    }

    /// The node folder.
    pub(crate) fn folder(&self) -> std::path::PathBuf {
        self._dir.path().join("node")
    }

    pub(crate) fn admin_token(&self, i: usize) -> String {
        self.report.admins[i].token.clone()
    }

    pub(crate) fn admin_key(&self, i: usize) -> Ed25519Signer {
        read_client_key(&self.report.admins[i].key_file).unwrap()
    }

    /// POST with a fresh idempotency key.
    pub(crate) async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        let key = format!("k{}", self.keys.fetch_add(1, Ordering::SeqCst));
        self.post_with_key(path, token, &key, body).await
    }

    pub(crate) async fn post_with_key(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: Value,
    ) -> Answer {
        self.send(
            self.client
                .post(format!("{}{path}", self.url))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(&body),
        )
        .await
    }

    pub(crate) async fn post_raw(&self, path: &str, token: &str, body: &'static str) -> Answer {
        let key = format!("k{}", self.keys.fetch_add(1, Ordering::SeqCst));
        self.send(
            self.client
                .post(format!("{}{path}", self.url))
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// Declares a body of `len` bytes and sends none of it: the node must refuse on the
    /// declared length alone (a raw request, so no client races the early answer).
    pub(crate) async fn post_declared_length(&self, path: &str, token: &str, len: usize) -> u16 {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let addr = self.url.trim_start_matches("http://").to_owned();
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: big\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        let text = String::from_utf8_lossy(&buf[..n]);
        text.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    pub(crate) async fn get(&self, path: &str, token: &str) -> Answer {
        self.send(
            self.client
                .get(format!("{}{path}", self.url))
                .bearer_auth(token),
        )
        .await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer { status, body }
    }

    /// The evidence source reports `category` at `time` about `code_id` (signed with its
    /// own key); `admin` transcodes `holder` on it. Returns the holder's new status.
    #[allow(clippy::too_many_arguments)] // one step of the two-party path, all distinct
    pub(crate) async fn report_and_transcode(
        &self,
        source: (&str, &Ed25519Signer),
        admin: &str,
        holder: &str,
        code_id: &Value,
        category: u64,
        time: u64,
    ) -> Value {
        let signed = evidence(source.1, code_id.as_str().unwrap(), category, time);
        let receipt = self
            .post("/v1/evidence", source.0, json!({"signed": signed}))
            .await
            .ok();
        let t = self
            .post(
                "/v1/transcode",
                admin,
                json!({"targets": [{"holder": holder, "evidence": [receipt["evidence_id"]]}]}),
            )
            .await
            .ok();
        t["statuses"][0].clone()
    }

    /// Moves the manual clock forward.
    pub(crate) async fn advance(&self, secs: u64) {
        self.post(
            "/v1/admin/clock",
            &self.admin_token(0),
            json!({"advance": secs}),
        )
        .await
        .ok();
    }

    /// Opens an account with admin 0 (with a fresh key if `keyed`) and has admin 1
    /// approve it; returns (token, signing key).
    pub(crate) async fn open_account(
        &self,
        role: &str,
        jurisdiction: &str,
        keyed: bool,
        opener: usize,
    ) -> (String, Ed25519Signer) {
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed).unwrap();
        let key = Ed25519Signer::from_seed(&seed).unwrap();
        let mut body = json!({"role": role, "jurisdiction": jurisdiction, "label": format!("{role} {jurisdiction}")});
        if keyed {
            body["public_key"] = json!(hex::encode(key.public_bytes()));
        }
        let opened = self
            .post("/v1/accounts", &self.admin_token(opener), body)
            .await
            .ok();
        let id = opened["account"].as_str().unwrap().to_owned();
        let reviewer = 1 - opener;
        let reviewed = self
            .post(
                &format!("/v1/accounts/{id}/review"),
                &self.admin_token(reviewer),
                json!({"approve": true}),
            )
            .await
            .ok();
        assert_eq!(reviewed["state"], "active");
        (opened["token"].as_str().unwrap().to_owned(), key)
    }

    /// Registers a holder through `terminal`; returns (holder id, holder token).
    pub(crate) async fn register(
        &self,
        terminal: &str,
        name: &str,
        number: &str,
    ) -> (String, String) {
        let r = self
            .post("/v1/holders", terminal, json!({"name": name, "document_type": 1, "number": number, "jurisdiction": "330106"}))
            .await
            .ok();
        (
            r["holder_id"].as_str().unwrap().to_owned(),
            r["token"].as_str().unwrap().to_owned(),
        )
    }
}

/// A valid GB 11643 number for a sequence `n` (Hangzhou Xihu district, born 1990-01-01).
pub(crate) fn id_number(n: u32) -> String {
    gb11643(&format!("330106199001{:02}{:03}", 1 + n % 28, n % 1000))
}

/// `body` (17 digits) with its GB 11643 check character.
pub(crate) fn gb11643(body: &str) -> String {
    format!(
        "{body}{}",
        hcx_protocol::identity::gb11643::check_char(body.as_bytes()).unwrap()
    )
}

/// Evidence signed by an evidence source about a code.
pub(crate) fn evidence(
    source: &Ed25519Signer,
    code_id_hex: &str,
    category: u64,
    time: u64,
) -> String {
    let id: [u8; 16] = hex::decode(code_id_hex).unwrap().try_into().unwrap();
    let body = EvidenceBody {
        category: EvidenceCategory::from_code(category).unwrap(),
        subject: CodeId(id).hash(),
        time,
        commitment: Commitment(hcx_protocol::sign::sha256(
            format!("record {code_id_hex} {category} {time}").as_bytes(),
        )),
    };
    let kid = KeyId::derive(&source.public_bytes());
    hex::encode(Signed::sign(body, kid, source).unwrap().to_bytes())
}

/// An admin's approval of an action.
pub(crate) fn approval(admin: &Ed25519Signer, action_hex: &str, time: u64) -> String {
    let action = Digest(hex::decode(action_hex).unwrap().try_into().unwrap());
    let kid = KeyId::derive(&admin.public_bytes());
    hex::encode(
        Signed::sign(ApprovalBody { action, time }, kid, admin)
            .unwrap()
            .to_bytes(),
    )
}

/// Category codes (the rules vocabulary).
pub(crate) mod cat {
    pub(crate) const CONFIRMED: u64 = 1;
    pub(crate) const QUARANTINE_COMPLETED: u64 = 8;
    pub(crate) const FEVER: u64 = 10;
    pub(crate) const NEGATIVE_TEST: u64 = 13;
}

/// The action hash in a `quorum_required` answer.
pub(crate) fn action_of(answer: &Value) -> String {
    let msg = answer["message"].as_str().unwrap();
    msg.rsplit(' ').next().unwrap().to_owned()
}
