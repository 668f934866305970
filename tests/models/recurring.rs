//! Completions of a recurring task at the model: a completion whose request
//! arrived before another completion of the series was recorded does not
//! advance it again; the database refuses a recurrence without a due date.
use chrono::Duration;
use loco_rs::testing::prelude::*;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        recurrence::{RepeatFrom, Rule},
        task::{DueDate, Priority, Status, TaskTitle},
    },
    models::{
        tasks::{self, Recurrence, TaskInput, TaskPatch},
        users::{self, now},
    },
};

use super::helpers::user;

async fn daily(db: &Db, owner: &users::Model) -> tasks::Model {
    let draft = TaskInput {
        title: TaskTitle::parse("stretch").unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: Some(DueDate::parse("2099-01-01").unwrap()),
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: Some(Recurrence {
            rule: Rule::parse("FREQ=DAILY").unwrap(),
            from: RepeatFrom::Due,
        }),
    };
    let limits = tasks::Limits::NONE;
    tasks::Model::create_for_owner(db, owner, draft, limits)
        .await
        .unwrap()
        .task
}

fn complete() -> TaskPatch {
    TaskPatch {
        status: Some(Status::Complete),
        ..TaskPatch::default()
    }
}

async fn due_of(db: &Db, owner: &users::Model, task: &tasks::Model) -> String {
    let task = tasks::Model::find_for_owner(db, owner.id, task.pid)
        .await
        .unwrap();
    task.due_on.unwrap().to_string()
}

#[tokio::test]
#[serial]
async fn a_completion_that_arrived_before_the_last_one_was_recorded_does_not_advance_again() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let task = daily(db, &ann).await;
    let early = now() - Duration::seconds(1);
    tasks::Model::update_for_owner(db, &ann, task.clone(), &complete(), None, u32::MAX)
        .await
        .unwrap();
    // Read after that completion committed, as a request handled late would.
    let advanced = tasks::Model::find_for_owner(db, ann.id, task.pid)
        .await
        .unwrap();

    let late = tasks::Model::update_arrived(
        db,
        &ann,
        advanced.clone(),
        &complete(),
        None,
        u32::MAX,
        early,
    )
    .await
    .unwrap();

    assert_eq!(late.task.due_on.unwrap().to_string(), "2099-01-02");
    assert_eq!(late.task.status, Status::Incomplete.rank());
    let fresh =
        tasks::Model::update_arrived(db, &ann, advanced, &complete(), None, u32::MAX, now())
            .await
            .unwrap();
    assert_eq!(
        fresh.task.due_on.unwrap().to_string(),
        "2099-01-03",
        "a later request advances"
    );
    assert_eq!(due_of(db, &ann, &task).await, "2099-01-03");
}

#[tokio::test]
#[serial]
async fn the_database_refuses_a_recurrence_without_a_due_date_or_without_its_from() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let task = daily(db, &ann).await;

    let none: Option<chrono::DateTime<chrono::FixedOffset>> = None;
    let refusals = [
        ("no due date", tasks::Column::DueAt, Expr::value(none)),
        (
            "no from",
            tasks::Column::RecurrenceFrom,
            Expr::value(Option::<i16>::None),
        ),
        (
            "an unknown from",
            tasks::Column::RecurrenceFrom,
            Expr::value(2_i16),
        ),
        (
            "a negative count",
            tasks::Column::RecurrenceDone,
            Expr::value(-1_i32),
        ),
    ];
    for (case, column, value) in refusals {
        let refused = tasks::Entity::update_many()
            .col_expr(column, value)
            .filter(tasks::Column::Pid.eq(task.pid))
            .exec(db)
            .await;
        assert!(refused.is_err(), "{case}: {refused:?}");
    }
    assert_eq!(due_of(db, &ann, &task).await, "2099-01-01");
}
