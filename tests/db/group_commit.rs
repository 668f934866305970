//! Group commit of the request path's SQLite writes (src/db/group_commit/).
use std::time::Duration;

use loco_rs::testing::prelude::*;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, SqlErr, Statement};
use serial_test::serial;
use taskforge::{
    app::App,
    db::{
        group_commit::{is_write, Stats},
        write_turn, Db,
    },
};

use super::pool::{pool, scratch_with, sql, Scratch};

fn scratch(name: &str) -> Scratch {
    scratch_with(name, 2, Duration::from_secs(5), |_| {
        Box::pin(async { Ok(()) })
    })
}

async fn table(db: &Db) {
    db.execute_unprepared("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
        .await
        .unwrap();
}

fn insert(verb: &str, name: &str) -> Statement {
    Statement::from_sql_and_values(
        DatabaseBackend::Sqlite,
        format!("{verb} INTO t (name) VALUES (?)"),
        [name.into()],
    )
}

/// Starts each write on its own task while this test holds the write turn,
/// so the writer finds them all waiting when the turn comes: one batch.
/// Their outcomes (last insert ids), in order.
async fn in_one_batch(db: &Db, writes: Vec<Statement>) -> Vec<Result<u64, DbErr>> {
    let turn = write_turn::sqlite().await;
    let started: Vec<_> = writes
        .into_iter()
        .map(|stmt| {
            let db = db.clone();
            tokio::spawn(async move { db.execute_raw(stmt).await.map(|d| d.last_insert_id()) })
        })
        .collect();
    // Every task reaches the writer's queue: it has nothing else to wait for.
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(turn);
    let mut outcomes = Vec::new();
    for write in started {
        outcomes.push(write.await.unwrap());
    }
    outcomes
}

/// A fresh table holding one row named "taken".
async fn table_with_taken(s: &Scratch) {
    table(&s.db).await;
    s.db.execute_raw(insert("INSERT", "taken")).await.unwrap();
}

async fn names(db: &Db) -> Vec<(i64, String)> {
    let rows = db
        .query_all_raw(sql("SELECT id, name FROM t ORDER BY id"))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect()
}

#[test]
fn only_data_changes_are_writes() {
    for write in [
        "INSERT INTO t VALUES (1)",
        "insert into t values (1)",
        "  UPDATE t SET x = 1",
        "DELETE FROM t",
        "REPLACE INTO t VALUES (1)",
        "INSERT OR ROLLBACK INTO t VALUES (1)",
    ] {
        assert!(is_write(write), "{write}");
    }
    for read in [
        "SELECT * FROM t",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "UPDATED",
        "PRAGMA user_version",
        "",
    ] {
        assert!(!is_write(read), "{read}");
    }
}

#[tokio::test]
async fn concurrent_writes_share_a_commit_and_each_gets_its_own_result() {
    let s = scratch("batch");
    table(&s.db).await;
    let writes = (0..40)
        .map(|i| insert("INSERT", &format!("n{i}")))
        .collect();
    let ids: Vec<u64> = in_one_batch(&s.db, writes)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        pool(&s.db).write_stats(),
        Stats {
            commits: 1,
            statements: 40
        }
    );
    // Each got the id of its own row, and every row is there for a read on
    // another connection once the writes returned.
    let rows = names(&s.db).await;
    assert_eq!(rows.len(), 40);
    for (i, id) in ids.iter().enumerate() {
        let row = rows
            .iter()
            .find(|(_, name)| *name == format!("n{i}"))
            .unwrap();
        assert_eq!(u64::try_from(row.0).unwrap(), *id);
    }
}

#[tokio::test]
async fn a_constraint_error_fails_only_its_own_write() {
    let s = scratch("constraint");
    table_with_taken(&s).await;
    let writes = vec![
        insert("INSERT", "a"),
        insert("INSERT", "taken"),
        insert("INSERT", "b"),
    ];
    let outcomes = in_one_batch(&s.db, writes).await;
    assert!(outcomes[0].is_ok());
    assert!(matches!(
        outcomes[1].as_ref().unwrap_err().sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_))
    ));
    assert!(outcomes[2].is_ok());
    let kept: Vec<String> = names(&s.db).await.into_iter().map(|(_, n)| n).collect();
    assert_eq!(kept, ["taken", "a", "b"]);
    assert_eq!(pool(&s.db).write_stats().commits, 2);
}

/// `INSERT OR ROLLBACK` ends the whole transaction on its conflict, as
/// SQLite's I/O and disk-full errors may: the writes before it in the batch
/// were undone with it, so they run again; none is lost or reported failed.
#[tokio::test]
async fn an_error_that_ends_the_transaction_costs_only_its_own_write() {
    let s = scratch("rollback");
    table_with_taken(&s).await;
    let writes = vec![
        insert("INSERT", "a"),
        insert("INSERT", "b"),
        insert("INSERT OR ROLLBACK", "taken"),
        insert("INSERT", "c"),
    ];
    let outcomes = in_one_batch(&s.db, writes).await;
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok() && outcomes[3].is_ok());
    assert!(matches!(
        outcomes[2].as_ref().unwrap_err().sql_err(),
        Some(SqlErr::UniqueConstraintViolation(_))
    ));
    let kept: Vec<String> = names(&s.db).await.into_iter().map(|(_, n)| n).collect();
    assert_eq!(kept, ["taken", "a", "b", "c"]);
    // The ids the writes reported are those of the rows that were kept.
    let rows = names(&s.db).await;
    for (i, name) in [(0, "a"), (1, "b"), (3, "c")] {
        let id = *outcomes[i].as_ref().unwrap();
        let row = rows.iter().find(|(_, n)| n == name).unwrap();
        assert_eq!(u64::try_from(row.0).unwrap(), id);
    }
}

