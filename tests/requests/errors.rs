//! One error format for everything: rejections, fallbacks, wrong methods.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;
use crate::assert_body_snapshot;

#[tokio::test]
#[serial]
async fn malformed_json_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .content_type("application/json")
            .bytes(r#"{"title": "#.into())
            .await;

        assert_problem(&response, 400, "/problems/malformed-request");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn non_object_json_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(&json!(["title"]))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["body"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn wrong_content_type_is_415() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let text = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .content_type("text/plain")
            .bytes(r#"{"title":"t"}"#.into())
            .await;
        let merge_patch_on_post = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .content_type("application/merge-patch+json")
            .bytes(r#"{"title":"t"}"#.into())
            .await;
        let register_form = server
            .post("/auth/register")
            .content_type("application/x-www-form-urlencoded")
            .bytes("name=a".into())
            .await;

        assert_problem(&text, 415, "/problems/unsupported-media-type");
        assert_problem(
            &merge_patch_on_post,
            415,
            "/problems/unsupported-media-type",
        );
        assert_problem(&register_form, 415, "/problems/unsupported-media-type");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn json_with_charset_is_accepted() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .content_type("application/json; charset=utf-8")
            .bytes(r#"{"title":"t"}"#.into())
            .await;

        assert_eq!(response.status_code(), 201);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn body_over_64_kib_is_413() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let padding = "x".repeat(64 * 1024);

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": "t", "description": padding}))
            .await;

        assert_problem(&response, 413, "/problems/payload-too-large");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn body_just_under_the_limit_reaches_validation() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let padding = "x".repeat(60 * 1024);

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": "t", "description": padding}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["description"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn wrong_method_is_405_with_allow() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.delete("/tasks").await;

        let problem = assert_problem(&response, 405, "/problems/method-not-allowed");
        let allow = response.header("allow").to_str().unwrap().to_string();
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
        assert_body_snapshot!("errors_method_not_allowed", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unknown_route_is_404_problem() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/api/tasks").await;

        let problem = assert_problem(&response, 404, "/problems/not-found");
        assert_body_snapshot!("errors_not_found", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn missing_token_is_401_with_challenge() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/tasks").await;

        let problem: Value = assert_problem(&response, 401, "/problems/unauthorized");
        // RFC 6750 §3.1: no error code when no credentials were sent.
        assert_eq!(
            response.header("www-authenticate").to_str().unwrap(),
            "Bearer"
        );
        assert_body_snapshot!("errors_unauthorized", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn health_endpoints_need_no_token() {
    request::<App, _, _>(|server, _ctx| async move {
        assert_eq!(server.get("/_ping").await.status_code(), 200);
        assert_eq!(server.get("/_health").await.status_code(), 200);
    })
    .await;
}
