//! Bodies and queries of the task endpoints.
use chrono::{DateTime, SecondsFormat};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::{
    domain::{
        body::{Body, READ_ONLY_FIELDS},
        cursor::Cursor,
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    errors::ApiError,
    extractors::query::QueryParams,
    models::tasks::{After, Model, TaskDraft, TaskPatch},
};

const FIELDS: &[&str] = &["title", "description", "status", "priority", "due_date"];

/// A task id from the path; anything that is not a UUID names no task (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn task_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}

/// A full task for POST and PUT: omitted optional fields take their defaults.
///
/// # Errors
/// 422 naming every bad or unknown field.
pub fn draft(map: Map<String, Value>) -> Result<TaskDraft, ApiError> {
    let mut body = Body::new(map, FIELDS, READ_ONLY_FIELDS);
    let title = body.required("title", TaskTitle::parse);
    let description = body.patch("description", true, TaskDescription::parse);
    let status = body.patch("status", false, Status::parse);
    let priority = body.patch("priority", false, Priority::parse);
    let due = body.patch("due_date", true, DueDate::parse);
    body.finish()?;
    Ok(TaskDraft {
        title: title
            .ok_or_else(|| ApiError::internal("title passed validation without a value"))?,
        description: description.into_option(),
        status: status.into_option().unwrap_or_default(),
        priority: priority.into_option().unwrap_or_default(),
        due: due.into_option(),
    })
}

/// A JSON merge patch for PATCH: `null` clears a nullable field and is 422 on the others.
///
/// # Errors
/// 422 naming every bad or unknown field.
pub fn patch(map: Map<String, Value>) -> Result<TaskPatch, ApiError> {
    let mut body = Body::new(map, FIELDS, READ_ONLY_FIELDS);
    let title = body.patch("title", false, TaskTitle::parse);
    let description = body.patch("description", true, TaskDescription::parse);
    let status = body.patch("status", false, Status::parse);
    let priority = body.patch("priority", false, Priority::parse);
    let due = body.patch("due_date", true, DueDate::parse);
    body.finish()?;
    Ok(TaskPatch {
        title: title.into_option(),
        description,
        status: status.into_option(),
        priority: priority.into_option(),
        due,
    })
}

/// `GET /tasks` paging.
pub struct ListQuery {
    pub limit: u64,
    pub after: Option<After>,
}

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;
const SCOPE: &str = "sort=-created_at";

/// # Errors
/// 422 for an unknown parameter or a bad `limit`; 400 for a cursor this
/// server did not issue for this query.
pub fn list(query: &QueryParams, cursor_key: &[u8]) -> Result<ListQuery, ApiError> {
    let mut errors = query.unknown(&["limit", "cursor"]);
    let limit = match query.get("limit") {
        None => Some(DEFAULT_LIMIT),
        Some(raw) => {
            let parsed = raw
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n));
            if parsed.is_none() {
                errors.add("limit", format!("must be an integer from 1 to {MAX_LIMIT}"));
            }
            parsed
        }
    };
    errors.into_result()?;
    let after = query
        .get("cursor")
        .map(|raw| decode_after(raw, cursor_key).ok_or(ApiError::InvalidCursor))
        .transpose()?;
    Ok(ListQuery {
        limit: limit.unwrap_or(DEFAULT_LIMIT),
        after,
    })
}

fn decode_after(raw: &str, cursor_key: &[u8]) -> Option<After> {
    let cursor = Cursor::decode(raw, SCOPE, cursor_key)?;
    let [Value::String(created_at), Value::String(pid)] = cursor.key.as_slice() else {
        return None;
    };
    Some(After {
        created_at: DateTime::parse_from_rfc3339(created_at).ok()?,
        pid: Uuid::try_parse(pid).ok()?,
    })
}

/// The cursor that continues after `last`.
#[must_use]
pub fn next_cursor(last: &Model, cursor_key: &[u8]) -> String {
    Cursor {
        scope: SCOPE.to_string(),
        key: vec![
            json!(last
                .created_at
                .to_rfc3339_opts(SecondsFormat::Micros, false)),
            json!(last.pid.to_string()),
        ],
    }
    .encode(cursor_key)
}
