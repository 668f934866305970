//! Re-arming after a profile change is set-based and pages through every
//! dated task: with more tasks than one page (500) each ends up with the due
//! and reminder instants the new timezone and lead give (a new lead reaches
//! every reminder still pending), and only tasks whose due instant moved may
//! be reminded again.
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use loco_rs::testing::prelude::*;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        account::Timezone,
        task::{DueDate, Priority, Status, TaskTitle},
    },
    models::tasks::{self, TaskInput},
};

use super::helpers::user;

fn due(title: &str, due_date: DueDate) -> TaskInput {
    TaskInput {
        title: TaskTitle::parse(title).unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: Some(due_date),
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: None,
    }
}

#[tokio::test]
#[serial]
async fn a_new_timezone_and_lead_reach_every_dated_task_across_pages() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let first = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    for i in 0..1_100 {
        let date = first + Duration::days(i % 60);
        tasks::Model::create_for_owner(
            db,
            &ann,
            due(&format!("d{i}"), DueDate::Date(date)),
            tasks::Limits::NONE,
        )
        .await
        .unwrap();
    }
    let noon = Utc.with_ymd_and_hms(2027, 3, 10, 12, 0, 0).unwrap();
    for i in 0..150 {
        let at = noon + Duration::hours(i);
        tasks::Model::create_for_owner(
            db,
            &ann,
            due(&format!("t{i}"), DueDate::At(at)),
            tasks::Limits::NONE,
        )
        .await
        .unwrap();
    }
    let undated = tasks::Model::create_for_owner(
        db,
        &ann,
        TaskInput {
            due_date: None,
            ..due("undated", DueDate::At(noon))
        },
        tasks::Limits::NONE,
    )
    .await
    .unwrap()
    .task;
    // Every reminder already sent but those of t100…t149: only moved tasks
    // may be reminded again, and a new lead reaches the pending ones.
    let pending: Vec<String> = (100..150).map(|i| format!("t{i}")).collect();
    tasks::Entity::update_many()
        .col_expr(
            tasks::Column::ReminderSentAt,
            Expr::value(noon.fixed_offset()),
        )
        .filter(tasks::Column::UserId.eq(ann.id))
        .filter(tasks::Column::Title.is_not_in(pending.clone()))
        .exec(db)
        .await
        .unwrap();

    let mut moved = ann.clone();
    let tokyo = Timezone::parse("Asia/Tokyo").unwrap();
    moved.timezone = tokyo.name().to_string();
    moved.reminder_lead_minutes = 30;
    tasks::Model::rearm_for_owner(db, &moved).await.unwrap();

    let all = tasks::Entity::find()
        .filter(tasks::Column::UserId.eq(ann.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(all.len(), 1_251);
    for task in all {
        if task.id == undated.id {
            assert_eq!((task.due_at, task.remind_at), (None, None));
            continue;
        }
        let expected_due = match task.due_on {
            Some(date) => DueDate::Date(date).due_at(tokyo).fixed_offset(),
            None => task.due_at.unwrap(),
        };
        assert_eq!(task.due_at, Some(expected_due), "{}", task.title);
        let is_pending = pending.contains(&task.title);
        // A sent reminder's instant is never read again; it is left as it was.
        let lead = if task.due_on.is_some() || is_pending {
            30
        } else {
            60
        };
        assert_eq!(
            task.remind_at,
            Some(expected_due - Duration::minutes(lead)),
            "{}",
            task.title
        );
        if task.due_on.is_some() || is_pending {
            assert_eq!(
                task.reminder_sent_at, None,
                "{} may be reminded",
                task.title
            );
        } else {
            assert!(
                task.reminder_sent_at.is_some(),
                "{} did not move",
                task.title
            );
        }
    }
}
