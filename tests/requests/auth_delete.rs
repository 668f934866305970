//! `DELETE /auth/me`: the account and everything it owns go at once, in one
//! transaction; the email can register again; a wrong or missing password
//! changes nothing.
use axum_test::{TestResponse, TestServer};
use chrono::{Duration, SecondsFormat, Utc};
use loco_rs::{app::AppContext, testing::prelude::*};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{
    app::App,
    models::_entities::{idempotency_keys, notifications, sessions, tasks, users},
    tasks::send_reminders::send_reminders,
};

use super::{auth::*, helpers::*};

async fn delete_me(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .delete("/auth/me")
        .authorization_bearer(token)
        .json(&body)
        .await
}

/// Rows of each table: users, tasks, sessions, notifications, idempotency keys.
async fn rows(ctx: &AppContext) -> [u64; 5] {
    [
        users::Entity::find().count(&ctx.db).await.unwrap(),
        tasks::Entity::find().count(&ctx.db).await.unwrap(),
        sessions::Entity::find().count(&ctx.db).await.unwrap(),
        notifications::Entity::find().count(&ctx.db).await.unwrap(),
        idempotency_keys::Entity::find()
            .count(&ctx.db)
            .await
            .unwrap(),
    ]
}

/// `email` with a login, a task made with an `Idempotency-Key`, and a
/// reminder notification.
async fn busy_user(server: &TestServer, ctx: &AppContext, email: &str) -> Login {
    let login = login_as(server, email).await;
    let due = (Utc::now() + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let created = server
        .post("/tasks")
        .authorization_bearer(&login.access_token)
        .add_header("idempotency-key", format!("key-{email}"))
        .json(&json!({"title": "soon", "due_date": due}))
        .await;
    assert_eq!(created.status_code(), 201, "{}", created.text());
    send_reminders(ctx).await.unwrap();
    login
}

#[tokio::test]
#[serial]
async fn deleting_the_account_removes_everything_it_owns_and_nothing_else() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = busy_user(&server, &ctx, "ann@example.com").await;
        let second_login = new_login(&server, "ann@example.com").await;
        busy_user(&server, &ctx, "bob@example.com").await;
        let before = rows(&ctx).await;
        assert_eq!(before, [2, 2, 3, 2, 2]);

        let response = delete_me(&server, &ann.access_token, json!({"password": PASSWORD})).await;

        assert_eq!(response.status_code(), 204, "{}", response.text());
        assert_eq!(
            rows(&ctx).await,
            [1, 1, 1, 1, 1],
            "only Bob's rows are left"
        );
        assert_access_refused(&server, &ann.access_token).await;
        assert_access_refused(&server, &second_login.access_token).await;
        assert_eq!(
            refresh(&server, &ann.refresh_token).await.status_code(),
            401
        );
        assert_eq!(
            login(&server, "ann@example.com", PASSWORD)
                .await
                .status_code(),
            401
        );
        assert_eq!(
            register(&server, "Ann again", "ann@example.com")
                .await
                .status_code(),
            201
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_wrong_password_is_401_and_deletes_nothing() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = busy_user(&server, &ctx, "ann@example.com").await;
        let before = rows(&ctx).await;

        let response = delete_me(
            &server,
            &ann.access_token,
            json!({"password": "not the password"}),
        )
        .await;

        assert_problem(&response, 401, "/problems/invalid-credentials");
        assert_eq!(rows(&ctx).await, before);
        assert_eq!(get_me(&server, &ann.access_token).await.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_missing_password_is_422_and_no_token_is_401() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let before = rows(&ctx).await;

        let missing = delete_me(&server, &ann.access_token, json!({})).await;
        let anonymous = server
            .delete("/auth/me")
            .json(&json!({"password": PASSWORD}))
            .await;

        let problem = assert_problem(&missing, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), vec!["password"]);
        assert_problem(&anonymous, 401, "/problems/unauthorized");
        assert_eq!(rows(&ctx).await, before);
    })
    .await;
}
