//! `GET /tasks`: keyset pagination, limits, cursors.
use std::collections::HashSet;

use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;
use crate::assert_body_snapshot;

async fn page(server: &axum_test::TestServer, token: &str, query: &str) -> Value {
    list_tasks(server, token, query.trim_start_matches('?')).await
}

#[tokio::test]
#[serial]
async fn empty_list_has_no_cursor() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let body = page(&server, &ann.access_token, "").await;

        assert_body_snapshot!("tasks_list_empty", body);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn newest_first_with_default_limit_20() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for i in 0..25 {
            create_task(
                &server,
                &ann.access_token,
                json!({ "title": format!("t{i:02}") }),
            )
            .await;
        }

        let first = page(&server, &ann.access_token, "").await;

        let expected: Vec<String> = (5..25).rev().map(|i| format!("t{i:02}")).collect();
        assert_eq!(titles(&first), expected);
        assert!(first["next_cursor"].is_string());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn cursor_walks_every_task_once() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for i in 0..7 {
            create_task(
                &server,
                &ann.access_token,
                json!({ "title": format!("t{i}") }),
            )
            .await;
        }

        let mut seen = Vec::new();
        let mut query = "?limit=3".to_string();
        let mut pages = 0;
        loop {
            let body = page(&server, &ann.access_token, &query).await;
            pages += 1;
            seen.extend(titles(&body));
            match body["next_cursor"].as_str() {
                Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
                None => break,
            }
        }

        assert_eq!(pages, 3);
        assert_eq!(seen, vec!["t6", "t5", "t4", "t3", "t2", "t1", "t0"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn exact_multiple_of_limit_ends_without_cursor() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for i in 0..4 {
            create_task(
                &server,
                &ann.access_token,
                json!({ "title": format!("t{i}") }),
            )
            .await;
        }

        let first = page(&server, &ann.access_token, "?limit=2").await;
        let cursor = first["next_cursor"].as_str().unwrap().to_string();
        let second = page(
            &server,
            &ann.access_token,
            &format!("?limit=2&cursor={cursor}"),
        )
        .await;

        assert_eq!(titles(&second), vec!["t1", "t0"]);
        assert_eq!(second["next_cursor"], Value::Null);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn pages_stay_correct_when_tasks_are_added_and_deleted_between_them() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let mut ids = Vec::new();
        for i in 0..6 {
            let task = create_task(
                &server,
                &ann.access_token,
                json!({ "title": format!("t{i}") }),
            )
            .await;
            ids.push(task["id"].as_str().unwrap().to_string());
        }
        let first = page(&server, &ann.access_token, "?limit=2").await;
        assert_eq!(titles(&first), vec!["t5", "t4"]);

        create_task(&server, &ann.access_token, json!({"title": "new"})).await;
        let deleted = server
            .delete(&format!("/tasks/{}", ids[3]))
            .authorization_bearer(&ann.access_token)
            .await;
        assert_eq!(deleted.status_code(), 204);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = page(
            &server,
            &ann.access_token,
            &format!("?limit=10&cursor={cursor}"),
        )
        .await;

        assert_eq!(titles(&rest), vec!["t2", "t1", "t0"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn list_shows_only_the_callers_tasks() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        create_task(&server, &ann.access_token, json!({"title": "ann"})).await;
        create_task(&server, &bob.access_token, json!({"title": "bob"})).await;

        let anns = page(&server, &ann.access_token, "").await;
        let ids: HashSet<String> = titles(&anns).into_iter().collect();

        assert_eq!(ids, HashSet::from(["ann".to_string()]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn limit_must_be_1_to_100() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for (limit, status) in [
            ("1", 200),
            ("100", 200),
            ("0", 422),
            ("101", 422),
            ("-1", 422),
            ("ten", 422),
            ("", 422),
        ] {
            let response = server
                .get(&format!("/tasks?limit={limit}"))
                .authorization_bearer(&ann.access_token)
                .await;
            assert_eq!(response.status_code(), status, "limit={limit}");
            if status == 422 {
                let problem = assert_problem(&response, 422, "/problems/validation-error");
                assert_eq!(error_fields(&problem), vec!["limit"]);
            }
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn tampered_or_foreign_cursor_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for i in 0..3 {
            create_task(
                &server,
                &ann.access_token,
                json!({ "title": format!("t{i}") }),
            )
            .await;
        }
        let cursor = page(&server, &ann.access_token, "?limit=1").await["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
        let mut flipped = cursor.clone().into_bytes();
        flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();

        for bad in [flipped.as_str(), "garbage", "", &cursor[..cursor.len() - 2]] {
            let response = server
                .get(&format!("/tasks?cursor={bad}"))
                .authorization_bearer(&ann.access_token)
                .await;
            assert_problem(&response, 400, "/problems/invalid-cursor");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unknown_query_parameters_are_422_and_malformed_query_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let unknown = server
            .get("/tasks?stauts=complete")
            .authorization_bearer(&ann.access_token)
            .await;
        let malformed = server
            .get("/tasks?limit=%ZZ")
            .authorization_bearer(&ann.access_token)
            .await;
        let repeated = server
            .get("/tasks?limit=1&limit=2")
            .authorization_bearer(&ann.access_token)
            .await;

        let problem = assert_problem(&unknown, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["stauts"]);
        assert_problem(&malformed, 400, "/problems/malformed-request");
        assert_problem(&repeated, 422, "/problems/validation-error");
    })
    .await;
}
