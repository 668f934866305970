//! `GET /auth/me/export`: every row the user owns as one JSON document,
//! `{user, lists, labels, tasks, notifications, webhooks}`, written page by
//! page as it is read, so memory stays bounded whatever the count (a page of
//! [`PAGE_ROWS`] rows at a time; docs/performance.md has the measurement for
//! a million tasks).
//!
//! Each page is one read of its own, not one long transaction: holding a
//! snapshot (and, on PostgreSQL, a pooled connection) for as long as a slow
//! client takes to download a million tasks would let a few exports starve
//! the pool. A row written while the export runs may or may not be in it;
//! each row in it is whole (docs/decisions.md, "Account export").
use axum::body::{Body, Bytes};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::{auth::UserResponse, notifications::NotificationResponse, tasks::TaskResponse};
use crate::{
    db::Db,
    domain::listing::{Sort, TaskFilter},
    models::{
        notifications::{self, After},
        tasks::{self, decode_key, ListQuery},
        users,
    },
};

/// Rows read and written per step.
pub const PAGE_ROWS: u64 = 1_000;

/// The export as the OpenAPI document shows it (the body is streamed, not
/// built from this struct).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountExport)]
pub struct ExportDocument {
    pub user: UserResponse,
    /// The user's lists (none until lists arrive).
    #[schema(value_type = Vec<Object>)]
    pub lists: Vec<serde_json::Value>,
    /// The user's labels (none until labels arrive).
    #[schema(value_type = Vec<Object>)]
    pub labels: Vec<serde_json::Value>,
    /// Every task, newest first, as `GET /tasks/{id}` shows it.
    pub tasks: Vec<TaskResponse>,
    /// Every notification, read or not, newest first.
    pub notifications: Vec<NotificationResponse>,
    /// The user's webhooks, without secrets (none until webhooks arrive).
    #[schema(value_type = Vec<Object>)]
    pub webhooks: Vec<serde_json::Value>,
}

/// Where the writer is.
enum Step {
    Head,
    Tasks(Option<Vec<tasks::KeyValue>>),
    Notifications(Option<After>),
    Tail,
    Done,
}

/// The streamed body for `user`. A database error mid-way ends the body
/// early, so the client sees a truncated (invalid) document, never a
/// complete-looking partial one.
pub fn body(db: Db, user: users::Model) -> Body {
    let steps = futures_util::stream::unfold(Step::Head, move |step| {
        let (db, user) = (db.clone(), user.clone());
        async move { next(&db, &user, step).await }
    });
    Body::from_stream(steps)
}

type Chunk = Result<Bytes, sea_orm::DbErr>;

async fn next(db: &Db, user: &users::Model, step: Step) -> Option<(Chunk, Step)> {
    let (out, step) = match step {
        Step::Head => {
            let mut out = b"{\"user\":".to_vec();
            push_json(&mut out, &UserResponse::from(user));
            out.extend_from_slice(b",\"lists\":[],\"labels\":[],\"tasks\":[");
            (out, Step::Tasks(None))
        }
        Step::Tasks(after) => {
            let first = after.is_none();
            let sort = Sort::default();
            let query = ListQuery {
                limit: PAGE_ROWS,
                sort: sort.clone(),
                filter: TaskFilter::default(),
                after,
            };
            let (rows, more) =
                match tasks::Model::list_for_owner(db, user.id, &query, Utc::now()).await {
                    Ok(page) => page,
                    Err(err) => return Some((Err(err), Step::Done)),
                };
            let key = rows
                .last()
                .filter(|_| more)
                .and_then(|last| decode_key(&sort, &last.sort_key(&sort)));
            let mut out = Vec::with_capacity(rows.len() * 256);
            for (i, row) in rows.into_iter().enumerate() {
                if !first || i > 0 {
                    out.push(b',');
                }
                push_json(&mut out, &TaskResponse::from(row));
            }
            match key {
                Some(key) => (out, Step::Tasks(Some(key))),
                None => {
                    out.extend_from_slice(b"],\"notifications\":[");
                    (out, Step::Notifications(None))
                }
            }
        }
        Step::Notifications(after) => {
            let first = after.is_none();
            let page =
                notifications::Model::list_for_owner(db, user.id, false, PAGE_ROWS, after).await;
            let (rows, more) = match page {
                Ok(page) => page,
                Err(err) => return Some((Err(err), Step::Done)),
            };
            let mut out = Vec::with_capacity(rows.len() * 256);
            for (i, row) in rows.iter().enumerate() {
                if !first || i > 0 {
                    out.push(b',');
                }
                push_json(&mut out, &NotificationResponse::from(row));
            }
            match rows.last().filter(|_| more) {
                Some(last) => {
                    let after = After {
                        created_at: last.created_at,
                        pid: last.pid,
                    };
                    (out, Step::Notifications(Some(after)))
                }
                None => (out, Step::Tail),
            }
        }
        Step::Tail => (b"],\"webhooks\":[]}".to_vec(), Step::Done),
        Step::Done => return None,
    };
    Some((Ok(Bytes::from(out)), step))
}

/// Appends `value` as JSON (the response types always serialize).
fn push_json(out: &mut Vec<u8>, value: &impl Serialize) {
    if let Err(err) = serde_json::to_writer(&mut *out, value) {
        tracing::error!(error = %err, "export row did not serialize");
    }
}
