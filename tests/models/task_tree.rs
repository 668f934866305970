//! The task tree in the database (migration `m20261207_100000_task_tree`):
//! the migration on a database that has tasks before it runs, and the rules
//! the database itself keeps, checked with plain SQL that bypasses the
//! application: a subtask lives in its parent's list, a list change takes
//! the subtree along, deleting and completing reach the whole subtree, and
//! depth and cycles are refused.
use loco_rs::testing::prelude::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::position::Position,
    models::{_entities::tasks, lists, users},
};
use uuid::Uuid;

use super::helpers::{migrate_down_to_before, user};

/// A task row written with the columns the schema had before the tree.
async fn old_task(db: &Db, owner: i32, list: Uuid, title: &str, minutes: i64) -> Uuid {
    let at = users::now() - chrono::Duration::minutes(minutes);
    let pid = Uuid::new_v4();
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("tasks"))
        .columns(
            [
                "pid",
                "user_id",
                "title",
                "search_text",
                "list_pid",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            pid.into(),
            owner.into(),
            title.into(),
            title.into(),
            list.into(),
            at.into(),
            at.into(),
        ]);
    db.execute(&insert).await.unwrap();
    pid
}

async fn by_position(db: &Db, list: Uuid) -> Vec<tasks::Model> {
    tasks::Entity::find()
        .filter(tasks::Column::ListPid.eq(list))
        .order_by_asc(tasks::Column::Position)
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
#[serial]
async fn existing_tasks_are_numbered_per_list_in_creation_order() {
    let boot = boot_test::<App>().await.unwrap();
    let conn = &boot.app_context.db;
    let db = &Db::from(conn.clone());
    let ann = user(db, "ann@example.com").await;
    let inbox = lists::Model::inbox_of(db, ann.id).await.unwrap().pid;
    migrate_down_to_before(conn, "m20261207_100000_task_tree").await;
    let other = lists::ActiveModel {
        pid: Set(Uuid::new_v4()),
        user_id: Set(ann.id),
        name: Set("Work".into()),
        name_key: Set("work".into()),
        position: Set("W".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .pid;
    // Written out of creation order: the oldest last.
    for (title, minutes) in [("second", 20), ("third", 10), ("first", 30)] {
        old_task(db, ann.id, inbox, title, minutes).await;
    }
    for n in 0..12 {
        old_task(db, ann.id, other, &format!("w{n:02}"), 100 - n).await;
    }

    Migrator::up(conn, None).await.unwrap();

    let titles = |rows: &[tasks::Model]| rows.iter().map(|t| t.title.clone()).collect::<Vec<_>>();
    assert_eq!(
        titles(&by_position(db, inbox).await),
        ["first", "second", "third"]
    );
    let work = by_position(db, other).await;
    let expected: Vec<String> = (0..12).map(|n| format!("w{n:02}")).collect();
    assert_eq!(titles(&work), expected);
    for task in work.iter().chain(&by_position(db, inbox).await) {
        assert!(Position::parse(&task.position).is_ok(), "{}", task.position);
        assert_eq!(task.parent_pid, None);
        assert_eq!(task.label_count, 0);
    }
    // The rebuilt table kept its triggers: the quota counter still counts.
    let counted = users::Entity::find_by_id(ann.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counted.task_count, 15);
}

#[tokio::test]
#[serial]
async fn the_migration_rolls_back_and_forth_keeping_every_row() {
    let boot = boot_test::<App>().await.unwrap();
    let conn = &boot.app_context.db;
    let db = &Db::from(conn.clone());
    let ann = user(db, "ann@example.com").await;
    let inbox = lists::Model::inbox_of(db, ann.id).await.unwrap().pid;
    migrate_down_to_before(conn, "m20261207_100000_task_tree").await;
    let kept = old_task(db, ann.id, inbox, "kept", 5).await;

    Migrator::up(conn, None).await.unwrap();
    migrate_down_to_before(conn, "m20261207_100000_task_tree").await;
    Migrator::up(conn, None).await.unwrap();

    let rows = by_position(db, inbox).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pid, kept);
}

/// Three generations in the inbox and a second list, written directly.
struct Tree {
    owner: i32,
    other_list: Uuid,
    root: Uuid,
    child: Uuid,
    grandchild: Uuid,
}

async fn tree(db: &Db) -> Tree {
    let ann = user(db, "ann@example.com").await;
    let inbox = lists::Model::inbox_of(db, ann.id).await.unwrap().pid;
    let other_list = lists::ActiveModel {
        pid: Set(Uuid::new_v4()),
        user_id: Set(ann.id),
        name: Set("Work".into()),
        name_key: Set("work".into()),
        position: Set("W".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .pid;
    let mut parent = None;
    let mut pids = Vec::new();
    for title in ["root", "child", "grandchild"] {
        let pid = Uuid::new_v4();
        tasks::ActiveModel {
            pid: Set(pid),
            user_id: Set(ann.id),
            title: Set(title.into()),
            search_text: Set(title.into()),
            list_pid: Set(inbox),
            parent_pid: Set(parent),
            position: Set("V".into()),
            created_at: Set(users::now()),
            updated_at: Set(users::now()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        parent = Some(pid);
        pids.push(pid);
    }
    Tree {
        owner: ann.id,
        other_list,
        root: pids[0],
        child: pids[1],
        grandchild: pids[2],
    }
}

async fn task(db: &Db, pid: Uuid) -> Option<tasks::Model> {
    tasks::Entity::find()
        .filter(tasks::Column::Pid.eq(pid))
        .one(db)
        .await
        .unwrap()
}

async fn set(db: &Db, pid: Uuid, column: tasks::Column, value: sea_orm::Value) -> bool {
    tasks::Entity::update_many()
        .col_expr(column, Expr::value(value))
        .filter(tasks::Column::Pid.eq(pid))
        .exec(db)
        .await
        .is_ok()
}

#[tokio::test]
#[serial]
async fn a_list_change_takes_the_subtree_and_a_subtask_cannot_leave_its_parents_list() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let t = tree(db).await;

    let moved_alone = set(db, t.child, tasks::Column::ListPid, t.other_list.into()).await;
    assert!(
        !moved_alone,
        "a subtask moved to another list than its parent's"
    );
    assert!(set(db, t.root, tasks::Column::ListPid, t.other_list.into()).await);

    for pid in [t.root, t.child, t.grandchild] {
        assert_eq!(task(db, pid).await.unwrap().list_pid, t.other_list);
    }
}

#[tokio::test]
#[serial]
async fn cycles_and_a_fifth_level_are_refused() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let t = tree(db).await;
    let value = |pid: Uuid| sea_orm::Value::from(Some(pid));

    assert!(!set(db, t.root, tasks::Column::ParentPid, value(t.grandchild)).await);
    assert!(!set(db, t.root, tasks::Column::ParentPid, value(t.root)).await);
    assert!(!set(db, t.child, tasks::Column::ParentPid, value(t.grandchild)).await);
    // Level 4 (the great-grandchild) fits; level 5 does not.
    let inbox = task(db, t.root).await.unwrap().list_pid;
    let insert = |parent: Uuid, title: &'static str| {
        tasks::ActiveModel {
            pid: Set(Uuid::new_v4()),
            user_id: Set(t.owner),
            title: Set(title.into()),
            search_text: Set(title.into()),
            list_pid: Set(inbox),
            parent_pid: Set(Some(parent)),
            position: Set("V".into()),
            created_at: Set(users::now()),
            updated_at: Set(users::now()),
            ..Default::default()
        }
        .insert(db)
    };
    let fourth = insert(t.grandchild, "fourth").await.unwrap();
    let fifth = insert(fourth.pid, "fifth").await;
    assert!(fifth.is_err(), "{fifth:?}");
    // Nor may a subtree be hung so that its leaves end on level 5.
    let lone = insert(t.root, "lone").await.unwrap();
    assert!(!set(db, t.root, tasks::Column::ParentPid, value(lone.pid)).await);
    assert!(!set(db, t.child, tasks::Column::ParentPid, value(lone.pid)).await);
    assert!(task(db, t.root).await.unwrap().parent_pid.is_none());
}

#[tokio::test]
#[serial]
async fn deleting_a_task_deletes_its_subtree_and_the_counter_follows() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let t = tree(db).await;

    tasks::Entity::delete_many()
        .filter(tasks::Column::Pid.eq(t.root))
        .exec(db)
        .await
        .unwrap();

    for pid in [t.root, t.child, t.grandchild] {
        assert!(task(db, pid).await.is_none());
    }
    let owner = users::Entity::find_by_id(t.owner)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.task_count, 0);
}

#[tokio::test]
#[serial]
async fn completing_a_task_completes_its_open_descendants_in_the_same_statement() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let t = tree(db).await;
    let earlier = users::now() - chrono::Duration::days(1);
    let mut done = Query::update();
    done.table(tasks::Entity)
        .value(tasks::Column::Status, 2)
        .value(tasks::Column::CompletedAt, earlier)
        .and_where(Expr::col(tasks::Column::Pid).eq(t.grandchild));
    db.execute(&done).await.unwrap();
    let grandchild_before = task(db, t.grandchild).await.unwrap();
    let at = users::now();

    let mut complete = Query::update();
    complete
        .table(tasks::Entity)
        .value(tasks::Column::Status, 2)
        .value(tasks::Column::CompletedAt, at)
        .value(tasks::Column::UpdatedAt, at)
        .and_where(Expr::col(tasks::Column::Pid).eq(t.root));
    db.execute(&complete).await.unwrap();

    let child = task(db, t.child).await.unwrap();
    assert_eq!((child.status, child.completed_at), (2, Some(at)));
    assert_eq!(child.version, 2);
    assert_eq!(child.updated_at, at);
    assert_eq!(task(db, t.grandchild).await.unwrap(), grandchild_before);
}
