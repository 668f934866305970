//! Reads on the request's own thread (src/db/direct/): the same rows as
//! SeaORM over sqlx, values bound as sqlx binds them, and the cases where
//! the usual path answers instead.
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use sea_orm::{
    sqlx::{self, sqlite::SqliteConnectOptions, ConnectOptions as _, Connection as _},
    ConnectionTrait, DatabaseBackend, DbErr, QueryResult, Statement, Value,
};
use taskforge::db::{
    direct::{DirectError, DirectReads},
    FromRow, Row,
};
use uuid::Uuid;

use super::pool::{scratch_with, sql, Scratch};

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
