//! Reads on the request's own thread (src/db/direct/): the same rows as
//! SeaORM over sqlx, values bound as sqlx binds them, and the cases where
//! the usual path answers instead.
use std::str::FromStr;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use loco_rs::testing::prelude::*;
use sea_orm::{
    sqlx::{self, sqlite::SqliteConnectOptions, ConnectOptions as _, Connection as _},
    ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult, QueryResult, QueryTrait,
    SelectTwoModel, SelectorTrait, Statement, Value,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::{
        direct::{DirectError, DirectReads, Joined},
        Db, FromRow, Row,
    },
    domain::{
        listing::{Sort, TaskFilter},
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    models::{
        sessions,
        tasks::{self, decode_key, list_select, ListQuery, ListedTask, NewPlace, TaskInput},
        users,
    },
};
use uuid::Uuid;

use super::pool::{scratch_with, sql, Scratch};
use crate::models::helpers::user;

fn scratch(name: &str) -> Scratch {
    scratch_with(name, 2, std::time::Duration::from_secs(5), |_| {
        Box::pin(async { Ok(()) })
    })
}

/// Direct reads over the scratch database's file (created by a first write).
async fn direct(s: &Scratch) -> DirectReads {
    s.db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        .await
        .unwrap();
    DirectReads::new(s.path().to_path_buf(), 256)
}

/// One text column `q`.
#[derive(Debug, PartialEq)]
struct Text(String);

impl FromRow for Text {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        row.get("", "q").map(Self)
    }

    fn from_result(row: &QueryResult) -> Result<Self, DbErr> {
        row.try_get("", "q").map(Self)
    }
}

/// One date-time column `at`.
struct At(DateTime<FixedOffset>);

impl FromRow for At {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        row.get("", "at").map(Self)
    }

    fn from_result(row: &QueryResult) -> Result<Self, DbErr> {
        row.try_get("", "at").map(Self)
    }
}

/// One integer column `q`, as an `i32`.
#[derive(Debug)]
struct Int(i32);

impl FromRow for Int {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        row.get("", "q").map(Self)
    }

    fn from_result(row: &QueryResult) -> Result<Self, DbErr> {
        row.try_get("", "q").map(Self)
    }
}

fn one(sql_text: &str, value: Value) -> Statement {
    Statement::from_sql_and_values(DatabaseBackend::Sqlite, sql_text, [value])
}

/// Every value type this path binds is stored as sqlx stores it: the same
/// SQLite literal (`quote()`), byte for byte.
#[tokio::test]
async fn values_bind_as_sqlx_binds_them() {
    let s = scratch("direct-bind");
    let reads = direct(&s).await;
    let offset = FixedOffset::east_opt(2 * 3600).unwrap();
    let values = [
        Value::from(true),
        Value::from(-7_i16),
        Value::from(-5_i32),
        Value::from(i64::MAX),
        Value::from(7_u64),
        Value::from(3_u32),
        Value::from("ünï'code"),
        Value::from(Uuid::new_v4()),
        Value::from(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()),
        Value::from(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()),
        Value::from(Utc::now()),
        Value::from(offset.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()),
        Value::from(Utc::now().with_timezone(&offset)),
        Value::Int(None),
        Value::String(None),
        Value::Uuid(None),
    ];
    for value in values {
        let stmt = one("SELECT quote(?) AS q", value.clone());
        let by_sqlx: String =
            s.db.query_one_raw(stmt.clone())
                .await
                .unwrap()
                .unwrap()
                .try_get("", "q")
                .unwrap();
        let direct = reads.rows::<Text>(&stmt).expect("bound directly").unwrap();
        assert_eq!(direct, vec![Text(by_sqlx)], "{value:?}");
    }
}

