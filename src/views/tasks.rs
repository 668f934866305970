//! Response shapes of the task endpoints.
use serde::Serialize;
use uuid::Uuid;

use super::timestamp;
use crate::{
    domain::task::{Priority, Status},
    models::tasks,
};

/// `Task` in the contract.
#[derive(Debug, Serialize)]
pub struct TaskResponse {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: &'static str,
    pub priority: &'static str,
    pub due_date: Option<String>,
    pub completed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&tasks::Model> for TaskResponse {
    fn from(task: &tasks::Model) -> Self {
        let due_date = match (task.due_on, task.due_at.as_ref()) {
            (Some(date), _) => Some(date.format("%Y-%m-%d").to_string()),
            (None, Some(at)) => Some(timestamp(at)),
            (None, None) => None,
        };
        Self {
            id: task.pid,
            title: task.title.clone(),
            description: task.description.clone(),
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
#[derive(Debug, Serialize)]
pub struct TaskPage {
    pub data: Vec<TaskResponse>,
    pub next_cursor: Option<String>,
}
