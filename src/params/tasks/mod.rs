//! Queries and path ids of the task endpoints, read into the shapes the
//! OpenAPI document shows ([`TaskListQuery`]). A task body is read by the
//! shape it fills, with the model (`TaskInput::parse`, `TaskPatch::parse`).
mod series;

use chrono::{DateTime, Utc};
use utoipa::IntoParams;
use uuid::Uuid;

use super::query::QueryParams;
use crate::{
    domain::{
        account::Timezone,
        cursor::Cursor,
        listing::{parse_bound, parse_list, scope, ParentFilter, SearchTerms, Sort, TaskFilter},
        organizing::{LabelName, LabelSet},
        task::{DueDate, Priority, Status},
    },
    errors::{ApiError, FieldErrors},
    models::tasks::{decode_key, KeyValue, ListQuery, ListedTask},
};

/// A task id from the path; anything that is not a UUID names no task (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn task_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}

pub use series::{CompletionListQuery, OccurrenceQuery};

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

/// `GET /tasks`. Every parameter is optional and checked; an unknown or
/// repeated one is 422.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Page size.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page, with the same `sort` and filters.
    #[param(value_type = Option<String>)]
    pub cursor: Option<String>,
    /// Comma-separated fields, each optionally prefixed with `-` for
    /// descending; a field at most once (the lookahead of the pattern).
    /// Default `-created_at`. `position` (the manual order) only together
    /// with `list_id` and `parent_id`.
    #[param(
        value_type = Option<String>,
        pattern = r"^(?!(.*,)?-?(\w+),(.*,)?-?\2(,|$))-?(created_at|updated_at|due_date|priority|title|status|position)(,-?(created_at|updated_at|due_date|priority|title|status|position))*$",
        example = "-priority,due_date"
    )]
    pub sort: Option<Sort>,
    /// One status or a comma-separated list; any of them matches.
    #[param(
        value_type = Option<String>,
        pattern = r"^(incomplete|in_progress|complete)(,(incomplete|in_progress|complete))*$",
        example = "incomplete,in_progress"
    )]
    pub status: Option<Vec<Status>>,
    /// One priority or a comma-separated list; any of them matches.
    #[param(
        value_type = Option<String>,
        pattern = r"^(low|medium|high|urgent)(,(low|medium|high|urgent))*$",
        example = "high,urgent"
    )]
    pub priority: Option<Vec<Priority>>,
    /// Inclusive lower bound of the due date: a date-time, or a date meaning
    /// the start of that day in the caller's timezone.
    #[param(value_type = Option<DueDate>)]
    pub due_after: Option<DateTime<Utc>>,
    /// Exclusive upper bound of the due date, read like `due_after`.
    #[param(value_type = Option<DueDate>)]
    pub due_before: Option<DateTime<Utc>>,
    /// `true`: due in the past and not complete; `false`: every other task.
    pub overdue: Option<bool>,
    /// Case-insensitive search: every word must appear in the title or the description.
    pub q: Option<SearchTerms>,
    /// Only the tasks of this list (one of the caller's: 422 otherwise).
    #[param(value_type = Option<Uuid>)]
    pub list_id: Option<Uuid>,
    /// `none`: top-level tasks only; a task id (one of the caller's: 422
    /// otherwise): that task's direct subtasks.
    #[param(
        value_type = Option<String>,
        pattern = r"^(none|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})$",
        example = "none"
    )]
    pub parent_id: Option<ParentFilter>,
    /// Comma-separated label names (at most 20): tasks that carry every one
    /// of them, names compared ignoring case; a name without a label
    /// matches nothing.
    #[param(value_type = Option<String>, example = "errand,home")]
    pub labels: Option<Vec<String>>,
}

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
    "list_id",
    "parent_id",
    "labels",
];

/// Reads one optional parameter, recording a parse failure under its name.
pub(super) fn param<T>(
    query: &QueryParams,
    errors: &mut FieldErrors,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    let raw = query.get(name)?;
    errors.take(name, parse(raw))
}

