//! The labels of tasks: the labels a task body names (made when missing),
//! the `task_labels` rows of one task, the names a response shows, and the
//! label ids of a `labels=` filter.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};
use uuid::Uuid;

use super::{insert, within_quota, Column, Entity, Model};
use crate::{
    db::Db,
    domain::organizing::LabelSet,
    errors::ApiError,
    models::_entities::{task_labels, tasks},
};

impl sea_orm::ActiveModelBehavior for task_labels::ActiveModel {}

/// The labels of `owner_id` that `set` names, in the set's order; a name
/// the owner has no label for (ignoring case) makes one, spelled as sent,
/// within `limit` labels in all. The caller holds the owner's lock.
///
/// # Errors
/// [`ApiError::QuotaExceeded`] when the new labels would pass `limit`;
/// database errors.
pub async fn ensure(
    txn: &Db,
    owner_id: i32,
    set: &LabelSet,
    limit: u32,
) -> Result<Vec<Model>, ApiError> {
    if set.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = set.names().iter().map(|n| n.key()).collect();
    let existing = Entity::find()
        .filter(Column::UserId.eq(owner_id))
        .filter(Column::NameKey.is_in(keys))
        .all(txn)
        .await?;
    let missing: Vec<_> = set
        .names()
        .iter()
        .filter(|name| !existing.iter().any(|l| l.name_key == name.key()))
        .collect();
    if !missing.is_empty() {
        within_quota(txn, owner_id, missing.len() as u64, limit).await?;
    }
    let mut labels = Vec::with_capacity(set.names().len());
    for name in set.names() {
        match existing.iter().find(|l| l.name_key == name.key()) {
            Some(label) => labels.push(label.clone()),
            None => labels.push(insert(txn, owner_id, name, None).await?),
        }
    }
    Ok(labels)
}

/// Makes `labels` the labels `task` carries (the task's `label_count` is
/// the caller's to write, in the same transaction).
///
/// # Errors
/// Database errors.
pub async fn replace_on_task(txn: &Db, task: &tasks::Model, labels: &[Model]) -> Result<(), DbErr> {
    task_labels::Entity::delete_many()
        .filter(task_labels::Column::TaskPid.eq(task.pid))
        .exec(txn)
        .await?;
    if labels.is_empty() {
        return Ok(());
    }
    let rows = labels.iter().map(|label| task_labels::ActiveModel {
        task_pid: sea_orm::ActiveValue::Set(task.pid),
        label_id: sea_orm::ActiveValue::Set(label.id),
        task_created_at: sea_orm::ActiveValue::Set(task.created_at),
    });
    task_labels::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// The label names of each task of `pids` that has any, sorted ignoring
/// case (then as spelled), as a response shows them: sorted here, as
/// [`crate::models::tasks::Shown::with_labels`] sorts the labels a write
/// returns, so a read answers in the order the write did whatever the
/// database's collation (PostgreSQL's may be linguistic; SQLite compares
/// bytes).
///
/// # Errors
/// Database errors.
pub async fn names_of(db: &Db, pids: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let mut names: HashMap<Uuid, Vec<String>> = HashMap::new();
    if pids.is_empty() {
        return Ok(names);
    }
    let mut rows: Vec<(Uuid, String, String)> = task_labels::Entity::find()
        .select_only()
        .column(task_labels::Column::TaskPid)
        .column(Column::NameKey)
        .column(Column::Name)
        .join(JoinType::InnerJoin, task_labels::Relation::Labels.def())
        .filter(task_labels::Column::TaskPid.is_in(pids))
        .into_tuple()
        .all(db)
        .await?;
    rows.sort_unstable_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
    for (task, _, name) in rows {
        names.entry(task).or_default().push(name);
    }
    Ok(names)
}

/// The ids of `owner_id`'s labels whose name keys are `keys`; `None` when
/// one of them names no label (then no task can carry them all).
///
/// # Errors
/// Database errors.
pub async fn filter_ids(
    db: &Db,
    owner_id: i32,
    keys: &[String],
) -> Result<Option<Vec<i32>>, DbErr> {
    let ids: Vec<i32> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::UserId.eq(owner_id))
        .filter(Column::NameKey.is_in(keys.iter().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    Ok((ids.len() == keys.len()).then_some(ids))
}
