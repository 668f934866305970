//! The label quota (contract, accounts-and-operations.md, "Resource
//! limits": `QUOTA_LABELS`, 500 by default): `POST /labels` and task bodies
//! that name new labels count alike. Going over is 403
//! `/problems/quota-exceeded` naming the limit, and writes nothing: neither
//! the task nor any label.
use std::{future::IntoFuture, path::Path};

use axum_test::{TestResponse, TestServer};
use futures_util::future::join_all;
use loco_rs::{app::AppContext, environment::Environment};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{models::_entities::idempotency_keys, settings::Settings};

use super::{
    helpers::*,
    labels::{create_label, label_names, path, post_label},
};

const QUOTA: u32 = 3;

async fn server_with_label_quota(limit: u32) -> (TestServer, AppContext) {
    server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["quotas"] = json!({"labels": limit});
    })
    .await
}

fn assert_quota_exceeded(response: &TestResponse) {
    let problem = assert_problem(response, 403, "/problems/quota-exceeded");
    assert_eq!(problem["title"], json!("Quota exceeded"));
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("3 labels"), "{detail}");
}

async fn post_task(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .post("/tasks")
        .authorization_bearer(token)
        .json(&body)
        .await
}

/// `settings.quotas.labels` of the production configuration with
/// `QUOTA_LABELS` set to `value` (or unset), the environment restored after.
fn production_label_quota(value: Option<&str>) -> u32 {
    const VARS: [&str; 2] = ["JWT_SECRET", "QUOTA_LABELS"];
    let saved = VARS.map(|k| (k, std::env::var(k).ok()));
    std::env::set_var(
        "JWT_SECRET",
        "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
    );
    match value {
        Some(v) => std::env::set_var("QUOTA_LABELS", v),
        None => std::env::remove_var("QUOTA_LABELS"),
    }
    let config = Environment::Production.load_from_folder(Path::new("config"));
    for (key, value) in saved {
        match value {
            Some(v) => std::env::set_var(key, v),
            None => std::env::remove_var(key),
        }
    }
    Settings::from_config(config.unwrap().settings.as_ref())
        .unwrap()
        .quotas
        .labels
}

#[test]
#[serial]
fn quota_labels_comes_from_the_environment_and_defaults_to_500() {
    assert_eq!(production_label_quota(None), 500);
    assert_eq!(production_label_quota(Some("7")), 7);
    assert_eq!(Settings::from_config(None).unwrap().quotas.labels, 500);
}

#[tokio::test]
#[serial]
async fn the_label_at_the_limit_is_created_and_the_next_one_is_refused() {
    let (server, _ctx) = server_with_label_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let bob = login_as(&server, "bob@example.com").await;
    let t = &ann.access_token;
    let mut made = Vec::new();
    for name in ["a", "b", "c"] {
        made.push(create_label(&server, t, json!({"name": name})).await);
    }

    let over = post_label(&server, t, json!({"name": "d"})).await;

    assert_quota_exceeded(&over);
    assert_eq!(label_names(&server, t).await, ["a", "b", "c"]);
    // Per user: Bob has room of his own.
    create_label(&server, &bob.access_token, json!({"name": "d"})).await;
    let deleted = server.delete(&path(&made[0])).authorization_bearer(t).await;
    assert_eq!(deleted.status_code(), 204);
    create_label(&server, t, json!({"name": "d"})).await;
    assert_quota_exceeded(&post_label(&server, t, json!({"name": "e"})).await);
    assert_eq!(label_names(&server, t).await, ["b", "c", "d"]);
}

#[tokio::test]
#[serial]
async fn a_task_whose_new_labels_pass_the_quota_writes_nothing() {
    let (server, _ctx) = server_with_label_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    create_label(&server, t, json!({"name": "a"})).await;

    // Two new labels would make four.
    let over = post_task(
        &server,
        t,
        json!({"title": "t", "labels": ["A", "b", "c", "d"]}),
    )
    .await;

    assert_quota_exceeded(&over);
    assert_eq!(label_names(&server, t).await, ["a"]);
    assert_eq!(
        titles(&list_tasks(&server, t, "").await),
        Vec::<String>::new()
    );
    // Existing labels do not count: two new ones reach the limit exactly.
    let at_limit = post_task(&server, t, json!({"title": "t", "labels": ["A", "b", "c"]})).await;
    assert_eq!(at_limit.status_code(), 201, "{}", at_limit.text());
    assert_eq!(at_limit.json::<Value>()["labels"], json!(["a", "b", "c"]));
    let reused = post_task(&server, t, json!({"title": "u", "labels": ["C", "B"]})).await;
    assert_eq!(reused.status_code(), 201, "{}", reused.text());
    assert_eq!(label_names(&server, t).await, ["a", "b", "c"]);
}

