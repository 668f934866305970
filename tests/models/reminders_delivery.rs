//! The reminder pass's delivery: exactly once under concurrent passes, and
//! the email outbox's attempts, backoff and lost jobs.
use chrono::{Duration, Utc};
use loco_rs::testing::prelude::*;
use sea_orm::{EntityTrait, PaginatorTrait};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    models::{notifications, reminders},
};

use super::reminders::{at, task, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_passes_deliver_each_notice_exactly_once() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    for _ in 0..(reminders::BATCH as usize + 150) {
        task(db, &ann, "2026-12-01T17:00:00Z").await;
    }
    let now = at(2026, 12, 1, 16, 30);

    let (a, b, c) = tokio::join!(
        reminders::run_pass(db, now),
        reminders::run_pass(db, now),
        reminders::run_pass(db, now)
    );

    let total: usize = [a.unwrap(), b.unwrap(), c.unwrap()]
        .iter()
        .map(|r| r.reminders)
        .sum();
    assert_eq!(total, reminders::BATCH as usize + 150);
    assert_eq!(
        notifications::Entity::find().count(db).await.unwrap(),
        reminders::BATCH + 150
    );
    let overdue_now = at(2026, 12, 1, 17, 0);
    let (d, e) = tokio::join!(
        reminders::run_pass(db, overdue_now),
        reminders::run_pass(db, overdue_now)
    );
    assert_eq!(
        d.unwrap().overdue + e.unwrap().overdue,
        reminders::BATCH as usize + 150
    );
    assert_eq!(
        notifications::Entity::find().count(db).await.unwrap(),
        2 * (reminders::BATCH + 150)
    );
}

#[tokio::test]
#[serial]
async fn an_email_attempt_is_claimed_once_and_retried_after_its_backoff() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    task(db, &ann, "2026-12-01T17:00:00Z").await;
    let report = reminders::run_pass(db, at(2026, 12, 1, 16, 30))
        .await
        .unwrap();
    let pid = report.notifications[0];

    let first = notifications::Model::claim_email(db, pid).await.unwrap();
    let second = notifications::Model::claim_email(db, pid).await.unwrap();
    let not_yet = notifications::Model::emails_to_retry(db, 10).await.unwrap();
    notifications::Entity::update_many()
        .col_expr(
            notifications::Column::EmailNextAt,
            sea_orm::sea_query::Expr::value(Utc::now().fixed_offset() - Duration::minutes(1)),
        )
        .exec(db)
        .await
        .unwrap();
    let due = notifications::Model::emails_to_retry(db, 10).await.unwrap();
    notifications::Model::mark_emailed(db, first.as_ref().unwrap().id)
        .await
        .unwrap();
    let after_success = notifications::Model::emails_to_retry(db, 10).await.unwrap();

    assert!(first.is_some());
    assert!(
        second.is_none(),
        "a second worker must not send the same email"
    );
    assert!(not_yet.is_empty());
    assert_eq!(due, vec![pid]);
    assert!(after_success.is_empty());
}

#[tokio::test]
#[serial]
async fn an_email_whose_first_job_was_lost_is_queued_again_after_a_grace_period() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    task(db, &ann, "2026-12-01T17:00:00Z").await;
    let report = reminders::run_pass(db, at(2026, 12, 1, 16, 30))
        .await
        .unwrap();
    let set_created = |minutes_ago: i64| {
        notifications::Entity::update_many().col_expr(
            notifications::Column::CreatedAt,
            sea_orm::sea_query::Expr::value(
                Utc::now().fixed_offset() - Duration::minutes(minutes_ago),
            ),
        )
    };

    set_created(1).exec(db).await.unwrap();
    let just_queued = notifications::Model::emails_to_retry(db, 10).await.unwrap();
    set_created(11).exec(db).await.unwrap();
    let lost = notifications::Model::emails_to_retry(db, 10).await.unwrap();

    assert!(
        just_queued.is_empty(),
        "its first job may still be on its way"
    );
    assert_eq!(lost, report.notifications);
}
