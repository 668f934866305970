//! Moving lists, their pages and their quota (contract, organizing.md,
//! "Manual order"; accounts-and-operations.md, "Resource limits").
use serde_json::{json, Value};
use serial_test::serial;

use super::{
    helpers::*,
    lists::{create_list, lists, move_list, names, path, post_list},
};
use loco_rs::testing::prelude::request;
use taskforge::app::App;

#[tokio::test]
#[serial]
async fn moves_put_the_list_where_asked_and_change_only_its_etag() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let a = create_list(&server, t, json!({"name": "A"})).await;
        let b = create_list(&server, t, json!({"name": "B"})).await;
        let c = create_list(&server, t, json!({"name": "C"})).await;
        let order = || async { names(&lists(&server, t, "").await) };

        let first = move_list(&server, t, &c["id"], json!({"after": null})).await;
        assert_eq!(first.status_code(), 200, "{}", first.text());
        assert_eq!(first.header("etag"), "\"2\"");
        assert_eq!(order().await, ["C", "Inbox", "A", "B"]);
        move_list(&server, t, &c["id"], json!({"before": b["id"]})).await;
        assert_eq!(order().await, ["Inbox", "A", "C", "B"]);
        move_list(&server, t, &a["id"], json!({})).await;
        assert_eq!(order().await, ["Inbox", "C", "B", "A"]);
        move_list(&server, t, &a["id"], json!({"after": c["id"]})).await;
        assert_eq!(order().await, ["Inbox", "C", "A", "B"]);
        // B never moved: its version and position are as created.
        let b_now: Value = server.get(&path(&b)).authorization_bearer(t).await.json();
        assert_eq!(b_now["position"], b["position"]);
        assert_eq!(b_now["updated_at"], b["updated_at"]);
        let stale = server
            .post(&format!("{}/move", path(&b)))
            .authorization_bearer(t)
            .add_header("if-match", "\"2\"")
            .json(&json!({}))
            .await;
        assert_problem(&stale, 412, "/problems/precondition-failed");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_move_naming_no_sibling_or_both_sides_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let a = create_list(&server, t, json!({"name": "A"})).await;
        let b = create_list(&server, t, json!({"name": "B"})).await;
        let bobs = create_list(&server, &bob.access_token, json!({"name": "Bob's"})).await;
        let cases = [
            (
                json!({"after": a["id"], "before": b["id"]}),
                vec!["after", "before"],
            ),
            (json!({"after": bobs["id"]}), vec!["after"]),
            (json!({"before": "not-an-id"}), vec!["before"]),
            (json!({"before": null}), vec!["before"]),
            (json!({"after": a["id"]}), vec!["after"]),
            (json!({"later": true}), vec!["later"]),
        ];
        for (body, fields) in cases {
            let response = move_list(&server, t, &a["id"], body.clone()).await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), fields, "{body}");
        }
        assert_eq!(names(&lists(&server, t, "").await), ["Inbox", "A", "B"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn pages_follow_the_cursor_and_bad_parameters_are_refused() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for n in 0..5 {
            create_list(&server, t, json!({"name": format!("L{n}")})).await;
        }
        let mut seen = Vec::new();
        let mut query = "limit=2".to_string();
        loop {
            let page = lists(&server, t, &query).await;
            seen.extend(names(&page));
            let Some(cursor) = page["next_cursor"].as_str() else {
                break;
            };
            query = format!("limit=2&cursor={cursor}");
        }
        assert_eq!(seen, ["Inbox", "L0", "L1", "L2", "L3", "L4"]);
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("archived=1", "archived"),
            ("sort=name", "sort"),
        ] {
            let response = server
                .get(&format!("/lists?{query}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), [field], "{query}");
        }
        let page = lists(&server, t, "limit=1").await;
        let cursor = page["next_cursor"].as_str().unwrap();
        let other = server
            .get(&format!("/lists?cursor={cursor}&archived=true"))
            .authorization_bearer(t)
            .await;
        assert_problem(&other, 400, "/problems/invalid-cursor");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_list_quota_counts_the_inbox_and_is_403_beyond() {
    let (server, _ctx) = server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["quotas"] = json!({"lists": 3});
    })
    .await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    create_list(&server, t, json!({"name": "A"})).await;
    create_list(&server, t, json!({"name": "B"})).await;

    let over = post_list(&server, t, json!({"name": "C"})).await;

    let problem = assert_problem(&over, 403, "/problems/quota-exceeded");
    assert!(
        problem["detail"].as_str().unwrap().contains("3 lists"),
        "{problem}"
    );
    assert_eq!(names(&lists(&server, t, "").await), ["Inbox", "A", "B"]);
    let a = lists(&server, t, "").await["data"][1].clone();
    assert_eq!(
        server
            .delete(&path(&a))
            .authorization_bearer(t)
            .await
            .status_code(),
        204
    );
    create_list(&server, t, json!({"name": "C"})).await;
}

/// Concurrent creates and moves of one user's lists: every request answers,
/// and the lists end in a strict order with distinct positions (the owner's
/// lock serialises them), at most `QUOTA_LISTS` of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_creates_and_moves_keep_distinct_positions_and_the_quota() {
    use futures_util::future::join_all;
    use std::future::IntoFuture;

    let (server, _ctx) = server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["quotas"] = json!({"lists": 9});
    })
    .await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    let creates = (0..12).map(|n| {
        server
            .post("/lists")
            .authorization_bearer(t)
            .json(&json!({"name": format!("L{n}")}))
            .into_future()
    });
    let statuses: Vec<u16> = join_all(creates)
        .await
        .iter()
        .map(|r| r.status_code().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        8,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        4,
        "{statuses:?}"
    );

    let page = lists(&server, t, "").await;
    let ids: Vec<Value> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].clone())
        .collect();
    let moves = ids.iter().map(|id| {
        server
            .post(&format!("/lists/{}/move", id.as_str().unwrap()))
            .authorization_bearer(t)
            .json(&json!({"after": null}))
            .into_future()
    });
    let moved = join_all(moves).await;
    assert!(moved.iter().all(|r| r.status_code() == 200));

    let page = lists(&server, t, "").await;
    let positions: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions.len(), 9);
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}
