//! The `labels` of a task (contract, organizing.md, "New task fields"):
//! names that make missing labels and reuse existing ones ignoring case,
//! returned sorted ignoring case and spelled as stored; PATCH replaces the
//! set (`null` or `[]` clear it), PUT without `labels` clears it; every
//! answer shows them (read, pages, idempotent replays, the export). A bad
//! set is 422 naming `labels` and writes nothing.
use axum_test::{TestResponse, TestServer};
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    labels::{assert_invalid, create_label, label_names, labels},
};

pub fn task_path(task: &Value) -> String {
    format!("/tasks/{}", task["id"].as_str().unwrap())
}

/// `GET /tasks/{id}`, asserting 200.
pub async fn get_task(server: &TestServer, token: &str, task: &Value) -> TestResponse {
    let response = server
        .get(&task_path(task))
        .authorization_bearer(token)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response
}

pub async fn patch_task(server: &TestServer, token: &str, task: &Value, body: Value) -> Value {
    let response = server
        .patch(&task_path(task))
        .authorization_bearer(token)
        .json(&body)
        .await;
    assert_eq!(response.status_code(), 200, "{body}: {}", response.text());
    response.json()
}

/// Twenty-one distinct label names.
fn twenty_one() -> Vec<String> {
    (0..21).map(|n| format!("label {n}")).collect()
}

