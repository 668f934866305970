//! Completing a recurring task (contract, recurrence.md): the same task
//! moves on to its next due date (`from: due` skips missed occurrences,
//! `from: completion` starts again from today), the completion is recorded,
//! the subtree reopens; at the end of the series the task completes.
use std::future::IntoFuture;

use futures_util::future::join_all;
use loco_rs::testing::prelude::request;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    recurrence::{day, recurring},
    subtasks::{fetch, ok, patch_task, put_task, subtask, task_path},
};

async fn completions(
    server: &axum_test::TestServer,
    token: &str,
    task: &Value,
    query: &str,
) -> Value {
    let response = server
        .get(&format!("{}/completions?{query}", task_path(task)))
        .authorization_bearer(token)
        .await;
    ok(&response)
}

fn complete() -> Value {
    json!({"status": "complete"})
}

#[tokio::test]
#[serial]
async fn completing_a_late_daily_task_skips_the_missed_days_and_records_the_completion() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(-3), "FREQ=DAILY", "due").await;
        let (_, _, tag) = fetch(&server, t, &task).await;

        let response = patch_task(&server, t, &task, complete()).await;

        let advanced = ok(&response);
        assert_eq!(advanced["id"], task["id"]);
        assert_eq!(advanced["due_date"], json!(day(1)), "next due tomorrow");
        assert_eq!(advanced["status"], "incomplete");
        assert_eq!(advanced["completed_at"], Value::Null);
        assert_ne!(response.header("etag").to_str().unwrap(), tag);
        let done = completions(&server, t, &task, "").await;
        assert_eq!(done["data"].as_array().unwrap().len(), 1);
        assert_eq!(done["data"][0]["due_date"], json!(day(-3)));
        assert!(done["data"][0]["completed_at"]
            .as_str()
            .unwrap()
            .ends_with('Z'));
        assert_eq!(done["next_cursor"], Value::Null);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn from_due_follows_the_series_and_from_completion_starts_again_today() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let by_due = recurring(&server, t, &day(10), "FREQ=DAILY;INTERVAL=3", "due").await;
        let by_completion =
            recurring(&server, t, &day(10), "FREQ=DAILY;INTERVAL=3", "completion").await;

        let by_due = ok(&patch_task(&server, t, &by_due, complete()).await);
        let by_completion = ok(&patch_task(&server, t, &by_completion, complete()).await);

        assert_eq!(by_due["due_date"], json!(day(13)));
        // Completed early: three days from today, earlier than before.
        assert_eq!(by_completion["due_date"], json!(day(3)));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_put_that_completes_advances_too() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(1), "FREQ=WEEKLY", "due").await;
        let body = json!({"title": "series", "status": "complete", "due_date": day(1),
            "recurrence": task["recurrence"]});

        let advanced = ok(&put_task(&server, t, &task, body).await);

        assert_eq!(advanced["due_date"], json!(day(8)));
        assert_eq!(advanced["status"], "incomplete");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_last_occurrence_of_a_count_completes_the_task_and_keeps_its_due_date() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(1), "FREQ=DAILY;COUNT=2", "due").await;

        let second = ok(&patch_task(&server, t, &task, complete()).await);
        let last = ok(&patch_task(&server, t, &task, complete()).await);

        assert_eq!(second["due_date"], json!(day(2)));
        assert_eq!(last["status"], "complete");
        assert_eq!(last["due_date"], json!(day(2)));
        assert!(last["completed_at"].is_string());
        let done = completions(&server, t, &task, "").await;
        let dues: Vec<&Value> = done["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["due_date"])
            .collect();
        assert_eq!(dues, [&json!(day(2)), &json!(day(1))], "newest first");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn advancing_reopens_the_completed_tasks_of_the_subtree() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(1), "FREQ=DAILY", "due").await;
        let done_child = subtask(&server, t, "done", &task).await;
        let open_child = subtask(&server, t, "open", &task).await;
        ok(&patch_task(&server, t, &done_child, complete()).await);
        let (_, _, done_tag) = fetch(&server, t, &done_child).await;
        let (_, _, open_tag) = fetch(&server, t, &open_child).await;

        ok(&patch_task(&server, t, &task, complete()).await);

        let (_, reopened, reopened_tag) = fetch(&server, t, &done_child).await;
        assert_eq!(reopened["status"], "incomplete");
        assert_eq!(reopened["completed_at"], Value::Null);
        assert_ne!(reopened_tag, done_tag);
        let (_, untouched, untouched_tag) = fetch(&server, t, &open_child).await;
        assert_eq!(
            (untouched["status"].clone(), untouched_tag),
            (json!("incomplete"), open_tag)
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_stale_if_match_is_412_and_records_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(1), "FREQ=DAILY", "due").await;
        let (_, _, tag) = fetch(&server, t, &task).await;
        ok(&patch_task(&server, t, &task, json!({"title": "renamed"})).await);

        let response = server
            .patch(&task_path(&task))
            .authorization_bearer(t)
            .add_header("if-match", tag)
            .json(&complete())
            .await;

        assert_problem(&response, 412, "/problems/precondition-failed");
        let (_, after, _) = fetch(&server, t, &task).await;
        assert_eq!(after["due_date"], json!(day(1)));
        assert_eq!(completions(&server, t, &task, "").await["data"], json!([]));
    })
    .await;
}

