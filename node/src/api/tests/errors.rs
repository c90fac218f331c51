//! Error shapes, bad bodies, fallbacks, timeouts and authentication.
use super::*;

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
        (
            ApiError::QuorumRequired {
                action: "ab".into(),
                k: 2,
            },
            409,
            "quorum_required",
        ),
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
