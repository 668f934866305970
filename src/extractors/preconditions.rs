//! `If-Match` / `If-None-Match` (RFC 9110 §13) against a task's ETag.
//!
//! A task's ETag is its version as a strong entity tag (`"3"`); every write
//! bumps the version, so the tag changes exactly when the task does.
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderName},
};

use crate::errors::ApiError;

/// The ETag of a task at `version`.
#[must_use]
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// One precondition header: absent, `*`, or a list of entity tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagList {
    Any,
    Tags(Vec<String>),
}

impl TagList {
    fn read(headers: &HeaderMap, name: &HeaderName) -> Option<Self> {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return None;
        }
        let tags: Vec<String> = values
            .iter()
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if tags.iter().any(|t| t == "*") {
            Some(Self::Any)
        } else {
            Some(Self::Tags(tags))
        }
    }

    /// Strong comparison (for `If-Match`): weak tags never match.
    #[must_use]
    pub fn matches_strong(&self, version: i32) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| *t == etag(version)),
        }
    }

    /// Weak comparison (for `If-None-Match`): `W/"3"` matches `"3"`.
    #[must_use]
    pub fn matches_weak(&self, version: i32) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags
                .iter()
                .any(|t| t.strip_prefix("W/").unwrap_or(t) == etag(version)),
        }
    }
}

/// The precondition headers of a request.
#[derive(Debug, Clone, Default)]
pub struct Preconditions {
    pub if_match: Option<TagList>,
    pub if_none_match: Option<TagList>,
}

impl Preconditions {
    /// # Errors
    /// [`ApiError::PreconditionFailed`] when `If-Match` is present and does not
    /// match `version`.
    pub fn check_if_match(&self, version: i32) -> Result<(), ApiError> {
        match &self.if_match {
            Some(tags) if !tags.matches_strong(version) => Err(ApiError::PreconditionFailed),
            _ => Ok(()),
        }
    }

    /// Whether a GET may answer 304 Not Modified.
    #[must_use]
    pub fn not_modified(&self, version: i32) -> bool {
        self.if_none_match
            .as_ref()
            .is_some_and(|tags| tags.matches_weak(version))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Preconditions {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            if_match: TagList::read(&parts.headers, &header::IF_MATCH),
            if_none_match: TagList::read(&parts.headers, &header::IF_NONE_MATCH),
        })
    }
}
