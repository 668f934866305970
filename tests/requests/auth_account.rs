//! `GET`/`PATCH /auth/me` (the profile), and the generated starter's
//! endpoints that are gone.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;
use uuid::Uuid;

use super::{auth::*, helpers::*};
use crate::assert_body_snapshot;

// ---------------------------------------------------------------------------
// GET and PATCH /auth/me
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn me_returns_the_callers_user() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        login_as(&server, "bob@example.com").await;

        let response = get_me(&server, &ann.access_token).await;

        assert_eq!(response.status_code(), 200);
        let user: Value = response.json();
        assert_eq!(user["id"], ann.user_id.as_str());
        assert_eq!(user["email"], "ann@example.com");
        assert_body_snapshot!("auth_me", user);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_changes_the_name() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(&server, &ann.access_token, json!({"name": "  Ann Lee "})).await;

        assert_eq!(response.status_code(), 200);
        let user: Value = response.json();
        assert_eq!(user["name"], "Ann Lee");
        assert_eq!(user["timezone"], "UTC");
        assert_eq!(user["reminder_lead_minutes"], 60);
        assert_eq!(
            get_me(&server, &ann.access_token).await.json::<Value>(),
            user
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_changes_the_timezone() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"timezone": "America/Argentina/Buenos_Aires"}),
        )
        .await;

        assert_eq!(response.status_code(), 200);
        let user: Value = response.json();
        assert_eq!(user["timezone"], "America/Argentina/Buenos_Aires");
        assert_eq!(user["name"], "ann");
        assert_body_snapshot!("auth_me_patched", user);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_changes_the_reminder_lead_within_0_to_10080() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let off = patch_me(
            &server,
            &ann.access_token,
            json!({"reminder_lead_minutes": 0}),
        )
        .await;
        let week = patch_me(
            &server,
            &ann.access_token,
            json!({"reminder_lead_minutes": 10080}),
        )
        .await;

        assert_eq!(off.status_code(), 200);
        assert_eq!(off.json::<Value>()["reminder_lead_minutes"], 0);
        assert_eq!(week.status_code(), 200);
        assert_eq!(week.json::<Value>()["reminder_lead_minutes"], 10080);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_accepts_merge_patch_content_type() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .patch("/auth/me")
            .authorization_bearer(&ann.access_token)
            .content_type("application/merge-patch+json")
            .bytes(json!({"name": "Ann Lee"}).to_string().into())
            .await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        assert_eq!(response.json::<Value>()["name"], "Ann Lee");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_with_an_unknown_timezone_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"timezone": "Mars/Olympus"}),
        )
        .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["timezone"]);
        assert_eq!(
            get_me(&server, &ann.access_token).await.json::<Value>()["timezone"],
            "UTC"
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_with_a_reminder_lead_outside_0_to_10080_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        for lead in [
            json!(-1),
            json!(10081),
            json!(1.5),
            json!("60"),
            Value::Null,
        ] {
            let response = patch_me(
                &server,
                &ann.access_token,
                json!({"reminder_lead_minutes": lead}),
            )
            .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["reminder_lead_minutes"], "{lead}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_with_a_blank_or_null_name_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        for name in [json!("  "), Value::Null, json!("n".repeat(101))] {
            let response = patch_me(&server, &ann.access_token, json!({ "name": name })).await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["name"], "{name}");
        }
        assert_eq!(
            get_me(&server, &ann.access_token).await.json::<Value>()["name"],
            "ann"
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_cannot_change_the_email_or_unknown_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"email": "evil@example.com", "password": "x", "name": "Ann"}),
        )
        .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["email", "password"]);
        let me: Value = get_me(&server, &ann.access_token).await.json();
        assert_eq!(me["email"], "ann@example.com");
        assert_eq!(me["name"], "ann");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_names_every_offending_field() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"name": "", "timezone": "Nowhere", "reminder_lead_minutes": -1, "role": 1}),
        )
        .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_body_snapshot!("auth_me_validation", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_ignores_read_only_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let before: Value = get_me(&server, &ann.access_token).await.json();

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"id": Uuid::new_v4(), "created_at": "2000-01-01T00:00:00Z", "name": "Ann"}),
        )
        .await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        let after: Value = response.json();
        assert_eq!(after["id"], before["id"]);
        assert_eq!(after["created_at"], before["created_at"]);
        assert_eq!(after["name"], "Ann");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_without_a_token_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.patch("/auth/me").json(&json!({"name": "Ann"})).await;

        assert_unauthorized(&response, "/problems/unauthorized");
    })
    .await;
}

// ---------------------------------------------------------------------------
// The generated starter's endpoints are gone
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn starter_auth_endpoints_are_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let body = json!({"name": "Ann", "email": "ann@example.com", "password": PASSWORD});

        let responses = [
            server.post("/api/auth/register").json(&body).await,
            server.post("/api/auth/login").json(&body).await,
            server.get("/auth/verify/x").await,
            server
                .post("/auth/verify")
                .json(&json!({"token": "x"}))
                .await,
            server
                .post("/auth/magic-link")
                .json(&json!({"email": "a@example.com"}))
                .await,
            server.get("/auth/magic-link/x").await,
            server.get("/auth/current").await,
            server
                .post("/auth/resend-verification-mail")
                .json(&body)
                .await,
        ];

        for response in &responses {
            assert_problem(response, 404, "/problems/not-found");
        }
    })
    .await;
}
