//! Response shapes of the notification endpoints.
use serde::Serialize;
use uuid::Uuid;

use super::timestamp;
use crate::models::notifications;

/// `Notification` in the contract.
#[derive(Debug, Serialize)]
pub struct NotificationResponse {
    pub id: Uuid,
    pub kind: String,
    pub task_id: Uuid,
    pub title: String,
    pub due_date: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<&notifications::Model> for NotificationResponse {
    fn from(n: &notifications::Model) -> Self {
        Self {
            id: n.pid,
            kind: n.kind.clone(),
            task_id: n.task_pid,
            title: n.title.clone(),
            due_date: n.due_on.map_or_else(
                || timestamp(&n.due_at),
                |d| d.format("%Y-%m-%d").to_string(),
            ),
            created_at: timestamp(&n.created_at),
            read_at: n.read_at.as_ref().map(timestamp),
        }
    }
}

/// A page of `GET /notifications`.
#[derive(Debug, Serialize)]
pub struct NotificationPage {
    pub data: Vec<NotificationResponse>,
    pub next_cursor: Option<String>,
}
