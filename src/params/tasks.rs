//! Bodies and queries of the task endpoints.
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{
    domain::{
        account::Timezone,
        body::{Body, READ_ONLY_FIELDS},
        cursor::Cursor,
        listing::{parse_bound, parse_list, parse_terms, scope, Sort, TaskFilter},
        task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
    },
    errors::{ApiError, FieldErrors},
    extractors::query::QueryParams,
    models::tasks::{decode_key, ListQuery, ListedTask, TaskDraft, TaskPatch},
};

const FIELDS: &[&str] = &["title", "description", "status", "priority", "due_date"];

/// A task id from the path; anything that is not a UUID names no task (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn task_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}

/// The `Idempotency-Key` header, when sent: 1–255 visible characters.
///
/// # Errors
/// 422 naming the header when it is empty, too long or not visible ASCII.
pub fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    {
        return Err(ApiError::field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_string()))
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

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

/// Every query parameter `GET /tasks` takes.
pub const LIST_PARAMS: &[&str] = &[
    "limit",
    "cursor",
    "sort",
    "status",
    "priority",
    "due_after",
    "due_before",
    "overdue",
    "q",
];

/// Reads one optional parameter, recording a parse failure under its name.
fn param<T>(
    query: &QueryParams,
    errors: &mut FieldErrors,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    let raw = query.get(name)?;
    errors.take(name, parse(raw))
}

/// `GET /tasks`: every parameter validated; dates read in `timezone`.
///
/// # Errors
/// 422 naming every unknown or bad parameter; 400 for a cursor this server
/// did not issue for this very sort and filter.
pub fn list(
    query: &QueryParams,
    timezone: Timezone,
    cursor_key: &[u8],
) -> Result<ListQuery, ApiError> {
    let mut errors = query.unknown(LIST_PARAMS);
    let limit = param(query, &mut errors, "limit", |raw| {
        raw.parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| format!("must be an integer from 1 to {MAX_LIMIT}"))
    });
    let sort = param(query, &mut errors, "sort", Sort::parse);
    let statuses = param(query, &mut errors, "status", |raw| {
        parse_list(raw, Status::parse)
    });
    let priorities = param(query, &mut errors, "priority", |raw| {
        parse_list(raw, Priority::parse)
    });
    let due_after = param(query, &mut errors, "due_after", |raw| {
        parse_bound(raw, timezone)
    });
    let due_before = param(query, &mut errors, "due_before", |raw| {
        parse_bound(raw, timezone)
    });
    let overdue = param(query, &mut errors, "overdue", |raw| match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_string()),
    });
    let terms = param(query, &mut errors, "q", parse_terms);
    errors.into_result()?;

    let sort = sort.unwrap_or_default();
    let filter = TaskFilter {
        statuses: statuses.unwrap_or_default(),
        priorities: priorities.unwrap_or_default(),
        due_after,
        due_before,
        overdue,
        terms: terms.unwrap_or_default(),
    };
    let after = query
        .get("cursor")
        .map(|raw| {
            Cursor::decode(raw, &scope(&sort, &filter), cursor_key)
                .and_then(|cursor| decode_key(&sort, &cursor.key))
                .ok_or(ApiError::InvalidCursor)
        })
        .transpose()?;
    Ok(ListQuery {
        limit: limit.unwrap_or(DEFAULT_LIMIT),
        sort,
        filter,
        after,
    })
}

/// The cursor that continues after `last` in the listing `query`.
#[must_use]
pub fn next_cursor(last: &ListedTask, query: &ListQuery, cursor_key: &[u8]) -> String {
    Cursor {
        scope: scope(&query.sort, &query.filter),
        key: last.sort_key(&query.sort),
    }
    .encode(cursor_key)
}
