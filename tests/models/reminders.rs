//! The reminder pass: timing rules, re-arming, exactly-once under concurrency.
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use loco_rs::testing::prelude::*;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        account::{Email, PersonName, ReminderLead, Timezone},
        body::Patch,
        task::{DueDate, Priority, Status, TaskTitle},
    },
    models::{
        notifications, reminders,
        tasks::{self, TaskInput, TaskPatch},
        users::{self, ProfilePatch},
    },
};

pub(super) fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<FixedOffset> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .fixed_offset()
}

pub(super) async fn user(db: &Db, email: &str, timezone: &str, lead: i64) -> users::Model {
    let user = users::Model::register(
        db,
        users::NewUser {
            name: PersonName::parse("Someone").unwrap(),
            email: Email::parse(email).unwrap(),
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap();
    user.update_profile(
        db,
        ProfilePatch {
            name: None,
            timezone: Some(Timezone::parse(timezone).unwrap()),
            reminder_lead_minutes: Some(ReminderLead::parse(lead).unwrap()),
        },
    )
    .await
    .unwrap()
}

pub(super) async fn task(db: &Db, owner: &users::Model, due: &str) -> tasks::Model {
    let draft = TaskInput {
        title: TaskTitle::parse("Write report").unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: Some(DueDate::parse(due).unwrap()),
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: None,
    };
    tasks::Model::create_for_owner(db, owner, draft, tasks::Limits::NONE)
        .await
        .unwrap()
        .task
}

fn no_change() -> TaskPatch {
    TaskPatch {
        title: None,
        description: Patch::Absent,
        status: None,
        priority: None,
        due_date: Patch::Absent,
        list_id: None,
        parent_id: Default::default(),
        labels: Default::default(),
        recurrence: Default::default(),
    }
}

/// Applies `change` to `task` as it is now in the database.
async fn apply(db: &Db, owner: &users::Model, task: &tasks::Model, change: TaskPatch) {
    let current = tasks::Model::find_for_owner(db, owner.id, task.pid)
        .await
        .unwrap();
    tasks::Model::update_for_owner(db, owner, current, &change, None, u32::MAX)
        .await
        .unwrap();
}

async fn kinds(db: &Db, task: &tasks::Model) -> Vec<String> {
    notifications::Entity::find()
        .filter(notifications::Column::TaskPid.eq(task.pid))
        .order_by_asc(notifications::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

#[tokio::test]
#[serial]
async fn the_reminder_goes_out_lead_minutes_before_and_only_once() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    let t = task(db, &ann, "2026-12-01T17:00:00Z").await;

    let early = reminders::run_pass(db, at(2026, 12, 1, 15, 59))
        .await
        .unwrap();
    let due = reminders::run_pass(db, at(2026, 12, 1, 16, 0))
        .await
        .unwrap();
    let again = reminders::run_pass(db, at(2026, 12, 1, 16, 30))
        .await
        .unwrap();

    assert_eq!((early.reminders, early.overdue), (0, 0));
    assert_eq!((due.reminders, due.overdue), (1, 0));
    assert_eq!((again.reminders, again.overdue), (0, 0));
    assert_eq!(kinds(db, &t).await, vec!["reminder"]);
}

#[tokio::test]
#[serial]
async fn the_overdue_notice_goes_out_once_when_the_due_time_passes() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    let t = task(db, &ann, "2026-12-01T17:00:00Z").await;
    reminders::run_pass(db, at(2026, 12, 1, 16, 10))
        .await
        .unwrap();

    let before = reminders::run_pass(db, at(2026, 12, 1, 16, 59))
        .await
        .unwrap();
    let after = reminders::run_pass(db, at(2026, 12, 1, 17, 0))
        .await
        .unwrap();
    let later = reminders::run_pass(db, at(2026, 12, 2, 9, 0))
        .await
        .unwrap();

    assert_eq!(before.overdue, 0);
    assert_eq!(after.overdue, 1);
    assert_eq!(later.overdue + later.reminders, 0);
    assert_eq!(kinds(db, &t).await, vec!["reminder", "overdue"]);
}

#[tokio::test]
#[serial]
async fn a_task_found_already_past_due_gets_only_the_overdue_notice() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    let t = task(db, &ann, "2026-12-01T17:00:00Z").await;

    let report = reminders::run_pass(db, at(2026, 12, 3, 0, 0))
        .await
        .unwrap();

    assert_eq!((report.reminders, report.overdue), (0, 1));
    assert_eq!(kinds(db, &t).await, vec!["overdue"]);
}

#[tokio::test]
#[serial]
async fn a_date_only_due_date_ends_the_day_in_the_owners_timezone() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    // Berlin is UTC+1 in December: the day ends 22:59:59Z, reminder 21:59:59Z.
    let ann = user(db, "ann@example.com", "Europe/Berlin", 60).await;
    task(db, &ann, "2026-12-01").await;

    let before = reminders::run_pass(db, at(2026, 12, 1, 21, 59))
        .await
        .unwrap();
    let reminder = reminders::run_pass(db, at(2026, 12, 1, 22, 0))
        .await
        .unwrap();
    let not_yet_overdue = reminders::run_pass(db, at(2026, 12, 1, 22, 59))
        .await
        .unwrap();
    let overdue = reminders::run_pass(db, at(2026, 12, 1, 23, 0))
        .await
        .unwrap();

    assert_eq!(before.reminders, 0);
    assert_eq!(reminder.reminders, 1);
    assert_eq!(not_yet_overdue.overdue, 0);
    assert_eq!(overdue.overdue, 1);
}

