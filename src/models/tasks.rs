//! Tasks: every query is scoped to its owner; another user's task does not exist.
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbErr,
    EntityTrait, QueryFilter,
};
use uuid::Uuid;

pub use super::_entities::tasks::{self, ActiveModel, Column, Entity, Model};
use super::task_changes::{completed_at_after, keep_changes_only, remind_at, Fields};
pub use super::task_changes::{TaskDraft, TaskPatch};
pub use super::task_keyset::{decode_key, KeyValue};
pub use super::task_listing::{list_select, ListQuery, ListedTask};
use super::{users, users::now};
use crate::{
    domain::{body::Patch, task::DueDate, task::Status},
    errors::ApiError,
    extractors::preconditions::TagList,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// Attempts of one optimistic update before giving up (see `update_read`).
const MAX_WRITE_ATTEMPTS: usize = 100;

impl Model {
    /// The task `pid` of `owner_id`.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when it does not exist or belongs to someone else.
    pub async fn find_for_owner<C: ConnectionTrait>(
        db: &C,
        owner_id: i32,
        pid: Uuid,
    ) -> Result<Self, ApiError> {
        Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)
    }

    /// Creates a task for `owner`; date-only due dates are read in the owner's timezone.
    ///
    /// # Errors
    /// Database errors.
    pub async fn create_for_owner<C: ConnectionTrait>(
        db: &C,
        owner: &users::Model,
        draft: TaskDraft,
    ) -> Result<Self, DbErr> {
        let at = now();
        let status = draft.status;
        let mut task = ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            user_id: ActiveValue::Set(owner.id),
            version: ActiveValue::Set(1),
            created_at: ActiveValue::Set(at),
            completed_at: ActiveValue::Set(completed_at_after(None, status, at)),
            ..Default::default()
        };
        Fields::from(draft).write(&mut task, owner, at, true);
        task.insert(db).await
    }

    /// Replaces every writable field of `current`, a task read for `owner`
    /// (by [`Model::find_for_owner`], or with the session check) (PUT).
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when `current` is not `owner`'s or is gone;
    /// [`ApiError::PreconditionFailed`] when `if_match` does not name its
    /// version; database errors.
    pub async fn replace_for_owner<C: ConnectionTrait>(
        db: &C,
        owner: &users::Model,
        current: Self,
        draft: TaskDraft,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        Self::update_read(db, owner, current, if_match, |_| {
            Fields::from(draft.clone())
        })
        .await
    }

    /// Applies a merge patch to `current`, a task read for `owner` (PATCH).
    ///
    /// # Errors
    /// As [`Model::replace_for_owner`].
    pub async fn patch_for_owner<C: ConnectionTrait>(
        db: &C,
        owner: &users::Model,
        current: Self,
        patch: TaskPatch,
        if_match: Option<&TagList>,
    ) -> Result<Self, ApiError> {
        Self::update_read(db, owner, current, if_match, |current| {
            let mut fields = Fields::from(current);
            if let Some(title) = patch.title.clone() {
                fields.title = title.into_inner();
            }
            match patch.description.clone() {
                Patch::Absent => {}
                Patch::Null => fields.description = None,
                Patch::Value(d) => fields.description = Some(d.into_inner()),
            }
            if let Some(status) = patch.status {
                fields.status = status;
            }
            if let Some(priority) = patch.priority {
                fields.priority = priority;
            }
            match patch.due {
                Patch::Absent => {}
                Patch::Null => fields.due = None,
                Patch::Value(due) => fields.due = Some(due),
            }
            fields
        })
        .await
    }

    /// Change `current` and write it back only if nobody wrote in between
    /// (optimistic concurrency on `version`); on a lost race, read again and
    /// retry, so concurrent writers never overwrite each other's changes
    /// unseen. Each round lets at least one writer through, so
    /// `MAX_WRITE_ATTEMPTS` bounds how many simultaneous writers of one task
    /// always succeed.
    async fn update_read<C: ConnectionTrait>(
        db: &C,
        owner: &users::Model,
        mut current: Self,
        if_match: Option<&TagList>,
        change: impl Fn(&Self) -> Fields,
    ) -> Result<Self, ApiError> {
        if current.user_id != owner.id {
            return Err(ApiError::NotFound);
        }
        for _ in 0..MAX_WRITE_ATTEMPTS {
            // Checked against the version the write is conditioned on, so a
            // concurrent write in between fails the precondition on retry.
            if if_match.is_some_and(|tags| !tags.matches_strong(current.version)) {
                return Err(ApiError::PreconditionFailed);
            }
            let at = now();
            let fields = change(&current);
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
            keep_changes_only(&mut task, &current);
            let written = Entity::update_many()
                .set(task)
                .filter(Column::Id.eq(current.id))
                .filter(Column::Version.eq(current.version))
                .exec_with_returning(db)
                .await?;
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

    pub async fn delete_for_owner<C: ConnectionTrait>(
        db: &C,
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

    /// Recomputes the due and reminder instants of the owner's tasks after a
    /// change of timezone (date-only due dates end at the owner's midnight)
    /// or of reminder lead. A task whose due instant moves is re-armed.
    ///
    /// # Errors
    /// Database errors.
    pub async fn rearm_for_owner<C: ConnectionTrait>(
        db: &C,
        owner: &users::Model,
    ) -> Result<(), DbErr> {
        let dated = Entity::find()
            .filter(Column::UserId.eq(owner.id))
            .filter(Column::DueAt.is_not_null())
            .all(db)
            .await?;
        for task in dated {
            let due_at = match task.due_on {
                Some(date) => Some(DueDate::Date(date).due_at(owner.timezone()).fixed_offset()),
                None => task.due_at,
            };
            let mut update = Entity::update_many()
                .col_expr(Column::DueAt, Expr::value(due_at))
                .col_expr(
                    Column::RemindAt,
                    Expr::value(remind_at(due_at, owner.reminder_lead())),
                )
                .filter(Column::Id.eq(task.id));
            if due_at != task.due_at {
                update = update
                    .col_expr(
                        Column::ReminderSentAt,
                        Expr::value(Option::<chrono::DateTime<chrono::FixedOffset>>::None),
                    )
                    .col_expr(
                        Column::OverdueSentAt,
                        Expr::value(Option::<chrono::DateTime<chrono::FixedOffset>>::None),
                    );
            }
            update.exec(db).await?;
        }
        Ok(())
    }
}