#[tokio::test]
#[serial]
async fn a_task_makes_its_missing_labels_and_reuses_the_others_ignoring_case() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let errand = create_label(&server, t, json!({"name": "Errand", "color": "#aa0000"})).await;

        let task = create_task(
            &server,
            t,
            json!({"title": "t", "labels": ["work", "  ERRAND ", "Home"]}),
        )
        .await;

        // Sorted ignoring case, the existing label spelled as stored.
        assert_eq!(task["labels"], json!(["Errand", "Home", "work"]));
        assert_eq!(label_names(&server, t).await, ["Errand", "Home", "work"]);
        let page = labels(&server, t, "").await;
        assert_eq!(page["data"][0], errand, "the reused label is untouched");
        assert_eq!(page["data"][1]["color"], json!(null));
        let read = get_task(&server, t, &task).await;
        assert_eq!(read.json::<Value>(), task);
        let again = create_task(&server, t, json!({"title": "u", "labels": ["home"]})).await;
        assert_eq!(again["labels"], json!(["Home"]));
        assert_eq!(label_names(&server, t).await.len(), 3);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_task_without_labels_shows_an_empty_set() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;

        let plain = create_task(&server, t, json!({"title": "plain"})).await;
        let empty = create_task(&server, t, json!({"title": "empty", "labels": []})).await;
        let null = create_task(&server, t, json!({"title": "null", "labels": null})).await;

        for task in [&plain, &empty, &null] {
            assert_eq!(task["labels"], json!([]), "{task}");
            let read: Value = get_task(&server, t, task).await.json();
            assert_eq!(read["labels"], json!([]));
        }
        assert_eq!(label_names(&server, t).await, Vec::<String>::new());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_bad_set_of_labels_is_422_naming_labels_and_writes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let existing = create_task(&server, t, json!({"title": "kept", "labels": ["keep"]})).await;
        let bad = [
            json!(twenty_one()),
            json!(["a", "b", "A"]),
            json!(["Été", "ÉTÉ"]),
            json!(["a", " a "]),
            json!(["new", 3]),
            json!(["new", null]),
            json!(["new", ["nested"]]),
            json!(["new", "a,b"]),
            json!(["new", "  "]),
            json!(["new", ""]),
            json!(["new", "x".repeat(61)]),
            json!("new"),
            json!({"new": true}),
        ];

        for labels in bad {
            let body = json!({"title": "t", "labels": labels});
            let created = server
                .post("/tasks")
                .authorization_bearer(t)
                .json(&body)
                .await;
            assert_invalid(&created, &["labels"], &format!("POST {labels}"));
            let replaced = server
                .put(&task_path(&existing))
                .authorization_bearer(t)
                .json(&body)
                .await;
            assert_invalid(&replaced, &["labels"], &format!("PUT {labels}"));
            let patched = server
                .patch(&task_path(&existing))
                .authorization_bearer(t)
                .json(&json!({"labels": labels}))
                .await;
            assert_invalid(&patched, &["labels"], &format!("PATCH {labels}"));
        }

        assert_eq!(titles(&list_tasks(&server, t, "").await), ["kept"]);
        assert_eq!(label_names(&server, t).await, ["keep"]);
        let now = get_task(&server, t, &existing).await;
        assert_eq!(now.header("etag"), "\"1\"");
        assert_eq!(now.json::<Value>(), existing);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn twenty_labels_are_fine_and_come_back_sorted() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let mut twenty: Vec<String> = twenty_one().into_iter().skip(1).collect();
        twenty.reverse();
        twenty[0] = "x".repeat(60);

        let task = create_task(&server, t, json!({"title": "t", "labels": twenty})).await;

        let mut sorted = twenty.clone();
        sorted.sort();
        assert_eq!(task["labels"], json!(sorted));
        assert_eq!(get_task(&server, t, &task).await.json::<Value>(), task);
        assert_eq!(label_names(&server, t).await, sorted);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_replaces_the_set_and_null_or_empty_clears_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = create_task(&server, t, json!({"title": "t", "labels": ["a", "b"]})).await;

        let replaced = patch_task(&server, t, &task, json!({"labels": ["c", "B"]})).await;
        assert_eq!(replaced["labels"], json!(["b", "c"]));
        let untouched = patch_task(&server, t, &task, json!({"title": "renamed"})).await;
        assert_eq!(untouched["labels"], json!(["b", "c"]));
        let nulled = patch_task(&server, t, &task, json!({"labels": null})).await;
        assert_eq!(nulled["labels"], json!([]));
        let set = patch_task(&server, t, &task, json!({"labels": ["a"]})).await;
        assert_eq!(set["labels"], json!(["a"]));
        let emptied = patch_task(&server, t, &task, json!({"labels": []})).await;
        assert_eq!(emptied["labels"], json!([]));

        let now = get_task(&server, t, &task).await;
        assert_eq!(now.header("etag"), "\"6\"");
        assert_eq!(now.json::<Value>(), emptied);
        // The labels themselves stay.
        assert_eq!(label_names(&server, t).await, ["a", "b", "c"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn put_without_labels_clears_them_and_with_labels_sets_them() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = create_task(&server, t, json!({"title": "t", "labels": ["a", "b"]})).await;
        let put = |body: Value| {
            server
                .put(&task_path(&task))
                .authorization_bearer(t)
                .json(&body)
        };

        let cleared = put(json!({"title": "t"})).await;
        assert_eq!(cleared.status_code(), 200, "{}", cleared.text());
        assert_eq!(cleared.json::<Value>()["labels"], json!([]));
        assert_eq!(
            get_task(&server, t, &task).await.json::<Value>()["labels"],
            json!([])
        );
        let set = put(json!({"title": "t", "labels": ["C", "a"]})).await;
        assert_eq!(set.json::<Value>()["labels"], json!(["a", "C"]));
        let nulled = put(json!({"title": "t", "labels": null})).await;
        assert_eq!(nulled.json::<Value>()["labels"], json!([]));
        assert_eq!(
            get_task(&server, t, &task).await.json::<Value>(),
            nulled.json::<Value>()
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_stale_if_match_with_new_labels_is_412_and_makes_no_label() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = create_task(&server, t, json!({"title": "t", "labels": ["a"]})).await;
        patch_task(&server, t, &task, json!({"title": "u"})).await;

        let patched = server
            .patch(&task_path(&task))
            .authorization_bearer(t)
            .add_header("if-match", "\"1\"")
            .json(&json!({"labels": ["new"]}))
            .await;
        let replaced = server
            .put(&task_path(&task))
            .authorization_bearer(t)
            .add_header("if-match", "\"1\"")
            .json(&json!({"title": "v", "labels": ["newer"]}))
            .await;

        assert_problem(&patched, 412, "/problems/precondition-failed");
        assert_problem(&replaced, 412, "/problems/precondition-failed");
        assert_eq!(label_names(&server, t).await, ["a"]);
        let now: Value = get_task(&server, t, &task).await.json();
        assert_eq!(now["labels"], json!(["a"]));
        assert_eq!(now["title"], json!("u"));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn pages_show_each_tasks_labels() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        create_task(&server, t, json!({"title": "one", "labels": ["b", "A"]})).await;
        create_task(&server, t, json!({"title": "two"})).await;
        create_task(&server, t, json!({"title": "three", "labels": ["a"]})).await;
        create_task(
            &server,
            &bob.access_token,
            json!({"title": "bob's", "labels": ["A"]}),
        )
        .await;

        let page = list_tasks(&server, t, "sort=title").await;

        let shown: Vec<(&str, Value)> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|task| (task["title"].as_str().unwrap(), task["labels"].clone()))
            .collect();
        assert_eq!(
            shown,
            [
                ("one", json!(["A", "b"])),
                ("three", json!(["A"])),
                ("two", json!([])),
            ]
        );
        // Bob's "A" is his own label, made by his task.
        assert_eq!(label_names(&server, &bob.access_token).await, ["A"]);
        assert_eq!(label_names(&server, t).await, ["A", "b"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_idempotent_replay_returns_the_same_labels_and_makes_none() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let keyed = || {
            server
                .post("/tasks")
                .authorization_bearer(t)
                .add_header("idempotency-key", "labelled")
                .json(&json!({"title": "t", "labels": ["b", "a"]}))
        };

        let first = keyed().await;
        let retry = keyed().await;

        assert_eq!(first.status_code(), 201, "{}", first.text());
        assert_eq!(first.json::<Value>()["labels"], json!(["a", "b"]));
        assert_eq!(retry.status_code(), 201);
        assert_eq!(retry.header("idempotent-replayed"), "true");
        assert_eq!(retry.json::<Value>(), first.json::<Value>());
        assert_eq!(titles(&list_tasks(&server, t, "").await), ["t"]);
        assert_eq!(label_names(&server, t).await, ["a", "b"]);
    })
    .await;
}
