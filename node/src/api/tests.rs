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
use crate::store::{Batch, SledStore, Store, Tree};

// ---------------------------------------------------------------- the example API

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

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn every_error_variant_has_its_status_code_and_shape() {
    let cases = [
        (
            ApiError::MalformedJson { detail: "x".into() },
            400,
            "malformed_json",
        ),
        (ApiError::invalid_field("f", "r"), 400, "invalid_field"),
        (
            ApiError::Unauthenticated { reason: "r".into() },
            401,
            "unauthenticated",
        ),
        (ApiError::forbidden("r"), 403, "forbidden"),
        (ApiError::not_found("x"), 404, "not_found"),
        (ApiError::MethodNotAllowed, 405, "method_not_allowed"),
        (ApiError::conflict("r"), 409, "conflict"),
        (ApiError::BodyTooLarge { limit: 1 }, 413, "body_too_large"),
        (
            ApiError::UnsupportedMediaType {
                expected: "x".into(),
            },
            415,
            "unsupported_media_type",
        ),
        (ApiError::unprocessable("r"), 422, "unprocessable"),
        (
            ApiError::IdempotencyKeyReused,
            422,
            "idempotency_key_reused",
        ),
        (
            ApiError::IdempotencyKeyRequired,
            428,
            "idempotency_key_required",
        ),
        (
            ApiError::RateLimited {
                retry_after_secs: 7,
            },
            429,
            "rate_limited",
        ),
        (ApiError::Timeout, 503, "timeout"),
        (
            ApiError::Unavailable { reason: "r".into() },
            503,
            "unavailable",
        ),
        (ApiError::internal("secret detail"), 500, "internal"),
    ];
    assert_eq!(cases.len(), ApiError::CODES.len());
    for (err, status, code) in cases {
        assert!(
            ApiError::CODES.contains(&(code, status)),
            "{code} not in CODES"
        );
        let response = err.clone().into_response();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let r = Resp {
            status: parts.status,
            headers: parts.headers,
            bytes: bytes.to_vec(),
        };
        r.assert_error(StatusCode::from_u16(status).unwrap(), code);
        if code == "rate_limited" {
            assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "7");
        }
        if code == "unauthenticated" {
            assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
        }
        if code == "internal" {
            assert!(!String::from_utf8_lossy(&r.bytes).contains("secret"));
        }
    }
}

