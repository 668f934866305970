//! What a write does to a task: the two request shapes (the whole task of
//! POST and PUT, the merge patch of PATCH), the one mapping of a patch onto
//! the writable columns, and the rule that keeps `completed_at` in step with
//! `status`. A PUT is the patch that sets every field.
use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveModelTrait, ActiveValue, Iterable, ModelTrait};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ActiveModel, Column, Model};
use crate::{
    domain::{
        account::ReminderLead,
        body::{Body, Patch, READ_ONLY_FIELDS},
        listing::search_text,
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    errors::FieldErrors,
    models::users,
};

/// The fields of a task body; every other but the read-only ones is 422.
const FIELDS: &[&str] = &[
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "list_id",
];

/// `POST /tasks` and `PUT /tasks/{id}`: the whole task; omitted optional
/// fields take their defaults.
#[derive(Debug, Clone, ToSchema)]
pub struct TaskInput {
    pub title: TaskTitle,
    #[schema(inline, required = false)]
    pub description: Option<TaskDescription>,
    /// Default `incomplete`.
    #[schema(required = false)]
    pub status: Status,
    /// Default `medium`.
    #[schema(required = false)]
    pub priority: Priority,
    #[schema(required = false)]
    pub due_date: Option<DueDate>,
    /// One of the caller's lists; default: the inbox on create, where the
    /// task is on replace.
    #[schema(required = false, nullable = false)]
    pub list_id: Option<Uuid>,
}

/// `PATCH /tasks/{id}`: a JSON merge patch (RFC 7396). Only the fields sent
/// change; `null` clears `description` or `due_date`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct TaskPatch {
    #[schema(required = false, nullable = false)]
    pub title: Option<TaskTitle>,
    #[schema(value_type = Option<TaskDescription>, inline, required = false)]
    pub description: Patch<TaskDescription>,
    #[schema(required = false, nullable = false)]
    pub status: Option<Status>,
    #[schema(required = false, nullable = false)]
    pub priority: Option<Priority>,
    #[schema(value_type = Option<DueDate>, required = false)]
    pub due_date: Patch<DueDate>,
    /// Another of the caller's lists to move the task to.
    #[schema(required = false, nullable = false)]
    pub list_id: Option<Uuid>,
}

impl TaskInput {
    /// The body of POST and PUT: omitted optional fields take their defaults.
    ///
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, READ_ONLY_FIELDS);
        let title = body.required("title", TaskTitle::parse);
        let description = body.patch("description", true, TaskDescription::parse);
        let status = body.patch("status", false, Status::parse);
        let priority = body.patch("priority", false, Priority::parse);
        let due_date = body.patch("due_date", true, DueDate::parse);
        let list_id = body.patch("list_id", false, list_id).into_option();
        body.finish()?;
        Ok(Self {
            title: title.ok_or_else(|| FieldErrors::one("title", "is required"))?,
            description: description.into_option(),
            status: status.into_option().unwrap_or_default(),
            priority: priority.into_option().unwrap_or_default(),
            due_date: due_date.into_option(),
            list_id,
        })
    }
}

impl TaskPatch {
    /// The body of PATCH, a JSON merge patch: `null` clears a nullable field
    /// and is an error on the others.
    ///
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, READ_ONLY_FIELDS);
        let title = body.patch("title", false, TaskTitle::parse);
        let description = body.patch("description", true, TaskDescription::parse);
        let status = body.patch("status", false, Status::parse);
        let priority = body.patch("priority", false, Priority::parse);
        let due_date = body.patch("due_date", true, DueDate::parse);
        let list_id = body.patch("list_id", false, list_id).into_option();
        body.finish()?;
        Ok(Self {
            title: title.into_option(),
            description,
            status: status.into_option(),
            priority: priority.into_option(),
            due_date,
            list_id,
        })
    }
}

impl From<TaskInput> for TaskPatch {
    /// Every field set: what is omitted from a PUT goes back to its default.
    fn from(input: TaskInput) -> Self {
        Self {
            title: Some(input.title),
            description: Patch::from(input.description),
            status: Some(input.status),
            priority: Some(input.priority),
            due_date: Patch::from(input.due_date),
            // A replace keeps the task where it is unless it names a list.
            list_id: input.list_id,
        }
    }
}

/// A list id in a task body: a UUID (whether it is one of the caller's
/// lists is checked with the write).
fn list_id(raw: &str) -> Result<Uuid, String> {
    Uuid::try_parse(raw).map_err(|_| "must be the id of one of your lists".to_string())
}

