//! Rate limits and cursor paging.
use super::*;

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
