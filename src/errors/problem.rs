//! The problem+json body and the layer that gives every error response that shape.
use axum::{
    body::Body,
    http::{header, HeaderValue, Response, StatusCode},
    response::IntoResponse,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, FieldError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The RFC 9457 body.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-error", "title": "Validation failed", "status": 422,
    "detail": "title must not be blank",
    "errors": [{"field": "title", "message": "must not be blank"}]
}))]
pub struct Problem {
    /// A stable relative URI naming the kind of problem (`docs/errors.md` lists them).
    #[serde(rename = "type")]
    #[schema(example = "/problems/not-found")]
    pub kind: String,
    pub title: String,
    /// Equals the HTTP status of the response.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    pub detail: String,
    /// Validation failures (422) only: every offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
    /// 5xx only: the request id, also sent as `X-Request-Id` and logged with the cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
    /// The `WWW-Authenticate` challenge of a 401 (plain `Bearer` unless set).
    #[serde(skip)]
    pub challenge: Option<&'static str>,
}

impl Problem {
    pub(super) fn new(status: StatusCode, kind: &str, title: &str, detail: &str) -> Self {
        Self {
            kind: format!("/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: detail.to_string(),
            errors: None,
            request_id: None,
            challenge: None,
        }
    }

    /// The generic problem for a status that carries no more specific story.
    #[must_use]
    pub fn for_status(status: StatusCode) -> Self {
        let (kind, detail) = match status.as_u16() {
            400 => ("malformed-request", "the request could not be read"),
            401 => ("unauthorized", "a valid bearer token is required"),
            404 => ("not-found", "no such resource"),
            405 => ("method-not-allowed", "this method is not allowed here"),
            412 => ("precondition-failed", "a precondition header does not hold"),
            408 | 504 => ("timeout", "the request took too long"),
            413 => ("payload-too-large", "the request body is too large"),
            415 => ("unsupported-media-type", "send application/json"),
            422 => ("validation-error", "the request failed validation"),
            429 => ("rate-limited", "too many requests"),
            500 => ("internal-error", "an unexpected error occurred"),
            503 => ("unavailable", "the service is unavailable"),
            _ => ("http-error", ""),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let detail = if detail.is_empty() { title } else { detail };
        Self::new(status, kind, title, detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> axum::response::Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            let challenge = self.challenge.unwrap_or("Bearer");
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// The outermost layer: every error response leaves as problem+json.
///
/// Responses already rendered by [`ApiError`] pass through (a 5xx gets the
/// request id added); anything else with a 4xx/5xx status (the router's 404
/// and 405, a caught panic, Loco's own error bodies) is replaced by the
/// generic problem for its status, keeping headers such as `Allow`.
pub async fn normalize_response(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if is_problem && status.is_client_error() {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let mut problem = Problem::for_status(status);
    if status.is_server_error() {
        problem.request_id = parts
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
    }
    let rendered = problem.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in rendered.headers() {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, rendered.into_body())
}

/// The router's fallback: unknown paths are a problem+json 404.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
