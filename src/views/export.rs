//! `GET /auth/me/export`: every row the user owns as one JSON document,
//! `{user, lists, labels, tasks, notifications, webhooks}`, written page by
//! page as `models::export` reads it, so memory stays bounded whatever the
//! count (one page at a time; docs/performance.md has the measurement for a
//! million tasks).
use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    auth::UserResponse, labels::LabelResponse, lists::ListResponse,
    notifications::NotificationResponse, tasks::TaskResponse,
};
use crate::models::{export::Part, labels, lists, users};

/// The export as the OpenAPI document shows it (the body is streamed, not
/// built from this struct).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountExport)]
pub struct ExportDocument {
    pub user: UserResponse,
    /// The user's lists in position order, as `GET /lists` shows them.
    pub lists: Vec<ListResponse>,
    /// The user's labels by name ignoring case, as `GET /labels` shows them.
    pub labels: Vec<LabelResponse>,
    /// Every task, newest first, as `GET /tasks/{id}` shows it.
    pub tasks: Vec<TaskResponse>,
    /// Every notification, read or not, newest first.
    pub notifications: Vec<NotificationResponse>,
    /// The user's webhooks, without secrets (none until webhooks arrive).
    #[schema(value_type = Vec<Object>)]
    pub webhooks: Vec<serde_json::Value>,
}

/// Whether the writer is still in `tasks` (else in `notifications`), and
/// whether it has written an element of the current array.
struct Writer {
    in_tasks: bool,
    written: bool,
}

/// The streamed body of `user`'s export from its `parts`. A database error
/// mid-way ends the body early, so the client sees a truncated (invalid)
/// document, never a complete-looking partial one.
pub fn body(
    user: &users::Model,
    lists: &[lists::Model],
    labels: &[labels::Model],
    parts: impl Stream<Item = Result<Part, sea_orm::DbErr>> + Send + 'static,
) -> Body {
    let mut head = b"{\"user\":".to_vec();
    push_json(&mut head, &UserResponse::from(user));
    head.extend_from_slice(b",\"lists\":");
    push_json(
        &mut head,
        &lists.iter().map(ListResponse::from).collect::<Vec<_>>(),
    );
    head.extend_from_slice(b",\"labels\":");
    push_json(
        &mut head,
        &labels.iter().map(LabelResponse::from).collect::<Vec<_>>(),
    );
    head.extend_from_slice(b",\"tasks\":[");
    let writer = Writer {
        in_tasks: true,
        written: false,
    };
    let rest = parts.scan(writer, |writer, part| {
        let chunk = part.map(|part| Bytes::from(writer.write(part)));
        std::future::ready(Some(chunk))
    });
    let head = futures_util::stream::once(std::future::ready(Ok(Bytes::from(head))));
    Body::from_stream(head.chain(rest))
}

impl Writer {
    fn write(&mut self, part: Part) -> Vec<u8> {
        let mut out = Vec::new();
        match part {
            Part::Tasks(rows, mut names) => {
                out.reserve(rows.len() * 256);
                for row in rows {
                    self.separate(&mut out);
                    let labels = names.remove(&row.pid).unwrap_or_default();
                    push_json(&mut out, &TaskResponse::new(row, labels));
                }
            }
            Part::Notifications(rows) => {
                self.enter_notifications(&mut out);
                out.reserve(rows.len() * 256);
                for row in &rows {
                    self.separate(&mut out);
                    push_json(&mut out, &NotificationResponse::from(row));
                }
            }
            Part::End => {
                self.enter_notifications(&mut out);
                out.extend_from_slice(b"],\"webhooks\":[]}");
            }
        }
        out
    }

    fn enter_notifications(&mut self, out: &mut Vec<u8>) {
        if self.in_tasks {
            out.extend_from_slice(b"],\"notifications\":[");
            self.in_tasks = false;
            self.written = false;
        }
    }

    fn separate(&mut self, out: &mut Vec<u8>) {
        if self.written {
            out.push(b',');
        }
        self.written = true;
    }
}

/// Appends `value` as JSON (the response types always serialize).
fn push_json(out: &mut Vec<u8>, value: &impl Serialize) {
    if let Err(err) = serde_json::to_writer(&mut *out, value) {
        tracing::error!(error = %err, "export row did not serialize");
    }
}
