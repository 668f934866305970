//! SQLite's own pool of the request path (src/db/pool.rs, src/db/conn.rs).
use std::{str::FromStr, sync::Arc, time::Duration};

use loco_rs::testing::prelude::*;
use sea_orm::{
    sqlx::{self, sqlite::SqliteConnectOptions, Row},
    ConnAcquireErr, ConnectionTrait, DatabaseBackend, DbErr, SqlErr, Statement,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::{sqlite::stable_plans_enabled, AfterConnect, Db, SqlitePool},
};

/// A pool of `size` connections over a fresh database file of its own.
pub(super) struct Scratch {
    path: std::path::PathBuf,
    pub(super) db: Db,
}

impl Scratch {
    /// The database file.
    pub(super) fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

fn scratch(name: &str, size: u32, acquire_timeout: Duration) -> Scratch {
    scratch_with(name, size, acquire_timeout, |_| Box::pin(async { Ok(()) }))
}

/// [`scratch`] whose connections each pass through `after_connect`.
pub(super) fn scratch_with(
    name: &str,
    size: u32,
    acquire_timeout: Duration,
    after_connect: AfterConnect,
) -> Scratch {
    let path = std::env::temp_dir().join(format!(
        "taskforge-pool-{}-{name}.sqlite",
        std::process::id()
    ));
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}?mode=rwc", path.display()))
        .unwrap()
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = SqlitePool::new(options, after_connect, size, acquire_timeout);
    Scratch {
        path,
        db: Db::sqlite(Arc::new(pool)),
    }
}

pub(super) fn pool(db: &Db) -> &SqlitePool {
    db.sqlite_pool().expect("not the SQLite pool")
}

pub(super) fn sql(text: &str) -> Statement {
    Statement::from_string(DatabaseBackend::Sqlite, text)
}

#[tokio::test]
async fn a_returned_connection_is_used_again() {
    let s = scratch("reuse", 1, Duration::from_secs(5));
    {
        let mut conn = pool(&s.db).acquire().await.unwrap();
        sqlx::raw_sql("CREATE TEMP TABLE marker (x INTEGER)")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    // A temporary table lives on its connection only: the same one came back.
    let mut conn = pool(&s.db).acquire().await.unwrap();
    let row = sqlx::query("SELECT count(*) FROM temp.marker")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(row.get::<i64, _>(0), 0);
}

#[tokio::test]
async fn at_most_size_connections_are_lent_and_waiters_time_out() {
    let s = scratch("bounded", 2, Duration::from_millis(100));
    let first = pool(&s.db).acquire().await.unwrap();
    let _second = pool(&s.db).acquire().await.unwrap();
    let third = pool(&s.db).acquire().await;
    assert!(matches!(
        third.err(),
        Some(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))
    ));
    // A statement waits the same way, and goes on once one comes back.
    let waiting = s.db.query_one_raw(sql("SELECT 1"));
    drop(first);
    let row = waiting.await.unwrap().unwrap();
    assert_eq!(row.try_get_by_index::<i32>(0).unwrap(), 1);
}

#[tokio::test]
async fn a_cancelled_statement_leaves_its_connection_usable() {
    let s = scratch("cancel", 1, Duration::from_secs(5));
    let slow = sql(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
         SELECT count(*) FROM c",
    );
    let cancelled = tokio::time::timeout(Duration::from_millis(5), s.db.query_one_raw(slow)).await;
    assert!(
        cancelled.is_err(),
        "the statement should still have been running"
    );
    let row = s.db.query_one_raw(sql("SELECT 2")).await.unwrap().unwrap();
    assert_eq!(row.try_get_by_index::<i32>(0).unwrap(), 2);
}

#[tokio::test]
async fn statements_and_errors_read_as_with_seaorms_pool() {
    let s = scratch("errors", 2, Duration::from_secs(5));
    s.db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
        .await
        .unwrap();
    let insert = |name: &str| {
        Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "INSERT INTO t (name) VALUES (?)",
            [name.into()],
        )
    };
    let done = s.db.execute_raw(insert("a")).await.unwrap();
    assert_eq!(done.rows_affected(), 1);
    assert_eq!(done.last_insert_id(), 1);
    let duplicate = s.db.execute_raw(insert("a")).await.unwrap_err();
    assert!(matches!(
        duplicate.sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_))
    ));
    let bad =
        s.db.query_all_raw(sql("SELECT nope FROM t"))
            .await
            .unwrap_err();
    assert!(matches!(bad, DbErr::Query(_)));
    s.db.execute_raw(insert("b")).await.unwrap();
    let rows =
        s.db.query_all_raw(sql("SELECT name FROM t ORDER BY id"))
            .await
            .unwrap();
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index(0).unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(s
        .db
        .query_one_raw(sql("SELECT 1 WHERE 0"))
        .await
        .unwrap()
        .is_none());
}

#[test]
fn only_a_shared_database_gets_the_pool() {
    assert!(SqlitePool::shares_one_database(
        "sqlite://taskforge.sqlite?mode=rwc"
    ));
    assert!(!SqlitePool::shares_one_database("sqlite::memory:"));
    assert!(!SqlitePool::shares_one_database(
        "sqlite://file?mode=memory"
    ));
    assert!(!SqlitePool::shares_one_database(
        "postgres://postgres@localhost/x"
    ));
}

/// The app's request pool opens its connections with the settings of the
/// SeaORM pool: WAL, `synchronous=NORMAL`, the busy timeout, foreign keys,
/// and query-planner stability. On PostgreSQL the handle is SeaORM's pool.
#[tokio::test]
#[serial]
async fn the_apps_request_connections_have_every_setting() {
    let boot = boot_test::<App>().await.unwrap();
    let ctx = boot.app_context;
    let db = Db::of(&ctx);
    if ctx.db.get_database_backend() != DatabaseBackend::Sqlite {
        assert!(db.sqlite_pool().is_none());
        return;
    }
    // Hold several at once so the pool has to open more than one.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(pool(&db).acquire().await.unwrap());
    }
    for conn in &mut held {
        assert!(stable_plans_enabled(conn).await.unwrap());
        let pragma = async |conn: &mut sqlx::SqliteConnection, name: &str| {
            let row = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            row.try_get::<String, _>(0)
                .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
                .unwrap()
        };
        assert_eq!(pragma(conn, "journal_mode").await, "wal");
        assert_eq!(pragma(conn, "synchronous").await, "1");
        assert_eq!(pragma(conn, "busy_timeout").await, "30000");
        assert_eq!(pragma(conn, "foreign_keys").await, "1");
        assert_eq!(pragma(conn, "cache_size").await, "-1024");
        // Statement journals of the writer's batches stay in memory.
        assert_eq!(pragma(conn, "temp_store").await, "2");
    }
}
