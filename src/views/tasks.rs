//! Response shapes of the task endpoints.
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::timestamp;
use crate::{
    domain::{
        etag::etag,
        organizing::LabelSet,
        task::{DueDate, Priority, Status},
    },
    models::{idempotency_keys::Created, tasks},
};

/// `Task` in the contract.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Task)]
pub struct TaskResponse {
    pub id: Uuid,
    #[schema(example = "Write report")]
    pub title: String,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(value_type = Status)]
    pub status: &'static str,
    #[schema(value_type = Priority)]
    pub priority: &'static str,
    #[schema(value_type = Option<DueDate>, required = true)]
    pub due_date: Option<String>,
    /// Set when the task became `complete`; null otherwise.
    #[schema(format = DateTime, required = true)]
    pub completed_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The list the task is in (`GET /lists`); a subtask's is its parent's.
    pub list_id: Uuid,
    /// The task this one is a subtask of; null for a top-level task.
    #[schema(required = true)]
    pub parent_id: Option<Uuid>,
    /// The names of its labels, sorted ignoring case, spelled as stored.
    #[schema(value_type = LabelSet)]
    pub labels: Vec<String>,
    /// Opaque; siblings (same list and parent) sort by it in byte order.
    #[schema(example = "V")]
    pub position: String,
    /// How the task repeats; null when it does not.
    #[schema(value_type = Option<tasks::Recurrence>, required = true)]
    pub recurrence: Option<RecurrenceView>,
}

/// `recurrence` of a task as it is returned: the rule as stored (upper
/// case, parts in the order sent) and where it repeats from.
#[derive(Debug, Serialize)]
pub struct RecurrenceView {
    pub rule: String,
    pub from: &'static str,
}

impl From<&tasks::Shown> for TaskResponse {
    fn from(shown: &tasks::Shown) -> Self {
        Self::new(tasks::ListedTask::from(&shown.task), shown.labels.clone())
    }
}

impl TaskResponse {
    /// A task as a page read it, with the names of its labels.
    #[must_use]
    pub fn new(task: tasks::ListedTask, labels: Vec<String>) -> Self {
        // A date-only task has its instant too (the end of that day).
        let due_date = task
            .due_at
            .as_ref()
            .map(|at| super::due_date(task.due_on, at));
        let recurrence = tasks::StoredRecurrence::of(task.recurrence_rule, task.recurrence_from)
            .map(|stored| RecurrenceView {
                rule: stored.rule,
                from: stored.from.as_str(),
            });
        Self {
            id: task.pid,
            title: task.title,
            description: task.description,
            status: Status::from_rank(task.status).as_str(),
            priority: Priority::from_rank(task.priority).as_str(),
            due_date,
            completed_at: task.completed_at.as_ref().map(timestamp),
            created_at: timestamp(&task.created_at),
            updated_at: timestamp(&task.updated_at),
            list_id: task.list_pid,
            parent_id: task.parent_pid,
            labels,
            position: task.position,
            recurrence,
        }
    }
}

/// A page of `GET /tasks`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub data: Vec<TaskResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A page of tasks with the label names of each (`tasks::page_labels`).
#[must_use]
pub fn page(
    rows: Vec<tasks::ListedTask>,
    mut labels: std::collections::HashMap<Uuid, Vec<String>>,
    next_cursor: Option<String>,
) -> TaskPage {
    let data = rows
        .into_iter()
        .map(|row| {
            // Most pages carry no labels: no look-up then.
            let names = if labels.is_empty() {
                Vec::new()
            } else {
                labels.remove(&row.pid).unwrap_or_default()
            };
            TaskResponse::new(row, names)
        })
        .collect();
    TaskPage { data, next_cursor }
}

/// A task with its `ETag` (200).
pub fn with_etag(shown: &tasks::Shown) -> Response {
    (
        [(header::ETAG, etag(shown.task.version))],
        Json(TaskResponse::from(shown)),
    )
        .into_response()
}

/// The JSON body of a created task, as it is sent and kept for replays.
#[must_use]
pub fn render(shown: &tasks::Shown) -> String {
    serde_json::to_string(&TaskResponse::from(shown)).unwrap_or_default()
}

/// The answer to a create: `201` with `Location` and `ETag`, or the first
/// answer again for a known `Idempotency-Key` (`Idempotent-Replayed: true`).
pub fn created(created: Created) -> Response {
    let status = StatusCode::from_u16(created.status).unwrap_or(StatusCode::CREATED);
    let mut response = (
        status,
        [
            (header::LOCATION, format!("/tasks/{}", created.task_pid)),
            (header::CONTENT_TYPE, "application/json".to_string()),
            // A create is always version 1, and so is its replay.
            (header::ETAG, etag(1)),
        ],
        created.body,
    )
        .into_response();
    if created.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// One completion of a recurring task.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionResponse {
    /// When the task was completed.
    #[schema(format = DateTime)]
    pub completed_at: String,
    /// The due date it was completed for, in the form of the task's.
    #[schema(value_type = DueDate)]
    pub due_date: String,
}

/// A page of `GET /tasks/{id}/completions`, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionPage {
    pub data: Vec<CompletionResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A page of completions.
#[must_use]
pub fn completions(rows: &[tasks::Completion], next_cursor: Option<String>) -> CompletionPage {
    let data = rows
        .iter()
        .map(|row| CompletionResponse {
            completed_at: timestamp(&row.completed_at),
            due_date: super::due_date(row.due_on, &row.due_at),
        })
        .collect();
    CompletionPage { data, next_cursor }
}

/// `GET /tasks/{id}/occurrences`: the next due dates of the series.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrencePage {
    /// From the current due date (inclusive), in the form of the task's.
    #[schema(value_type = Vec<DueDate>)]
    pub data: Vec<String>,
}

/// The due dates of a series, as a task shows its due date.
#[must_use]
pub fn occurrences(dates: &[DueDate]) -> OccurrencePage {
    let data = dates
        .iter()
        .map(|due| match due {
            DueDate::Date(date) => date.format("%Y-%m-%d").to_string(),
            DueDate::At(at) => timestamp(at),
        })
        .collect();
    OccurrencePage { data }
}
