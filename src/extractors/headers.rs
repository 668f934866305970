//! The request headers handlers read, each an extractor whose OpenAPI
//! parameter is derived on it: `If-Match` / `If-None-Match` (RFC 9110 §13)
//! against a resource's ETag, and `Idempotency-Key`.
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderName},
};
use utoipa::IntoParams;

use crate::{domain::etag::TagList, errors::ApiError};

fn tags(parts: &Parts, name: &HeaderName) -> Option<TagList> {
    TagList::parse(
        parts
            .headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// `If-Match` of `PUT`, `PATCH` and `DELETE`.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// Entity tags (strong comparison) or `*`; when none names the current
    /// ETag the request is 412 and changes nothing.
    #[param(rename = "If-Match", value_type = Option<String>, nullable = false, example = "\"3\"")]
    pub tags: Option<TagList>,
}

/// `If-None-Match` of `GET`.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatch {
    /// Entity tags (weak comparison) or `*`; naming the current one gives 304.
    #[param(rename = "If-None-Match", value_type = Option<String>, nullable = false, example = "\"3\"")]
    pub tags: Option<TagList>,
}

impl IfNoneMatch {
    /// Whether a GET may answer 304 Not Modified.
    #[must_use]
    pub fn not_modified(&self, version: i32) -> bool {
        self.tags
            .as_ref()
            .is_some_and(|tags| tags.matches_weak(version))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            tags: tags(parts, &header::IF_MATCH),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            tags: tags(parts, &header::IF_NONE_MATCH),
        })
    }
}

/// `Idempotency-Key` of `POST /tasks`: makes a retry safe.
#[derive(Debug, Clone, Default, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// 1–255 visible ASCII characters. The first response is stored for 24
    /// hours per user and key: a retry with the same body gets it again (with
    /// `Idempotent-Replayed: true`), another body is 409.
    #[param(
        rename = "Idempotency-Key",
        value_type = Option<String>,
        nullable = false,
        min_length = 1,
        max_length = 255,
        pattern = r"^[\x21-\x7E]([\x20-\x7E]*[\x21-\x7E])?$"
    )]
    pub key: Option<String>,
}

impl IdempotencyKey {
    /// The key when it is one: 1–255 visible characters (inner spaces allowed).
    ///
    /// # Errors
    /// 422 naming the header when it is empty, too long or not visible ASCII.
    fn read(parts: &Parts) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self::default());
        };
        let key = value.to_str().unwrap_or_default();
        if key.is_empty()
            || key.len() > 255
            || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        {
            return Err(ApiError::field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ));
        }
        Ok(Self {
            key: Some(key.to_string()),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::read(parts)
    }
}
