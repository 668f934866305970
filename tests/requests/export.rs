//! `GET /auth/me/export`: every row the caller owns, streamed as one JSON
//! document; other users' rows never appear.
use std::collections::HashSet;

use axum::body::to_bytes;
use axum_test::{TestResponse, TestServer};
use chrono::{Duration, SecondsFormat, Utc};
use futures_util::stream;
use loco_rs::testing::prelude::*;
use sea_orm::DbErr;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    models::export::{Part, PAGE_ROWS},
    tasks::send_reminders::send_reminders,
    views,
};

use super::{auth::stored_user, helpers::*};
use crate::models::helpers::bulk_tasks;

async fn export(server: &TestServer, token: &str) -> TestResponse {
    server
        .get("/auth/me/export")
        .authorization_bearer(token)
        .await
}

#[tokio::test]
#[serial]
async fn the_export_holds_every_row_the_caller_owns_and_nothing_of_others() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let due = (Utc::now() + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let first = create_task(&server, &ann.access_token, json!({"title": "first"})).await;
        let soon = create_task(
            &server,
            &ann.access_token,
            json!({"title": "soon", "description": "with a reminder", "due_date": due}),
        )
        .await;
        create_task(&server, &bob.access_token, json!({"title": "bob's secret"})).await;
        let made = server
            .post("/lists")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"name": "Errands", "color": "#AA0000"}))
            .await;
        assert_eq!(made.status_code(), 201, "{}", made.text());
        send_reminders(&ctx).await.unwrap();

        let response = export(&server, &ann.access_token).await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        assert_eq!(response.header("content-type"), "application/json");
        assert_eq!(response.header("cache-control"), "no-store");
        assert_eq!(
            response.header("content-disposition"),
            "attachment; filename=\"taskforge-export.json\""
        );
        assert!(!response.text().contains("bob"), "{}", response.text());
        let body: Value = response.json();
        let mut keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "labels",
                "lists",
                "notifications",
                "tasks",
                "user",
                "webhooks"
            ]
        );
        let me: Value = server
            .get("/auth/me")
            .authorization_bearer(&ann.access_token)
            .await
            .json();
        assert_eq!(body["user"], me);
        // Newest first, each exactly as `GET /tasks/{id}` shows it.
        assert_eq!(body["tasks"], json!([soon, first]));
        let notices = body["notifications"].as_array().unwrap();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0]["task_id"], soon["id"]);
        assert_eq!(notices[0]["kind"], json!("reminder"));
        // The lists as `GET /lists` shows them: the inbox, and Ann's own.
        let lists: Value = server
            .get("/lists")
            .authorization_bearer(&ann.access_token)
            .await
            .json();
        assert_eq!(body["lists"], lists["data"]);
        assert_eq!(body["lists"].as_array().unwrap().len(), 2);
        for empty in ["labels", "webhooks"] {
            assert_eq!(body[empty], json!([]), "{empty}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_new_account_exports_empty_collections() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let body: Value = export(&server, &ann.access_token).await.json();

        assert_eq!(body["user"]["email"], json!("ann@example.com"));
        assert_eq!(body["tasks"], json!([]));
        assert_eq!(body["notifications"], json!([]));
        assert_eq!(body["lists"][0]["inbox"], json!(true), "only the inbox");
        assert_eq!(body["lists"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_export_of_many_pages_lists_every_task_once_newest_first() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let count = usize::try_from(PAGE_ROWS).unwrap() * 2 + 345;
        let owner = stored_user(&ctx, "ann@example.com").await.id;
        bulk_tasks(&Db::from(ctx.db.clone()), owner, count).await;
        let newest = create_task(&server, &ann.access_token, json!({"title": "newest"})).await;

        let body: Value = export(&server, &ann.access_token).await.json();

        let tasks = body["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), count + 1);
        assert_eq!(tasks[0], newest);
        let ids: HashSet<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), count + 1, "a task appeared twice");
        // The same order as the listing's own pages.
        let listed = list_tasks(&server, &ann.access_token, "limit=100").await;
        assert_eq!(&tasks[..100], listed["data"].as_array().unwrap().as_slice());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_export_needs_a_login() {
    request::<App, _, _>(|server, _ctx| async move {
        assert_problem(
            &server.get("/auth/me/export").await,
            401,
            "/problems/unauthorized",
        );
        assert_problem(
            &export(&server, "not-a-token").await,
            401,
            "/problems/unauthorized",
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_read_error_midway_cuts_the_document_short_instead_of_closing_it() {
    let boot = boot_test::<App>().await.unwrap();
    let db = Db::from(boot.app_context.db.clone());
    let ann = crate::models::helpers::user(&db, "ann@example.com").await;
    let whole = stream::iter([
        Ok(Part::Tasks(vec![], Default::default())),
        Ok(Part::Notifications(vec![])),
        Ok(Part::End),
    ]);
    let failing = stream::iter([
        Ok(Part::Tasks(vec![], Default::default())),
        Err(DbErr::Custom("connection lost".into())),
    ]);

    let whole = to_bytes(views::export::body(&ann, &[], &[], whole), usize::MAX)
        .await
        .unwrap();
    let failed = to_bytes(views::export::body(&ann, &[], &[], failing), usize::MAX).await;

    let whole: Value = serde_json::from_slice(&whole).unwrap();
    assert_eq!(whole["tasks"], json!([]));
    assert_eq!(whole["webhooks"], json!([]));
    assert!(failed.is_err(), "the body ended as if complete");
}
