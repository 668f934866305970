//! `/tasks` and `/tasks/{id}`: CRUD, validation, ownership.
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
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
                .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
                .add_header("authorization", bearer(&ann.access_token))
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
        let auth = bearer(&bob.access_token);

        let get = server
            .get(&path)
            .add_header("authorization", auth.clone())
            .await;
        let put = server
            .put(&path)
            .add_header("authorization", auth.clone())
            .json(&json!({"title": "bob's now"}))
            .await;
        let patch = server
            .patch(&path)
            .add_header("authorization", auth.clone())
            .json(&json!({"title": "bob's now"}))
            .await;
        let delete = server
            .delete(&path)
            .add_header("authorization", auth.clone())
            .await;

        for response in [&get, &put, &patch, &delete] {
            assert_problem(response, 404, "/problems/not-found");
        }
        let still = server
            .get(&path)
            .add_header("authorization", bearer(&ann.access_token))
            .await;
        assert_eq!(still.json::<Value>(), task);
        let bobs_list: Value = server
            .get("/tasks")
            .add_header("authorization", auth)
            .await
            .json();
        assert_eq!(bobs_list["data"], json!([]));
    })
    .await;
}

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
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
            .json(&json!({"description": null, "due_date": null}))
            .await;
        let refused = server
            .patch(&path)
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
                .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
            .json(&json!({"user_id": bob.user_id, "owner": bob.user_id}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["owner", "user_id"]);
        let bobs = server
            .get(&path)
            .add_header("authorization", bearer(&bob.access_token))
            .await;
        assert_eq!(bobs.status_code(), 404);
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
            .add_header("authorization", bearer(&ann.access_token))
            .await;
        let second = server
            .delete(&path)
            .add_header("authorization", bearer(&ann.access_token))
            .await;
        let get = server
            .get(&path)
            .add_header("authorization", bearer(&ann.access_token))
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
