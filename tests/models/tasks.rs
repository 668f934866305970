//! Task model rules: ownership, completed_at, rezoning of date-only due dates.
use chrono::{NaiveDate, TimeZone, Utc};
use loco_rs::testing::prelude::*;
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        account::Timezone,
        body::Patch,
        task::{DueDate, Priority, Status, TaskTitle},
    },
    errors::ApiError,
    models::{
        tasks::{self, TaskInput, TaskPatch},
        users,
    },
};

use super::helpers::user;

/// `task` as it is now in the database.
async fn read(db: &Db, owner: &users::Model, task: &tasks::Model) -> tasks::Model {
    tasks::Model::find_for_owner(db, owner.id, task.pid)
        .await
        .unwrap()
}

fn draft(title: &str) -> TaskInput {
    TaskInput {
        title: TaskTitle::parse(title).unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: None,
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: None,
    }
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

#[tokio::test]
#[serial]
async fn another_owner_cannot_find_change_or_delete_a_task() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let task = tasks::Model::create_for_owner(db, &ann, draft("ann's"), tasks::Limits::NONE)
        .await
        .unwrap()
        .task;

    let found = tasks::Model::find_for_owner(db, bob.id, task.pid).await;
    let patched =
        tasks::Model::update_for_owner(db, &bob, task.clone(), &no_change(), None, u32::MAX).await;
    let replaced = tasks::Model::update_for_owner(
        db,
        &bob,
        task.clone(),
        &draft("bob's").into(),
        None,
        u32::MAX,
    )
    .await;
    let deleted = tasks::Model::delete_for_owner(db, bob.id, task.pid, None).await;

    assert!(matches!(found, Err(ApiError::NotFound)));
    assert!(matches!(patched, Err(ApiError::NotFound)));
    assert!(matches!(replaced, Err(ApiError::NotFound)));
    assert!(matches!(deleted, Err(ApiError::NotFound)));
    assert!(tasks::Model::find_for_owner(db, ann.id, task.pid)
        .await
        .is_ok());
}

#[tokio::test]
#[serial]
async fn creating_a_complete_task_sets_completed_at() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;

    let mut done = draft("done");
    done.status = Status::Complete;
    let task = tasks::Model::create_for_owner(db, &ann, done, tasks::Limits::NONE)
        .await
        .unwrap()
        .task;

    assert!(task.completed_at.is_some());
    assert_eq!(task.version, 1);
}

#[tokio::test]
#[serial]
async fn every_write_bumps_the_version_and_updated_at() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let task = tasks::Model::create_for_owner(db, &ann, draft("t"), tasks::Limits::NONE)
        .await
        .unwrap()
        .task;

    let patched = tasks::Model::update_for_owner(
        db,
        &ann,
        read(db, &ann, &task).await,
        &no_change(),
        None,
        u32::MAX,
    )
    .await
    .unwrap()
    .task;
    let replaced = tasks::Model::update_for_owner(
        db,
        &ann,
        read(db, &ann, &task).await,
        &draft("t2").into(),
        None,
        u32::MAX,
    )
    .await
    .unwrap()
    .task;

    assert_eq!(patched.version, 2);
    assert_eq!(replaced.version, 3);
    assert!(replaced.updated_at >= task.updated_at);
    assert_eq!(replaced.created_at, task.created_at);
}

/// Counts the updates of `tasks` that name any column a priority change
/// leaves alone (an `UPDATE OF` trigger fires when the `SET` names the
/// column, changed or not); dropped again by [`drop_untouched_counter`].
async fn count_updates_of_other_columns(db: &Db) {
    use sea_orm::ConnectionTrait;
    let columns = "title, description, status, due_at, due_on, remind_at, search_text, \
                   completed_at, reminder_sent_at, overdue_sent_at";
    drop_untouched_counter(db).await;
    db.execute_unprepared(
        "CREATE TABLE touched (n INTEGER NOT NULL); INSERT INTO touched VALUES (0)",
    )
    .await
    .unwrap();
    let trigger = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared(
            "CREATE FUNCTION bump_touched() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN UPDATE touched SET n = n + 1; RETURN NULL; END $$",
        )
        .await
        .unwrap();
        format!("CREATE TRIGGER touched AFTER UPDATE OF {columns} ON tasks FOR EACH ROW EXECUTE FUNCTION bump_touched()")
    } else {
        format!("CREATE TRIGGER touched AFTER UPDATE OF {columns} ON tasks BEGIN UPDATE touched SET n = n + 1; END")
    };
    db.execute_unprepared(&trigger).await.unwrap();
}

async fn drop_untouched_counter(db: &Db) {
    use sea_orm::ConnectionTrait;
    let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    let drops = if postgres {
        "DROP TRIGGER IF EXISTS touched ON tasks; DROP FUNCTION IF EXISTS bump_touched(); \
         DROP TABLE IF EXISTS touched"
    } else {
        "DROP TRIGGER IF EXISTS touched; DROP TABLE IF EXISTS touched"
    };
    db.execute_unprepared(drops).await.unwrap();
}

async fn touched(db: &Db) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT n FROM touched",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i32>(0).map(i64::from).unwrap()
}

