//! ETag, If-None-Match (304) and If-Match (412) on `/tasks/{id}`.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

async fn setup(server: &axum_test::TestServer) -> (Login, String, String) {
    let ann = login_as(server, "ann@example.com").await;
    let created = server
        .post("/tasks")
        .authorization_bearer(&ann.access_token)
        .json(&json!({"title": "t"}))
        .await;
    assert_eq!(created.status_code(), 201);
    let etag = created.header("etag").to_str().unwrap().to_string();
    let path = format!("/tasks/{}", created.json::<Value>()["id"].as_str().unwrap());
    (ann, path, etag)
}

#[tokio::test]
#[serial]
async fn every_task_response_carries_an_etag_that_changes_with_the_task() {
    request::<App, _, _>(|server, _ctx| async move {
        let (ann, path, created) = setup(&server).await;

        let got = server
            .get(&path)
            .authorization_bearer(&ann.access_token)
            .await;
        let patched = server
            .patch(&path)
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": "u"}))
            .await;
        let replaced = server
            .put(&path)
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": "v"}))
            .await;

        assert_eq!(created, "\"1\"");
        assert_eq!(got.header("etag").to_str().unwrap(), created);
        assert_eq!(patched.header("etag").to_str().unwrap(), "\"2\"");
        assert_eq!(replaced.header("etag").to_str().unwrap(), "\"3\"");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn if_none_match_with_the_current_etag_is_304() {
    request::<App, _, _>(|server, _ctx| async move {
        let (ann, path, etag) = setup(&server).await;
        let get = |value: &str| {
            server
                .get(&path)
                .authorization_bearer(&ann.access_token)
                .add_header("if-none-match", value.to_string())
        };

        let same = get(&etag).await;
        let weak = get(&format!("W/{etag}")).await;
        let any = get("*").await;
        let stale = get("\"99\", \"98\"").await;

        assert_eq!(same.status_code(), 304);
        assert!(same.text().is_empty());
        assert_eq!(same.header("etag").to_str().unwrap(), etag);
        assert_eq!(weak.status_code(), 304);
        assert_eq!(any.status_code(), 304);
        assert_eq!(stale.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let (ann, path, etag) = setup(&server).await;
        let auth = &ann.access_token;
        let changed = server
            .patch(&path)
            .authorization_bearer(auth)
            .json(&json!({"title": "changed"}))
            .await;
        assert_eq!(changed.status_code(), 200);

        let patch = server
            .patch(&path)
            .authorization_bearer(auth)
            .add_header("if-match", etag.clone())
            .json(&json!({"title": "lost update"}))
            .await;
        let put = server
            .put(&path)
            .authorization_bearer(auth)
            .add_header("if-match", etag.clone())
            .json(&json!({"title": "lost update"}))
            .await;
        let weak = server
            .patch(&path)
            .authorization_bearer(auth)
            .add_header("if-match", "W/\"2\"")
            .json(&json!({"title": "weak tags never match"}))
            .await;
        let delete = server
            .delete(&path)
            .authorization_bearer(auth)
            .add_header("if-match", etag.clone())
            .await;

        for response in [&patch, &put, &weak, &delete] {
            assert_problem(response, 412, "/problems/precondition-failed");
        }
        let now: Value = server.get(&path).authorization_bearer(auth).await.json();
        assert_eq!(now["title"], "changed");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_current_if_match_lets_the_write_through() {
    request::<App, _, _>(|server, _ctx| async move {
        let (ann, path, etag) = setup(&server).await;
        let auth = &ann.access_token;

        let patched = server
            .patch(&path)
            .authorization_bearer(auth)
            .add_header("if-match", format!("\"7\", {etag}"))
            .json(&json!({"title": "ok"}))
            .await;
        let any = server
            .put(&path)
            .authorization_bearer(auth)
            .add_header("if-match", "*")
            .json(&json!({"title": "ok again"}))
            .await;
        let current = any.header("etag").to_str().unwrap().to_string();
        let deleted = server
            .delete(&path)
            .authorization_bearer(auth)
            .add_header("if-match", current)
            .await;

        assert_eq!(patched.status_code(), 200);
        assert_eq!(any.status_code(), 200);
        assert_eq!(deleted.status_code(), 204);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn if_match_on_a_missing_or_foreign_task_is_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let (_ann, path, etag) = setup(&server).await;
        let bob = login_as(&server, "bob@example.com").await;

        let foreign = server
            .patch(&path)
            .authorization_bearer(&bob.access_token)
            .add_header("if-match", etag.clone())
            .json(&json!({"title": "x"}))
            .await;
        let missing = server
            .delete("/tasks/8d4f7a5e-0000-4000-8000-000000000000")
            .authorization_bearer(&bob.access_token)
            .add_header("if-match", "*")
            .await;

        assert_problem(&foreign, 404, "/problems/not-found");
        assert_problem(&missing, 404, "/problems/not-found");
    })
    .await;
}