#[tokio::test]
async fn returned_rows_come_back_from_the_batch() {
    let s = scratch("returning");
    table(&s.db).await;
    s.db.execute_raw(insert("INSERT", "x")).await.unwrap();
    let rename = |to: &str| {
        Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "UPDATE t SET name = ? WHERE name = 'x' RETURNING name",
            [to.into()],
        )
    };
    let turn = write_turn::sqlite().await;
    let (first, second) = (s.db.clone(), s.db.clone());
    let first = tokio::spawn(async move { first.query_one_raw(rename("y")).await });
    let second = tokio::spawn(async move { second.query_all_raw(rename("z")).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(turn);
    let row = first.await.unwrap().unwrap().unwrap();
    assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "y");
    // The second saw the first's change in the same transaction: no row.
    assert!(second.await.unwrap().unwrap().is_empty());
    assert_eq!(pool(&s.db).write_stats().commits, 2);
}

/// A request that hangs up while its write waits does not take it back.
#[tokio::test]
async fn a_cancelled_write_still_runs_and_the_writer_goes_on() {
    let s = scratch("cancel");
    table(&s.db).await;
    let turn = write_turn::sqlite().await;
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        s.db.execute_raw(insert("INSERT", "a")),
    )
    .await;
    assert!(cancelled.is_err(), "the write should have been waiting");
    drop(turn);
    s.db.execute_raw(insert("INSERT", "b")).await.unwrap();
    let kept: Vec<String> = names(&s.db).await.into_iter().map(|(_, n)| n).collect();
    assert_eq!(kept, ["a", "b"]);
}

/// The writer's connection is opened like the readers' (`after_connect`),
/// and a pool outlives the runtime its writer started on.
#[test]
fn the_writer_connects_like_the_readers_and_outlives_its_runtime() {
    let s = scratch_with("writer", 1, Duration::from_secs(5), |conn| {
        Box::pin(async move {
            sea_orm::sqlx::raw_sql("CREATE TEMP TABLE mine (x INTEGER)")
                .execute(conn)
                .await
                .map(drop)
        })
    });
    for round in 0..2 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            // Only a connection that went through `after_connect` has it.
            s.db.execute_raw(sql("INSERT INTO temp.mine VALUES (1)"))
                .await
                .unwrap();
        });
        drop(runtime);
        assert_eq!(pool(&s.db).write_stats().statements, round + 1);
    }
}

/// In the app, the writer's connection enforces foreign keys like the
/// readers' (on PostgreSQL there is no writer).
#[tokio::test]
#[serial]
async fn the_apps_writer_enforces_foreign_keys() {
    let boot = boot_test::<App>().await.unwrap();
    let db = Db::of(&boot.app_context);
    if db.sqlite_pool().is_none() {
        return;
    }
    let orphan = sql("INSERT INTO sessions \
         (pid, user_id, refresh_hash, access_jti, expires_at, created_at, updated_at) \
         VALUES ('p', 999999, 'h', 'j', '2026-01-01', '2026-01-01', '2026-01-01')");
    let err = db.execute_raw(orphan).await.unwrap_err();
    assert!(matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    ));
    assert_eq!(pool(&db).write_stats().statements, 1);
}

/// When the batch cannot start its transaction (another connection holds
/// the write lock past the busy timeout), each of its writes gets that error,
/// none is applied, and the next write goes through.
#[tokio::test]
async fn a_batch_that_cannot_begin_fails_each_write_and_the_writer_goes_on() {
    let s = scratch_with("busy", 2, Duration::from_secs(5), |conn| {
        Box::pin(async move {
            sea_orm::sqlx::raw_sql("PRAGMA busy_timeout = 100")
                .execute(conn)
                .await
                .map(drop)
        })
    });
    table(&s.db).await;
    let mut other = pool(&s.db).acquire().await.unwrap();
    sea_orm::sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut *other)
        .await
        .unwrap();
    let outcomes = in_one_batch(&s.db, vec![insert("INSERT", "a"), insert("INSERT", "b")]).await;
    for outcome in outcomes {
        let err = outcome.unwrap_err().to_string();
        assert!(err.contains("database is locked"), "{err}");
    }
    sea_orm::sqlx::raw_sql("ROLLBACK")
        .execute(&mut *other)
        .await
        .unwrap();
    drop(other);
    s.db.execute_raw(insert("INSERT", "c")).await.unwrap();
    let kept: Vec<String> = names(&s.db).await.into_iter().map(|(_, n)| n).collect();
    assert_eq!(kept, ["c"]);
}
