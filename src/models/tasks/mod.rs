//! Tasks: every query is scoped to its owner; another user's task does not
//! exist. The parts: `changes` (what a write does), `listing` and `keyset`
//! (`GET /tasks`), `access` (the session check and a task in one read),
//! `quota` (the per-user limit, in the insert), `rearm` (reminder instants
//! after a profile change).
mod access;
mod changes;
mod keyset;
mod listing;
mod quota;
mod rearm;

pub use access::find_with_access;
pub use changes::{remind_at, TaskInput, TaskPatch};
pub use keyset::{decode_key, KeyValue};
pub use listing::{list_select, ListQuery, ListedTask};
use sea_orm::{ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter, SqlErr};
use uuid::Uuid;

pub use super::_entities::tasks::{self, ActiveModel, Column, Entity, Model};
use super::{lists, users, users::now};
use crate::{
    db::Db,
    domain::{etag::TagList, task::Status},
    errors::ApiError,
};
use changes::{completed_at_after, keep_changes_only, Fields};

pub use access::STATEMENT as ACCESS_STATEMENT;

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// A list deleted between the check and the write: the foreign key refuses
/// the task, and the answer is the check's.
fn list_gone(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            ApiError::field("list_id", "must be one of your lists")
        }
        _ => err.into(),
    }
}

/// Attempts of one optimistic update before giving up (see `update_for_owner`).
const MAX_WRITE_ATTEMPTS: usize = 100;

impl Model {
    /// The task `pid` of `owner_id`.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when it does not exist or belongs to someone else.
    pub async fn find_for_owner(db: &Db, owner_id: i32, pid: Uuid) -> Result<Self, ApiError> {
        Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// Creates a task for `owner`, who may own at most `limit` tasks
    /// (`settings.quotas.tasks`); date-only due dates are read in the
    /// owner's timezone.
    ///
    /// # Errors
    /// [`ApiError::QuotaExceeded`] when `owner` already has `limit` tasks
    /// (nothing is written); database errors.
    pub async fn create_for_owner(
        db: &Db,
        owner: &users::Model,
        input: TaskInput,
        limit: u32,
    ) -> Result<Self, ApiError> {
        let at = now();
        let list = match input.list_id {
            Some(list) => ActiveValue::Set(lists::own_list(db, owner.id, list).await?),
            // The inbox, looked up in the insert (`quota::insert_within`).
            None => ActiveValue::NotSet,
        };
        let fields = Fields::default().patched(&TaskPatch::from(input));
        let mut task = ActiveModel {
            list_pid: list,
            pid: ActiveValue::Set(Uuid::new_v4()),
            user_id: ActiveValue::Set(owner.id),
            version: ActiveValue::Set(1),
            created_at: ActiveValue::Set(at),
            completed_at: ActiveValue::Set(completed_at_after(None, fields.status, at)),
            ..Default::default()
        };
        fields.write(&mut task, owner, at, true);
        quota::insert_within(db, &task, owner.id, limit)
            .await
            .map_err(list_gone)?
            .ok_or(ApiError::QuotaExceeded {
                resource: "tasks",
                limit,
            })
    }

    /// Applies `patch` to `current`, a task read for `owner` (by
    /// [`Model::find_for_owner`], or with the session check): PATCH, and PUT
    /// with the patch of a whole task ([`TaskPatch::from`]).
    ///
    /// The write goes back only if nobody wrote in between (optimistic
    /// concurrency on `version`); on a lost race the task is read again and
    /// the patch applied anew, so concurrent writers never overwrite each
    /// other's changes unseen. Each round lets at least one writer through,
    /// so `MAX_WRITE_ATTEMPTS` bounds how many simultaneous writers of one
    /// task always succeed.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when `current` is not `owner`'s or is gone;
    /// [`ApiError::PreconditionFailed`] when `if_match` does not name its
    /// version; database errors.
    pub async fn update_for_owner(
        db: &Db,
        owner: &users::Model,
        mut current: Self,
        patch: &TaskPatch,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        if current.user_id != owner.id {
            return Err(ApiError::NotFound);
        }
        if let Some(list) = patch.list_id {
            lists::own_list(db, owner.id, list).await?;
        }
        for _ in 0..MAX_WRITE_ATTEMPTS {
            // Checked against the version the write is conditioned on, so a
            // concurrent write in between fails the precondition on retry.
            if if_match.is_some_and(|tags| !tags.matches_strong(current.version)) {
                return Err(ApiError::PreconditionFailed);
            }
            let at = now();
            let fields = Fields::from(&current).patched(patch);
            let completed_at = completed_at_after(
                Some((Status::from_rank(current.status), current.completed_at)),
                fields.status,
                at,
            );
            let mut task = ActiveModel {
                version: ActiveValue::Set(current.version + 1),
                completed_at: ActiveValue::Set(completed_at),
                ..Default::default()
            };
            let rearm = fields.due_at(owner) != current.due_at;
            fields.write(&mut task, owner, at, rearm);
            if let Some(list) = patch.list_id {
                task.list_pid = ActiveValue::Set(list);
            }
            keep_changes_only(&mut task, &current);
            let written = Entity::update_many()
                .set(task)
                .filter(Column::Id.eq(current.id))
                .filter(Column::Version.eq(current.version))
                .exec_with_returning(db)
                .await
                .map_err(list_gone)?;
            if let Some(task) = written.into_iter().next() {
                return Ok(task);
            }
            tokio::task::yield_now().await;
            current = Self::find_for_owner(db, owner.id, current.pid).await?;
        }
        Err(ApiError::internal(
            "task update kept losing concurrent races",
        ))
    }

    /// Deletes the task `pid` of `owner_id` (only at the version `if_match`
    /// names, when given).
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when it does not exist or belongs to someone
    /// else; [`ApiError::PreconditionFailed`] on a stale `if_match`.
    pub async fn delete_for_owner(
        db: &Db,
        owner_id: i32,
        pid: Uuid,
        if_match: Option<&TagList>,
    ) -> Result<(), ApiError> {
        let mut delete = Entity::delete_many()
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Pid.eq(pid));
        if let Some(tags) = if_match {
            // Delete only the version the precondition was checked against.
            let current = Self::find_for_owner(db, owner_id, pid).await?;
            if !tags.matches_strong(current.version) {
                return Err(ApiError::PreconditionFailed);
            }
            delete = delete.filter(Column::Version.eq(current.version));
        }
        let result = delete.exec(db).await?;
        if result.rows_affected == 0 {
            // Gone, or changed since the check (a stale precondition).
            return Err(match if_match {
                Some(_) if Self::find_for_owner(db, owner_id, pid).await.is_ok() => {
                    ApiError::PreconditionFailed
                }
                _ => ApiError::NotFound,
            });
        }
        Ok(())
    }
}
