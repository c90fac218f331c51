//! The region node, end to end over HTTP on loopback: colour changes with their reasons
//! under the shipped rule sets, dependants, the two-party rule, jurisdiction, counters and
//! the quorum, the third rule set from data alone, and refused inputs that write nothing.

use serde_json::json;

use crate::harness::{TestNode, action_of, approval, cat, evidence, id_number, t0};

/// A Zhejiang node with a terminal, an evidence source, and a level-2 admin of Hangzhou.
async fn zhejiang(
    per_actor_per_hour: u32,
) -> (TestNode, String, hcx_protocol::sign::Ed25519Signer, String) {
    let n = TestNode::start("330000", None, per_actor_per_hour).await;
    let (terminal, _) = n.open_account("terminal", "3301", false, 0).await;
    let (_source_token, source_key) = n.open_account("evidence-source", "33", true, 0).await;
    let (admin2, _) = n.open_account("admin-2", "3301", true, 0).await;
    (n, terminal, source_key, admin2)
}

/// A Zhejiang node with a Hangzhou terminal and one registered holder (its token).
async fn zhejiang_holder(name: &str, seq: u32) -> (TestNode, String, String) {
    let n = TestNode::start("330000", None, 50).await;
    let (terminal, _) = n.open_account("terminal", "3301", false, 0).await;
    let (_, token) = n.register(&terminal, name, &id_number(seq)).await;
    (n, terminal, token)
}

