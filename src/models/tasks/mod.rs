//! Tasks: every query is scoped to its owner; another user's task does not
//! exist. The parts: `changes` (the request shapes), `fields` (what a write
//! sets), `tree` and `order` (lists, subtasks and manual order), `listing`
//! and `keyset` (`GET /tasks`), `access` (the session check and a task in
//! one read), `quota` (the per-user limit, in the insert), `rearm` (reminder
//! instants after a profile change), `shown` (a task with its labels).
mod access;
mod changes;
mod fields;
mod keyset;
mod listing;
mod order;
mod quota;
mod rearm;
mod shown;
mod tree;

pub use access::find_with_access;
pub use changes::{TaskInput, TaskMove, TaskPatch};
pub use fields::remind_at;
pub use keyset::{decode_key, KeyValue};
pub use listing::{labelled_select, list_select, page_labels, ListQuery, ListedTask};
pub use order::Place;
use sea_orm::{ActiveValue, ColumnTrait, EntityTrait, QueryFilter};
pub use shown::Shown;
pub use tree::own_task;
use uuid::Uuid;

pub use super::_entities::tasks::{self, ActiveModel, Column, Entity, Model};
use super::{labels, owner::lock_owner, users, users::now};
use crate::{
    db::Db,
    domain::{body::Patch, etag::TagList, position::Position, task::Status},
    errors::ApiError,
};
use fields::{completed_at_after, keep_changes_only, Fields};

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

/// What a write sets beyond the fields of its body: a new place with its
/// key, and the number of labels.
#[derive(Debug, Clone, Default)]
struct Extra {
    place: Option<(Place, Position)>,
    label_count: Option<i16>,
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
        if current.user_id != owner.id {
            return Err(ApiError::NotFound);
        }
        if !patch.places() && patch.labels == Patch::Absent {
            let task = write(db, owner, current, patch, if_match, &Extra::default()).await?;
            return Shown::read(db, task).await;
        }
        let txn = db.begin().await?;
        let shown = replace_placed(&txn, owner, current.pid, patch, if_match, label_limit).await;
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

/// Writes `patch` (and `extra`) over `current`, only if nobody wrote in
/// between (optimistic concurrency on `version`); on a lost race the task is
/// read again and the patch applied anew, so concurrent writers never
/// overwrite each other's changes unseen. Each round lets at least one
/// writer through, so `MAX_WRITE_ATTEMPTS` bounds how many simultaneous
/// writers of one task always succeed. Completing a task completes its
/// subtree in the same statement (a trigger).
async fn write(
    db: &Db,
    owner: &users::Model,
    mut current: Model,
    patch: &TaskPatch,
    if_match: Option<&TagList>,
    extra: &Extra,
) -> Result<Model, ApiError> {
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
        if let Some((place, key)) = &extra.place {
            task.list_pid = ActiveValue::Set(place.list);
            task.parent_pid = ActiveValue::Set(place.parent);
            task.position = ActiveValue::Set(key.as_str().to_string());
        }
        if let Some(count) = extra.label_count {
            task.label_count = ActiveValue::Set(count);
        }
        keep_changes_only(&mut task, &current);
        let parent_named = extra
            .place
            .as_ref()
            .is_some_and(|(p, _)| p.parent.is_some());
        let written = Entity::update_many()
            .set(task)
            .filter(Column::Id.eq(current.id))
            .filter(Column::Version.eq(current.version))
            .exec_with_returning(db)
            .await
            .map_err(|err| tree::refused(err, parent_named))?;
        if let Some(task) = written.into_iter().next() {
            return Ok(task);
        }
        tokio::task::yield_now().await;
        current = Model::find_for_owner(db, owner.id, current.pid).await?;
    }
    Err(ApiError::internal(
        "task update kept losing concurrent races",
    ))
}

/// The insert of [`Model::create_for_owner`] through `conn` (a transaction
/// holding the owner's lock when the task names labels).
async fn insert(
    conn: &Db,
    owner: &users::Model,
    input: TaskInput,
    limits: Limits,
) -> Result<Shown, ApiError> {
    let labelled = input.labels.clone().filter(|set| !set.is_empty());
    let parent = match input.parent_id {
        Patch::Value(parent) => Some(parent),
        Patch::Null | Patch::Absent => None,
    };
    let (place, last) = tree::place_new(conn, owner.id, input.list_id, parent).await?;
    let labels = match &labelled {
        Some(set) => labels::ensure(conn, owner.id, set, limits.labels).await?,
        None => Vec::new(),
    };
    let at = now();
    let pid = Uuid::new_v4();
    let fields = Fields::default().patched(&TaskPatch::from(input));
    let mut task = ActiveModel {
        pid: ActiveValue::Set(pid),
        user_id: ActiveValue::Set(owner.id),
        list_pid: ActiveValue::Set(place.list),
        parent_pid: ActiveValue::Set(place.parent),
        // Two creates may read the same last sibling; the salt (the
        // new id) tells their keys apart.
        position: ActiveValue::Set(
            Position::after_salted(last.as_ref(), pid.as_u128()).into_inner(),
        ),
        label_count: ActiveValue::Set(i16::try_from(labels.len()).unwrap_or(i16::MAX)),
        version: ActiveValue::Set(1),
        created_at: ActiveValue::Set(at),
        completed_at: ActiveValue::Set(completed_at_after(None, fields.status, at)),
        ..Default::default()
    };
    fields.write(&mut task, owner, at, true);
    let task = quota::insert_within(conn, &task, owner.id, limits.tasks)
        .await
        .map_err(|err| tree::refused(err, place.parent.is_some()))?
        .ok_or(ApiError::QuotaExceeded {
            resource: "tasks",
            limit: limits.tasks,
        })?;
    if labelled.is_some() {
        labels::replace_on_task(conn, &task, &labels).await?;
    }
    Ok(Shown::with_labels(task, labels))
}

/// The write of [`Model::update_for_owner`] that names a place or labels,
/// within the transaction `txn`: the task `pid` read again under the
/// owner's lock.
async fn replace_placed(
    txn: &Db,
    owner: &users::Model,
    pid: Uuid,
    patch: &TaskPatch,
    if_match: Option<&TagList>,
    label_limit: u32,
) -> Result<Shown, ApiError> {
    lock_owner(txn, owner.id).await?;
    let current = Model::find_for_owner(txn, owner.id, pid).await?;
    let mut extra = Extra::default();
    let place = tree::resolve(txn, owner.id, &current, patch.list_id, &patch.parent_id).await?;
    if place != Place::of(&current) {
        extra.place = Some((place, order::last_key(txn, &place, current.pid).await?));
    }
    let labels = match &patch.labels {
        Patch::Absent => None,
        Patch::Null => Some(Vec::new()),
        Patch::Value(set) => Some(labels::ensure(txn, owner.id, set, label_limit).await?),
    };
    extra.label_count = labels
        .as_ref()
        .map(|l| i16::try_from(l.len()).unwrap_or(i16::MAX));
    let task = write(txn, owner, current.clone(), patch, if_match, &extra).await?;
    if let Some(labels) = &labels {
        labels::replace_on_task(txn, &task, labels).await?;
    }
    if task.list_pid != current.list_pid {
        tree::touch_subtree(txn, owner.id, task.pid, task.updated_at).await?;
    }
    Ok(match labels {
        Some(labels) => Shown::with_labels(task, labels),
        None => Shown::read(txn, task).await?,
    })
}
