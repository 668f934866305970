//! `POST /auth/forgot` and `POST /auth/reset`: the reset email, its token and
//! what a reset does to the account's logins.
use loco_rs::testing::prelude::*;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use serial_test::serial;
use taskforge::{app::App, models::users};

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
