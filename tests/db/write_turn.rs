//! SQLite writers of one process take turns; PostgreSQL writers do not wait.
use std::time::Duration;

use loco_rs::testing::prelude::*;
use sea_orm::DatabaseBackend;
use serial_test::serial;
use taskforge::{app::App, db::write_turn};

#[tokio::test]
#[serial]
async fn a_second_writer_waits_for_the_first_only_on_sqlite() {
    let boot = boot_test::<App>().await.unwrap();
    let db = boot.app_context.db.clone();

    let first = write_turn::take(&db).await;
    let second = tokio::time::timeout(Duration::from_millis(100), write_turn::take(&db)).await;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        assert!(
            second.is_err(),
            "the second turn came while the first was held"
        );
        drop(first);
        let after = tokio::time::timeout(Duration::from_secs(5), write_turn::take(&db)).await;
        assert!(after.is_ok(), "the turn was not handed on");
    } else {
        assert!(second.is_ok(), "PostgreSQL writers must not take turns");
    }
}

#[tokio::test]
#[serial]
async fn turns_are_handed_out_in_arrival_order() {
    let boot = boot_test::<App>().await.unwrap();
    let db = boot.app_context.db.clone();
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return;
    }
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let first = write_turn::take(&db).await;
    let mut waiting = Vec::new();
    for n in 0..5 {
        let (db, order) = (db.clone(), order.clone());
        waiting.push(tokio::spawn(async move {
            let _turn = write_turn::take(&db).await;
            order.lock().unwrap().push(n);
        }));
        // Let this writer queue before the next arrives.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(first);
    for task in waiting {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4]);
}
