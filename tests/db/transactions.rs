//! `Db::begin`: one transaction on either database, holding this process's
//! SQLite write turn for its whole length (src/db/mod.rs).
use std::time::Duration;

use loco_rs::testing::prelude::*;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait};
use serial_test::serial;
use taskforge::{
    app::App,
    db::{write_turn, Db},
    models::users,
};

use crate::models::helpers::user;

async fn count(db: &Db) -> u64 {
    users::Entity::find().count(db).await.unwrap()
}

/// The request path's handle and SeaORM's pool both begin transactions: a
/// commit keeps the writes, a rollback (or a drop) keeps none.
#[tokio::test]
#[serial]
async fn a_commit_keeps_the_writes_and_a_rollback_none() {
    let boot = boot_test::<App>().await.unwrap();
    for db in [
        Db::of(&boot.app_context),
        Db::from(boot.app_context.db.clone()),
    ] {
        let before = count(&db).await;
        let txn = db.begin().await.unwrap();
        user(&txn, &format!("kept{before}@example.com")).await;
        txn.commit().await.unwrap();
        assert_eq!(count(&db).await, before + 1);

        let txn = db.begin().await.unwrap();
        user(&txn, &format!("undone{before}@example.com")).await;
        assert_eq!(
            count(&txn).await,
            before + 2,
            "the transaction sees its own write"
        );
        txn.rollback().await.unwrap();
        assert_eq!(count(&db).await, before + 1);

        let txn = db.begin().await.unwrap();
        user(&txn, &format!("dropped{before}@example.com")).await;
        drop(txn);
        assert_eq!(count(&db).await, before + 1);
    }
}

/// On SQLite a transaction holds the write turn until it ends, so the
/// request path's writer never meets it in SQLite's busy handler; a nested
/// transaction takes no second turn (the turn is not re-entrant).
#[tokio::test]
#[serial]
async fn a_transaction_holds_the_sqlite_write_turn_until_it_ends() {
    let boot = boot_test::<App>().await.unwrap();
    let db = Db::of(&boot.app_context);
    let txn = db.begin().await.unwrap();
    let nested = tokio::time::timeout(Duration::from_secs(5), txn.begin())
        .await
        .expect("a nested transaction waits for no turn")
        .unwrap();
    nested.commit().await.unwrap();
    let turn = tokio::time::timeout(Duration::from_millis(100), write_turn::sqlite()).await;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        assert!(
            turn.is_err(),
            "the turn came while the transaction was open"
        );
    }
    drop(turn);
    txn.commit().await.unwrap();
    let turn = tokio::time::timeout(Duration::from_secs(5), write_turn::sqlite()).await;
    assert!(turn.is_ok(), "the turn was not handed on after the commit");
}

/// Only a transaction ends, and only when no copy of its handle is left.
#[tokio::test]
#[serial]
async fn only_a_whole_transaction_commits() {
    let boot = boot_test::<App>().await.unwrap();
    let db = Db::of(&boot.app_context);
    let not_one = db.clone().commit().await;
    assert!(matches!(not_one, Err(DbErr::Custom(m)) if m.contains("not a transaction")));

    let txn = db.begin().await.unwrap();
    let copy = txn.clone();
    let shared = txn.commit().await;
    assert!(matches!(shared, Err(DbErr::Custom(m)) if m.contains("copy")));
    // The failed commit dropped its handle; the copy still ends it.
    copy.rollback().await.unwrap();
}
