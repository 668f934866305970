//! The hot reads of tasks on the request's own thread (src/db/direct/)
//! decode every column as SeaORM does: a task with every optional field set,
//! and pages both ways.
use chrono::{Duration, Utc};
use loco_rs::testing::prelude::*;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, QueryTrait, SelectTwoModel,
    SelectorTrait, Statement,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::{direct::Joined, Db},
    domain::{
        listing::{Sort, TaskFilter},
        recurrence::{RepeatFrom, Rule},
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    models::{
        sessions,
        tasks::{self, decode_key, list_select, ListQuery, ListedTask, NewPlace, TaskInput},
        users,
    },
};
use uuid::Uuid;

use crate::models::helpers::user;

/// A task with every optional field set.
async fn full_task(db: &Db, owner: &users::Model) -> tasks::Model {
    let draft = TaskInput {
        title: TaskTitle::parse("Quarterly report").unwrap(),
        description: Some(TaskDescription::parse("Numbers, then prose").unwrap()),
        status: Status::Complete,
        priority: Priority::Urgent,
        due_date: Some(DueDate::parse("2026-12-01").unwrap()),
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: Some(tasks::Recurrence {
            rule: Rule::parse("FREQ=WEEKLY;BYDAY=MO;COUNT=5").unwrap(),
            from: RepeatFrom::Completion,
        }),
    };
    let task = tasks::Model::create_for_owner(db, owner, draft, tasks::Limits::NONE)
        .await
        .unwrap()
        .task;
    let at = Utc::now().fixed_offset();
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE tasks SET remind_at = $1, reminder_sent_at = $1, overdue_sent_at = $1 WHERE id = $2"
            .replace('$', if db.get_database_backend() == DatabaseBackend::Sqlite { "?" } else { "$" }),
        [at.into(), task.id.into()],
    ))
    .await
    .unwrap();
    tasks::Entity::find_by_id(task.id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// The rows of `query`'s page, read directly and by SeaORM: the same.
async fn page_both_ways(
    db: &Db,
    request_db: &Db,
    owner: i32,
    query: &ListQuery,
) -> Vec<ListedTask> {
    let select = list_select(DatabaseBackend::Sqlite, owner, query, Utc::now());
    let direct = request_db
        .direct_rows::<ListedTask>(&select.build(DatabaseBackend::Sqlite))
        .unwrap()
        .unwrap();
    let by_orm = select.into_model::<ListedTask>().all(db).await.unwrap();
    assert_eq!(direct, by_orm, "{:?}", query.sort);
    by_orm
}

/// The hot reads decode each model as SeaORM decodes the same row; on
/// PostgreSQL the request path has no direct reads.
#[tokio::test]
#[serial]
async fn the_hot_reads_decode_as_seaorm_does() {
    let boot = boot_test::<App>().await.unwrap();
    let ctx = &boot.app_context;
    let db = &Db::from(ctx.db.clone());
    let request_db = Db::of(ctx);
    if request_db.sqlite_pool().is_none() {
        assert!(request_db.direct_reads().is_none());
        return;
    }
    let ann = user(db, "ann@example.com").await;
    db.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Sqlite,
        "UPDATE users SET reset_token_hash = 'h', reset_sent_at = ? WHERE id = ?",
        [Utc::now().fixed_offset().into(), ann.id.into()],
    ))
    .await
    .unwrap();
    let full = full_task(db, &ann).await;
    let plain = tasks::Model::create_for_owner(
        db,
        &ann,
        TaskInput {
            title: TaskTitle::parse("t").unwrap(),
            description: None,
            status: Status::Incomplete,
            priority: Priority::Low,
            due_date: None,
            list_id: None,
            parent_id: Default::default(),
            labels: None,
            recurrence: None,
        },
        tasks::Limits::NONE,
    )
    .await
    .unwrap()
    .task;
    let login = sessions::Model::start(db, ann.id, Duration::days(1))
        .await
        .unwrap()
        .session;

    let live = users::LIVE_ACCESS.statement(DatabaseBackend::Sqlite, [login.access_jti, ann.pid]);
    let by_orm = db.query_one_raw(live.clone()).await.unwrap().unwrap();
    let by_orm = users::Model::from_query_result(&by_orm, "").unwrap();
    assert!(by_orm.reset_sent_at.is_some());
    let direct = request_db
        .direct_rows::<users::Model>(&live)
        .unwrap()
        .unwrap();
    assert_eq!(direct, vec![by_orm]);

    for task_pid in [full.pid, plain.pid, Uuid::new_v4()] {
        let stmt = tasks::ACCESS_STATEMENT.statement(
            DatabaseBackend::Sqlite,
            [login.access_jti, ann.pid, task_pid],
        );
        let by_orm = db.query_one_raw(stmt.clone()).await.unwrap().unwrap();
        let by_orm =
            SelectTwoModel::<users::Model, tasks::Model>::from_raw_query_result(by_orm).unwrap();
        let direct = request_db
            .direct_rows::<Joined<users::Model, tasks::Model>>(&stmt)
            .unwrap()
            .unwrap();
        let [Joined(user, task)] = <[Joined<_, _>; 1]>::try_from(direct).ok().unwrap();
        assert_eq!((user, task), by_orm);
    }
    let revoked = tasks::ACCESS_STATEMENT
        .statement(DatabaseBackend::Sqlite, [Uuid::new_v4(), ann.pid, full.pid]);
    assert!(request_db
        .direct_rows::<Joined<users::Model, tasks::Model>>(&revoked)
        .unwrap()
        .unwrap()
        .is_empty());

    for sort in ["-created_at", "due_date", "-priority", "title"] {
        let mut query = ListQuery {
            limit: 1,
            sort: Sort::parse(sort).unwrap(),
            filter: TaskFilter::default(),
            after: None,
        };
        let by_orm = page_both_ways(db, &request_db, ann.id, &query).await;
        assert_eq!(by_orm.len(), 2, "{sort}: a page of 1 reads one more row");
        let (page, more) = tasks::Model::list_for_owner(&request_db, ann.id, &query, Utc::now())
            .await
            .unwrap();
        assert!(more);
        assert_eq!(page, by_orm[..1]);
        // The next page, after a cursor (date-time and id values bound).
        query.after = Some(decode_key(&query.sort, &page[0].sort_key(&query.sort)).unwrap());
        let next = page_both_ways(db, &request_db, ann.id, &query).await;
        assert_eq!(next.len(), 1, "{sort}: second page");
    }
    assert!(full.description.is_some() && full.completed_at.is_some() && full.due_on.is_some());

    // A new task's place: in the inbox, in a list, under a parent.
    let inbox = plain.list_pid;
    for (list, parent) in [(None, None), (Some(inbox), None), (None, Some(plain.pid))] {
        let stmt = tasks::place_statement(DatabaseBackend::Sqlite, ann.id, list, parent);
        let by_orm: Vec<NewPlace> = (db.query_all_raw(stmt.clone()).await.unwrap().iter())
            .map(|row| NewPlace::from_query_result(row, "").unwrap())
            .collect();
        let direct = request_db.direct_rows::<NewPlace>(&stmt).unwrap().unwrap();
        assert_eq!(direct, by_orm);
        assert_eq!(direct[0].list_pid, inbox);
    }
}
