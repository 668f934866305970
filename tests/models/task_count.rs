//! `users.task_count`, the counter the task quota reads: kept by triggers
//! for every statement that adds, removes or moves tasks, and backfilled by
//! its migration for tasks that existed before.
use loco_rs::testing::prelude::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    models::_entities::{tasks, users},
};

use super::helpers::{bulk_tasks, migrate_down_to_before, user, v1_tasks};

/// The counter read with raw SQL, so it works while the entity and the
/// schema disagree (between the migration's down and up).
async fn counter(db: &Db, owner: i32) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST(task_count AS BIGINT) AS n FROM users WHERE id = {owner}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

async fn owned(db: &Db, owner: i32) -> i64 {
    let n = tasks::Entity::find()
        .filter(tasks::Column::UserId.eq(owner))
        .count(db)
        .await
        .unwrap();
    i64::try_from(n).unwrap()
}

#[tokio::test]
#[serial]
async fn the_counter_follows_bulk_inserts_deletes_and_moves() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    assert_eq!(counter(db, ann.id).await, 0);

    bulk_tasks(db, ann.id, 50).await;
    bulk_tasks(db, bob.id, 3).await;
    assert_eq!(
        (counter(db, ann.id).await, counter(db, bob.id).await),
        (50, 3)
    );

    tasks::Entity::delete_many()
        .filter(tasks::Column::UserId.eq(ann.id))
        .filter(tasks::Column::Title.is_in(["t0", "t1", "t2", "t3", "t4"]))
        .exec(db)
        .await
        .unwrap();
    assert_eq!(counter(db, ann.id).await, 45);

    tasks::Entity::update_many()
        .col_expr(tasks::Column::UserId, Expr::value(bob.id))
        .filter(tasks::Column::UserId.eq(ann.id))
        .filter(tasks::Column::Title.is_in(["t10", "t11"]))
        .exec(db)
        .await
        .unwrap();
    // A write that leaves the owner alone moves nothing.
    tasks::Entity::update_many()
        .col_expr(
            tasks::Column::Version,
            Expr::col(tasks::Column::Version).add(1),
        )
        .exec(db)
        .await
        .unwrap();
    assert_eq!(
        (counter(db, ann.id).await, counter(db, bob.id).await),
        (43, 5)
    );
    assert_eq!(counter(db, ann.id).await, owned(db, ann.id).await);
    assert_eq!(counter(db, bob.id).await, owned(db, bob.id).await);
}

#[tokio::test]
#[serial]
async fn deleting_a_user_takes_their_tasks_and_leaves_others_counts_alone() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    bulk_tasks(db, ann.id, 10).await;
    bulk_tasks(db, bob.id, 4).await;

    users::Entity::delete_by_id(ann.id).exec(db).await.unwrap();

    assert_eq!(owned(db, ann.id).await, 0);
    assert_eq!(counter(db, bob.id).await, 4);
}

#[tokio::test]
#[serial]
async fn the_migration_counts_the_tasks_that_existed_before_it() {
    let boot = boot_test::<App>().await.unwrap();
    let conn = &boot.app_context.db;
    let db = &Db::from(conn.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    bulk_tasks(db, ann.id, 3).await;

    // Back to the schema before the counter; tasks written then have no
    // trigger to count them.
    migrate_down_to_before(conn, "m20261202_200000_task_quota").await;
    v1_tasks(db, ann.id, 4).await;
    v1_tasks(db, bob.id, 2).await;
    Migrator::up(conn, None).await.unwrap();

    assert_eq!(counter(db, ann.id).await, 7);
    assert_eq!(counter(db, bob.id).await, 2);
    bulk_tasks(db, bob.id, 1).await;
    assert_eq!(counter(db, bob.id).await, 3);
}
