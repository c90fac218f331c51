//! Idempotency keys: required, replayed without re-execution, reuse refused, races,
//! the after-the-fact fallback, expiry.
use super::*;

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
