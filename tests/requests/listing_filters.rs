//! `GET /tasks` filters, search and sorting (contract "Listing").
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Every title of `query`, page by page with `limit`, checking each cursor.
async fn walk(server: &axum_test::TestServer, token: &str, query: &str, limit: u32) -> Vec<String> {
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

async fn seed(server: &axum_test::TestServer, token: &str) {
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
                .add_header("authorization", bearer(&ann.access_token))
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), vec![param], "{query}");
        }
        let several = server
            .get("/tasks?status=x&priority=y&limit=0")
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(t))
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
            .add_header("authorization", bearer(t))
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

#[tokio::test]
#[serial]
async fn priority_sorts_by_urgency_and_status_by_workflow() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        let by_priority = titles(&list_tasks(&server, t, "sort=priority,title").await);
        let by_urgency = titles(&list_tasks(&server, t, "sort=-priority,title").await);
        let by_status = titles(&list_tasks(&server, t, "sort=status,title").await);

        assert_eq!(
            by_priority,
            vec!["alpha", "foxtrot", "charlie", "golf", "delta", "bravo", "echo"]
        );
        assert_eq!(
            by_urgency,
            vec!["bravo", "echo", "delta", "charlie", "golf", "alpha", "foxtrot"]
        );
        assert_eq!(
            by_status,
            vec!["bravo", "delta", "foxtrot", "charlie", "echo", "alpha", "golf"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn tasks_without_due_date_come_last_in_both_directions() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;

        let ascending = titles(&list_tasks(&server, t, "sort=due_date,title").await);
        let descending = titles(&list_tasks(&server, t, "sort=-due_date,title").await);

        assert_eq!(
            ascending,
            vec!["bravo", "echo", "alpha", "golf", "delta", "charlie", "foxtrot"]
        );
        assert_eq!(
            descending,
            vec!["delta", "golf", "alpha", "bravo", "echo", "charlie", "foxtrot"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn title_and_timestamp_sorts() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;
        let bravo = list_tasks(&server, t, "q=bravo").await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let touched = server
            .patch(&format!("/tasks/{bravo}"))
            .add_header("authorization", bearer(t))
            .json(&json!({"description": "touched"}))
            .await;
        assert_eq!(touched.status_code(), 200);

        let by_title = titles(&list_tasks(&server, t, "sort=-title").await);
        let oldest = titles(&list_tasks(&server, t, "sort=created_at").await);
        let recently_updated = titles(&list_tasks(&server, t, "sort=-updated_at").await);

        assert_eq!(
            by_title,
            vec!["golf", "foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]
        );
        assert_eq!(
            oldest,
            vec!["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]
        );
        assert_eq!(recently_updated[0], "bravo");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn ties_break_by_id() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for _ in 0..5 {
            create_task(&server, t, json!({"title": "same"})).await;
        }
        let ids = |page: &Value| -> Vec<String> {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["id"].as_str().unwrap().to_string())
                .collect()
        };

        let ascending = ids(&list_tasks(&server, t, "sort=title").await);
        let descending = ids(&list_tasks(&server, t, "sort=-title").await);

        let mut expected = ascending.clone();
        expected.sort();
        assert_eq!(ascending, expected);
        expected.reverse();
        assert_eq!(descending, expected);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn paging_matches_the_full_list_under_every_sort_and_filter() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;
        let queries = [
            "sort=created_at",
            "sort=-created_at",
            "sort=updated_at",
            "sort=-updated_at",
            "sort=due_date",
            "sort=-due_date",
            "sort=priority",
            "sort=-priority",
            "sort=title",
            "sort=-title",
            "sort=status",
            "sort=-status",
            "sort=status,-due_date,title",
            "sort=-priority,due_date",
            "status=incomplete,in_progress&sort=due_date",
            "q=o&sort=-priority",
            "overdue=false&sort=-due_date",
        ];
        for query in queries {
            let whole = titles(&list_tasks(&server, t, &format!("{query}&limit=100")).await);
            for limit in [1, 2, 3, 5] {
                assert_eq!(
                    walk(&server, t, query, limit).await,
                    whole,
                    "{query} limit={limit}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn paging_by_due_date_stays_correct_while_tasks_change() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let mut ids = Vec::new();
        for day in 1..=6 {
            let task = create_task(
                &server,
                t,
                json!({"title": format!("d{day}"), "due_date": format!("2026-05-0{day}")}),
            )
            .await;
            ids.push(task["id"].as_str().unwrap().to_string());
        }
        create_task(&server, t, json!({"title": "none"})).await;
        let first = list_tasks(&server, t, "sort=due_date&limit=3").await;
        assert_eq!(titles(&first), vec!["d1", "d2", "d3"]);

        create_task(&server, t, json!({"title": "d0", "due_date": "2026-04-01"})).await;
        create_task(&server, t, json!({"title": "d9", "due_date": "2026-05-09"})).await;
        let deleted = server
            .delete(&format!("/tasks/{}", ids[4]))
            .add_header("authorization", bearer(t))
            .await;
        assert_eq!(deleted.status_code(), 204);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = list_tasks(
            &server,
            t,
            &format!("sort=due_date&limit=10&cursor={cursor}"),
        )
        .await;

        assert_eq!(titles(&rest), vec!["d4", "d6", "d9", "none"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_cursor_only_works_for_the_sort_and_filters_it_was_made_for() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        seed(&server, &ann.access_token).await;
        let t = &ann.access_token;
        let page = list_tasks(&server, t, "sort=priority&status=incomplete&limit=1").await;
        let cursor = page["next_cursor"].as_str().unwrap();

        let same = server
            .get(&format!(
                "/tasks?status=incomplete&sort=priority&limit=1&cursor={cursor}"
            ))
            .add_header("authorization", bearer(t))
            .await;
        assert_eq!(
            same.status_code(),
            200,
            "limit and parameter order may change"
        );
        for other in [
            "sort=-priority&status=incomplete",
            "sort=priority",
            "sort=priority&status=complete",
            "sort=priority&status=incomplete&q=a",
        ] {
            let response = server
                .get(&format!("/tasks?{other}&cursor={cursor}"))
                .add_header("authorization", bearer(t))
                .await;
            assert_problem(&response, 400, "/problems/invalid-cursor");
        }
    })
    .await;
}