#[tokio::test]
async fn bad_bodies_get_json_errors_and_write_nothing() {
    let h = harness(ApiConfig {
        body_limit: 256,
        ..ApiConfig::default()
    });
    let before = h.store.digest().unwrap();
    let post = |key| req(Method::POST, "/v1/things").token("tok-admin").key(key);

    send(&h.app, post("k1").raw(b"{\"name\": \"a\","))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_json");
    let r = send(
        &h.app,
        post("k2").json(&json!({"name": "a", "size": "big"})),
    )
    .await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_field");
    assert!(
        r.json()["message"].as_str().unwrap().contains("size"),
        "{}",
        r.json()
    );
    send(&h.app, post("k3").json(&json!({"name": "a"})))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_field");
    send(
        &h.app,
        post("k4")
            .json(&new_thing("a", 1))
            .content_type(Some("text/plain")),
    )
    .await
    .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    send(
        &h.app,
        post("k5").json(&new_thing("a", 1)).content_type(None),
    )
    .await
    .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

    // Oversized: declared by Content-Length, and streamed without one, on an idempotent
    // route (body read by the idempotency layer) and on an exempt one (read by ApiJson).
    let big = new_thing(&"x".repeat(400), 1);
    let mut with_length = post("k6").json(&big).build();
    with_length
        .headers_mut()
        .insert(header::CONTENT_LENGTH, 420.into());
    let r = h.app.clone().oneshot(with_length).await.unwrap();
    let (parts, body) = r.into_parts();
    Resp {
        status: parts.status,
        headers: parts.headers,
        bytes: axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    }
    .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    send(&h.app, post("k7").json(&big))
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    send(
        &h.app,
        req(Method::POST, "/v1/verify").token("tok-term").json(&big),
    )
    .await
    .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");

    assert_eq!(h.executions.load(Ordering::SeqCst), 0);
    assert_eq!(h.store.digest().unwrap(), before, "no partial write");

    // A route's own limit overrides the default, both ways round.
    let upload = |key| req(Method::POST, "/v1/upload").token("tok-admin").key(key);
    let r = send(&h.app, upload("u1").json(&big)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let huge = new_thing(&"x".repeat(5000), 1);
    let r = send(&h.app, upload("u2").json(&huge)).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large");
    assert!(r.json()["message"].as_str().unwrap().contains("4096"));
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json() {
    let h = default_harness();
    send(&h.app, req(Method::GET, "/v1/nope"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    send(&h.app, req(Method::DELETE, "/v1/things").token("tok-admin"))
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    send(&h.app, req(Method::GET, "/v1/things/none"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn timeouts_are_json() {
    let h = harness(ApiConfig {
        timeout_ms: 20,
        ..ApiConfig::default()
    });
    send(&h.app, req(Method::GET, "/v1/slow"))
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "timeout");
}

// ---------------------------------------------------------------- auth

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let h = default_harness();
    let body = new_thing("a", 1);
    for r in [
        req(Method::POST, "/v1/things").key("k").json(&body),
        req(Method::POST, "/v1/things")
            .token("tok-nobody")
            .key("k")
            .json(&body),
    ] {
        let r = send(&h.app, r).await;
        r.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
        assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    }
    let mut basic = req(Method::GET, "/v1/things").build();
    basic
        .headers_mut()
        .insert(header::AUTHORIZATION, "Basic dXNlcjpwdw==".parse().unwrap());
    let r = h.app.clone().oneshot(basic).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The principal check of a route: only terminals verify.
    send(
        &h.app,
        req(Method::POST, "/v1/verify")
            .token("tok-admin")
            .json(&json!({})),
    )
    .await
    .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let ok = send(
        &h.app,
        req(Method::POST, "/v1/verify")
            .token("tok-term")
            .json(&json!({"q": 1})),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json(), json!({"q": 1}));
    assert_eq!(h.executions.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn optional_auth_accepts_anonymous_and_refuses_bad_tokens() {
    let h = default_harness();
    let r = send(&h.app, req(Method::GET, "/v1/whoami")).await;
    assert_eq!(r.json(), json!({"account": null}));
    let r = send(&h.app, req(Method::GET, "/v1/whoami").token("tok-term")).await;
    assert_eq!(r.json(), json!({"account": "acct-term"}));
    send(&h.app, req(Method::GET, "/v1/whoami").token("tok-nobody"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

// ---------------------------------------------------------------- idempotency

#[tokio::test]
async fn mutating_posts_need_a_valid_key_but_verify_does_not() {
    let h = default_harness();
    let before = h.store.digest().unwrap();
    let body = new_thing("a", 1);
    send(
        &h.app,
        req(Method::POST, "/v1/things")
            .token("tok-admin")
            .json(&body),
    )
    .await
    .assert_error(
        StatusCode::PRECONDITION_REQUIRED,
        "idempotency_key_required",
    );
    let long: &'static str = Box::leak("k".repeat(256).into_boxed_str());
    for bad in ["", "has space", long] {
        send(
            &h.app,
            req(Method::POST, "/v1/things")
                .token("tok-admin")
                .key(bad)
                .json(&body),
        )
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_field");
    }
    assert_eq!(h.store.digest().unwrap(), before);
    let r = send(
        &h.app,
        req(Method::POST, "/v1/verify")
            .token("tok-term")
            .json(&json!(1)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn replay_returns_the_stored_response_without_running_the_handler() {
    let h = default_harness();
    let post = || {
        req(Method::POST, "/v1/things")
            .token("tok-admin")
            .key("key-1")
            .json(&new_thing("a", 1))
    };
    let first = send(&h.app, post()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert!(first.headers.get(idempotency::REPLAYED_HEADER).is_none());
    assert_eq!(
        first.json(),
        json!({"name": "a", "size": 1, "owner": "acct-admin"})
    );
    let after_first = h.store.digest().unwrap();

    for _ in 0..3 {
        let again = send(&h.app, post()).await;
        assert_eq!(again.status, StatusCode::CREATED);
        assert_eq!(again.bytes, first.bytes);
        assert_eq!(
            again.headers.get(idempotency::REPLAYED_HEADER).unwrap(),
            "true"
        );
        assert_eq!(
            again.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
    }
    assert_eq!(h.executions.load(Ordering::SeqCst), 1);
    assert_eq!(h.store.digest().unwrap(), after_first);

    // Same key, another body: refused, nothing runs or changes.
    let other = send(
        &h.app,
        req(Method::POST, "/v1/things")
            .token("tok-admin")
            .key("key-1")
            .json(&new_thing("b", 2)),
    )
    .await;
    other.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    assert_eq!(h.executions.load(Ordering::SeqCst), 1);
    assert_eq!(h.store.digest().unwrap(), after_first);

    // Same key, another route: also another request.
    send(
        &h.app,
        req(Method::POST, "/v1/plain-things")
            .token("tok-admin")
            .key("key-1")
            .json(&new_thing("a", 1)),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");

    // Keys are scoped per principal: another account's "key-1" is its own.
    let theirs = send(
        &h.app,
        req(Method::POST, "/v1/things")
            .token("tok-other")
            .key("key-1")
            .json(&new_thing("c", 3)),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_eq!(h.executions.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_domain_conflict_is_409_and_records_nothing() {
    let h = default_harness();
    let mk = |key, size| {
        req(Method::POST, "/v1/things")
            .token("tok-admin")
            .key(key)
            .json(&new_thing("dup", size))
    };
    assert_eq!(send(&h.app, mk("k1", 1)).await.status, StatusCode::CREATED);
    let before = h.store.digest().unwrap();
    send(&h.app, mk("k2", 2))
        .await
        .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(h.store.digest().unwrap(), before, "no record for a refusal");
    // Not recorded, so the same key may carry a corrected request.
    let fixed = send(
        &h.app,
        req(Method::POST, "/v1/things")
            .token("tok-admin")
            .key("k2")
            .json(&new_thing("dup2", 2)),
    )
    .await;
    assert_eq!(fixed.status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_write_once_and_all_get_the_same_answer() {
    let h = default_harness();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let app = h.app.clone();
        tasks.push(tokio::spawn(async move {
            send(
                &app,
                req(Method::POST, "/v1/things")
                    .token("tok-admin")
                    .key("same")
                    .json(&new_thing("race", 9)),
            )
            .await
        }));
    }
    let mut bodies = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&r.bytes)
        );
        bodies.push(r.bytes);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(h.store.count(Tree::Idempotency).unwrap(), 1);
    assert!(
        h.store
            .get(Tree::Counters, b"thing/race")
            .unwrap()
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certain_race_commits_once_and_replays_the_winner() {
    let h = default_harness();
    let post = || {
        let app = h.app.clone();
        tokio::spawn(async move {
            send(
                &app,
                req(Method::POST, "/v1/gated-things")
                    .token("tok-admin")
                    .key("gated")
                    .json(&new_thing("g", 7)),
            )
            .await
        })
    };
    let (a, b) = (post(), post());
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    // Both handlers ran (both passed the lookup before either committed) ...
    assert_eq!(h.executions.load(Ordering::SeqCst), 2);
    // ... but one committed and the other answered with the winner's stored response.
    assert_eq!(
        (a.status, b.status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(a.bytes, b.bytes);
    let replayed = [&a, &b]
        .iter()
        .filter(|r| r.headers.contains_key(idempotency::REPLAYED_HEADER))
        .count();
    assert_eq!(replayed, 1);
    assert_eq!(h.store.count(Tree::Idempotency).unwrap(), 1);
}

#[tokio::test]
async fn handlers_without_commit_are_recorded_after_the_fact() {
    let h = default_harness();
    let post = |body: &Value| {
        req(Method::POST, "/v1/plain-things")
            .token("tok-admin")
            .key("p1")
            .json(body)
    };
    let first = send(&h.app, post(&new_thing("p", 1))).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = send(&h.app, post(&new_thing("p", 1))).await;
    assert_eq!(again.bytes, first.bytes);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(
        again.headers.get(idempotency::REPLAYED_HEADER).unwrap(),
        "true"
    );
    assert_eq!(h.executions.load(Ordering::SeqCst), 1);
    send(&h.app, post(&new_thing("q", 1)))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
}

#[tokio::test]
async fn expired_records_are_forgotten_and_purged() {
    let h = harness(ApiConfig {
        idempotency_ttl_secs: 60,
        ..ApiConfig::default()
    });
    let post = |name| {
        req(Method::POST, "/v1/things")
            .token("tok-admin")
            .key("old")
            .json(&new_thing(name, 1))
    };
    assert_eq!(send(&h.app, post("t1")).await.status, StatusCode::CREATED);
    h.clock.advance(59).unwrap();
    send(&h.app, post("t2"))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
    h.clock.advance(1).unwrap();
    // Expired: the key is free again.
    assert_eq!(send(&h.app, post("t2")).await.status, StatusCode::CREATED);
    assert_eq!(
        idempotency::purge_expired(&*h.store, h.clock.now(), 60, 100).unwrap(),
        0
    );
    h.clock.advance(60).unwrap();
    assert_eq!(
        idempotency::purge_expired(&*h.store, h.clock.now(), 60, 100).unwrap(),
        1
    );
    assert_eq!(h.store.count(Tree::Idempotency).unwrap(), 0);
}

// ---------------------------------------------------------------- rate limits

#[tokio::test]
async fn per_token_and_per_ip_limits_trip_with_retry_after() {
    let slow = RateSpec {
        per_sec: 0.001,
        burst: 3,
    };
    let h = harness(ApiConfig {
        per_token: slow,
        per_ip: RateSpec {
            per_sec: 0.001,
            burst: 2,
        },
        ..ApiConfig::default()
    });
    let list = |t| req(Method::GET, "/v1/things").token(t);
    for _ in 0..3 {
        assert_eq!(send(&h.app, list("tok-admin")).await.status, StatusCode::OK);
    }
    let r = send(&h.app, list("tok-admin")).await;
    r.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(send(&h.app, list("tok-other")).await.status, StatusCode::OK);

    let public = |ip| req(Method::POST, "/v1/public-echo").json(&json!(1)).ip(ip);
    for _ in 0..2 {
        assert_eq!(
            send(&h.app, public([10, 0, 0, 1])).await.status,
            StatusCode::OK
        );
    }
    send(&h.app, public([10, 0, 0, 1]))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(
        send(&h.app, public([10, 0, 0, 2])).await.status,
        StatusCode::OK
    );

    // Failed authentications spend the IP's budget: guessing tokens trips 429.
    let guess = || {
        req(Method::GET, "/v1/things")
            .token("tok-guess")
            .ip([10, 0, 0, 3])
    };
    for _ in 0..2 {
        assert_eq!(send(&h.app, guess()).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        send(&h.app, guess()).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

// ---------------------------------------------------------------- paging

async fn walk(h: &Harness, limit: usize) -> (Vec<Thing>, usize) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/things?limit={limit}&cursor={c}"),
            None => format!("/v1/things?limit={limit}"),
        };
        let r = send(&h.app, req(Method::GET, &path).token("tok-admin")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json());
        let page: Page<Thing> = serde_json::from_slice(&r.bytes).unwrap();
        assert!(page.items.len() <= limit);
        pages += 1;
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return (all, pages),
        }
    }
}

#[tokio::test]
async fn paging_walks_every_item_once_in_order() {
    let h = default_harness();
    let mut batch = Batch::new();
    let mut expected = Vec::new();
    for i in 0..23u64 {
        let t = Thing {
            name: format!("{i:03}"),
            size: i,
            owner: "o".into(),
        };
        batch.put(
            Tree::Counters,
            thing_key(&t.name),
            serde_json::to_vec(&t).unwrap(),
        );
        expected.push(t);
    }
    // Entries outside the listed prefix are never returned.
    batch.put(Tree::Counters, b"thinh".to_vec(), b"{}".to_vec());
    h.store.commit(batch).unwrap();

    let (all, pages) = walk(&h, 5).await;
    assert_eq!(all, expected);
    assert_eq!(pages, 5);
    let (all, pages) = walk(&h, 23).await;
    assert_eq!(
        (all.len(), pages),
        (23, 1),
        "an exact fit has no empty last page"
    );

    let r = send(&h.app, req(Method::GET, "/v1/things").token("tok-admin")).await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 23);
    assert!(r.json()["next_cursor"].is_null());

    for bad in [
        "/v1/things?limit=0",
        "/v1/things?limit=501",
        "/v1/things?limit=ten",
        "/v1/things?cursor=***",
        "/v1/things?cursor=b3RoZXI", // "other": not under the prefix
    ] {
        send(&h.app, req(Method::GET, bad).token("tok-admin"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "invalid_field");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Whatever the page size and whichever entries the handler skips, walking the
    /// cursors yields exactly the kept entries, in order.
    #[test]
    fn paging_scan_yields_exactly_the_kept_entries(
        n in 0usize..40, limit in 1usize..8, skip_mod in 1usize..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path().join("s")).unwrap();
        let mut batch = Batch::new();
        for i in 0..n {
            batch.put(Tree::Codes, format!("p/{i:03}").into_bytes(), vec![]);
        }
        batch.put(Tree::Codes, b"q/0".to_vec(), vec![]);
        store.commit(batch).unwrap();
        let config = ApiConfig::default();
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        for _ in 0..=n + 1 {
            let paging = Paging::parse(Some(&limit.to_string()), cursor.as_deref(), &config).unwrap();
            let page = paging.scan(&store, Tree::Codes, b"p/", |k, _| {
                let i: usize = std::str::from_utf8(&k[2..]).unwrap().parse().unwrap();
                Ok((!i.is_multiple_of(skip_mod)).then_some(i))
            }).unwrap();
            proptest::prop_assert!(page.items.len() <= limit);
            seen.extend(page.items);
            cursor = page.next_cursor;
            if cursor.is_none() { break; }
        }
        proptest::prop_assert!(cursor.is_none(), "did not finish");
        let kept: Vec<usize> = (0..n).filter(|i| !i.is_multiple_of(skip_mod)).collect();
        proptest::prop_assert_eq!(seen, kept);
    }
}

// ---------------------------------------------------------------- metrics, health, docs

#[tokio::test]
async fn metrics_expose_request_counters_and_node_metrics() {
    let h = default_harness();
    let extra = Gauge::<i64>::default();
    h.metrics
        .register("test_gauge", "A gauge from elsewhere", extra.clone());
    extra.set(42);
    h.metrics.codes_issued.inc_by(3);
    h.metrics.count_verification("expired");

    send(&h.app, req(Method::GET, "/v1/things").token("tok-admin")).await;
    send(&h.app, req(Method::GET, "/v1/things")).await;
    send(&h.app, req(Method::GET, "/v1/things/abc")).await;
    send(&h.app, req(Method::GET, "/nowhere")).await;
    let r = send(&h.app, req(Method::GET, "/metrics")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = String::from_utf8(r.bytes).unwrap();
    for needle in [
        r#"hcx_http_requests_total{route="/v1/things",method="GET",status="200"} 1"#,
        r#"hcx_http_requests_total{route="/v1/things",method="GET",status="401"} 1"#,
        // The template, never the concrete path.
        r#"hcx_http_requests_total{route="/v1/things/{name}",method="GET",status="404"} 1"#,
        r#"hcx_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
        r#"hcx_http_request_duration_seconds_count{route="/v1/things",method="GET"} 2"#,
        "hcx_codes_issued_total 3",
        r#"hcx_verifications_total{result="expired"} 1"#,
        "hcx_store_flushes_total 0",
        "hcx_test_gauge 42",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
    assert!(!text.contains("/v1/things/abc"));
}

#[tokio::test]
async fn healthz_reports_version_and_store() {
    let h = default_harness();
    let r = send(&h.app, req(Method::GET, "/healthz")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"status": "ok", "version": crate::VERSION, "store": "ok"})
    );
}

#[tokio::test]
async fn openapi_lists_every_mounted_route_and_nothing_else() {
    // A short timeout: the probe below also calls `/v1/slow`.
    let h = harness(ApiConfig {
        timeout_ms: 50,
        ..ApiConfig::default()
    });
    let r = send(&h.app, req(Method::GET, "/openapi.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();

    let mut documented = Vec::new();
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()));
            assert!(op["responses"]["default"].is_object());
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut mounted: Vec<(String, String)> = h
        .specs
        .iter()
        .map(|s| (s.method.to_string(), s.path.to_owned()))
        .chain(["/healthz", "/metrics", "/openapi.json"].map(|p| ("GET".to_owned(), p.to_owned())))
        .collect();
    mounted.sort();
    assert_eq!(documented, mounted);

    // And every documented operation is really routed (no fallback 404/405).
    for (method, path) in &documented {
        let concrete = path.replace("{name}", "zzz");
        let r = send(
            &h.app,
            req(Method::from_bytes(method.as_bytes()).unwrap(), &concrete),
        )
        .await;
        let fallback = r.status == StatusCode::METHOD_NOT_ALLOWED
            || (r.status == StatusCode::NOT_FOUND
                && r.json()["message"] == "not found: no such route");
        assert!(!fallback, "{method} {path} is documented but not routed");
    }

    // Policies are described.
    let create = &paths["/v1/things"]["post"];
    let params = create["parameters"].as_array().unwrap();
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["required"] == true)
    );
    assert_eq!(create["security"], json!([{"bearer": []}]));
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["properties"]["size"]["type"],
        "integer"
    );
    assert!(create["responses"]["201"].is_object());
    assert!(create["responses"]["428"].is_object());
    let verify = &paths["/v1/verify"]["post"];
    assert!(
        !verify["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key")
    );
    assert_eq!(verify["x-allowed-callers"], "access terminals");
    let list = &paths["/v1/things"]["get"];
    let names: Vec<&str> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["limit", "cursor"]);
    let page = &list["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(page["properties"]["items"]["items"]["title"], "Thing");
    assert_eq!(
        paths["/v1/things/{name}"]["get"]["parameters"][0]["name"],
        "name"
    );
    let codes = &doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"];
    assert!(codes.as_array().unwrap().len() == ApiError::CODES.len());
}

#[test]
fn api_config_reads_partial_toml() {
    let c: ApiConfig =
        toml::from_str("body_limit = 1024\n[per_token]\nper_sec = 5.0\nburst = 10\n").unwrap();
    assert_eq!(c.body_limit, 1024);
    assert_eq!(c.per_token.burst, 10);
    assert_eq!(c.page_max, ApiConfig::default().page_max);
    assert!(toml::from_str::<ApiConfig>("bodylimit = 3").is_err());
}

#[tokio::test]
async fn serve_passes_client_addresses_to_the_per_ip_limit() {
    let h = harness(ApiConfig {
        per_ip: RateSpec {
            per_sec: 0.001,
            burst: 2,
        },
        ..ApiConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, h.app.clone(), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/healthz");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(client.get(&url).send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    // Through the socket the limit was keyed by 127.0.0.1, not the shared "unknown"
    // bucket that oneshot requests without ConnectInfo use, which is still full.
    let r = send(&h.app, req(Method::GET, "/healthz")).await;
    assert_eq!(r.status, StatusCode::OK);
}
