//! Tests of the API infrastructure through the router itself (`tower::ServiceExt::oneshot`,
//! no socket), on a real sled store in a temporary directory, with a small example API
//! (`/v1/things`) built the way the node's domain routes are. The token table
//! ([`TableAuth`]) is the only stand-in: accounts implement [`Authenticator`] for real.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hcx_protocol::wire::{Jurisdiction, Role};
use prometheus_client::metrics::gauge::Gauge;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use super::*;
use crate::accounts::{AccountId, Principal, PrincipalKind};
use crate::clock::Clock;
use crate::store::{Batch, SledStore, Store, Tree};

mod docs;
mod errors;
mod limits;
mod replay;

#[derive(Debug)]
struct TableAuth(HashMap<String, Principal>);

impl Authenticator for TableAuth {
    fn authenticate(&self, token: &str, _now: u64) -> Result<Principal, AuthFailure> {
        self.0.get(token).cloned().ok_or(AuthFailure::UnknownToken)
    }
}

fn principal(id: &str, role: Role) -> Principal {
    Principal {
        account: AccountId(id.to_owned()),
        kind: PrincipalKind::Staff(role),
        jurisdiction: Jurisdiction::new("330000").unwrap(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct NewThing {
    name: String,
    size: u64,
}

impl ApiSchema for NewThing {
    fn schema() -> Schema {
        Schema::object("NewThing")
            .field::<String>("name")
            .field::<u64>("size")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Thing {
    name: String,
    size: u64,
    owner: String,
}

impl ApiSchema for Thing {
    fn schema() -> Schema {
        Schema::object("Thing")
            .field::<String>("name")
            .field::<u64>("size")
            .field::<String>("owner")
    }
}

#[derive(Debug, Clone)]
struct TestState {
    executions: Arc<AtomicUsize>,
    store: Arc<dyn Store>,
    /// Holds two requests of `/v1/gated-things` until both have passed the idempotency
    /// lookup, so the race between them is certain, not likely.
    gate: Arc<tokio::sync::Barrier>,
}

fn thing_key(name: &str) -> Vec<u8> {
    format!("thing/{name}").into_bytes()
}

/// The recommended shape: prepare a batch, then `idem.commit` it with the response.
async fn create_thing(
    State(st): State<TestState>,
    Auth(p): Auth,
    idem: Idempotent,
    ApiJson(req): ApiJson<NewThing>,
) -> Result<Response, ApiError> {
    st.executions.fetch_add(1, Ordering::SeqCst);
    let thing = Thing {
        name: req.name,
        size: req.size,
        owner: p.account.0,
    };
    let value = serde_json::to_vec(&thing).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut batch = Batch::new();
    batch
        .expect(Tree::Counters, thing_key(&thing.name), None)
        .put(Tree::Counters, thing_key(&thing.name), value);
    idem.commit(batch, StatusCode::CREATED, &thing).await
}

/// [`create_thing`], but waiting for a second request first.
async fn create_thing_gated(
    State(st): State<TestState>,
    auth: Auth,
    idem: Idempotent,
    body: ApiJson<NewThing>,
) -> Result<Response, ApiError> {
    st.gate.wait().await;
    create_thing(State(st), auth, idem, body).await
}

async fn whoami(MaybeAuth(p): MaybeAuth) -> ApiJson<Value> {
    ApiJson(json!({ "account": p.map(|p| p.account.0) }))
}

/// A handler that writes on its own and returns a plain response (the fallback path).
async fn create_thing_plain(
    State(st): State<TestState>,
    Auth(p): Auth,
    ApiJson(req): ApiJson<NewThing>,
) -> Result<(StatusCode, ApiJson<Thing>), ApiError> {
    st.executions.fetch_add(1, Ordering::SeqCst);
    let thing = Thing {
        name: req.name,
        size: req.size,
        owner: p.account.0,
    };
    let mut batch = Batch::new();
    batch.put(Tree::Counters, thing_key(&thing.name), b"x".to_vec());
    st.store.commit(batch)?;
    Ok((StatusCode::CREATED, ApiJson(thing)))
}

async fn list_things(
    State(st): State<TestState>,
    _auth: Auth,
    paging: Paging,
) -> Result<Page<Thing>, ApiError> {
    paging.scan(&*st.store, Tree::Counters, b"thing/", |_, v| {
        Ok(serde_json::from_slice(v).ok())
    })
}

async fn echo(ApiJson(v): ApiJson<Value>) -> ApiJson<Value> {
    ApiJson(v)
}

async fn get_thing(
    State(st): State<TestState>,
    ApiPath(name): ApiPath<String>,
) -> Result<ApiJson<Value>, ApiError> {
    let raw = st
        .store
        .get(Tree::Counters, &thing_key(&name))?
        .ok_or_else(|| ApiError::not_found("thing"))?;
    serde_json::from_slice(&raw)
        .map(ApiJson)
        .map_err(|e| ApiError::internal(e.to_string()))
}

struct Harness {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    app: Router,
    specs: Vec<RouteSpec>,
    executions: Arc<AtomicUsize>,
    metrics: Arc<Metrics>,
    clock: Clock,
}

fn harness(config: ApiConfig) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path().join("store")).unwrap());
    let tokens = HashMap::from([
        (
            "tok-admin".to_owned(),
            principal("acct-admin", Role::Admin(2)),
        ),
        (
            "tok-term".to_owned(),
            principal("acct-term", Role::Terminal),
        ),
        (
            "tok-other".to_owned(),
            principal("acct-other", Role::Admin(3)),
        ),
    ]);
    let clock = Clock::manual(1_800_000_000);
    let metrics = Arc::new(Metrics::new());
    let services = ApiServices {
        store: store.clone(),
        authenticator: Arc::new(TableAuth(tokens)),
        clock: clock.clone(),
        metrics: metrics.clone(),
        config: Arc::new(config),
    };
    let executions = Arc::new(AtomicUsize::new(0));
    let state = TestState {
        executions: executions.clone(),
        store: store.clone(),
        gate: Arc::new(tokio::sync::Barrier::new(2)),
    };
    let builder = ApiBuilder::new(services, state)
        .route(
            RouteSpec::post("/v1/things", "Create a thing")
                .bearer()
                .request::<NewThing>()
                .response::<Thing>(StatusCode::CREATED),
            create_thing,
        )
        .route(
            RouteSpec::get("/v1/things", "List things")
                .bearer()
                .paged::<Thing>(),
            list_things,
        )
        .route(
            RouteSpec::get("/v1/things/{name}", "One thing").response::<Value>(StatusCode::OK),
            get_thing,
        )
        .route(
            RouteSpec::post(
                "/v1/plain-things",
                "Create a thing, recorded after the fact",
            )
            .bearer()
            .request::<NewThing>()
            .response::<Thing>(StatusCode::CREATED),
            create_thing_plain,
        )
        .route(
            RouteSpec::post("/v1/verify", "Echo, exempt from idempotency")
                .allow(
                    |p| p.kind == PrincipalKind::Staff(Role::Terminal),
                    "access terminals",
                )
                .no_idempotency()
                .request::<Value>()
                .response::<Value>(StatusCode::OK),
            echo,
        )
        .route(
            RouteSpec::post("/v1/public-echo", "Anonymous echo")
                .no_idempotency()
                .request::<Value>()
                .response::<Value>(StatusCode::OK),
            echo,
        )
        .route(
            RouteSpec::post("/v1/gated-things", "Create a thing once two requests wait")
                .bearer()
                .request::<NewThing>()
                .response::<Thing>(StatusCode::CREATED),
            create_thing_gated,
        )
        .route(
            RouteSpec::post("/v1/upload", "A route with a larger body limit")
                .bearer()
                .body_limit(4096)
                .request::<Value>()
                .response::<Value>(StatusCode::OK),
            echo,
        )
        .route(
            RouteSpec::get("/v1/whoami", "The caller, if any")
                .optional_auth()
                .response::<Value>(StatusCode::OK),
            whoami,
        )
        .route(
            RouteSpec::get("/v1/slow", "Never answers in time"),
            || async {
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                StatusCode::OK
            },
        );
    let specs = builder.specs().to_vec();
    Harness {
        _dir: dir,
        store,
        app: builder.build(),
        specs,
        executions,
        metrics,
        clock,
    }
}

fn default_harness() -> Harness {
    harness(ApiConfig::default())
}

// ---------------------------------------------------------------- request helpers

struct Req {
    method: Method,
    path: String,
    token: Option<&'static str>,
    key: Option<&'static str>,
    body: Option<Vec<u8>>,
    content_type: Option<&'static str>,
    ip: Option<[u8; 4]>,
}

fn req(method: Method, path: &str) -> Req {
    Req {
        method,
        path: path.to_owned(),
        token: None,
        key: None,
        body: None,
        content_type: Some("application/json"),
        ip: None,
    }
}

impl Req {
    fn token(mut self, t: &'static str) -> Self {
        self.token = Some(t);
        self
    }
    fn key(mut self, k: &'static str) -> Self {
        self.key = Some(k);
        self
    }
    fn json(mut self, v: &Value) -> Self {
        self.body = Some(serde_json::to_vec(v).unwrap());
        self
    }
    fn raw(mut self, b: &[u8]) -> Self {
        self.body = Some(b.to_vec());
        self
    }
    fn content_type(mut self, ct: Option<&'static str>) -> Self {
        self.content_type = ct;
        self
    }
    fn ip(mut self, ip: [u8; 4]) -> Self {
        self.ip = Some(ip);
        self
    }
    fn build(self) -> Request<Body> {
        let mut b = Request::builder().method(self.method).uri(self.path);
        if let Some(t) = self.token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(k) = self.key {
            b = b.header("Idempotency-Key", k);
        }
        if self.body.is_some()
            && let Some(ct) = self.content_type
        {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let mut r = b.body(Body::from(self.body.unwrap_or_default())).unwrap();
        if let Some(ip) = self.ip {
            r.extensions_mut()
                .insert(ConnectInfo(SocketAddr::from((ip, 40_000))));
        }
        r
    }
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| {
            panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.bytes))
        })
    }
    /// Asserts the error shape: status, code, a message, nothing else.
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        assert_eq!(
            self.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
        let v = self.json();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.len(), 2, "{v}");
        assert_eq!(obj["code"], code, "{v}");
        assert!(!obj["message"].as_str().unwrap().is_empty());
    }
}

async fn send(app: &Router, r: Req) -> Resp {
    let response = app.clone().oneshot(r.build()).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    Resp {
        status: parts.status,
        headers: parts.headers,
        bytes: bytes.to_vec(),
    }
}

fn new_thing(name: &str, size: u64) -> Value {
    json!({"name": name, "size": size})
}
