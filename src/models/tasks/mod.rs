//! Tasks: every query is scoped to its owner; another user's task does not
//! exist. The parts: `changes` (the request shapes), `fields` (what a write
//! sets), `writes` (the statements of create and update), `tree`, `order`
//! and `moves` (lists, subtasks and manual order), `listing`
//! and `keyset` (`GET /tasks`), `access` (the session check and a task in
//! one read), `quota` (the per-user limit, in the insert), `rearm` (reminder
//! instants after a profile change), `shown` (a task with its labels).
mod access;
mod changes;
mod completions;
mod fields;
mod keyset;
mod listing;
mod moves;
mod order;
mod page;
mod place;
mod quota;
mod rearm;
mod recurring;
mod shown;
mod tree;
mod writes;

pub use access::find_with_access;
pub use changes::{TaskInput, TaskMove, TaskPatch};
use chrono::{DateTime, FixedOffset};
pub use completions::{list_for_task as completions_of, After as CompletionsAfter, Completion};
pub use fields::remind_at;
pub use keyset::{decode_key, KeyValue};
pub use listing::{labelled_select, list_select, page_labels, ListQuery, ListedTask};
pub use order::Place;
pub use page::{copied as page_is_copied, unfiltered as unfiltered_page};
pub use place::{place_statement, NewPlace};
pub use recurring::{
    upcoming as occurrences_of, Recurrence, RepeatFromName, Stored as StoredRecurrence,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
pub use shown::Shown;
pub use tree::own_task;
use uuid::Uuid;

pub use super::_entities::tasks::{self, ActiveModel, Column, Entity, Model};
use super::{owner::lock_owner, users};
use crate::{
    db::Db,
    domain::{body::Patch, etag::TagList, task::Status},
    errors::ApiError,
};
use writes::{insert, replace_placed, write, Extra};

pub use access::STATEMENT as ACCESS_STATEMENT;

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// Attempts of one optimistic update before giving up (see `update_for_owner`).
const MAX_WRITE_ATTEMPTS: usize = 100;

/// The most tasks and labels one user may own (`settings.quotas`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub tasks: u32,
    pub labels: u32,
}

impl Limits {
    /// No limit (seeding, tests).
    pub const NONE: Self = Self {
        tasks: u32::MAX,
        labels: u32::MAX,
    };
}

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

    /// Creates a task for `owner` (at most `limits.tasks`), last among its
    /// siblings; date-only due dates are read in the owner's timezone.
    /// Labels it names that the owner lacks are made (at most
    /// `limits.labels`), in one transaction with the task.
    ///
    /// # Errors
    /// [`ApiError::QuotaExceeded`] (nothing is written); a 422 naming
    /// `list_id` or `parent_id`; database errors.
    pub async fn create_for_owner(
        db: &Db,
        owner: &users::Model,
        input: TaskInput,
        limits: Limits,
    ) -> Result<Shown, ApiError> {
        // Labels need the owner's lock (their quota and names); a task
        // without labels is one read and one insert.
        if input.labels.as_ref().is_some_and(|set| !set.is_empty()) {
            let txn = db.begin().await?;
            let created = async {
                lock_owner(&txn, owner.id).await?;
                insert(&txn, owner, input, limits).await
            }
            .await;
            return tree::finish(txn, created).await;
        }
        insert(db, owner, input, limits).await
    }

    /// Applies `patch` to `current`, a task read for `owner` (by
    /// [`Model::find_for_owner`], or with the session check): PATCH, and PUT
    /// with the patch of a whole task ([`TaskPatch::from`]). A patch that
    /// names a place or labels runs in one transaction under the owner's
    /// lock: the new place goes last among its siblings, a new list takes
    /// the subtree along (each descendant gets a new version), and missing
    /// labels are made within `label_limit`.
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when `current` is not `owner`'s or is gone;
    /// [`ApiError::PreconditionFailed`] when `if_match` does not name its
    /// version; a 422 naming `list_id` or `parent_id`;
    /// [`ApiError::QuotaExceeded`] for labels; database errors.
    pub async fn update_for_owner(
        db: &Db,
        owner: &users::Model,
        current: Self,
        patch: &TaskPatch,
        if_match: Option<&TagList>,
        label_limit: u32,
    ) -> Result<Shown, ApiError> {
        let arrived = users::now();
        Self::update_arrived(db, owner, current, patch, if_match, label_limit, arrived).await
    }

    /// [`Model::update_for_owner`] for a request that `arrived` then: a
    /// completion of the task's series committed since was concurrent
    /// with this one, which then does not advance the series again.
    ///
    /// # Errors
    /// As [`Model::update_for_owner`].
    pub async fn update_arrived(
        db: &Db,
        owner: &users::Model,
        current: Self,
        patch: &TaskPatch,
        if_match: Option<&TagList>,
        label_limit: u32,
        arrived: DateTime<FixedOffset>,
    ) -> Result<Shown, ApiError> {
        if current.user_id != owner.id {
            return Err(ApiError::NotFound);
        }
        let completes_series = patch.status == Some(Status::Complete)
            && (current.recurrence_rule.is_some() || matches!(patch.recurrence, Patch::Value(_)));
        if !patch.places() && patch.labels == Patch::Absent {
            if completes_series {
                // The advance, the completion and the reopened subtree
                // commit together or not at all.
                let txn = db.begin().await?;
                let extra = Extra {
                    arrived: Some(arrived),
                    ..Extra::default()
                };
                let written = async {
                    let task = write(&txn, owner, current, patch, if_match, &extra).await?;
                    Shown::read(&txn, task).await
                }
                .await;
                return tree::finish(txn, written).await;
            }
            let task = write(db, owner, current, patch, if_match, &Extra::default()).await?;
            return Shown::read(db, task).await;
        }
        let txn = db.begin().await?;
        let limit = label_limit;
        let shown = replace_placed(&txn, owner, current.pid, patch, if_match, limit, arrived).await;
        tree::finish(txn, shown).await
    }

    /// Deletes the task `pid` of `owner_id` with its subtree (the foreign
    /// key's cascade, in the same statement), only at the version
    /// `if_match` names, when given.
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