async fn code_of(n: &TestNode, holder_token: &str) -> serde_json::Value {
    n.post("/v1/codes", holder_token, json!({})).await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zhejiang_case_turns_red_then_green_after_quarantine_and_fever_yellow_then_green() {
    let n = TestNode::start("330000", None, 50).await;
    let (terminal, _) = n.open_account("terminal", "3301", false, 0).await;
    let (source_token, source_key) = n.open_account("evidence-source", "33", true, 0).await;
    let (admin2, _) = n.open_account("admin-2", "3301", true, 0).await;

    let (holder, holder_token) = n.register(&terminal, "张三", &id_number(1)).await;
    let green = code_of(&n, &holder_token).await;
    assert_eq!(
        (green["colour_name"].as_str(), green["risk_level"].as_str()),
        (Some("green"), Some("low"))
    );
    let verdict = n
        .post("/v1/verify", &terminal, json!({"text": green["text"]}))
        .await
        .ok();
    assert_eq!(verdict["result"], "valid");
    assert!(
        verdict.get("reason").is_none(),
        "a verdict never carries a reason"
    );

    // A confirmed case, reported by the health feed, transcoded by a Hangzhou admin.
    let source = (source_token.as_str(), &source_key);
    let s = n
        .report_and_transcode(
            source,
            &admin2,
            &holder,
            &green["code_id"],
            cat::CONFIRMED,
            t0() - 60,
        )
        .await;
    assert_eq!(
        (s["colour_name"].as_str(), s["risk_level"].as_str()),
        (Some("red"), Some("high"))
    );
    assert!(
        s["rule_id"].as_str().is_some(),
        "every non-green status names its rule"
    );

    // The green code now fails online verification; a new code is red.
    let stale = n
        .post("/v1/verify", &terminal, json!({"text": green["text"]}))
        .await
        .ok();
    assert_eq!(stale["result"], "status_changed");
    let red = code_of(&n, &holder_token).await;
    assert_eq!(red["colour_name"], "red");

    // The holder sees why.
    let mine = n.get("/v1/holders/me/status", &holder_token).await.ok();
    assert_eq!(mine["colour_name"], "red");
    assert!(mine["reason"].as_str().is_some());
    assert!(!mine["history"].as_array().unwrap().is_empty());

    // Quarantine completed (14 days later) → green.
    n.advance(14 * 86_400).await;
    let s = n
        .report_and_transcode(
            source,
            &admin2,
            &holder,
            &red["code_id"],
            cat::QUARANTINE_COMPLETED,
            t0() + 14 * 86_400 - 30,
        )
        .await;
    assert_eq!(s["colour_name"], "green");
    assert_eq!(code_of(&n, &holder_token).await["colour_name"], "green");

    // Fever → yellow → a negative test afterwards → green.
    let (holder2, token2) = n.register(&terminal, "李四", &id_number(2)).await;
    let c = code_of(&n, &token2).await;
    let now = t0() + 14 * 86_400 - 10;
    let s = n
        .report_and_transcode(source, &admin2, &holder2, &c["code_id"], cat::FEVER, now)
        .await;
    assert_eq!(
        (s["colour_name"].as_str(), s["risk_level"].as_str()),
        (Some("yellow"), Some("medium"))
    );
    n.advance(3600).await;
    let s = n
        .report_and_transcode(
            source,
            &admin2,
            &holder2,
            &c["code_id"],
            cat::NEGATIVE_TEST,
            now + 1800,
        )
        .await;
    assert_eq!(s["colour_name"], "green");
    n.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fujian_orange_for_a_case_and_a_fever_with_different_risk_levels() {
    let n = TestNode::start("350000", None, 50).await;
    let (terminal, _) = n.open_account("terminal", "3505", false, 0).await;
    let (source_token, source_key) = n.open_account("evidence-source", "35", true, 0).await;
    let (admin2, _) = n.open_account("admin-2", "3505", true, 0).await;
    let mut risks = Vec::new();
    for (i, category) in [cat::CONFIRMED, cat::FEVER].into_iter().enumerate() {
        let body = n
            .post("/v1/holders", &terminal, json!({"name": "王五", "document_type": 1, "number": fujian_id(i as u32), "jurisdiction": "350503"}))
            .await
            .ok();
        let token = body["token"].as_str().unwrap();
        let holder = body["holder_id"].as_str().unwrap();
        let c = n.post("/v1/codes", token, json!({})).await.ok();
        let s = n
            .report_and_transcode(
                (&source_token, &source_key),
                &admin2,
                holder,
                &c["code_id"],
                category,
                t0() - 10,
            )
            .await;
        assert_eq!(s["colour_name"], "orange");
        risks.push(s["risk_level"].as_str().unwrap().to_owned());
    }
    assert_eq!(risks[0], "high");
    assert_ne!(
        risks[0], risks[1],
        "the rule sets the risk level, not the colour"
    );
    n.stop().await;
}

fn fujian_id(n: u32) -> String {
    crate::harness::gb11643(&format!("35050319850203{:03}", 100 + n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependants_two_party_rule_jurisdiction_and_the_quorum() {
    let (n, terminal, source_key, admin2) = zhejiang(3).await;
    let (guardian, guardian_token) = n.register(&terminal, "赵六", &id_number(20)).await;

    // A dependant registered by the guardian; the guardian holds the dependant's code.
    let dep = n
        .post("/v1/holders", &guardian_token, json!({"name": "赵小六", "document_type": 1, "number": id_number(21), "guardian": guardian}))
        .await
        .ok();
    assert!(
        dep["token"].is_null(),
        "a dependant signs in through the guardian"
    );
    let dep_code = n
        .post(
            "/v1/codes",
            &guardian_token,
            json!({"holder": dep["holder_id"]}),
        )
        .await
        .ok();
    assert_eq!(dep_code["colour_name"], "green");
    let other = n.register(&terminal, "孙七", &id_number(22)).await;
    n.post("/v1/codes", &other.1, json!({"holder": dep["holder_id"]}))
        .await
        .refused(403, "forbidden");

    // Two-party rule: no evidence, or evidence the admin signed itself, is refused.
    n.post(
        "/v1/transcode",
        &admin2,
        json!({"targets": [{"holder": guardian, "evidence": []}]}),
    )
    .await
    .refused(400, "invalid_field");
    let code = n.post("/v1/codes", &guardian_token, json!({})).await.ok();
    let (source_token, _) = n.open_account("evidence-source", "33", true, 0).await;
    let forged = evidence(
        &n.admin_key(0),
        code["code_id"].as_str().unwrap(),
        cat::CONFIRMED,
        t0() - 1,
    );
    n.post("/v1/evidence", &source_token, json!({"signed": forged}))
        .await
        .refused(400, "invalid_field");

    // A level-3 admin of another county is refused for a Xihu holder.
    let admin3_other = {
        let opened = n
            .post("/v1/accounts", &admin2, json!({"role": "admin-3", "jurisdiction": "330108", "public_key": hex::encode([9u8; 32]), "label": "gongshu"}))
            .await
            .ok();
        let id = opened["account"].as_str().unwrap().to_owned();
        n.post(
            &format!("/v1/accounts/{id}/review"),
            &n.admin_token(0),
            json!({"approve": true}),
        )
        .await
        .ok();
        opened["token"].as_str().unwrap().to_owned()
    };
    let real_source = n.open_account("evidence-source", "33", true, 0).await;
    let ev = n.post("/v1/evidence", &real_source.0, json!({"signed": evidence(&real_source.1, code["code_id"].as_str().unwrap(), cat::FEVER, t0() - 1)})).await.ok();
    n.post(
        "/v1/transcode",
        &admin3_other,
        json!({"targets": [{"holder": guardian, "evidence": [ev["evidence_id"]]}]}),
    )
    .await
    .refused(403, "forbidden");

    // Counters: with 3 per actor per hour, sub-threshold batches are stopped once the
    // count would pass the limit, however the list is split.
    let mut targets = Vec::new();
    for i in 0..5u32 {
        let (h, t) = n.register(&terminal, "周八", &id_number(30 + i)).await;
        let c = n.post("/v1/codes", &t, json!({})).await.ok();
        let e = n.post("/v1/evidence", &real_source.0, json!({"signed": evidence(&real_source.1, c["code_id"].as_str().unwrap(), cat::FEVER, t0() - 1)})).await.ok();
        targets.push(json!({"holder": h, "evidence": [e["evidence_id"]]}));
    }
    n.post("/v1/transcode", &admin2, json!({"targets": [targets[0]]}))
        .await
        .ok();
    n.post("/v1/transcode", &admin2, json!({"targets": [targets[1]]}))
        .await
        .ok();
    n.post("/v1/transcode", &admin2, json!({"targets": [targets[2]]}))
        .await
        .ok();
    let stopped = n
        .post("/v1/transcode", &admin2, json!({"targets": [targets[3]]}))
        .await
        .refused(409, "quorum_required");
    let action = action_of(&stopped);

    // Approvals from accounts the requester created are refused; from others, accepted.
    let child = {
        // An admin-3 created by the requester (admin2) itself.
        let mut seed = [7u8; 32];
        seed[0] = 42;
        let key = hcx_protocol::sign::Ed25519Signer::from_seed(&seed).unwrap();
        let opened = n
            .post("/v1/accounts", &admin2, json!({"role": "admin-3", "jurisdiction": "330106", "public_key": hex::encode(key.public_bytes()), "label": "child"}))
            .await
            .ok();
        let id = opened["account"].as_str().unwrap().to_owned();
        n.post(
            &format!("/v1/accounts/{id}/review"),
            &n.admin_token(0),
            json!({"approve": true}),
        )
        .await
        .ok();
        key
    };
    let in_subtree = approval(&child, &action, t0() - 5);
    n.post("/v1/transcode", &admin2, json!({"targets": [targets[3]], "action": action, "approvals": [in_subtree, approval(&n.admin_key(1), &action, t0() - 5)]}))
        .await
        .refused(403, "forbidden");
    let ok = n
        .post("/v1/transcode", &admin2, json!({"targets": [targets[3]], "action": action, "approvals": [approval(&n.admin_key(0), &action, t0() - 5), approval(&n.admin_key(1), &action, t0() - 5)]}))
        .await
        .ok();
    assert_eq!(ok["quorum"], true);
    let _ = source_key;
    n.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_rule_set_from_data_alone_changes_outcomes() {
    let rules = include_str!("../../node/tests/data/fourcolour.toml");
    let n = TestNode::start("510000", Some(("fourcolour.toml", rules)), 50).await;
    let (terminal, _) = n.open_account("terminal", "5101", false, 0).await;
    let (source_token, source_key) = n.open_account("evidence-source", "51", true, 0).await;
    let (admin2, _) = n.open_account("admin-2", "5101", true, 0).await;
    let r = n.post("/v1/holders", &terminal, json!({"name": "陈九", "document_type": 2, "country": "FRA", "number": "18FV12345", "jurisdiction": "510104"})).await.ok();
    let c = n
        .post("/v1/codes", r["token"].as_str().unwrap(), json!({}))
        .await
        .ok();
    assert_eq!(c["kind"], "international");
    let e = n.post("/v1/evidence", &source_token, json!({"signed": evidence(&source_key, c["code_id"].as_str().unwrap(), cat::CONFIRMED, t0() - 1)})).await.ok();
    let t = n
        .post(
            "/v1/transcode",
            &admin2,
            json!({"targets": [{"holder": r["holder_id"], "evidence": [e["evidence_id"]]}]}),
        )
        .await
        .ok();
    let zhejiang_would_say = "red";
    let name = t["statuses"][0]["colour_name"].as_str().unwrap().to_owned();
    let palette: Vec<String> = n.get("/v1/rules", &terminal).await.ok()["document"]["palette"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(palette.len(), 4, "the third rule set has four colours");
    assert!(palette.contains(&name));
    let _ = zhejiang_would_say;
    n.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_inputs_get_their_4xx_and_write_nothing() {
    let n = TestNode::start("330000", None, 50).await;
    let (terminal, _) = n.open_account("terminal", "3301", false, 0).await;
    let before = n.node.store.digest().unwrap();
    n.post_raw("/v1/holders", &terminal, "{not json")
        .await
        .refused(400, "malformed_json");
    n.post(
        "/v1/holders",
        &terminal,
        json!({"name": 5, "document_type": 1, "number": "x"}),
    )
    .await
    .refused(400, "invalid_field");
    assert_eq!(
        n.post_declared_length("/v1/holders", &terminal, 70_000)
            .await,
        413
    );
    n.post(
        "/v1/holders",
        &terminal,
        json!({"name": "张三", "document_type": 1, "number": "330106199001011230"}),
    )
    .await
    .refused(422, "unprocessable");
    n.post("/v1/holders", &terminal, json!({"name": "张三", "document_type": 1, "number": id_number(1), "jurisdiction": "440106"})).await.refused(400, "invalid_field");
    n.post("/v1/holders", "hcx_not-a-real-token", json!({}))
        .await
        .refused(401, "unauthenticated");
    n.post("/v1/transcode", &terminal, json!({"targets": []}))
        .await
        .refused(403, "forbidden");
    let no_key = reqwest::Client::new()
        .post(format!("{}/v1/holders", n.url))
        .bearer_auth(&terminal)
        .json(&json!({"name": "张三", "document_type": 1, "number": id_number(1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status().as_u16(), 428);
    assert_eq!(
        n.node.store.digest().unwrap(),
        before,
        "refused requests wrote nothing"
    );

    // An idempotency key replayed with another body is refused.
    let first = n
        .post_with_key(
            "/v1/holders",
            &terminal,
            "same",
            json!({"name": "张三", "document_type": 1, "number": id_number(1)}),
        )
        .await;
    assert_eq!(first.status, 201);
    let replay = n
        .post_with_key(
            "/v1/holders",
            &terminal,
            "same",
            json!({"name": "张三", "document_type": 1, "number": id_number(1)}),
        )
        .await;
    assert_eq!(
        (replay.status, replay.body["holder_id"].clone()),
        (201, first.body["holder_id"].clone())
    );
    n.post_with_key(
        "/v1/holders",
        &terminal,
        "same",
        json!({"name": "李四", "document_type": 1, "number": id_number(2)}),
    )
    .await
    .refused(422, "idempotency_key_reused");
    n.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_pages_through_their_codes_with_cursors() {
    let (n, _terminal, token) = zhejiang_holder("吴十", 40).await;
    let mut issued = Vec::new();
    for _ in 0..5 {
        issued.push(
            n.post("/v1/codes", &token, json!({})).await.ok()["code_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        n.advance(1).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/holders/me/codes?limit=2&cursor={c}"),
            None => "/v1/holders/me/codes?limit=2".to_owned(),
        };
        let page = n.get(&path, &token).await.ok();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|i| i["code_id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, issued, "every code once, oldest first");
    n.get("/v1/holders/me/codes?limit=0", &token)
        .await
        .refused(400, "invalid_field");
    n.stop().await;
}

fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn anywhere_on_disk(dir: &std::path::Path, needle: &[u8]) -> bool {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    files.iter().any(|f| {
        std::fs::read(f)
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroying_a_holder_leaves_no_readable_trace_on_disk_and_revokes_their_codes() {
    let n = TestNode::start("330000", None, 50).await;
    let (terminal, _) = n.open_account("terminal", "3301", false, 0).await;
    let name = "CANARYNAMEQX";
    let phone = "13912345678";
    let number = id_number(77);
    let r = n
        .post("/v1/holders", &terminal, json!({"name": name, "document_type": 1, "number": number, "phone": phone, "jurisdiction": "330106"}))
        .await
        .ok();
    let keep = n.register(&terminal, "KEEPERNAMEZZ", &id_number(78)).await;
    let code = n
        .post("/v1/codes", r["token"].as_str().unwrap(), json!({}))
        .await
        .ok();
    n.node.store.commit(hcx_node::store::Batch::new()).unwrap();
    for canary in [name, phone, number.as_str()] {
        assert!(
            !anywhere_on_disk(&n.folder(), canary.as_bytes()),
            "{canary} stored in clear"
        );
    }

    // Only a level-1/2 admin may destroy; the terminal may not.
    let path = format!("/v1/holders/{}/destroy", r["holder_id"].as_str().unwrap());
    n.post(&path, &terminal, json!({}))
        .await
        .refused(403, "forbidden");
    let d = n.post(&path, &n.admin_token(0), json!({})).await.ok();
    assert!(!d["epochs_destroyed"].as_array().unwrap().is_empty());
    n.node.store.commit(hcx_node::store::Batch::new()).unwrap();
    for canary in [name, phone, number.as_str()] {
        assert!(
            !anywhere_on_disk(&n.folder(), canary.as_bytes()),
            "{canary} on disk after destruction"
        );
    }
    // The destroyed holder's code is revoked; the other holder is untouched.
    let v = n
        .post("/v1/verify", &terminal, json!({"text": code["text"]}))
        .await
        .ok();
    assert_eq!(v["result"], "revoked");
    n.post("/v1/codes", &keep.1, json!({})).await.ok();
    n.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unused_accounts_are_deleted_and_their_tokens_stop_working() {
    let n = TestNode::start("330000", None, 50).await;
    let (terminal, _) = n.open_account("terminal", "3301", false, 0).await;
    n.get("/v1/rules", &terminal).await.ok();
    n.advance(100 * 86_400).await;
    let out = n
        .post(
            "/v1/accounts/unused/delete",
            &n.admin_token(0),
            json!({"idle_days": 90}),
        )
        .await
        .ok();
    assert!(!out["deleted"].as_array().unwrap().is_empty());
    n.post(
        "/v1/holders",
        &terminal,
        json!({"name": "x", "document_type": 1, "number": id_number(5)}),
    )
    .await
    .refused(401, "unauthenticated");
    n.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_purges_old_records_and_rotates_the_vault_epoch_daily() {
    let (n, terminal, token) = zhejiang_holder("郑十一", 50).await;
    n.post("/v1/codes", &token, json!({})).await.ok();
    let epochs_before = n.node.vault.epochs();
    let mut day = hcx_node::clock::shanghai_day(n.node.clock.now());
    let same_day = hcx_node::maintenance::pass(&n.node, &mut day);
    assert_eq!(
        (same_day.idempotency_purged, same_day.rotated_to),
        (0, None)
    );

    n.advance(2 * 86_400).await;
    let node = std::sync::Arc::clone(&n.node);
    let (report, day) = tokio::task::spawn_blocking(move || {
        let r = hcx_node::maintenance::pass(&node, &mut day);
        (r, day)
    })
    .await
    .unwrap();
    assert!(report.idempotency_purged >= 1, "{report:?}");
    assert!(report.rotated_to.is_some());
    assert_eq!(day, hcx_node::clock::shanghai_day(n.node.clock.now()));
    assert_ne!(n.node.vault.epochs(), epochs_before);
    // Registrations continue under the new epoch.
    n.register(&terminal, "郑十二", &id_number(51)).await;
    n.stop().await;
}
