//! Queries of a recurring task's series: `GET /tasks/{id}/completions` and
//! `GET /tasks/{id}/occurrences`.
use chrono::{DateTime, SecondsFormat};
use serde_json::{json, Value};
use utoipa::IntoParams;

use super::{limit, param, DEFAULT_LIMIT};
use crate::{
    domain::cursor::Cursor,
    errors::ApiError,
    models::tasks::{Completion, CompletionsAfter},
    params::query::QueryParams,
};

/// `GET /tasks/{id}/completions`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletionListQuery {
    /// Page size.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100, default = 20)]
    pub limit: u64,
    /// The `next_cursor` of the previous page of this task's completions.
    #[param(value_type = Option<String>)]
    pub cursor: Option<CompletionsAfter>,
}

fn scope(task: uuid::Uuid) -> String {
    format!("completions;task={task}")
}

impl CompletionListQuery {
    /// The query of the completions of `task`.
    ///
    /// # Errors
    /// 422 naming every unknown or bad parameter; 400 for a cursor this
    /// server did not issue for this task's completions.
    pub fn parse(
        query: &QueryParams,
        task: uuid::Uuid,
        cursor_key: &[u8],
    ) -> Result<Self, ApiError> {
        let mut errors = query.unknown(&["limit", "cursor"]);
        let limit = param(query, &mut errors, "limit", limit).unwrap_or(DEFAULT_LIMIT);
        errors.into_result()?;
        let cursor = query
            .get("cursor")
            .map(|raw| {
                Cursor::decode(raw, &scope(task), cursor_key)
                    .and_then(|c| match c.key.as_slice() {
                        [Value::String(at), Value::Number(id)] => Some(CompletionsAfter {
                            completed_at: DateTime::parse_from_rfc3339(at).ok()?,
                            id: i32::try_from(id.as_i64()?).ok()?,
                        }),
                        _ => None,
                    })
                    .ok_or(ApiError::InvalidCursor)
            })
            .transpose()?;
        Ok(Self { limit, cursor })
    }

    /// The cursor that continues after `last`, one of `task`'s completions.
    #[must_use]
    pub fn next_cursor(task: uuid::Uuid, last: &Completion, cursor_key: &[u8]) -> String {
        Cursor {
            scope: scope(task),
            key: vec![
                json!(last
                    .completed_at
                    .to_rfc3339_opts(SecondsFormat::Micros, false)),
                json!(last.id),
            ],
        }
        .encode(cursor_key)
    }
}

/// The default number of due dates `GET /tasks/{id}/occurrences` lists.
pub const DEFAULT_OCCURRENCES: u64 = 10;

/// `GET /tasks/{id}/occurrences`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OccurrenceQuery {
    /// How many due dates, from the current one.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100, default = 10)]
    pub limit: u64,
}

impl OccurrenceQuery {
    /// # Errors
    /// 422 naming every unknown or bad parameter.
    pub fn parse(query: &QueryParams) -> Result<Self, ApiError> {
        let mut errors = query.unknown(&["limit"]);
        let limit = param(query, &mut errors, "limit", limit).unwrap_or(DEFAULT_OCCURRENCES);
        errors.into_result()?;
        Ok(Self { limit })
    }
}
