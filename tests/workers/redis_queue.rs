//! The notification email job through a real Redis queue (skipped, with a
//! message, when no Redis server answers at REDIS_URL or 127.0.0.1:6379).
use std::time::Duration;

use chrono::{TimeZone, Utc};
use loco_rs::{
    bgworker::{redis, BackgroundWorker},
    config::RedisQueueConfig,
    testing::prelude::*,
};
use sea_orm::EntityTrait;
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        account::{Email, PersonName},
        task::{DueDate, Priority, Status, TaskTitle},
    },
    models::{notifications, reminders, tasks, users},
    workers::notification_email::{NotificationEmailArgs, NotificationEmailWorker},
};

#[tokio::test]
#[serial]
async fn a_notification_email_job_runs_through_redis() {
    let uri = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
    let config: RedisQueueConfig = serde_json::from_value(serde_json::json!({
        "uri": uri,
        "queues": ["taskforge_test"],
        "num_workers": 1,
    }))
    .unwrap();
    let Ok(queue) = redis::create_provider(&config).await else {
        eprintln!("skipped: no Redis at {uri}");
        return;
    };
    if queue.ping().await.is_err() {
        eprintln!("skipped: no Redis at {uri}");
        return;
    }
    let boot = boot_test::<App>().await.unwrap();
    let ctx = &boot.app_context;
    let owner = users::Model::register(
        &Db::from(ctx.db.clone()),
        users::NewUser {
            name: PersonName::parse("Ann").unwrap(),
            email: Email::parse("ann@example.com").unwrap(),
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap();
    let draft = tasks::TaskInput {
        title: TaskTitle::parse("Through Redis").unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: Some(DueDate::parse("2026-12-01T17:00:00Z").unwrap()),
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: None,
    };
    tasks::Model::create_for_owner(
        &Db::from(ctx.db.clone()),
        &owner,
        draft,
        tasks::Limits::NONE,
    )
    .await
    .unwrap();
    let report = reminders::run_pass(
        &Db::from(ctx.db.clone()),
        Utc.with_ymd_and_hms(2026, 12, 1, 16, 30, 0)
            .unwrap()
            .fixed_offset(),
    )
    .await
    .unwrap();
    let notification = report.notifications[0];
    let mails_before = ctx.mailer.as_ref().unwrap().deliveries().count;
    queue.setup().await.unwrap();
    queue
        .register(NotificationEmailWorker::build(ctx))
        .await
        .unwrap();

    queue
        .enqueue(
            NotificationEmailWorker::class_name(),
            Some("taskforge_test".to_string()),
            NotificationEmailArgs { notification },
            None,
            None,
        )
        .await
        .unwrap();
    let runner = tokio::spawn(async move { queue.run(vec![]).await });
    let mut emailed = false;
    for _ in 0..100 {
        let row = notifications::Entity::find()
            .one(&ctx.db)
            .await
            .unwrap()
            .unwrap();
        if row.emailed_at.is_some() {
            emailed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    runner.abort();

    assert!(emailed, "the Redis worker did not process the job");
    assert_eq!(
        ctx.mailer.as_ref().unwrap().deliveries().count,
        mails_before + 1
    );
}