/// The values of the writable columns, whatever the write.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    pub title: String,
    pub description: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub due: Option<DueDate>,
}

impl From<&Model> for Fields {
    fn from(task: &Model) -> Self {
        let due = match (task.due_on, task.due_at) {
            (Some(date), _) => Some(DueDate::Date(date)),
            (None, Some(at)) => Some(DueDate::At(at.to_utc())),
            (None, None) => None,
        };
        Self {
            title: task.title.clone(),
            description: task.description.clone(),
            status: Status::from_rank(task.status),
            priority: Priority::from_rank(task.priority),
            due,
        }
    }
}

impl Fields {
    /// These values with `patch` applied: what it sets changes, the rest stays.
    pub(super) fn patched(mut self, patch: &TaskPatch) -> Self {
        if let Some(title) = &patch.title {
            self.title = title.as_str().to_string();
        }
        patch
            .description
            .apply_to(&mut self.description, |d| d.as_str().to_string());
        if let Some(status) = patch.status {
            self.status = status;
        }
        if let Some(priority) = patch.priority {
            self.priority = priority;
        }
        patch.due_date.apply_to(&mut self.due, |due| *due);
        self
    }

    /// Writes these values into `task` for `owner`. `rearm` (a new task, or a
    /// changed due instant) clears both notice markers, so the reminder and
    /// the overdue notice are sent again for the new due date.
    pub(super) fn write(
        self,
        task: &mut ActiveModel,
        owner: &users::Model,
        at: DateTime<FixedOffset>,
        rearm: bool,
    ) {
        let due_at = self.due_at(owner);
        task.search_text = ActiveValue::Set(search_text(&self.title, self.description.as_deref()));
        task.title = ActiveValue::Set(self.title);
        task.description = ActiveValue::Set(self.description);
        task.status = ActiveValue::Set(self.status.rank());
        task.priority = ActiveValue::Set(self.priority.rank());
        task.due_at = ActiveValue::Set(due_at);
        task.due_on = ActiveValue::Set(self.due.and_then(DueDate::date));
        task.remind_at = ActiveValue::Set(remind_at(due_at, owner.reminder_lead()));
        if rearm {
            task.reminder_sent_at = ActiveValue::Set(None);
            task.overdue_sent_at = ActiveValue::Set(None);
        }
        task.updated_at = ActiveValue::Set(at);
    }

    /// The due instant these values give for `owner`.
    pub(super) fn due_at(&self, owner: &users::Model) -> Option<DateTime<FixedOffset>> {
        self.due.map(|d| d.due_at(owner.timezone()).fixed_offset())
    }
}

/// `completed_at` follows `status`: set when a task becomes complete, kept
/// while it stays complete, cleared when it leaves.
pub(super) fn completed_at_after(
    before: Option<(Status, Option<DateTime<FixedOffset>>)>,
    status: Status,
    at: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    match (before, status) {
        (_, Status::Incomplete | Status::InProgress) => None,
        (Some((Status::Complete, Some(done))), Status::Complete) => Some(done),
        (_, Status::Complete) => Some(at),
    }
}

/// Leaves out of `task` every column whose new value is the one `current`
/// holds, but the version and `updated_at`, which every write changes.
///
/// The update is conditioned on `current`'s version, so those columns hold
/// exactly these values when it runs: leaving them out changes nothing in
/// the row. It spares the indexes: SQLite rewrites the entry of every index
/// on a column the `SET` names, changed or not, so a PATCH of the priority
/// that named every writable column rewrote eight index entries instead of
/// two (docs/performance.md, change 21).
pub(super) fn keep_changes_only(task: &mut ActiveModel, current: &Model) {
    for column in Column::iter() {
        if matches!(column, Column::Version | Column::UpdatedAt) {
            continue;
        }
        if let ActiveValue::Set(value) = task.get(column) {
            if value == <Model as ModelTrait>::get(current, column) {
                task.not_set(column);
            }
        }
    }
}

/// When the reminder of a task due at `due_at` goes out: `lead` before it;
/// never with a lead of 0 (reminders off) or without a due date.
#[must_use]
pub fn remind_at(
    due_at: Option<DateTime<FixedOffset>>,
    lead: ReminderLead,
) -> Option<DateTime<FixedOffset>> {
    let minutes = lead.minutes();
    (minutes > 0)
        .then_some(due_at?)
        .map(|due| due - chrono::Duration::minutes(i64::from(minutes)))
}
