//! `Idempotency-Key` on `POST /tasks`.
use std::future::IntoFuture;

use futures_util::future::join_all;
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

async fn post(
    server: &axum_test::TestServer,
    token: &str,
    key: &str,
    body: Value,
) -> axum_test::TestResponse {
    server
        .post("/tasks")
        .authorization_bearer(token)
        .add_header("idempotency-key", key.to_string())
        .json(&body)
        .await
}

async fn count(server: &axum_test::TestServer, token: &str) -> usize {
    list_tasks(server, token, "limit=100").await["data"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
#[serial]
async fn a_retry_with_the_same_key_and_body_returns_the_first_response() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let first = post(
            &server,
            &ann.access_token,
            "key-1",
            json!({"title": "once", "priority": "high"}),
        )
        .await;
        // The same body with keys in another order is the same request.
        let retry = post(
            &server,
            &ann.access_token,
            "key-1",
            json!({"priority": "high", "title": "once"}),
        )
        .await;

        assert_eq!(first.status_code(), 201);
        assert_eq!(retry.status_code(), 201);
        assert_eq!(retry.json::<Value>(), first.json::<Value>());
        assert_eq!(retry.header("location"), first.header("location"));
        assert_eq!(
            retry.header("idempotent-replayed").to_str().unwrap(),
            "true"
        );
        assert_eq!(count(&server, &ann.access_token).await, 1);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_same_key_with_another_body_is_409() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        post(
            &server,
            &ann.access_token,
            "key-1",
            json!({"title": "first"}),
        )
        .await;

        let other = post(
            &server,
            &ann.access_token,
            "key-1",
            json!({"title": "second"}),
        )
        .await;

        assert_problem(&other, 409, "/problems/idempotency-conflict");
        assert_eq!(count(&server, &ann.access_token).await, 1);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn keys_are_per_user_and_requests_without_a_key_are_not_deduplicated() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;

        let anns = post(&server, &ann.access_token, "shared", json!({"title": "t"})).await;
        let bobs = post(&server, &bob.access_token, "shared", json!({"title": "t"})).await;
        create_task(&server, &ann.access_token, json!({"title": "t"})).await;
        create_task(&server, &ann.access_token, json!({"title": "t"})).await;

        assert_eq!(anns.status_code(), 201);
        assert_eq!(bobs.status_code(), 201);
        assert_ne!(anns.json::<Value>()["id"], bobs.json::<Value>()["id"]);
        assert_eq!(count(&server, &ann.access_token).await, 3);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_invalid_request_is_not_remembered() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let invalid = post(&server, &ann.access_token, "key-1", json!({"title": ""})).await;
        let valid = post(
            &server,
            &ann.access_token,
            "key-1",
            json!({"title": "fixed"}),
        )
        .await;

        assert_problem(&invalid, 422, "/problems/validation-error");
        assert_eq!(valid.status_code(), 201);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_bad_key_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let long = post(
            &server,
            &ann.access_token,
            &"k".repeat(256),
            json!({"title": "t"}),
        )
        .await;
        let longest = post(
            &server,
            &ann.access_token,
            &"k".repeat(255),
            json!({"title": "t"}),
        )
        .await;

        let problem = assert_problem(&long, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["Idempotency-Key"]);
        assert_eq!(longest.status_code(), 201);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_requests_with_one_key_create_one_task() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let requests = (0..8).map(|_| {
            server
                .post("/tasks")
                .authorization_bearer(&ann.access_token)
                .add_header("idempotency-key", "race")
                .json(&json!({"title": "once"}))
                .into_future()
        });
        let responses = join_all(requests).await;

        let ids: Vec<Value> = responses
            .iter()
            .map(|r| {
                assert_eq!(r.status_code(), 201, "{}", r.text());
                r.json::<Value>()["id"].clone()
            })
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]));
        assert_eq!(count(&server, &ann.access_token).await, 1);
    })
    .await;
}
