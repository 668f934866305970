//! Parallel writers never surface as 5xx (SQLite busy handling, optimistic updates).
use std::future::IntoFuture;

use futures_util::future::join_all;
use loco_rs::testing::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn parallel_creates_from_several_users_all_succeed() {
    request::<App, _, _>(|server, _ctx| async move {
        let mut users = Vec::new();
        for i in 0..4 {
            users.push(login_as(&server, &format!("writer{i}@example.com")).await);
        }

        let creates = users.iter().flat_map(|user| {
            (0..25).map(|n| {
                server
                    .post("/tasks")
                    .authorization_bearer(&user.access_token)
                    .json(&json!({ "title": format!("task {n}") }))
                    .into_future()
            })
        });
        let responses = join_all(creates).await;

        let statuses: Vec<u16> = responses.iter().map(|r| r.status_code().as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
        for user in &users {
            let page: Value = server
                .get("/tasks?limit=100")
                .authorization_bearer(&user.access_token)
                .await
                .json();
            assert_eq!(page["data"].as_array().unwrap().len(), 25);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn parallel_patches_of_one_task_are_all_applied() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = create_task(&server, &ann.access_token, json!({"title": "t"})).await;
        let path = format!("/tasks/{}", task["id"].as_str().unwrap());
        let priorities = ["low", "medium", "high", "urgent"];

        let patches = (0..40).map(|n| {
            let body = if n % 2 == 0 {
                json!({ "description": format!("d{n}") })
            } else {
                json!({ "priority": priorities[n % 4] })
            };
            server
                .patch(&path)
                .authorization_bearer(&ann.access_token)
                .json(&body)
                .into_future()
        });
        let responses = join_all(patches).await;

        let statuses: Vec<u16> = responses.iter().map(|r| r.status_code().as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        let done = server
            .get(&path)
            .authorization_bearer(&ann.access_token)
            .await;
        assert_eq!(done.status_code(), 200);
        let version: i32 = taskforge::models::tasks::Entity::find()
            .filter(
                taskforge::models::tasks::Column::Pid
                    .eq(uuid::Uuid::parse_str(task["id"].as_str().unwrap()).unwrap()),
            )
            .one(&ctx.db)
            .await
            .unwrap()
            .unwrap()
            .version;
        assert_eq!(version, 41, "every patch wrote exactly once");
    })
    .await;
}

/// Every pooled SQLite connection keeps its statement plans (QPSG), so a
/// statement with a bound `LIMIT` is not re-prepared on each execution.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[serial]
async fn every_sqlite_connection_keeps_its_statement_plans() {
    request::<App, _, _>(|_server, ctx| async move {
        if ctx.db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return;
        }
        let pool = ctx.db.get_sqlite_connection_pool();
        // Hold several at once so the pool has to open more than one.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(pool.acquire().await.unwrap());
        }
        for conn in &mut held {
            let on = taskforge::db::sqlite::stable_plans_enabled(conn)
                .await
                .unwrap();
            assert!(on, "a pooled connection without QPSG");
        }
    })
    .await;
}

/// The background checkpoint (outside tests) runs its statement cleanly on
/// SQLite, with writes before it.
#[tokio::test]
#[serial]
async fn a_passive_checkpoint_runs_between_writes() {
    request::<App, _, _>(|server, ctx| async move {
        if ctx.db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
            return;
        }
        let ann = login_as(&server, "ann@example.com").await;
        create_task(&server, &ann.access_token, json!({"title": "t"})).await;
        taskforge::db::sqlite::checkpoint(&ctx.db).await.unwrap();
        let page: Value = server
            .get("/tasks")
            .authorization_bearer(&ann.access_token)
            .await
            .json();
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
    })
    .await;
}

/// Outside tests, connections leave checkpoints to the background task
/// (`wal_autocheckpoint=0`); the test environment keeps SQLite's default.
#[tokio::test]
#[serial]
async fn outside_tests_checkpoints_run_in_the_background_not_in_requests() {
    use loco_rs::environment::Environment;
    use sea_orm::{ConnectionTrait, Statement};

    let boot = boot_test::<App>().await.unwrap();
    let ctx = boot.app_context;
    if ctx.db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return;
    }
    let autocheckpoint = |db: sea_orm::DatabaseConnection| async move {
        let row = db
            .query_one_raw(Statement::from_string(
                sea_orm::DatabaseBackend::Sqlite,
                "PRAGMA wal_autocheckpoint",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    assert_eq!(autocheckpoint(ctx.db.clone()).await, 1000);

    let mut production = ctx.clone();
    production.environment = Environment::Production;
    let production = taskforge::db::sqlite::tune_sqlite(
        production,
        taskforge::settings::DEFAULT_SQLITE_CACHE_KIB,
    )
    .await
    .unwrap();
    assert_eq!(autocheckpoint(production.db.clone()).await, 0);
    production.db.close().await.unwrap();
}
