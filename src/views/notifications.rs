//! Response shapes of the notification endpoints.
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{due_date, timestamp};
use crate::{
    domain::task::DueDate,
    models::{notifications, reminders::Kind},
};

/// `Notification` in the contract.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Notification)]
pub struct NotificationResponse {
    pub id: Uuid,
    #[schema(value_type = Kind)]
    pub kind: String,
    /// The task it is about (which may since have been deleted).
    pub task_id: Uuid,
    /// The task's title when the notification was created.
    pub title: String,
    /// The task's due date when the notification was created.
    #[schema(value_type = DueDate)]
    pub due_date: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime, required = true)]
    pub read_at: Option<String>,
}

impl From<&notifications::Model> for NotificationResponse {
    fn from(n: &notifications::Model) -> Self {
        Self {
            id: n.pid,
            kind: n.kind.clone(),
            task_id: n.task_pid,
            title: n.title.clone(),
            due_date: due_date(n.due_on, &n.due_at),
            created_at: timestamp(&n.created_at),
            read_at: n.read_at.as_ref().map(timestamp),
        }
    }
}

/// A page of `GET /notifications`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub data: Vec<NotificationResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}
