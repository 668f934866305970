//! Which answer wins when a `/tasks/{id}` request has several problems. The
//! session check and the task look-up are one query for GET, PUT and PATCH
//! (`Access::with_task`); the order of the answers is the same as if they
//! were two: 401, then the body (415/400), then an id that is not one (404),
//! then validation (422), then a missing task (404).
use loco_rs::testing::prelude::*;
use serde_json::json;
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

const UNKNOWN: &str = "/tasks/8d4f7a5e-0000-4000-8000-000000000000";

#[tokio::test]
#[serial]
async fn a_revoked_token_is_401_whatever_else_is_wrong() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "keep"})).await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());
        let logout = server
            .post("/auth/logout")
            .authorization_bearer(&ann.access_token)
            .await;
        assert_eq!(logout.status_code(), 204);
        let auth = &ann.access_token;

        let responses = [
            server.get(&path).authorization_bearer(auth).await,
            server
                .get("/tasks/not-a-uuid")
                .authorization_bearer(auth)
                .await,
            server.get(UNKNOWN).authorization_bearer(auth).await,
            server
                .patch(&path)
                .authorization_bearer(auth)
                .json(&json!({"title": "changed"}))
                .await,
            server
                .patch(&path)
                .authorization_bearer(auth)
                .content_type("text/plain")
                .text("title")
                .await,
            server
                .put(&path)
                .authorization_bearer(auth)
                .json(&json!({"title": ""}))
                .await,
            server
                .put("/tasks/not-a-uuid")
                .authorization_bearer(auth)
                .json(&json!({"title": "t"}))
                .await,
            server.delete(&path).authorization_bearer(auth).await,
        ];
        for response in &responses {
            assert_problem(response, 401, "/problems/unauthorized");
        }

        // Nothing changed.
        let again = new_login(&server, "ann@example.com").await;
        let current = server
            .get(&path)
            .authorization_bearer(&again.access_token)
            .await;
        assert_eq!(current.status_code(), 200);
        assert_eq!(current.json::<serde_json::Value>()["title"], "keep");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn body_then_id_then_validation_then_missing_task() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let auth = &ann.access_token;
        for method in ["PUT", "PATCH"] {
            let send = |path: &str| {
                let path = path.to_string();
                let builder = if method == "PUT" {
                    server.put(&path)
                } else {
                    server.patch(&path)
                };
                builder.authorization_bearer(auth)
            };
            let not_json = send("/tasks/not-a-uuid")
                .content_type("text/plain")
                .text("title")
                .await;
            assert_problem(&not_json, 415, "/problems/unsupported-media-type");
            let malformed = send("/tasks/not-a-uuid")
                .bytes("{".into())
                .content_type("application/json")
                .await;
            assert_eq!(malformed.status_code(), 400, "{method}");
            let bad_id = send("/tasks/not-a-uuid").json(&json!({"title": ""})).await;
            assert_problem(&bad_id, 404, "/problems/not-found");
            let invalid = send(UNKNOWN).json(&json!({"title": ""})).await;
            assert_problem(&invalid, 422, "/problems/validation-error");
            let missing = send(UNKNOWN).json(&json!({"title": "t"})).await;
            assert_problem(&missing, 404, "/problems/not-found");
        }
    })
    .await;
}
