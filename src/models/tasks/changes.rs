//! What a task write asks for: the two request shapes (the whole task of
//! POST and PUT, the merge patch of PATCH) and the move of
//! `POST /tasks/{id}/move`. A PUT is the patch that sets every field but
//! the task's placement, which it keeps unless it names one.
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::recurring::{self, Recurrence};
use crate::{
    domain::{
        body::{Body, Patch, READ_ONLY_FIELDS},
        organizing::LabelSet,
        position::Spot,
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    errors::FieldErrors,
};

/// The fields of a task body; every other but the read-only ones is 422.
const FIELDS: &[&str] = &[
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "list_id",
    "parent_id",
    "labels",
    "recurrence",
];

/// Read-only fields of a task beyond v1's, ignored in bodies.
const TASK_READ_ONLY: &[&str] = &["position"];

fn ignored() -> Vec<&'static str> {
    let mut ignored = READ_ONLY_FIELDS.to_vec();
    ignored.extend(TASK_READ_ONLY);
    ignored
}

/// `POST /tasks` and `PUT /tasks/{id}`: the whole task; omitted optional
/// fields take their defaults, but a PUT keeps the task's placement
/// (`list_id`, `parent_id`, `position`) unless the body names it.
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
    /// One of the caller's lists; default: the inbox on create (or the
    /// parent's list), where the task is on replace.
    #[schema(required = false, nullable = false)]
    pub list_id: Option<Uuid>,
    /// Another of the caller's tasks to nest under (at most four levels);
    /// `null`: top level. Default: top level on create, where the task is
    /// on replace.
    #[schema(value_type = Option<Uuid>, required = false)]
    pub parent_id: Patch<Uuid>,
    /// Default: none (a replace without `labels` clears them).
    #[schema(value_type = Option<LabelSet>, required = false)]
    pub labels: Option<LabelSet>,
    /// How the task repeats (needs a `due_date`); default: it does not.
    #[schema(required = false)]
    pub recurrence: Option<Recurrence>,
}

/// `PATCH /tasks/{id}`: a JSON merge patch (RFC 7396). Only the fields sent
/// change; `null` clears `description`, `due_date` or `labels`, and makes a
/// subtask top-level (`parent_id`).
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
    /// Another of the caller's lists to move the task (and its subtree) to,
    /// top-level there; the task's own list changes nothing.
    #[schema(required = false, nullable = false)]
    pub list_id: Option<Uuid>,
    /// Another of the caller's tasks to nest under; `null`: top level.
    #[schema(value_type = Option<Uuid>, required = false)]
    pub parent_id: Patch<Uuid>,
    /// The whole set of labels; `null` or `[]` clears it.
    #[schema(value_type = Option<LabelSet>, required = false)]
    pub labels: Patch<LabelSet>,
    /// How the task repeats (needs a due date); `null`: it does not.
    /// Clearing `due_date` clears it too.
    #[schema(value_type = Option<Recurrence>, required = false)]
    pub recurrence: Patch<Recurrence>,
}

/// `POST /tasks/{id}/move`: where the task goes (default: where it is;
/// `parent_id: null` is the top level) and its spot among its new siblings
/// (right after one, `after: null` first, right before one, or last).
#[derive(Debug, Clone, Default, ToSchema)]
pub struct TaskMove {
    /// One of the caller's lists.
    #[schema(required = false, nullable = false)]
    pub list_id: Option<Uuid>,
    /// The new parent; `null`: top level.
    #[schema(value_type = Option<Uuid>, required = false)]
    pub parent_id: Patch<Uuid>,
    /// The sibling to go right after; `null`: first.
    #[schema(value_type = Option<Uuid>, required = false)]
    pub after: Patch<Uuid>,
    /// The sibling to go right before (not together with `after`).
    #[schema(required = false, nullable = false)]
    pub before: Option<Uuid>,
}

