//! `POST /auth/forgot`, `POST /auth/reset`, `GET`/`PATCH /auth/me`, and the
//! generated starter's endpoints that are gone.
use loco_rs::testing::prelude::*;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{app::App, models::users};
use uuid::Uuid;

use super::{auth::*, helpers::*};
use crate::assert_body_snapshot;

// ---------------------------------------------------------------------------
// POST /auth/forgot and POST /auth/reset
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn forgot_for_an_account_is_202_and_mails_it_a_token() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "Ann@Example.com").await;

        let response = forgot(&server, "ann@example.com").await;

        assert_eq!(response.status_code(), 202);
        assert!(response.text().is_empty());
        let mails = deliveries(&ctx);
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].lines().any(|l| l == "To: Ann@Example.com"),
            "{}",
            mails[0]
        );
        let token = reset_token_in(&mails[0]).expect("a token in the mail");
        let stored = stored_user(&ctx, "Ann@Example.com").await;
        assert_eq!(
            stored.reset_token_hash,
            Some(taskforge::security::token_hash(&token))
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn forgot_for_an_unknown_email_is_202_and_mails_nothing() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = forgot(&server, "nobody@example.com").await;

        assert_eq!(response.status_code(), 202);
        assert!(deliveries(&ctx).is_empty());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn forgot_with_a_malformed_email_is_422() {
    request::<App, _, _>(|server, ctx| async move {
        let malformed = forgot(&server, "not-an-email").await;
        let missing = server.post("/auth/forgot").json(&json!({})).await;

        let problem = assert_problem(&malformed, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["email"]);
        assert_problem(&missing, 422, "/problems/validation-error");
        assert!(deliveries(&ctx).is_empty());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reset_sets_the_new_password() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;

        let response = reset(&server, &token, "a brand new password").await;

        assert_eq!(response.status_code(), 204);
        assert!(response.text().is_empty());
        let with_new = login(&server, "ann@example.com", "a brand new password").await;
        assert_eq!(with_new.status_code(), 200);
        let with_old = login(&server, "ann@example.com", PASSWORD).await;
        assert_unauthorized(&with_old, "/problems/invalid-credentials");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reset_revokes_every_existing_login() {
    request::<App, _, _>(|server, ctx| async move {
        let phone = login_as(&server, "ann@example.com").await;
        let laptop = new_login(&server, "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;

        let response = reset(&server, &token, "a brand new password").await;

        assert_eq!(response.status_code(), 204);
        for login in [&phone, &laptop] {
            assert_access_refused(&server, &login.access_token).await;
            assert_eq!(
                refresh(&server, &login.refresh_token).await.status_code(),
                401
            );
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_reset_token_works_only_once() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;
        reset(&server, &token, "a brand new password").await;

        let second = reset(&server, &token, "yet another password").await;

        let problem = assert_problem(&second, 400, "/problems/invalid-reset-token");
        assert_body_snapshot!("auth_reset_invalid_token", problem);
        let with_first = login(&server, "ann@example.com", "a brand new password").await;
        assert_eq!(with_first.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_unknown_reset_token_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = reset(&server, &"a".repeat(43), "a brand new password").await;

        assert_problem(&response, 400, "/problems/invalid-reset-token");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_expired_reset_token_is_400() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;
        users::Entity::update_many()
            .col_expr(
                users::Column::ResetSentAt,
                Expr::value(users::now() - chrono::Duration::hours(2)),
            )
            .filter(users::Column::Email.eq("ann@example.com"))
            .exec(&ctx.db)
            .await
            .unwrap();

        let response = reset(&server, &token, "a brand new password").await;

        assert_problem(&response, 400, "/problems/invalid-reset-token");
        assert_eq!(
            login(&server, "ann@example.com", PASSWORD)
                .await
                .status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reset_with_a_weak_password_is_422_and_keeps_the_token() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;

        let weak = reset(&server, &token, "short").await;

        let problem = assert_problem(&weak, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["password"]);
        assert_eq!(
            reset(&server, &token, "a brand new password")
                .await
                .status_code(),
            204
        );
    })
    .await;
}

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
            .add_header("authorization", bearer(&ann.access_token))
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
