//! Queries of the notification endpoints, read into the shape the OpenAPI
//! document shows ([`NotificationListQuery`]).
use chrono::{DateTime, SecondsFormat};
use serde_json::{json, Value};
use utoipa::IntoParams;
use uuid::Uuid;

use super::{
    query::QueryParams,
    tasks::{boolean, limit, param, DEFAULT_LIMIT},
};
use crate::{
    domain::cursor::Cursor,
    errors::ApiError,
    models::notifications::{After, Model},
};

/// `GET /notifications`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationListQuery {
    /// Page size.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100, default = 20)]
    pub limit: u64,
    /// The `next_cursor` of the previous page, with the same `unread`.
    #[param(value_type = Option<String>)]
    pub cursor: Option<After>,
    /// `true`: only notifications not yet read.
    #[param(value_type = Option<bool>)]
    pub unread: bool,
}

fn scope(unread_only: bool) -> String {
    format!("notifications;unread={unread_only}")
}

impl NotificationListQuery {
    /// # Errors
    /// 422 naming every unknown or bad parameter; 400 for a foreign cursor.
    pub fn parse(query: &QueryParams, cursor_key: &[u8]) -> Result<Self, ApiError> {
        let mut errors = query.unknown(&["limit", "cursor", "unread"]);
        let limit = param(query, &mut errors, "limit", limit).unwrap_or(DEFAULT_LIMIT);
        let unread = param(query, &mut errors, "unread", boolean).unwrap_or(false);
        errors.into_result()?;
        let cursor = query
            .get("cursor")
            .map(|raw| {
                let cursor = Cursor::decode(raw, &scope(unread), cursor_key);
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
        Ok(Self {
            limit,
            cursor,
            unread,
        })
    }

    /// The cursor that continues after `last`.
    #[must_use]
    pub fn next_cursor(&self, last: &Model, cursor_key: &[u8]) -> String {
        Cursor {
            scope: scope(self.unread),
            key: vec![
                json!(last
                    .created_at
                    .to_rfc3339_opts(SecondsFormat::Micros, false)),
                json!(last.pid.to_string()),
            ],
        }
        .encode(cursor_key)
    }
}

/// A notification id from the path; anything that is not a UUID names none (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn notification_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}