/// Sends `requests` while the task's row is held by a transaction, so that
/// every one of them has read the task and is waiting to write it when the
/// hold ends: truly concurrent, on SQLite (the write turn) and PostgreSQL
/// (the row lock) alike.
async fn all_at_once(
    ctx: &loco_rs::app::AppContext,
    task: &Value,
    requests: Vec<axum_test::TestRequest>,
) -> Vec<axum_test::TestResponse> {
    let db = taskforge::db::Db::from(ctx.db.clone());
    let hold = db.begin().await.unwrap();
    let pid = task["id"].as_str().unwrap();
    hold.execute_unprepared(&format!(
        "UPDATE tasks SET title = title WHERE pid = '{pid}'"
    ))
    .await
    .unwrap();
    let sent = join_all(requests.into_iter().map(IntoFuture::into_future));
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        hold.commit().await.unwrap();
    };
    tokio::join!(sent, release).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_completions_advance_the_task_once() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(1), "FREQ=DAILY", "due").await;
        let path = task_path(&task);

        let plain = (0..6)
            .map(|_| {
                server
                    .patch(&path)
                    .authorization_bearer(t)
                    .json(&complete())
            })
            .collect();
        let responses = all_at_once(&ctx, &task, plain).await;

        let statuses: Vec<u16> = responses.iter().map(|r| r.status_code().as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        let dues: Vec<Value> = responses
            .iter()
            .map(|r| r.json::<Value>()["due_date"].clone())
            .collect();
        assert!(
            dues.iter().all(|d| *d == json!(day(2))),
            "one advance: {dues:?}"
        );
        assert_eq!(
            completions(&server, t, &task, "").await["data"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        let (_, _, tag) = fetch(&server, t, &task).await;
        let guarded = (0..6)
            .map(|_| {
                server
                    .patch(&path)
                    .authorization_bearer(t)
                    .add_header("if-match", tag.clone())
                    .json(&complete())
            })
            .collect();
        let responses = all_at_once(&ctx, &task, guarded).await;
        let mut statuses: Vec<u16> = responses.iter().map(|r| r.status_code().as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);
        let (_, after, _) = fetch(&server, t, &task).await;
        assert_eq!(after["due_date"], json!(day(3)));
        assert_eq!(
            completions(&server, t, &task, "").await["data"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // One after the other, each completion is one more advance.
        ok(&patch_task(&server, t, &task, complete()).await);
        let (_, last, _) = fetch(&server, t, &task).await;
        assert_eq!(last["due_date"], json!(day(4)));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn completions_page_newest_first_with_a_cursor_and_only_for_the_owner() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(1), "FREQ=DAILY", "due").await;
        for _ in 0..3 {
            ok(&patch_task(&server, t, &task, complete()).await);
        }

        let first = completions(&server, t, &task, "limit=2").await;
        let cursor = first["next_cursor"].as_str().unwrap().to_string();
        let second = completions(&server, t, &task, &format!("limit=2&cursor={cursor}")).await;

        let dues = |page: &Value| -> Vec<Value> {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["due_date"].clone())
                .collect()
        };
        assert_eq!(dues(&first), [json!(day(3)), json!(day(2))]);
        assert_eq!(dues(&second), [json!(day(1))]);
        assert_eq!(second["next_cursor"], Value::Null);
        let plain = create_task(&server, t, json!({"title": "once"})).await;
        assert_eq!(completions(&server, t, &plain, "").await["data"], json!([]));
        let path = format!("{}/completions", task_path(&task));
        let theirs = server
            .get(&path)
            .authorization_bearer(&bob.access_token)
            .await;
        assert_problem(&theirs, 404, "/problems/not-found");
        for (query, status) in [
            ("limit=0", 422),
            ("limit=101", 422),
            ("sort=x", 422),
            ("cursor=abc", 400),
        ] {
            let response = server
                .get(&format!("{path}?{query}"))
                .authorization_bearer(t)
                .await;
            assert_eq!(
                response.status_code().as_u16(),
                status,
                "{query}: {}",
                response.text()
            );
        }
        let foreign = first["next_cursor"].as_str().unwrap();
        let other = format!("{}/completions?cursor={foreign}", task_path(&plain));
        assert_eq!(
            server
                .get(&other)
                .authorization_bearer(t)
                .await
                .status_code()
                .as_u16(),
            400
        );
    })
    .await;
}
