//! The labels wing below the endpoints: `labels::ensure` (the labels a task
//! body names, made when missing, within the quota) and the unique key of
//! names, which holds in the database itself.
use loco_rs::testing::prelude::*;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};
use serde_json::json;
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::organizing::LabelSet,
    errors::ApiError,
    models::{labels, users},
};
use uuid::Uuid;

use super::helpers::user;

fn set(names: &[&str]) -> LabelSet {
    LabelSet::parse(&names.iter().map(|n| json!(n)).collect::<Vec<_>>()).unwrap()
}

async fn stored_names(db: &Db, owner: &users::Model) -> Vec<String> {
    let mut names: Vec<String> = labels::Entity::find()
        .filter(labels::Column::UserId.eq(owner.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    names.sort();
    names
}

/// A label row written straight to the table, past the model's checks.
fn row(owner: &users::Model, name: &str) -> labels::ActiveModel {
    let at = users::now();
    labels::ActiveModel {
        pid: Set(Uuid::new_v4()),
        user_id: Set(owner.id),
        name: Set(name.to_string()),
        name_key: Set(name.to_lowercase()),
        color: Set(None),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
}

#[tokio::test]
#[serial]
async fn ensure_makes_the_missing_labels_within_the_quota_and_reuses_the_rest() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;

    let made = labels::ensure(db, ann.id, &set(&["Home", "errand"]), 3)
        .await
        .unwrap();
    assert_eq!(
        made.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["Home", "errand"]
    );
    // Two new labels would make four: refused, and nothing is written.
    let over = labels::ensure(db, ann.id, &set(&["HOME", "a", "b"]), 3).await;
    assert!(
        matches!(
            over,
            Err(ApiError::QuotaExceeded {
                resource: "labels",
                limit: 3
            })
        ),
        "{over:?}"
    );
    assert_eq!(stored_names(db, &ann).await, ["Home", "errand"]);
    // The set's order, the stored spelling, the same rows.
    let again = labels::ensure(db, ann.id, &set(&["a", "ERRAND", "home"]), 3)
        .await
        .unwrap();
    let names: Vec<&str> = again.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["a", "errand", "Home"]);
    assert_eq!(again[2].id, made[0].id);
    assert_eq!(again[2].version, 1);
    // At the limit, existing labels are still found.
    let full = labels::ensure(db, ann.id, &set(&["home", "A"]), 3)
        .await
        .unwrap();
    assert_eq!(full.len(), 2);
    assert_eq!(stored_names(db, &ann).await, ["Home", "a", "errand"]);
    assert!(labels::ensure(db, ann.id, &LabelSet::default(), 0)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
#[serial]
async fn names_are_unique_per_user_ignoring_case_in_the_database_too() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    row(&ann, "Errand").insert(db).await.unwrap();

    let again = row(&ann, "ERRAND").insert(db).await;

    let err = again.expect_err("a second name key of one user is refused");
    assert!(
        matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))),
        "{err:?}"
    );
    row(&bob, "errand").insert(db).await.unwrap();
    assert_eq!(stored_names(db, &ann).await, ["Errand"]);
    assert_eq!(stored_names(db, &bob).await, ["errand"]);
}

#[tokio::test]
#[serial]
async fn a_users_labels_go_with_the_account() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    labels::ensure(db, ann.id, &set(&["a", "b"]), 10)
        .await
        .unwrap();
    labels::ensure(db, bob.id, &set(&["a"]), 10).await.unwrap();

    users::Entity::delete_by_id(ann.id).exec(db).await.unwrap();

    assert_eq!(stored_names(db, &ann).await, Vec::<String>::new());
    assert_eq!(stored_names(db, &bob).await, ["a"]);
}