impl TaskInput {
    /// The body of POST and PUT: omitted optional fields take their defaults.
    ///
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, &ignored());
        let title = body.required("title", TaskTitle::parse);
        let description = body.patch("description", true, TaskDescription::parse);
        let status = body.patch("status", false, Status::parse);
        let priority = body.patch("priority", false, Priority::parse);
        let due_date = body.patch("due_date", true, DueDate::parse);
        let list_id = body.patch("list_id", false, list_id).into_option();
        let parent_id = body.patch("parent_id", true, parent_id);
        let labels = body.patch_array("labels", LabelSet::parse).into_option();
        let recurrence = recurring::read(&mut body).into_option();
        if recurrence.is_some() && !matches!(body.raw("due_date"), Patch::Value(_)) {
            body.errors.add(
                "recurrence",
                "needs a due_date: a series starts at the task's due date",
            );
        }
        body.finish()?;
        Ok(Self {
            title: title.ok_or_else(|| FieldErrors::one("title", "is required"))?,
            description: description.into_option(),
            status: status.into_option().unwrap_or_default(),
            priority: priority.into_option().unwrap_or_default(),
            due_date: due_date.into_option(),
            list_id,
            parent_id,
            labels,
            recurrence,
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
        let mut body = Body::new(map, FIELDS, &ignored());
        let title = body.patch("title", false, TaskTitle::parse);
        let description = body.patch("description", true, TaskDescription::parse);
        let status = body.patch("status", false, Status::parse);
        let priority = body.patch("priority", false, Priority::parse);
        let due_date = body.patch("due_date", true, DueDate::parse);
        let list_id = body.patch("list_id", false, list_id).into_option();
        let parent_id = body.patch("parent_id", true, parent_id);
        let labels = body.patch_array("labels", LabelSet::parse);
        let recurrence = recurring::read(&mut body);
        if matches!(recurrence, Patch::Value(_)) && due_date == Patch::Null {
            body.errors.add(
                "recurrence",
                "needs a due_date: a series starts at the task's due date",
            );
        }
        body.finish()?;
        Ok(Self {
            title: title.into_option(),
            description,
            status: status.into_option(),
            priority: priority.into_option(),
            due_date,
            list_id,
            parent_id,
            labels,
            recurrence,
        })
    }

    /// Whether the patch names a placement (a list or a parent), which a
    /// write checks under the owner's lock.
    #[must_use]
    pub fn places(&self) -> bool {
        self.list_id.is_some() || self.parent_id != Patch::Absent
    }
}

impl From<TaskInput> for TaskPatch {
    /// Every field set: what is omitted from a PUT goes back to its default,
    /// but the placement, which a PUT keeps unless it names one.
    fn from(input: TaskInput) -> Self {
        Self {
            title: Some(input.title),
            description: Patch::from(input.description),
            status: Some(input.status),
            priority: Some(input.priority),
            due_date: Patch::from(input.due_date),
            list_id: input.list_id,
            parent_id: input.parent_id,
            labels: Patch::Value(input.labels.unwrap_or_default()),
            recurrence: Patch::from(input.recurrence),
        }
    }
}

impl TaskMove {
    /// # Errors
    /// Every bad or unknown field; `after` and `before` together.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, &["list_id", "parent_id", "after", "before"], &[]);
        let list_id = body.patch("list_id", false, list_id).into_option();
        let parent_id = body.patch("parent_id", true, parent_id);
        let after = body.patch("after", true, sibling);
        let before = body.patch("before", false, sibling).into_option();
        if after != Patch::Absent && before.is_some() {
            body.errors
                .add("after", "must not be sent together with before");
            body.errors
                .add("before", "must not be sent together with after");
        }
        body.finish()?;
        Ok(Self {
            list_id,
            parent_id,
            after,
            before,
        })
    }

    /// Where among its new siblings the task goes.
    #[must_use]
    pub fn spot(&self) -> Spot {
        match (&self.after, self.before) {
            (Patch::Value(id), _) => Spot::After(*id),
            (Patch::Null, _) => Spot::First,
            (Patch::Absent, Some(id)) => Spot::Before(id),
            (Patch::Absent, None) => Spot::Last,
        }
    }
}

/// A list id in a task body: a UUID (whether it is one of the caller's
/// lists is checked with the write).
fn list_id(raw: &str) -> Result<Uuid, String> {
    Uuid::try_parse(raw).map_err(|_| "must be the id of one of your lists".to_string())
}

/// A parent id in a task body: a UUID (whether it is one of the caller's
/// tasks is checked with the write).
fn parent_id(raw: &str) -> Result<Uuid, String> {
    Uuid::try_parse(raw).map_err(|_| "must be the id of one of your tasks".to_string())
}

/// A sibling named by a move: a UUID.
fn sibling(raw: &str) -> Result<Uuid, String> {
    Uuid::try_parse(raw).map_err(|_| "must be the id of a sibling".to_string())
}
