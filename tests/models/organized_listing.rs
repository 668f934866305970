//! The organizing filters page off their own indexes, also past a cursor,
//! with no sort step: a list's top-level tasks in manual order
//! (`idx_tasks_list_top`), a task's subtasks in manual order
//! (`idx_tasks_parent`), and one label's tasks newest first
//! (`idx_task_labels_label`). Checked on the plan of the real statement.
use chrono::Utc;
use loco_rs::testing::prelude::*;
use sea_orm::{ConnectionTrait, QueryTrait, Statement};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::{
        listing::{ParentFilter, Sort, TaskFilter},
        organizing::LabelSet,
        task::{Priority, Status, TaskTitle},
    },
    models::{
        labels, lists,
        tasks::{self, decode_key, labelled_select, ListQuery, TaskInput},
        users,
    },
};
use uuid::Uuid;

use super::{helpers::user, task_listing::plan};

async fn task(
    db: &Db,
    owner: &users::Model,
    parent: Option<Uuid>,
    labels: &[&str],
) -> tasks::Model {
    let labels = serde_json::json!(labels);
    let input = TaskInput {
        title: TaskTitle::parse("t").unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: None,
        list_id: None,
        parent_id: parent.map_or(Default::default(), taskforge::domain::body::Patch::Value),
        labels: Some(LabelSet::parse(labels.as_array().unwrap()).unwrap()),
        recurrence: None,
    };
    tasks::Model::create_for_owner(db, owner, input, tasks::Limits::NONE)
        .await
        .unwrap()
        .task
}

/// The plan of the page of `filter` in `sort`, first and past `last`,
/// with the label ids `labels`.
async fn plans(
    db: &Db,
    owner: &users::Model,
    sort: &str,
    filter: TaskFilter,
    labels: &[i32],
    last: &tasks::Model,
) -> Vec<(String, Statement)> {
    let sort = Sort::parse(sort).unwrap();
    let mut out = Vec::new();
    for after in [
        None,
        decode_key(&sort, &tasks::ListedTask::from(last).sort_key(&sort)),
    ] {
        let query = ListQuery {
            limit: 20,
            sort: sort.clone(),
            filter: filter.clone(),
            after,
        };
        let backend = db.get_database_backend();
        let statement =
            labelled_select(backend, owner.id, &query, labels, Utc::now()).build(backend);
        out.push((plan(db, &statement).await, statement));
    }
    out
}

fn assert_reads(index: &str, plans: &[(String, Statement)]) {
    for (plan, statement) in plans {
        assert!(
            plan.contains(index),
            "should use {index}:\n{plan}\n{}",
            statement.sql
        );
        assert!(!plan.contains("TEMP B-TREE"), "sorts in memory:\n{plan}");
        assert!(!plan.contains("Sort Key"), "sorts in memory:\n{plan}");
    }
}

#[tokio::test]
#[serial]
async fn a_lists_top_level_tasks_in_manual_order_read_their_own_index() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let owner = user(db, "ann@example.com").await;
    let inbox = lists::Model::inbox_of(db, owner.id).await.unwrap();
    let last = task(db, &owner, None, &[]).await;
    let filter = TaskFilter {
        list: Some(inbox.pid),
        parent: Some(ParentFilter::TopLevel),
        ..TaskFilter::default()
    };

    for sort in ["position", "-position"] {
        let found = plans(db, &owner, sort, filter.clone(), &[], &last).await;
        assert_reads("idx_tasks_list_top", &found);
    }
}

#[tokio::test]
#[serial]
async fn a_tasks_subtasks_in_manual_order_read_the_parent_index() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let owner = user(db, "ann@example.com").await;
    let inbox = lists::Model::inbox_of(db, owner.id).await.unwrap();
    let parent = task(db, &owner, None, &[]).await;
    let last = task(db, &owner, Some(parent.pid), &[]).await;
    let filter = TaskFilter {
        list: Some(inbox.pid),
        parent: Some(ParentFilter::Of(parent.pid)),
        ..TaskFilter::default()
    };

    let found = plans(db, &owner, "position", filter, &[], &last).await;

    assert_reads("idx_tasks_parent", &found);
}

#[tokio::test]
#[serial]
async fn one_labels_tasks_newest_first_read_the_label_index() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let owner = user(db, "ann@example.com").await;
    let last = task(db, &owner, None, &["errand"]).await;
    let label = labels::filter_ids(db, owner.id, &["errand".to_string()])
        .await
        .unwrap()
        .unwrap();
    let filter = TaskFilter {
        labels: vec!["errand".into()],
        ..TaskFilter::default()
    };

    for sort in ["-created_at", "created_at"] {
        let found = plans(db, &owner, sort, filter.clone(), &label, &last).await;
        assert_reads("idx_task_labels_label", &found);
    }
}
