//! `GET /tasks` filters and search (contract "Listing"); the seed and the
//! page walker that `listing_sorts.rs` shares.
use loco_rs::testing::prelude::*;
use serde_json::json;
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

pub(super) fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Every title of `query`, page by page with `limit`, checking each cursor.
pub(super) async fn walk(
    server: &axum_test::TestServer,
    token: &str,
    query: &str,
    limit: u32,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let q = match &cursor {
            Some(c) => format!("{query}&limit={limit}&cursor={c}"),
            None => format!("{query}&limit={limit}"),
        };
        let page = list_tasks(server, token, &q).await;
        seen.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return seen,
        }
    }
    panic!("pagination did not end");
}

pub(super) async fn seed(server: &axum_test::TestServer, token: &str) {
    let tasks = [
        json!({"title": "alpha", "priority": "low", "status": "complete", "due_date": "2026-01-10T09:00:00Z"}),
        json!({"title": "bravo", "priority": "urgent", "status": "incomplete", "due_date": "2026-01-05"}),
        json!({"title": "charlie", "priority": "medium", "status": "in_progress"}),
        json!({"title": "delta", "priority": "high", "status": "incomplete", "due_date": "2099-03-01T12:00:00+02:00"}),
        json!({"title": "echo", "priority": "urgent", "status": "in_progress", "due_date": "2026-01-05"}),
        json!({"title": "foxtrot", "priority": "low", "status": "incomplete"}),
        json!({"title": "golf", "priority": "medium", "status": "complete", "due_date": "2099-01-01"}),
    ];
    for task in tasks {
        create_task(server, token, task).await;
    }
}

#[tokio::test]
#[serial]
async fn status_and_priority_filter_by_one_value_or_a_list() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        assert_eq!(
            sorted(titles(&list_tasks(&server, t, "status=complete").await)),
            vec!["alpha", "golf"]
        );
        assert_eq!(
            sorted(titles(
                &list_tasks(&server, t, "status=complete,in_progress").await
            )),
            vec!["alpha", "charlie", "echo", "golf"]
        );
        assert_eq!(
            sorted(titles(&list_tasks(&server, t, "priority=urgent").await)),
            vec!["bravo", "echo"]
        );
        assert_eq!(
            sorted(titles(
                &list_tasks(&server, t, "priority=low,high&status=incomplete").await
            )),
            vec!["delta", "foxtrot"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn bad_filter_values_are_422_naming_the_parameter() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let cases = [
            ("status=done", "status"),
            ("status=complete,", "status"),
            ("priority=critical", "priority"),
            ("due_after=yesterday", "due_after"),
            ("due_before=2026-13-01", "due_before"),
            ("overdue=yes", "overdue"),
            ("q=", "q"),
            ("q=%20%20", "q"),
            ("sort=owner", "sort"),
            ("sort=title,-title", "sort"),
            ("sort=", "sort"),
            ("sort=created_at,,title", "sort"),
        ];
        for (query, param) in cases {
            let response = server
                .get(&format!("/tasks?{query}"))
                .authorization_bearer(&ann.access_token)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), vec![param], "{query}");
        }
        let several = server
            .get("/tasks?status=x&priority=y&limit=0")
            .authorization_bearer(&ann.access_token)
            .await;
        let problem = assert_problem(&several, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["limit", "status", "priority"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn due_range_is_inclusive_after_exclusive_before_and_skips_undated_tasks() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        let january = list_tasks(&server, t, "due_after=2026-01-01&due_before=2026-02-01").await;
        let exact = list_tasks(&server, t, "due_after=2026-01-10T09:00:00Z").await;
        let before_exact = list_tasks(&server, t, "due_before=2026-01-10T09:00:00Z").await;

        assert_eq!(sorted(titles(&january)), vec!["alpha", "bravo", "echo"]);
        assert_eq!(sorted(titles(&exact)), vec!["alpha", "delta", "golf"]);
        assert_eq!(sorted(titles(&before_exact)), vec!["bravo", "echo"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn date_bounds_are_read_in_the_users_timezone() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let tz = server
            .patch("/auth/me")
            .authorization_bearer(t)
            .json(&json!({"timezone": "Asia/Tokyo"}))
            .await;
        assert_eq!(tz.status_code(), 200);
        // 2026-03-01T16:00Z is already 2 March in Tokyo (UTC+9).
        create_task(
            &server,
            t,
            json!({"title": "late", "due_date": "2026-03-01T16:00:00Z"}),
        )
        .await;
        create_task(
            &server,
            t,
            json!({"title": "early", "due_date": "2026-03-01T14:00:00Z"}),
        )
        .await;

        let on_first = list_tasks(&server, t, "due_after=2026-03-01&due_before=2026-03-02").await;
        let on_second = list_tasks(&server, t, "due_after=2026-03-02&due_before=2026-03-03").await;

        assert_eq!(titles(&on_first), vec!["early"]);
        assert_eq!(titles(&on_second), vec!["late"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn overdue_means_due_in_the_past_and_not_complete() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        let overdue = list_tasks(&server, t, "overdue=true").await;
        let not_overdue = list_tasks(&server, t, "overdue=false").await;

        assert_eq!(sorted(titles(&overdue)), vec!["bravo", "echo"]);
        assert_eq!(
            sorted(titles(&not_overdue)),
            vec!["alpha", "charlie", "delta", "foxtrot", "golf"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn q_searches_title_and_description_case_insensitively() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        create_task(
            &server,
            t,
            json!({"title": "Write REPORT", "description": "Q4 numbers"}),
        )
        .await;
        create_task(
            &server,
            t,
            json!({"title": "Call Élodie", "description": "about the report"}),
        )
        .await;
        create_task(
            &server,
            t,
            json!({"title": "100% done_ish", "description": null}),
        )
        .await;
        create_task(&server, t, json!({"title": "Groceries"})).await;

        assert_eq!(
            sorted(titles(&list_tasks(&server, t, "q=report").await)),
            vec!["Call Élodie", "Write REPORT"]
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=%C3%A9LODIE").await),
            vec!["Call Élodie"]
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=q4%20NUMBERS").await),
            vec!["Write REPORT"]
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=report%20call").await),
            vec!["Call Élodie"]
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=100%25").await),
            vec!["100% done_ish"]
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=e_i").await),
            vec!["100% done_ish"]
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=c_r").await),
            Vec::<String>::new()
        );
        assert_eq!(
            titles(&list_tasks(&server, t, "q=%25").await),
            vec!["100% done_ish"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn search_follows_edits() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = create_task(&server, t, json!({"title": "old name"})).await;
        let patched = server
            .patch(&format!("/tasks/{}", task["id"].as_str().unwrap()))
            .authorization_bearer(t)
            .json(&json!({"title": "new name", "description": "Zebra"}))
            .await;
        assert_eq!(patched.status_code(), 200);

        assert!(titles(&list_tasks(&server, t, "q=old").await).is_empty());
        assert_eq!(
            titles(&list_tasks(&server, t, "q=zebra").await),
            vec!["new name"]
        );
    })
    .await;
}
