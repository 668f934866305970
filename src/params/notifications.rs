//! Queries of the notification endpoints.
use chrono::{DateTime, SecondsFormat};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::{
    domain::cursor::Cursor,
    errors::ApiError,
    extractors::query::QueryParams,
    models::notifications::{After, Model},
    params::tasks::{DEFAULT_LIMIT, MAX_LIMIT},
};

/// `GET /notifications`.
pub struct ListQuery {
    pub limit: u64,
    pub unread_only: bool,
    pub after: Option<After>,
}

fn scope(unread_only: bool) -> String {
    format!("notifications;unread={unread_only}")
}

/// # Errors
/// 422 naming every unknown or bad parameter; 400 for a foreign cursor.
pub fn list(query: &QueryParams, cursor_key: &[u8]) -> Result<ListQuery, ApiError> {
    let mut errors = query.unknown(&["limit", "cursor", "unread"]);
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => match raw
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
        {
            Some(n) => n,
            None => {
                errors.add("limit", format!("must be an integer from 1 to {MAX_LIMIT}"));
                DEFAULT_LIMIT
            }
        },
    };
    let unread_only = match query.get("unread") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.add("unread", "must be true or false");
            false
        }
    };
    errors.into_result()?;
    let after = query
        .get("cursor")
        .map(|raw| {
            let cursor = Cursor::decode(raw, &scope(unread_only), cursor_key);
            cursor
                .and_then(|c| match c.key.as_slice() {
                    [Value::String(at), Value::String(pid)] => Some(After {
                        created_at: DateTime::parse_from_rfc3339(at).ok()?,
                        pid: Uuid::try_parse(pid).ok()?,
                    }),
                    _ => None,
                })
                .ok_or(ApiError::InvalidCursor)
        })
        .transpose()?;
    Ok(ListQuery {
        limit,
        unread_only,
        after,
    })
}

/// The cursor that continues after `last`.
#[must_use]
pub fn next_cursor(last: &Model, query: &ListQuery, cursor_key: &[u8]) -> String {
    Cursor {
        scope: scope(query.unread_only),
        key: vec![
            json!(last
                .created_at
                .to_rfc3339_opts(SecondsFormat::Micros, false)),
            json!(last.pid.to_string()),
        ],
    }
    .encode(cursor_key)
}

/// A notification id from the path; anything that is not a UUID names none (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn notification_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}
