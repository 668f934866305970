//! `PUT` and `PATCH /tasks/{id}`: a whole replacement, a merge patch, and the
//! fields neither may change.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

#[tokio::test]
#[serial]
async fn put_replaces_and_resets_omitted_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "t", "description": "d", "priority": "high", "status": "complete", "due_date": "2026-12-01"}),
        )
        .await;

        let response = server
            .put(&format!("/tasks/{}", task["id"].as_str().unwrap()))
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": "new"}))
            .await;

        assert_eq!(response.status_code(), 200);
        let replaced: Value = response.json();
        assert_eq!(replaced["id"], task["id"]);
        assert_eq!(replaced["title"], "new");
        assert_eq!(replaced["description"], Value::Null);
        assert_eq!(replaced["priority"], "medium");
        assert_eq!(replaced["status"], "incomplete");
        assert_eq!(replaced["due_date"], Value::Null);
        assert_eq!(replaced["completed_at"], Value::Null);
        assert_eq!(replaced["created_at"], task["created_at"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn put_follows_the_same_rules_as_post() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;

        let response = server
            .put(&format!("/tasks/{}", task["id"].as_str().unwrap()))
            .authorization_bearer(&ann.access_token)
            .json(&json!({"description": "no title"}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["title"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_changes_only_the_fields_sent() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "t", "description": "d", "priority": "high", "due_date": "2026-12-01"}),
        )
        .await;

        let response = server
            .patch(&format!("/tasks/{}", task["id"].as_str().unwrap()))
            .authorization_bearer(&ann.access_token)
            .json(&json!({"priority": "low"}))
            .await;

        assert_eq!(response.status_code(), 200);
        let patched: Value = response.json();
        assert_eq!(patched["priority"], "low");
        for field in ["title", "description", "status", "due_date", "created_at"] {
            assert_eq!(patched[field], task[field], "{field}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_null_clears_nullable_fields_and_is_422_for_the_others() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "t", "description": "d", "due_date": "2026-12-01"}),
        )
        .await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());

        let cleared = server
            .patch(&path)
            .authorization_bearer(&ann.access_token)
            .json(&json!({"description": null, "due_date": null}))
            .await;
        let refused = server
            .patch(&path)
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": null, "status": null, "priority": null}))
            .await;

        assert_eq!(cleared.status_code(), 200);
        assert_eq!(cleared.json::<Value>()["description"], Value::Null);
        assert_eq!(cleared.json::<Value>()["due_date"], Value::Null);
        let problem = assert_problem(&refused, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["title", "status", "priority"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_accepts_merge_patch_content_type() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;

        let response = server
            .patch(&format!("/tasks/{}", task["id"].as_str().unwrap()))
            .authorization_bearer(&ann.access_token)
            .content_type("application/merge-patch+json")
            .bytes(r#"{"title":"merged"}"#.into())
            .await;

        assert_eq!(response.status_code(), 200);
        assert_eq!(response.json::<Value>()["title"], "merged");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn completing_sets_completed_at_and_reopening_clears_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());
        let patch = |body: Value| {
            server
                .patch(&path)
                .authorization_bearer(&ann.access_token)
                .json(&body)
        };

        let done: Value = patch(json!({"status": "complete"})).await.json();
        let still_done: Value = patch(json!({"title": "renamed"})).await.json();
        let reopened: Value = patch(json!({"status": "in_progress"})).await.json();

        assert!(done["completed_at"].is_string());
        assert_eq!(still_done["completed_at"], done["completed_at"]);
        assert_eq!(reopened["completed_at"], Value::Null);
        assert_eq!(reopened["status"], "in_progress");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_cannot_change_the_owner() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());

        let response = server
            .patch(&path)
            .authorization_bearer(&ann.access_token)
            .json(&json!({"user_id": bob.user_id, "owner": bob.user_id}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["owner", "user_id"]);
        let bobs = server
            .get(&path)
            .authorization_bearer(&bob.access_token)
            .await;
        assert_eq!(bobs.status_code(), 404);
    })
    .await;
}
