//! The lists migration on a database that has data before it runs: every
//! existing user gets exactly one inbox, and every existing task moves into
//! its owner's inbox (contract, organizing.md, "Lists").
use loco_rs::testing::prelude::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::{Alias, Query},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    models::{
        _entities::{lists, tasks},
        users,
    },
};
use uuid::Uuid;

use super::helpers::{migrate_down_to_before, v1_tasks};

/// A user row as the schema before lists has it (no inbox).
async fn v1_user(db: &Db, email: &str) -> i32 {
    let at = users::now();
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("users"))
        .columns(
            [
                "pid",
                "email",
                "password",
                "name",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            Uuid::new_v4().into(),
            email.into(),
            "not-a-real-hash".into(),
            "Someone".into(),
            at.into(),
            at.into(),
        ]);
    db.execute(&insert).await.unwrap();
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
#[serial]
async fn existing_users_get_an_inbox_holding_all_their_tasks() {
    let boot = boot_test::<App>().await.unwrap();
    let conn = &boot.app_context.db;
    let db = &Db::from(conn.clone());
    migrate_down_to_before(conn, "m20261203_150000_lists").await;
    let ann = v1_user(db, "ann@example.com").await;
    let bob = v1_user(db, "bob@example.com").await;
    let cy = v1_user(db, "cy@example.com").await;
    v1_tasks(db, ann, 7).await;
    v1_tasks(db, bob, 3).await;

    Migrator::up(conn, None).await.unwrap();

    for (owner, count) in [(ann, 7), (bob, 3), (cy, 0)] {
        let owned = lists::Entity::find()
            .filter(lists::Column::UserId.eq(owner))
            .all(db)
            .await
            .unwrap();
        assert_eq!(owned.len(), 1, "one list for user {owner}");
        let inbox = &owned[0];
        assert!(inbox.inbox && !inbox.archived);
        assert_eq!(inbox.name, "Inbox");
        let tasks = tasks::Entity::find()
            .filter(tasks::Column::UserId.eq(owner))
            .all(db)
            .await
            .unwrap();
        assert_eq!(tasks.len(), count);
        assert!(tasks.iter().all(|t| t.list_pid == inbox.pid));
    }
}

/// The database refuses a task without a list on both backends.
#[tokio::test]
#[serial]
async fn a_task_without_a_list_is_refused_by_the_database() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = super::helpers::user(db, "ann@example.com").await;
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("tasks"))
        .columns(["pid", "user_id", "title", "created_at", "updated_at"].map(Alias::new))
        .values_panic([
            Uuid::new_v4().into(),
            ann.id.into(),
            "no list".into(),
            users::now().into(),
            users::now().into(),
        ]);

    let refused = db.execute(&insert).await;

    assert!(refused.is_err(), "{refused:?}");
    let missing = Uuid::new_v4();
    let mut dangling = Query::insert();
    dangling
        .into_table(Alias::new("tasks"))
        .columns(
            [
                "pid",
                "user_id",
                "title",
                "list_pid",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            Uuid::new_v4().into(),
            ann.id.into(),
            "unknown list".into(),
            missing.into(),
            users::now().into(),
            users::now().into(),
        ]);
    assert!(db.execute(&dangling).await.is_err());
}
