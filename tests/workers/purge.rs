//! `cargo loco task purge` as the scheduler runs it: the database rules and
//! the queue's finished jobs (created more than a day ago; jobs still to run
//! stay whatever their age).
use loco_rs::{
    app::AppContext,
    bgworker::JobStatus,
    config::WorkerMode,
    task::{Task, Vars},
    testing::prelude::*,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serial_test::serial;
use taskforge::{app::App, tasks::purge::Purge};

use crate::requests::helpers::{queue_strings, server_with, test_queue};

/// A job row as Loco's SQLite queue stores it, `age` old (SQLite modifier,
/// e.g. `-2 days`).
async fn job(db: &DatabaseConnection, id: &str, status: &str, age: &str) {
    let sql = format!(
        "INSERT INTO sqlt_loco_queue (id, name, task_data, status, run_at, created_at, updated_at) \
         VALUES ('{id}', 'SomeWorker', '{{}}', '{status}', datetime('now', '{age}'), \
         datetime('now', '{age}'), datetime('now', '{age}'))"
    );
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

async fn job_ids(ctx: &AppContext) -> Vec<String> {
    queue_strings(ctx, "SELECT id AS v FROM sqlt_loco_queue ORDER BY id").await
}

#[tokio::test]
#[serial]
async fn the_purge_task_clears_finished_jobs_older_than_a_day_and_keeps_the_rest() {
    let (_server, ctx) =
        server_with(|config| config.workers.mode = WorkerMode::BackgroundQueue).await;
    let queue = ctx
        .queue_provider
        .as_ref()
        .expect("a queue in BackgroundQueue mode");
    queue.clear().await.unwrap();
    let db = test_queue(&ctx).await;
    for status in [
        JobStatus::Completed,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ] {
        let name = serde_json::to_value(&status).unwrap();
        let name = name.as_str().unwrap();
        job(&db, &format!("old-{name}"), name, "-2 days").await;
        job(&db, &format!("new-{name}"), name, "-1 hours").await;
    }
    job(&db, "old-queued", "queued", "-3 days").await;
    job(&db, "old-processing", "processing", "-3 days").await;

    Purge.run(&ctx, &Vars::default()).await.unwrap();

    assert_eq!(
        job_ids(&ctx).await,
        [
            "new-cancelled",
            "new-completed",
            "new-failed",
            "old-processing",
            "old-queued"
        ]
    );
}

#[tokio::test]
#[serial]
async fn the_purge_task_runs_without_a_queue_and_twice_in_a_row() {
    let boot = boot_test::<App>().await.unwrap();
    assert!(boot.app_context.queue_provider.is_none());

    Purge
        .run(&boot.app_context, &Vars::default())
        .await
        .unwrap();
    Purge
        .run(&boot.app_context, &Vars::default())
        .await
        .unwrap();
}
