//! The writes behind `Model::create_for_owner` and `Model::update_for_owner`:
//! the insert of a new task in its place, the optimistic update of a task's
//! fields, and the update that also names a place or labels.
use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveValue, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    completions,
    fields::{completed_at_after, keep_changes_only, Fields},
    order, quota, recurring, tree, ActiveModel, Column, Entity, Limits, Model, Place, Shown,
    TaskInput, TaskPatch, MAX_WRITE_ATTEMPTS,
};
use crate::{
    db::Db,
    domain::{body::Patch, etag::TagList, position::Position, task::Status},
    errors::ApiError,
    models::{labels, owner::lock_owner, users, users::now},
};

/// What a write sets beyond the fields of its body (a new place with its
/// key, the number of labels), and when its request arrived.
#[derive(Debug, Clone, Default)]
pub(super) struct Extra {
    pub place: Option<(Place, Position)>,
    pub label_count: Option<i16>,
    pub arrived: Option<DateTime<FixedOffset>>,
}

/// Writes `patch` (and `extra`) over `current`, only if nobody wrote in
/// between (optimistic concurrency on `version`); on a lost race the task is
/// read again and the patch applied anew, so concurrent writers never
/// overwrite each other's changes unseen. Each round lets at least one
/// writer through, so `MAX_WRITE_ATTEMPTS` bounds how many simultaneous
/// writers of one task always succeed. Completing a task completes its
/// subtree in the same statement (a trigger).
pub(super) async fn write(
    db: &Db,
    owner: &users::Model,
    mut current: Model,
    patch: &TaskPatch,
    if_match: Option<&TagList>,
    extra: &Extra,
) -> Result<Model, ApiError> {
    let mut patch = Cow::Borrowed(patch);
    // The series as first read: a completion compares it with the task's on retry.
    let series_read = current
        .recurrence_rule
        .is_some()
        .then(|| (current.recurrence_rule.clone(), current.recurrence_done));
    for _ in 0..MAX_WRITE_ATTEMPTS {
        // Checked against the version the write is conditioned on, so a
        // concurrent write in between fails the precondition on retry.
        if if_match.is_some_and(|tags| !tags.matches_strong(current.version)) {
            return Err(ApiError::PreconditionFailed);
        }
        if overtaken(db, &current, &patch, series_read.as_ref(), extra.arrived).await? {
            patch.to_mut().status = None;
        }
        let at = now();
        let mut fields = Fields::from(&current).patched(&patch);
        let sets_recurrence = matches!(patch.recurrence, Patch::Value(_));
        let moves_due = matches!(patch.due_date, Patch::Value(_));
        recurring::check(&fields, sets_recurrence, moves_due, owner)?;
        let before = Status::from_rank(current.status);
        let completion = if recurring::completes(&fields, before) {
            recurring::advance(&mut fields, owner, at.to_utc())
        } else {
            None
        };
        let completed_at =
            completed_at_after(Some((before, current.completed_at)), fields.status, at);
        let mut task = ActiveModel {
            version: ActiveValue::Set(current.version + 1),
            completed_at: ActiveValue::Set(completed_at),
            ..Default::default()
        };
        // Each occurrence gets its own reminder and overdue notice.
        let advanced = completion.is_some_and(|c| c.advanced);
        let rearm = advanced || fields.due_at(owner) != current.due_at;
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
            if let Some(completed) = completion {
                completions::record(db, &task, completed, at).await?;
            }
            return Ok(task);
        }
        tokio::task::yield_now().await;
        current = Model::find_for_owner(db, owner.id, current.pid).await?;
    }
    Err(ApiError::internal(
        "task update kept losing concurrent races",
    ))
}

/// Whether `patch` would complete the series of `current` a second time:
/// a concurrent write completed the occurrence it was completing, after it
/// read the task (every advance counts one more done) or after its request
/// arrived (a completion recorded since). The write then sees the advanced
/// task and does not advance it again.
async fn overtaken(
    db: &Db,
    current: &Model,
    patch: &TaskPatch,
    series_read: Option<&(Option<String>, i32)>,
    arrived: Option<DateTime<FixedOffset>>,
) -> Result<bool, ApiError> {
    if patch.status != Some(Status::Complete)
        || current.recurrence_rule.is_none()
        || Status::from_rank(current.status) == Status::Complete
    {
        return Ok(false);
    }
    if series_read.is_none_or(|(rule, done)| {
        current.recurrence_rule != *rule || current.recurrence_done != *done
    }) {
        return Ok(true);
    }
    let Some(arrived) = arrived else {
        return Ok(false);
    };
    Ok(completions::last_at(db, current.pid)
        .await?
        .is_some_and(|at| at >= arrived))
}

/// The insert of [`Model::create_for_owner`] through `conn` (a transaction
/// holding the owner's lock when the task names labels).
pub(super) async fn insert(
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
    let list_id = input.list_id;
    let fields = Fields::default().patched(&TaskPatch::from(input));
    recurring::check(&fields, fields.recurrence.is_some(), false, owner)?;
    let (place, last) = super::place::place_new(conn, owner.id, list_id, parent).await?;
    let labels = match &labelled {
        Some(set) => labels::ensure(conn, owner.id, set, limits.labels).await?,
        None => Vec::new(),
    };
    let at = now();
    let pid = Uuid::new_v4();
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
pub(super) async fn replace_placed(
    txn: &Db,
    owner: &users::Model,
    pid: Uuid,
    patch: &TaskPatch,
    if_match: Option<&TagList>,
    label_limit: u32,
    arrived: DateTime<FixedOffset>,
) -> Result<Shown, ApiError> {
    lock_owner(txn, owner.id).await?;
    let current = Model::find_for_owner(txn, owner.id, pid).await?;
    let mut extra = Extra {
        arrived: Some(arrived),
        ..Extra::default()
    };
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
