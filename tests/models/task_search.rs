//! `q=` after every kind of write. On PostgreSQL the search text is read
//! from `task_search`, a copy kept by triggers on `tasks` (so a re-arm, which
//! rewrites `tasks` rows, does not add trigram index entries); these tests
//! hold on SQLite too, where the text is read in place.
use chrono::{Duration, Utc};
use loco_rs::testing::prelude::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryTrait, Statement,
};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::listing::{Sort, TaskFilter},
    models::{
        _entities::tasks,
        tasks::{list_select, ListQuery, Model},
        users,
    },
};

use super::helpers::{bulk_tasks, migrate_down_to_before, user, v1_tasks};

fn search(terms: &[&str]) -> ListQuery {
    ListQuery {
        limit: 100,
        sort: Sort::parse("title").unwrap(),
        filter: TaskFilter {
            terms: terms.iter().map(ToString::to_string).collect(),
            ..TaskFilter::default()
        },
        after: None,
    }
}

/// Titles of the owner's tasks whose text holds every term, by title.
async fn found(db: &Db, owner: i32, terms: &[&str]) -> Vec<String> {
    let (page, _) = Model::list_for_owner(db, owner, &search(terms), Utc::now())
        .await
        .unwrap();
    page.into_iter().map(|task| task.title).collect()
}

/// One number from raw SQL.
async fn number(db: &Db, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

/// PostgreSQL: the copy holds exactly the tasks' texts.
async fn assert_copy_matches(db: &Db) {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let differing = "SELECT count(*) FROM tasks t FULL JOIN task_search s ON s.task_id = t.id \
                         WHERE t.id IS NULL OR s.task_id IS NULL OR s.search_text <> t.search_text";
        assert_eq!(
            number(db, differing).await,
            0,
            "task_search differs from tasks"
        );
    }
}

async fn retitle(db: &Db, owner: i32, from: &str, to: &str) {
    tasks::Entity::update_many()
        .col_expr(tasks::Column::Title, Expr::value(to))
        .col_expr(tasks::Column::SearchText, Expr::value(to))
        .filter(tasks::Column::UserId.eq(owner))
        .filter(tasks::Column::Title.eq(from))
        .exec(db)
        .await
        .unwrap();
}

#[tokio::test]
#[serial]
async fn search_follows_bulk_inserts_text_changes_and_deletes() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    bulk_tasks(db, ann.id, 1_200).await;
    bulk_tasks(db, bob.id, 20).await;
    assert_eq!(found(db, ann.id, &["t1199"]).await, ["t1199"]);
    assert_eq!(found(db, bob.id, &["t1", "9"]).await, ["t19"]);

    retitle(db, ann.id, "t1199", "zebra crossing").await;
    assert!(found(db, ann.id, &["t1199"]).await.is_empty());
    assert_eq!(
        found(db, ann.id, &["crossing", "zeb"]).await,
        ["zebra crossing"]
    );
    assert!(found(db, bob.id, &["zebra"]).await.is_empty());

    tasks::Entity::delete_many()
        .filter(tasks::Column::UserId.eq(ann.id))
        .filter(tasks::Column::Title.is_in(["zebra crossing", "t7"]))
        .exec(db)
        .await
        .unwrap();
    assert!(found(db, ann.id, &["zebra"]).await.is_empty());
    assert!(found(db, ann.id, &["t7"]).await.iter().all(|t| t != "t7"));
    assert_copy_matches(db).await;

    // The account's deletion, and a cascade from the users row.
    users::Model::delete_account(db, ann.id).await.unwrap();
    users::Entity::delete_by_id(bob.id).exec(db).await.unwrap();
    assert_copy_matches(db).await;
    assert_eq!(number(db, "SELECT count(*) FROM tasks").await, 0);
}

/// A write that leaves the text alone (a re-arm, a status change) leaves
/// the copy's rows alone: no new row versions, so no new index entries.
#[tokio::test]
#[serial]
async fn writes_that_keep_the_text_do_not_touch_the_copy() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    bulk_tasks(db, ann.id, 50).await;
    // The newest transaction id among the copy's row versions.
    let versions = "SELECT max(xmin::text::bigint) FROM task_search";
    let pg = db.get_database_backend() == DatabaseBackend::Postgres;
    let before = if pg { number(db, versions).await } else { 0 };

    let due = (Utc::now() + Duration::days(2)).fixed_offset();
    tasks::Entity::update_many()
        .col_expr(tasks::Column::DueAt, Expr::value(due))
        .col_expr(tasks::Column::RemindAt, Expr::value(due))
        .col_expr(
            tasks::Column::Version,
            Expr::col(tasks::Column::Version).add(1),
        )
        .filter(tasks::Column::UserId.eq(ann.id))
        .exec(db)
        .await
        .unwrap();
    // SET search_text to the same text: the trigger's WHEN skips it.
    tasks::Entity::update_many()
        .col_expr(
            tasks::Column::SearchText,
            Expr::col(tasks::Column::SearchText),
        )
        .filter(tasks::Column::UserId.eq(ann.id))
        .exec(db)
        .await
        .unwrap();

    if pg {
        assert_eq!(number(db, versions).await, before);
    }
    assert_eq!(found(db, ann.id, &["t49"]).await, ["t49"]);
    assert_copy_matches(db).await;
}

#[tokio::test]
#[serial]
async fn the_migration_copies_the_text_of_tasks_that_existed_before_it() {
    let boot = boot_test::<App>().await.unwrap();
    let conn = &boot.app_context.db;
    let db = &Db::from(conn.clone());
    let ann = user(db, "ann@example.com").await;
    bulk_tasks(db, ann.id, 3).await;

    migrate_down_to_before(conn, "m20261203_140000_task_search").await;
    v1_tasks(db, ann.id, 12).await;
    Migrator::up(conn, None).await.unwrap();

    assert_eq!(found(db, ann.id, &["t11"]).await, ["t11"]);
    assert_eq!(found(db, ann.id, &["t2"]).await, ["t2", "t2"]);
    assert_copy_matches(db).await;
}

/// PostgreSQL: a search goes through the copy's trigram index when the
/// planner may not walk the owner's rows instead.
#[tokio::test]
#[serial]
async fn a_search_can_use_the_trigram_index_of_the_copy() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let ann = user(db, "ann@example.com").await;
    bulk_tasks(db, ann.id, 100).await;
    let statement = list_select(
        DatabaseBackend::Postgres,
        ann.id,
        &search(&["zzqx"]),
        Utc::now(),
    )
    .build(DatabaseBackend::Postgres);
    let txn = db.begin().await.unwrap();
    for setting in ["enable_seqscan", "enable_indexscan", "enable_nestloop"] {
        txn.execute_unprepared(&format!("SET LOCAL {setting} = off"))
            .await
            .unwrap();
    }
    let explain = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        format!("EXPLAIN {}", statement.sql),
        statement.values.clone().map(|v| v.0).unwrap_or_default(),
    );
    let plan: Vec<String> = txn
        .query_all_raw(explain)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    txn.commit().await.unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("idx_task_search_trgm"), "{plan}");
}