/// The comparison keys of `labels=a,b`: each a label name, at most
/// [`LabelSet::MAX`], sorted and without repeats.
fn label_keys(raw: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for item in raw.split(',') {
        let name = LabelName::parse(item).map_err(|e| format!("`{item}`: {e}"))?;
        keys.push(name.key());
    }
    keys.sort();
    keys.dedup();
    if keys.len() > LabelSet::MAX {
        return Err(format!("must name at most {} labels", LabelSet::MAX));
    }
    Ok(keys)
}

/// A page size: 1 to [`MAX_LIMIT`].
pub(super) fn limit(raw: &str) -> Result<u64, String> {
    raw.parse::<u64>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| format!("must be an integer from 1 to {MAX_LIMIT}"))
}

/// `true` or `false`.
pub(super) fn boolean(raw: &str) -> Result<bool, String> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_string()),
    }
}

impl TaskListQuery {
    /// Every parameter validated; dates read in `timezone`.
    ///
    /// # Errors
    /// 422 naming every unknown or bad parameter.
    pub fn parse(query: &QueryParams, timezone: Timezone) -> Result<Self, FieldErrors> {
        let mut errors = query.unknown(LIST_PARAMS);
        let parsed = Self {
            limit: param(query, &mut errors, "limit", limit),
            cursor: query.get("cursor").map(str::to_string),
            sort: param(query, &mut errors, "sort", Sort::parse),
            status: param(query, &mut errors, "status", |raw| {
                parse_list(raw, Status::parse)
            }),
            priority: param(query, &mut errors, "priority", |raw| {
                parse_list(raw, Priority::parse)
            }),
            due_after: param(query, &mut errors, "due_after", |raw| {
                parse_bound(raw, timezone)
            }),
            due_before: param(query, &mut errors, "due_before", |raw| {
                parse_bound(raw, timezone)
            }),
            overdue: param(query, &mut errors, "overdue", boolean),
            q: param(query, &mut errors, "q", SearchTerms::parse),
            list_id: param(query, &mut errors, "list_id", |raw| {
                Uuid::try_parse(raw).map_err(|_| "must be the id of one of your lists".to_string())
            }),
            parent_id: param(query, &mut errors, "parent_id", ParentFilter::parse),
            labels: param(query, &mut errors, "labels", label_keys),
        };
        let placed = parsed.list_id.is_some() && parsed.parent_id.is_some();
        if parsed.sort.as_ref().is_some_and(Sort::uses_position) && !placed {
            errors.add(
                "sort",
                "position orders the tasks of one list and parent: send list_id and parent_id too",
            );
        }
        errors.into_result()?;
        Ok(parsed)
    }

    /// The page the model reads: defaults filled in, the cursor checked
    /// against this very sort and filter and read back into a keyset position.
    ///
    /// # Errors
    /// [`ApiError::InvalidCursor`] (400) for a cursor this server did not
    /// issue for this sort and filter.
    pub fn into_page(self, cursor_key: &[u8]) -> Result<ListQuery, ApiError> {
        let sort = self.sort.unwrap_or_default();
        let filter = TaskFilter {
            statuses: self.status.unwrap_or_default(),
            priorities: self.priority.unwrap_or_default(),
            due_after: self.due_after,
            due_before: self.due_before,
            overdue: self.overdue,
            terms: self.q.map(SearchTerms::into_words).unwrap_or_default(),
            list: self.list_id,
            parent: self.parent_id,
            labels: self.labels.unwrap_or_default(),
        };
        let after: Option<Vec<KeyValue>> = self
            .cursor
            .map(|raw| {
                Cursor::decode(&raw, &scope(&sort, &filter), cursor_key)
                    .and_then(|cursor| decode_key(&sort, &cursor.key))
                    .ok_or(ApiError::InvalidCursor)
            })
            .transpose()?;
        Ok(ListQuery {
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
            sort,
            filter,
            after,
        })
    }
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
