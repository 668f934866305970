//! `POST /auth/register`, with every failure row of the contract.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;
use uuid::Uuid;

use super::{auth::*, helpers::*};
use crate::assert_body_snapshot;

// ---------------------------------------------------------------------------
// POST /auth/register
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn register_returns_201_and_the_user_with_the_email_as_typed() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = register(&server, "Ann Lee", "Ann.Lee@Example.com").await;

        assert_eq!(response.status_code(), 201);
        let user: Value = response.json();
        assert_eq!(user["email"], "Ann.Lee@Example.com");
        assert_eq!(user["timezone"], "UTC");
        assert_eq!(user["reminder_lead_minutes"], 60);
        assert!(Uuid::try_parse(user["id"].as_str().unwrap()).is_ok());
        assert_body_snapshot!("auth_register_created", user);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_stores_an_argon2id_hash_not_the_password() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let stored = stored_user(&ctx, "ann@example.com").await;

        assert!(
            stored.password.starts_with("$argon2id$"),
            "{}",
            stored.password
        );
        assert!(!stored.password.contains(PASSWORD));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_taken_email_in_another_case_is_409() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = register(&server, "Other Ann", "ANN@Example.COM").await;

        let problem = assert_problem(&response, 409, "/problems/email-taken");
        assert_body_snapshot!("auth_register_email_taken", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_validation_names_every_offending_field() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": "   ", "email": "not-an-email",
                          "password": "1234567", "role": "admin"}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(
            error_fields(&problem),
            ["role", "name", "email", "password"]
        );
        assert_body_snapshot!("auth_register_validation", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_password_of_129_characters_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": "Ann", "email": "ann@example.com",
                          "password": "a".repeat(129)}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_name_of_101_characters_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": "n".repeat(101), "email": "ann@example.com",
                          "password": PASSWORD}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_accepts_the_boundary_lengths() {
    request::<App, _, _>(|server, _ctx| async move {
        let shortest = server
            .post("/auth/register")
            .json(&json!({"name": "A", "email": "a@example.com", "password": "kq7vzx2m"}))
            .await;
        let longest = server
            .post("/auth/register")
            .json(&json!({"name": "ü".repeat(100), "email": "b@example.com",
                          "password": "é".repeat(128)}))
            .await;

        assert_eq!(shortest.status_code(), 201, "{}", shortest.text());
        assert_eq!(longest.status_code(), 201, "{}", longest.text());
        assert_eq!(longest.json::<Value>()["name"], "ü".repeat(100));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_missing_fields_names_each() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.post("/auth/register").json(&json!({})).await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name", "email", "password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_wrong_json_types_names_each() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": 42, "email": ["ann@example.com"], "password": null}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name", "email", "password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_ignores_read_only_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let sent_id = Uuid::new_v4().to_string();

        let response = server
            .post("/auth/register")
            .json(
                &json!({"name": "Ann", "email": "ann@example.com", "password": PASSWORD,
                          "id": sent_id, "created_at": "2000-01-01T00:00:00Z"}),
            )
            .await;

        assert_eq!(response.status_code(), 201, "{}", response.text());
        let user: Value = response.json();
        assert_ne!(user["id"], sent_id.as_str());
        assert_ne!(user["created_at"], "2000-01-01T00:00:00Z");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_body_over_64_kib_is_413() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(
                &json!({"name": "n".repeat(70_000), "email": "ann@example.com",
                          "password": PASSWORD}),
            )
            .await;

        assert_problem(&response, 413, "/problems/payload-too-large");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_wrong_method_on_an_auth_route_is_405_with_allow() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/auth/login").await;

        assert_problem(&response, 405, "/problems/method-not-allowed");
        let allow = response.header("allow");
        assert!(allow.to_str().unwrap().contains("POST"), "{allow:?}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_body_that_is_not_an_object_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!(["Ann", "ann@example.com", PASSWORD]))
            .await;

        assert_problem(&response, 422, "/problems/validation-error");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_malformed_json_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .content_type("application/json")
            .bytes(r#"{"name": "Ann", "#.into())
            .await;

        assert_problem(&response, 400, "/problems/malformed-request");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_without_a_json_content_type_is_415() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .content_type("text/plain")
            .bytes(
                json!({"name": "Ann", "email": "ann@example.com", "password": PASSWORD})
                    .to_string()
                    .into(),
            )
            .await;

        assert_problem(&response, 415, "/problems/unsupported-media-type");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_password_is_never_in_a_response() {
    request::<App, _, _>(|server, _ctx| async move {
        let registered = register(&server, "Ann", "ann@example.com").await;
        let logged_in = login(&server, "ann@example.com", PASSWORD).await;
        let session: Value = logged_in.json();
        let token = session["access_token"].as_str().unwrap();
        let me = get_me(&server, token).await;
        let patched = patch_me(&server, token, json!({"name": "Ann B"})).await;
        let refreshed = refresh(&server, session["refresh_token"].as_str().unwrap()).await;

        for response in [&registered, &logged_in, &me, &patched, &refreshed] {
            assert!(response.status_code().is_success(), "{}", response.text());
            assert!(!response.text().contains(PASSWORD), "{}", response.text());
            assert!(!response.text().contains("argon2"), "{}", response.text());
            assert!(!response.text().contains("password"), "{}", response.text());
        }
    })
    .await;
}