#[tokio::test]
#[serial]
async fn an_update_sets_only_the_columns_it_changes() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let mut due = draft("report");
    due.due_date = Some(DueDate::Date(NaiveDate::from_ymd_opt(2031, 5, 1).unwrap()));
    let task = tasks::Model::create_for_owner(db, &ann, due.clone(), tasks::Limits::NONE)
        .await
        .unwrap()
        .task;
    count_updates_of_other_columns(db).await;

    let urgent = TaskPatch {
        priority: Some(Priority::Urgent),
        ..no_change()
    };
    let patched = tasks::Model::update_for_owner(db, &ann, task.clone(), &urgent, None, u32::MAX)
        .await
        .unwrap()
        .task;
    let after_priority = touched(db).await;
    due.priority = Priority::Urgent;
    let replaced =
        tasks::Model::update_for_owner(db, &ann, patched.clone(), &due.into(), None, u32::MAX)
            .await
            .unwrap()
            .task;
    let after_same_put = touched(db).await;
    let retitled = TaskPatch {
        title: Some(TaskTitle::parse("final report").unwrap()),
        ..no_change()
    };
    let renamed =
        tasks::Model::update_for_owner(db, &ann, replaced.clone(), &retitled, None, u32::MAX)
            .await
            .unwrap()
            .task;
    let after_title = touched(db).await;
    drop_untouched_counter(db).await;

    assert_eq!((after_priority, after_same_put, after_title), (0, 0, 1));
    assert_eq!(patched.priority, Priority::Urgent.rank());
    assert_eq!(
        (patched.title.as_str(), patched.due_on),
        ("report", task.due_on)
    );
    assert_eq!(
        (patched.version, replaced.version, renamed.version),
        (2, 3, 4)
    );
    assert_eq!(renamed.title, "final report");
    assert_eq!(renamed.search_text, "final report");
    assert_eq!(read(db, &ann, &task).await, renamed);
}

#[tokio::test]
#[serial]
async fn completed_at_is_kept_while_complete_and_cleared_on_reopen() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let task = tasks::Model::create_for_owner(db, &ann, draft("t"), tasks::Limits::NONE)
        .await
        .unwrap()
        .task;

    let mut complete = no_change();
    complete.status = Some(Status::Complete);
    let done = tasks::Model::update_for_owner(
        db,
        &ann,
        read(db, &ann, &task).await,
        &complete,
        None,
        u32::MAX,
    )
    .await
    .unwrap()
    .task;
    let again = tasks::Model::update_for_owner(
        db,
        &ann,
        read(db, &ann, &task).await,
        &complete,
        None,
        u32::MAX,
    )
    .await
    .unwrap()
    .task;
    let mut reopen = no_change();
    reopen.status = Some(Status::Incomplete);
    let reopened = tasks::Model::update_for_owner(
        db,
        &ann,
        read(db, &ann, &task).await,
        &reopen,
        None,
        u32::MAX,
    )
    .await
    .unwrap()
    .task;

    assert!(done.completed_at.is_some());
    assert_eq!(again.completed_at, done.completed_at);
    assert_eq!(reopened.completed_at, None);
}

#[tokio::test]
#[serial]
async fn the_database_refuses_a_complete_task_without_completed_at() {
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let task = tasks::Model::create_for_owner(db, &ann, draft("t"), tasks::Limits::NONE)
        .await
        .unwrap()
        .task;

    let result = tasks::Entity::update_many()
        .col_expr(tasks::Column::Status, Expr::value(Status::Complete.rank()))
        .filter(tasks::Column::Id.eq(task.id))
        .exec(db)
        .await;

    assert!(
        result.is_err(),
        "CHECK constraint must reject status=complete with completed_at NULL"
    );
}

#[tokio::test]
#[serial]
async fn changing_timezone_moves_date_only_due_dates_but_not_instants() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let mut dated = draft("dated");
    dated.due_date = Some(DueDate::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
    let mut timed = draft("timed");
    let instant = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    timed.due_date = Some(DueDate::At(instant));
    let dated = tasks::Model::create_for_owner(db, &ann, dated, tasks::Limits::NONE)
        .await
        .unwrap()
        .task;
    let timed = tasks::Model::create_for_owner(db, &ann, timed, tasks::Limits::NONE)
        .await
        .unwrap()
        .task;

    let mut in_tokyo = ann.clone();
    in_tokyo.timezone = Timezone::parse("Asia/Tokyo").unwrap().name().to_string();
    tasks::Model::rearm_for_owner(db, &in_tokyo).await.unwrap();

    let dated = tasks::Model::find_for_owner(db, ann.id, dated.pid)
        .await
        .unwrap();
    let timed = tasks::Model::find_for_owner(db, ann.id, timed.pid)
        .await
        .unwrap();
    assert_eq!(
        dated.due_at.unwrap().to_utc(),
        Utc.with_ymd_and_hms(2026, 12, 1, 14, 59, 59).unwrap()
    );
    assert_eq!(dated.due_on, NaiveDate::from_ymd_opt(2026, 12, 1));
    assert_eq!(timed.due_at.unwrap().to_utc(), instant);
}

#[tokio::test]
#[serial]
async fn deleting_a_user_deletes_their_tasks() {
    use sea_orm::{EntityTrait, ModelTrait, PaginatorTrait};
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    tasks::Model::create_for_owner(db, &ann, draft("t"), tasks::Limits::NONE)
        .await
        .unwrap();

    ann.delete(db).await.unwrap();

    assert_eq!(tasks::Entity::find().count(db).await.unwrap(), 0);
}
