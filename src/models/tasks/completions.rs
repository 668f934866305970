//! The completions of recurring tasks (`GET /tasks/{id}/completions`): what
//! was done, for which due date. A completion is recorded in the
//! transaction of the write that completes the task (`writes::write`).
use chrono::{DateTime, FixedOffset};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveValue, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{recurring::Completed, tree, Model};
use crate::{db::Db, errors::ApiError, models::_entities::task_completions};

pub use task_completions::Model as Completion;

impl sea_orm::ActiveModelBehavior for task_completions::ActiveModel {}

/// The position after the last completion of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub completed_at: DateTime<FixedOffset>,
    pub id: i32,
}

/// Records that `task` (as just written) was completed at `at` for the due
/// date of `completed`; when the task moved on to a next due date, every
/// completed task of its subtree is reopened.
///
/// # Errors
/// Database errors.
pub(super) async fn record(
    db: &Db,
    task: &Model,
    completed: Completed,
    at: DateTime<FixedOffset>,
) -> Result<(), ApiError> {
    task_completions::Entity::insert(task_completions::ActiveModel {
        task_pid: ActiveValue::Set(task.pid),
        user_id: ActiveValue::Set(task.user_id),
        completed_at: ActiveValue::Set(at),
        due_at: ActiveValue::Set(completed.due_at),
        due_on: ActiveValue::Set(completed.due_on),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    if completed.advanced {
        tree::reopen_subtree(db, task.user_id, task.pid, at).await?;
    }
    Ok(())
}

/// When `task` was last completed, if ever.
///
/// # Errors
/// Database errors.
pub(super) async fn last_at(
    db: &Db,
    task: uuid::Uuid,
) -> Result<Option<DateTime<FixedOffset>>, ApiError> {
    let last = task_completions::Entity::find()
        .filter(task_completions::Column::TaskPid.eq(task))
        .order_by_desc(task_completions::Column::CompletedAt)
        .one(db)
        .await?;
    Ok(last.map(|c| c.completed_at))
}

/// A page of the completions of `task`, one of `owner_id`'s tasks, newest
/// first, and whether another page follows.
///
/// # Errors
/// [`ApiError::NotFound`] when the task is not `owner_id`'s; database errors.
pub async fn list_for_task(
    db: &Db,
    owner_id: i32,
    task: &Model,
    limit: u64,
    after: Option<After>,
) -> Result<(Vec<Completion>, bool), ApiError> {
    if task.user_id != owner_id {
        return Err(ApiError::NotFound);
    }
    let task = task.pid;
    let mut select = task_completions::Entity::find()
        .filter(task_completions::Column::UserId.eq(owner_id))
        .filter(task_completions::Column::TaskPid.eq(task));
    if let Some(after) = after {
        select = select
            .filter(task_completions::Column::CompletedAt.lte(after.completed_at))
            .filter(
                Expr::tuple([
                    Expr::col(task_completions::Column::CompletedAt),
                    Expr::col(task_completions::Column::Id),
                ])
                .lt(Expr::tuple([
                    Expr::val(after.completed_at),
                    Expr::val(after.id),
                ])),
            );
    }
    let mut rows = select
        .order_by_desc(task_completions::Column::CompletedAt)
        .order_by_desc(task_completions::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more))
}
