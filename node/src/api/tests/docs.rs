//! `/metrics`, `/healthz`, `/openapi.json`, configuration and `serve`.
use super::*;

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