#[tokio::test]
#[serial]
async fn the_lead_counts_real_time_across_a_dst_change() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    // New York springs forward at 02:00 on 8 March 2026; due 03:30 EDT
    // (07:30Z), a 120-minute lead is 05:30Z (00:30 EST), not 01:30 wall time.
    let ann = user(db, "ann@example.com", "America/New_York", 120).await;
    task(db, &ann, "2026-03-08T03:30:00-04:00").await;

    let before = reminders::run_pass(db, at(2026, 3, 8, 5, 29))
        .await
        .unwrap();
    let on_time = reminders::run_pass(db, at(2026, 3, 8, 5, 30))
        .await
        .unwrap();

    assert_eq!(before.reminders, 0);
    assert_eq!(on_time.reminders, 1);
}

#[tokio::test]
#[serial]
async fn changing_the_due_date_re_arms_both_notices() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    let t = task(db, &ann, "2026-12-01T17:00:00Z").await;
    reminders::run_pass(db, at(2026, 12, 1, 18, 0))
        .await
        .unwrap();
    let patch = TaskPatch {
        due_date: Patch::Value(DueDate::parse("2026-12-05T17:00:00Z").unwrap()),
        ..no_change()
    };
    apply(db, &ann, &t, patch).await;

    let reminder = reminders::run_pass(db, at(2026, 12, 5, 16, 0))
        .await
        .unwrap();
    let overdue = reminders::run_pass(db, at(2026, 12, 5, 17, 0))
        .await
        .unwrap();

    assert_eq!(reminder.reminders, 1);
    assert_eq!(overdue.overdue, 1);
    assert_eq!(kinds(db, &t).await.len(), 3);
}

#[tokio::test]
#[serial]
async fn an_edit_that_keeps_the_due_date_does_not_re_arm() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    let t = task(db, &ann, "2026-12-01T17:00:00Z").await;
    reminders::run_pass(db, at(2026, 12, 1, 16, 30))
        .await
        .unwrap();
    let patch = TaskPatch {
        title: Some(TaskTitle::parse("Renamed").unwrap()),
        ..no_change()
    };
    apply(db, &ann, &t, patch).await;

    let again = reminders::run_pass(db, at(2026, 12, 1, 16, 45))
        .await
        .unwrap();

    assert_eq!(again.reminders, 0);
}

#[tokio::test]
#[serial]
async fn completed_or_deleted_tasks_get_nothing() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    let done = task(db, &ann, "2026-12-01T17:00:00Z").await;
    let gone = task(db, &ann, "2026-12-01T17:00:00Z").await;
    let complete = TaskPatch {
        status: Some(Status::Complete),
        ..no_change()
    };
    apply(db, &ann, &done, complete).await;
    tasks::Model::delete_for_owner(db, ann.id, gone.pid, None)
        .await
        .unwrap();

    let reminder_time = reminders::run_pass(db, at(2026, 12, 1, 16, 30))
        .await
        .unwrap();
    let overdue_time = reminders::run_pass(db, at(2026, 12, 2, 0, 0))
        .await
        .unwrap();

    assert_eq!(reminder_time.reminders + reminder_time.overdue, 0);
    assert_eq!(overdue_time.reminders + overdue_time.overdue, 0);
    assert_eq!(notifications::Entity::find().count(db).await.unwrap(), 0);
}

#[tokio::test]
#[serial]
async fn a_lead_of_zero_turns_reminders_off_but_not_overdue_notices() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 0).await;
    let t = task(db, &ann, "2026-12-01T17:00:00Z").await;

    reminders::run_pass(db, at(2026, 12, 1, 16, 59))
        .await
        .unwrap();
    reminders::run_pass(db, at(2026, 12, 1, 17, 1))
        .await
        .unwrap();

    assert_eq!(kinds(db, &t).await, vec!["overdue"]);
}

#[tokio::test]
#[serial]
async fn changing_the_lead_moves_pending_reminders() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com", "UTC", 60).await;
    task(db, &ann, "2026-12-01T17:00:00Z").await;
    let ann = user_with_lead(db, ann, 1440).await;
    tasks::Model::rearm_for_owner(db, &ann).await.unwrap();

    let day_before = reminders::run_pass(db, at(2026, 11, 30, 17, 0))
        .await
        .unwrap();

    assert_eq!(day_before.reminders, 1);
}

pub(super) async fn user_with_lead(db: &Db, user: users::Model, lead: i64) -> users::Model {
    user.update_profile(
        db,
        ProfilePatch {
            reminder_lead_minutes: Some(ReminderLead::parse(lead).unwrap()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}
