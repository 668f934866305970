//! Response shapes of the task endpoints.
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    schema::{DueDate, TaskPriority, TaskStatus},
    timestamp,
};
use crate::{
    domain::task::{Priority, Status},
    models::tasks,
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
    #[schema(value_type = TaskStatus)]
    pub status: &'static str,
    #[schema(value_type = TaskPriority)]
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
}

impl From<&tasks::Model> for TaskResponse {
    fn from(task: &tasks::Model) -> Self {
        Self::from(tasks::ListedTask::from(task))
    }
}

impl From<tasks::ListedTask> for TaskResponse {
    fn from(task: tasks::ListedTask) -> Self {
        let due_date = match (task.due_on, task.due_at.as_ref()) {
            (Some(date), _) => Some(date.format("%Y-%m-%d").to_string()),
            (None, Some(at)) => Some(timestamp(at)),
            (None, None) => None,
        };
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
