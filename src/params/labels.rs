//! Queries and path ids of the label endpoints, read into the shapes the
//! OpenAPI document shows ([`LabelListQuery`]).
use utoipa::IntoParams;
use uuid::Uuid;

use super::{query::QueryParams, tasks::param};
use crate::{
    domain::cursor::Cursor,
    errors::{ApiError, FieldErrors},
    models::labels::{LabelQuery, Model},
};

/// A label id from the path; anything that is not a UUID names no label (404).
///
/// # Errors
/// [`ApiError::NotFound`] for a malformed id.
pub fn label_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| ApiError::NotFound)
}

pub const DEFAULT_LIMIT: u64 = 100;

/// `GET /labels`: every parameter optional and checked; an unknown or
/// repeated one is 422.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LabelListQuery {
    /// Page size.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 100, default = 100)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<String>,
}

const PARAMS: &[&str] = &["limit", "cursor"];

/// What a cursor of `GET /labels` was made for.
const SCOPE: &str = "labels";

impl LabelListQuery {
    /// # Errors
    /// 422 naming every unknown or bad parameter.
    pub fn parse(query: &QueryParams) -> Result<Self, FieldErrors> {
        let mut errors = query.unknown(PARAMS);
        let parsed = Self {
            limit: param(query, &mut errors, "limit", super::tasks::limit),
            cursor: query.get("cursor").map(str::to_string),
        };
        errors.into_result()?;
        Ok(parsed)
    }

    /// The page the model reads.
    ///
    /// # Errors
    /// [`ApiError::InvalidCursor`] for a cursor not issued for this query.
    pub fn into_page(self, cursor_key: &[u8]) -> Result<LabelQuery, ApiError> {
        let after = self
            .cursor
            .map(|raw| {
                Cursor::decode(&raw, SCOPE, cursor_key)
                    .and_then(|c| match c.key.as_slice() {
                        [serde_json::Value::String(key), serde_json::Value::String(id)] => {
                            Some((key.clone(), Uuid::try_parse(id).ok()?))
                        }
                        _ => None,
                    })
                    .ok_or(ApiError::InvalidCursor)
            })
            .transpose()?;
        Ok(LabelQuery {
            limit: self.limit.unwrap_or(DEFAULT_LIMIT),
            after,
        })
    }
}

/// The cursor that continues after `last`.
#[must_use]
pub fn next_cursor(last: &Model, cursor_key: &[u8]) -> String {
    Cursor {
        scope: SCOPE.to_string(),
        key: vec![last.name_key.clone().into(), last.pid.to_string().into()],
    }
    .encode(cursor_key)
}