/// Date-times stored in any of the forms sqlx reads come back as sqlx reads them.
#[tokio::test]
async fn date_times_read_as_sqlx_reads_them() {
    let s = scratch("direct-datetimes");
    let reads = direct(&s).await;
    for stored in [
        "'2026-01-02T03:04:05.123456+02:00'",
        "'2026-01-02T03:04:05Z'",
        "'2026-01-02 03:04:05'",
        "'2026-01-02 03:04:05.5'",
        "'2026-01-02 03:04'",
        "'2026-01-02T03:04+01:00'",
        "1700000000",
    ] {
        let stmt = sql(&format!("SELECT {stored} AS at"));
        let by_sqlx: DateTime<FixedOffset> =
            s.db.query_one_raw(stmt.clone())
                .await
                .unwrap()
                .unwrap()
                .try_get("", "at")
                .unwrap();
        let direct = reads.rows::<At>(&stmt).unwrap().unwrap();
        assert_eq!(direct[0].0, by_sqlx, "{stored}");
        assert_eq!(direct[0].0.offset(), by_sqlx.offset(), "{stored}");
    }
    let bad = reads.rows::<At>(&sql("SELECT 'soon' AS at")).unwrap();
    assert!(matches!(bad, Err(DbErr::Type(m)) if m.contains("column at")));
}

/// A value type it does not bind, or a busy database: `None`, and the
/// caller runs the statement as usual.
#[tokio::test]
async fn what_it_cannot_answer_goes_the_usual_way() {
    let s = scratch("direct-fallback");
    let reads = direct(&s).await;
    assert!(reads
        .rows::<Text>(&one("SELECT quote(?) AS q", Value::from(1.5_f64)))
        .is_none());

    // A rollback-journal database under an exclusive lock is busy for readers.
    let path = std::env::temp_dir().join(format!(
        "taskforge-direct-busy-{}.sqlite",
        std::process::id()
    ));
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}?mode=rwc", path.display()))
        .unwrap()
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Delete);
    let mut holder = options.connect().await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS t (q TEXT); BEGIN EXCLUSIVE; INSERT INTO t VALUES ('x')",
    )
    .execute(&mut holder)
    .await
    .unwrap();
    let locked = DirectReads::new(path.clone(), 256);
    assert!(locked.rows::<Text>(&sql("SELECT q FROM t")).is_none());
    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();
    let rows = locked
        .rows::<Text>(&sql("SELECT q FROM t"))
        .unwrap()
        .unwrap();
    assert_eq!(rows, vec![Text("x".into())]);
    holder.close().await.unwrap();
    let _ = std::fs::remove_file(&path);
}

/// Its connections are read-only; a wrong column type or a bad statement is
/// an error, not a guess; the statement cache starts over when full.
#[tokio::test]
async fn reads_only_and_reports_errors() {
    let s = scratch("direct-errors");
    let reads = direct(&s).await;
    let write = reads.rows::<Text>(&sql(
        "INSERT INTO t (name) VALUES ('x') RETURNING name AS q",
    ));
    let err = write.unwrap().unwrap_err().to_string();
    assert!(err.contains("readonly"), "{err}");
    let count =
        s.db.query_one_raw(sql("SELECT count(*) AS n FROM t"))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(count.try_get::<i64>("", "n").unwrap(), 0);

    let wrong = reads.rows::<Int>(&sql("SELECT 'x' AS q")).unwrap();
    assert!(matches!(wrong, Err(DbErr::Type(m)) if m.contains("column q")));
    let missing = reads.rows::<Int>(&sql("SELECT 1 AS other")).unwrap();
    assert!(matches!(missing, Err(DbErr::Type(m)) if m.contains("not selected")));
    let null = reads.rows::<Int>(&sql("SELECT NULL AS q")).unwrap();
    assert!(matches!(null, Err(DbErr::Type(m)) if m.contains("NULL")));
    let big = reads.rows::<Int>(&sql("SELECT 4294967296 AS q")).unwrap();
    assert!(matches!(big, Err(DbErr::Type(m)) if m.contains("out of range")));
    let bad = reads.rows::<Int>(&sql("SELECT q FROM nowhere")).unwrap();
    assert!(bad.unwrap_err().to_string().contains("no such table"));

    for round in 0..2 {
        for i in 0..70 {
            let rows = reads
                .rows::<Int>(&one(&format!("SELECT ? + {i} AS q"), Value::from(round)))
                .unwrap()
                .unwrap();
            assert_eq!(rows[0].0, i + round);
        }
    }
    assert_eq!(reads.idle(), 1, "one thread, one connection");
}

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
        recurrence: None,
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