#[tokio::test]
#[serial]
async fn a_patch_or_put_whose_new_labels_pass_the_quota_changes_nothing() {
    let (server, _ctx) = server_with_label_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    let task = create_task(&server, t, json!({"title": "t", "labels": ["a", "b"]})).await;
    create_label(&server, t, json!({"name": "c"})).await;
    let task_path = format!("/tasks/{}", task["id"].as_str().unwrap());

    let patched = server
        .patch(&task_path)
        .authorization_bearer(t)
        .json(&json!({"title": "renamed", "labels": ["a", "new"]}))
        .await;
    let replaced = server
        .put(&task_path)
        .authorization_bearer(t)
        .json(&json!({"title": "replaced", "labels": ["new"]}))
        .await;

    assert_quota_exceeded(&patched);
    assert_quota_exceeded(&replaced);
    let now = server.get(&task_path).authorization_bearer(t).await;
    assert_eq!(now.header("etag"), "\"1\"");
    assert_eq!(now.json::<Value>(), task);
    assert_eq!(label_names(&server, t).await, ["a", "b", "c"]);
    // At the limit, a set of labels the user has is fine.
    let reused = server
        .patch(&task_path)
        .authorization_bearer(t)
        .json(&json!({"labels": ["C", "a"]}))
        .await;
    assert_eq!(reused.status_code(), 200, "{}", reused.text());
    assert_eq!(reused.json::<Value>()["labels"], json!(["a", "c"]));
}

#[tokio::test]
#[serial]
async fn an_idempotent_create_over_the_label_quota_is_refused_and_stores_no_key() {
    let (server, ctx) = server_with_label_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    for name in ["a", "b", "c"] {
        create_label(&server, t, json!({"name": name})).await;
    }
    let keyed = || {
        server
            .post("/tasks")
            .authorization_bearer(t)
            .add_header("idempotency-key", "labelled")
            .json(&json!({"title": "keyed", "labels": ["a", "d"]}))
    };

    assert_quota_exceeded(&keyed().await);

    let keys = idempotency_keys::Entity::find()
        .count(&ctx.db)
        .await
        .unwrap();
    assert_eq!(keys, 0);
    assert_eq!(
        titles(&list_tasks(&server, t, "").await),
        Vec::<String>::new()
    );
    // Once there is room, the same key creates the task.
    let c = server
        .get("/labels")
        .authorization_bearer(t)
        .await
        .json::<Value>()["data"][2]
        .clone();
    server.delete(&path(&c)).authorization_bearer(t).await;
    let created = keyed().await;
    assert_eq!(created.status_code(), 201, "{}", created.text());
    assert_eq!(created.json::<Value>()["labels"], json!(["a", "d"]));
}

#[tokio::test]
#[serial]
async fn the_task_quota_refuses_a_labelled_task_and_its_new_labels_with_it() {
    let (server, _ctx) = server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["quotas"] = json!({"tasks": 1});
    })
    .await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    create_task(&server, t, json!({"title": "the one"})).await;

    let over = post_task(&server, t, json!({"title": "two", "labels": ["new"]})).await;

    assert_problem(&over, 403, "/problems/quota-exceeded");
    assert_eq!(label_names(&server, t).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_creates_at_the_limit_create_exactly_the_limit() {
    let (server, _ctx) = server_with_label_quota(5).await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;
    create_label(&server, t, json!({"name": "before"})).await;

    // Labels made directly and through tasks race for the same four places.
    let labels = (0..6).map(|n| {
        server
            .post("/labels")
            .authorization_bearer(t)
            .json(&json!({"name": format!("label {n}")}))
            .into_future()
    });
    let tasks = (0..6).map(|n| {
        server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&json!({"title": "t", "labels": [format!("task {n}"), "before"]}))
            .into_future()
    });
    let statuses: Vec<u16> = join_all(labels.chain(tasks))
        .await
        .iter()
        .map(|r| r.status_code().as_u16())
        .collect();

    let created = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(created, 4, "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        8,
        "{statuses:?}"
    );
    assert_eq!(label_names(&server, t).await.len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_creates_of_one_name_make_one_label() {
    let (server, _ctx) = server_with_label_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let t = &ann.access_token;

    let labels = ["Errand", "errand", "ERRAND"].map(|name| {
        server
            .post("/labels")
            .authorization_bearer(t)
            .json(&json!({"name": name}))
            .into_future()
    });
    let tasks = (0..4).map(|n| {
        server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&json!({"title": format!("t{n}"), "labels": ["eRRAND"]}))
            .into_future()
    });
    let (labels, tasks) = futures_util::join!(join_all(labels), join_all(tasks));

    let made: Vec<&TestResponse> = labels.iter().filter(|r| r.status_code() == 201).collect();
    // Either a label request or a task made it first; the rest found it.
    assert!(made.len() <= 1, "{:?}", made.len());
    for response in labels.iter().filter(|r| r.status_code() != 201) {
        assert_problem(response, 409, "/problems/name-taken");
    }
    for response in &tasks {
        assert_eq!(response.status_code(), 201, "{}", response.text());
    }
    let names = label_names(&server, t).await;
    assert_eq!(names.len(), 1, "{names:?}");
    for response in &tasks {
        assert_eq!(response.json::<Value>()["labels"], json!(names));
    }
}
