//! `/tasks` and `/tasks/{id}`: create, read, delete, validation, ownership
//! (`task_updates.rs`: PUT and PATCH).
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;
use crate::assert_body_snapshot;

#[tokio::test]
#[serial]
async fn create_returns_201_with_location_and_defaults() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": "  Write report  "}))
            .await;

        assert_eq!(response.status_code(), 201);
        let task: Value = response.json();
        assert_eq!(
            response.header("location").to_str().unwrap(),
            format!("/tasks/{}", task["id"].as_str().unwrap())
        );
        assert_eq!(task["title"], "Write report");
        assert_eq!(task["status"], "incomplete");
        assert_eq!(task["priority"], "medium");
        assert_eq!(task["description"], Value::Null);
        assert_eq!(task["due_date"], Value::Null);
        assert_eq!(task["completed_at"], Value::Null);
        assert_body_snapshot!("tasks_create_defaults", task);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn create_with_every_field() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "Ship", "description": "Q4 numbers", "status": "complete",
                   "priority": "urgent", "due_date": "2026-12-01T18:00:00+01:00"}),
        )
        .await;

        assert_eq!(task["due_date"], "2026-12-01T17:00:00Z");
        assert_eq!(task["status"], "complete");
        assert!(task["completed_at"].is_string());
        assert_body_snapshot!("tasks_create_full", task);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn date_only_due_date_is_returned_as_a_date() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "t", "due_date": "2026-12-01"}),
        )
        .await;

        assert_eq!(task["due_date"], "2026-12-01");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn timestamps_are_utc_with_z() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "t", "status": "complete"}),
        )
        .await;

        for field in ["created_at", "updated_at", "completed_at"] {
            let value = task[field].as_str().unwrap();
            assert!(is_utc_seconds(value), "{field} = {value}");
        }
    })
    .await;
}

/// `YYYY-MM-DDTHH:MM:SSZ`, nothing else.
fn is_utc_seconds(value: &str) -> bool {
    let shape: String = value
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    shape == "dddd-dd-ddTdd:dd:ddZ"
}

#[tokio::test]
#[serial]
async fn create_validation_names_every_bad_field() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(
                &json!({"title": "   ", "description": "x".repeat(10_001), "status": "done",
                          "priority": "critical", "due_date": "tomorrow", "user_id": 7}),
            )
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(
            error_fields(&problem),
            vec![
                "user_id",
                "title",
                "description",
                "status",
                "priority",
                "due_date"
            ]
        );
        assert_body_snapshot!("tasks_create_validation", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn title_limits_are_1_to_200_characters_after_trimming() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let post = |title: String| {
            server
                .post("/tasks")
                .authorization_bearer(&ann.access_token)
                .json(&json!({ "title": title }))
        };

        assert_eq!(post("é".repeat(200)).await.status_code(), 201);
        assert_eq!(
            post(format!("  {}  ", "a".repeat(200))).await.status_code(),
            201
        );
        assert_eq!(post("a".repeat(201)).await.status_code(), 422);
        assert_eq!(post(String::new()).await.status_code(), 422);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn missing_title_and_wrong_types_are_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"description": 5, "priority": null}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(
            error_fields(&problem),
            vec!["title", "description", "priority"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn read_only_fields_are_ignored_on_create() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let task = create_task(
            &server,
            &ann.access_token,
            json!({"title": "t", "id": "00000000-0000-0000-0000-000000000000",
                   "created_at": "2000-01-01T00:00:00Z", "updated_at": "x", "completed_at": "y"}),
        )
        .await;

        assert_ne!(task["id"], "00000000-0000-0000-0000-000000000000");
        assert_ne!(task["created_at"], "2000-01-01T00:00:00Z");
        assert_eq!(task["completed_at"], Value::Null);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn get_returns_the_task() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;

        let response = server
            .get(&format!("/tasks/{}", task["id"].as_str().unwrap()))
            .authorization_bearer(&ann.access_token)
            .await;

        assert_eq!(response.status_code(), 200);
        assert_eq!(response.json::<Value>(), task);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unknown_and_malformed_ids_are_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for path in [
            "/tasks/8d4f7a5e-0000-4000-8000-000000000000",
            "/tasks/42",
            "/tasks/not-a-uuid",
        ] {
            let response = server
                .get(path)
                .authorization_bearer(&ann.access_token)
                .await;
            assert_problem(&response, 404, "/problems/not-found");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn another_users_task_is_404_for_every_method_and_unchanged() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "ann's"})).await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());
        let auth = &bob.access_token;

        let get = server.get(&path).authorization_bearer(auth).await;
        let put = server
            .put(&path)
            .authorization_bearer(auth)
            .json(&json!({"title": "bob's now"}))
            .await;
        let patch = server
            .patch(&path)
            .authorization_bearer(auth)
            .json(&json!({"title": "bob's now"}))
            .await;
        let delete = server.delete(&path).authorization_bearer(auth).await;

        for response in [&get, &put, &patch, &delete] {
            assert_problem(response, 404, "/problems/not-found");
        }
        let still = server
            .get(&path)
            .authorization_bearer(&ann.access_token)
            .await;
        assert_eq!(still.json::<Value>(), task);
        let bobs_list: Value = server.get("/tasks").authorization_bearer(auth).await.json();
        assert_eq!(bobs_list["data"], json!([]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn delete_is_204_then_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());

        let first = server
            .delete(&path)
            .authorization_bearer(&ann.access_token)
            .await;
        let second = server
            .delete(&path)
            .authorization_bearer(&ann.access_token)
            .await;
        let get = server
            .get(&path)
            .authorization_bearer(&ann.access_token)
            .await;

        assert_eq!(first.status_code(), 204);
        assert!(first.text().is_empty());
        assert_problem(&second, 404, "/problems/not-found");
        assert_problem(&get, 404, "/problems/not-found");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn every_task_endpoint_needs_a_token() {
    request::<App, _, _>(|server, _ctx| async move {
        let path = "/tasks/8d4f7a5e-0000-4000-8000-000000000000";
        let responses = [
            server.get("/tasks").await,
            server.post("/tasks").json(&json!({"title": "t"})).await,
            server.get(path).await,
            server.put(path).json(&json!({"title": "t"})).await,
            server.patch(path).json(&json!({"title": "t"})).await,
            server.delete(path).await,
        ];
        for response in &responses {
            assert_problem(response, 401, "/problems/unauthorized");
            assert!(response.maybe_header("www-authenticate").is_some());
        }
    })
    .await;
}
