//! Queries and path ids of the list endpoints, read into the shapes the
//! OpenAPI document shows ([`ListListQuery`]).
use utoipa::IntoParams;
use uuid::Uuid;

use super::{
    query::QueryParams,
    tasks::{boolean, param},
};
use crate::{
    domain::cursor::Cursor,
    errors::{ApiError, FieldErrors},
    models::lists::{ListQuery, Model},
};

/// A list id from the path; anything that is not a UUID names no list (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn list_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}

pub const DEFAULT_LIMIT: u64 = 100;

/// `GET /lists`: every parameter optional and checked; an unknown or
/// repeated one is 422.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListListQuery {
    /// Page size.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100, default = 100)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page, with the same `archived`.
    #[param(value_type = Option<String>)]
    pub cursor: Option<String>,
    /// Only archived (`true`) or only active (`false`) lists; all by default.
    pub archived: Option<bool>,
}

const PARAMS: &[&str] = &["limit", "cursor", "archived"];

/// What a cursor of `GET /lists` was made for.
fn scope(archived: Option<bool>) -> String {
    format!("lists archived={archived:?}")
}

impl ListListQuery {
    /// # Errors
    /// 422 naming every unknown or bad parameter.
    pub fn parse(query: &QueryParams) -> Result<Self, FieldErrors> {
        let mut errors = query.unknown(PARAMS);
        let parsed = Self {
            limit: param(query, &mut errors, "limit", super::tasks::limit),
            cursor: query.get("cursor").map(str::to_string),
            archived: param(query, &mut errors, "archived", boolean),
        };
        errors.into_result()?;
        Ok(parsed)
    }

    /// The page the model reads.
    ///
    /// # Errors
    /// [`ApiError::InvalidCursor`] for a cursor not issued for this query.
    pub fn into_page(self, cursor_key: &[u8]) -> Result<ListQuery, ApiError> {
        let after = self
            .cursor
            .map(|raw| {
                let cursor = Cursor::decode(&raw, &scope(self.archived), cursor_key);
                cursor
                    .and_then(|c| match c.key.as_slice() {
                        [serde_json::Value::String(position), serde_json::Value::String(id)] => {
                            Some((position.clone(), Uuid::try_parse(id).ok()?))
                        }
                        _ => None,
                    })
                    .ok_or(ApiError::InvalidCursor)
            })
            .transpose()?;
        Ok(ListQuery {
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
            archived: self.archived,
            after,
        })
    }
}

/// The cursor that continues after `last`.
#[must_use]
pub fn next_cursor(last: &Model, query: &ListQuery, cursor_key: &[u8]) -> String {
    Cursor {
        scope: scope(query.archived),
        key: vec![last.position.clone().into(), last.pid.to_string().into()],
    }
    .encode(cursor_key)
}
