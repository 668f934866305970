//! The one error type of the API and its RFC 9457 problem+json rendering.
//!
//! Every 4xx/5xx leaves the server through here: handlers return [`ApiError`],
//! and [`normalize_response`] (the outermost layer) rewrites any other error
//! response (axum rejections, the router's 404/405, a panic caught by Loco)
//! into the same shape. `docs/errors.md` lists every `type`.
mod fields;
mod problem;
mod rate_limit;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::IntoResponse,
};

pub use fields::{FieldError, FieldErrors};
pub use problem::{normalize_response, not_found, Problem, PROBLEM_JSON};
pub use rate_limit::{
    RateLimitHeaders, RATELIMIT_LIMIT, RATELIMIT_POLICY, RATELIMIT_REMAINING, RATELIMIT_RESET,
};

/// Every failure a request can end in. Each variant names its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: malformed JSON or query string.
    #[error("malformed request: {0}")]
    MalformedRequest(String),
    /// 400: a `cursor` that this server did not issue (or issued for another query).
    #[error("invalid cursor")]
    InvalidCursor,
    /// 400: a password-reset token that is unknown, used or expired.
    #[error("invalid reset token")]
    InvalidResetToken,
    /// 401: no `Authorization` header at all (RFC 6750 §3.1: no error code).
    #[error("missing bearer token")]
    MissingToken,
    /// 401: malformed, expired, tampered or revoked token.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// 401: login with an unknown email or a wrong password (one message for both).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 401: a refresh token that is unknown, expired, revoked or reused.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// 404: no such route, or no such resource for this user.
    #[error("not found")]
    NotFound,
    /// 409: the email address belongs to an existing account.
    #[error("email already registered")]
    EmailTaken,
    /// 409: an `Idempotency-Key` reused with a different body.
    #[error("idempotency key reused")]
    IdempotencyConflict,
    /// 409: the user has a list or label of that name, ignoring case.
    #[error("name taken")]
    NameTaken(&'static str),
    /// 409: the inbox cannot be deleted or archived.
    #[error("inbox list: {0}")]
    InboxList(&'static str),
    /// 412: `If-Match` does not match the current ETag; nothing changed.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 413: the body is over the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// 422: the body or query failed validation; names every field.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// 429: a rate limit is reached; sends `Retry-After` and `RateLimit-*`.
    #[error("rate limited")]
    RateLimited {
        /// Whole seconds, at least 1, until a request can pass again.
        retry_after_secs: u64,
        status: RateLimitHeaders,
        /// Which limit: per client address, per email, per user.
        detail: &'static str,
    },
    /// 403: creating this would take the user over a resource limit
    /// (contract, "Resource limits"); nothing was created.
    #[error("quota exceeded")]
    QuotaExceeded {
        /// What is limited, plural: `tasks`.
        resource: &'static str,
        limit: u32,
    },
    /// 503: the handler did not answer within `REQUEST_TIMEOUT` (contract,
    /// "Operations").
    #[error("request timed out")]
    RequestTimeout { seconds: u64 },
    /// 500: anything unexpected; logged, never shown.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// One validation error on one field.
    #[must_use]
    pub fn field(field: &str, message: &str) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(field, message);
        Self::Validation(errors)
    }

    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    fn problem(&self) -> Problem {
        match self {
            Self::MalformedRequest(detail) => Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-request",
                "Malformed request",
                detail,
            ),
            Self::InvalidCursor => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-cursor",
                "Invalid cursor",
                "cursor is not a next_cursor issued for this query",
            ),
            Self::InvalidResetToken => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-reset-token",
                "Invalid reset token",
                "the reset token is unknown, already used or expired",
            ),
            Self::MissingToken => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "a bearer token is required",
            ),
            Self::Unauthorized(detail) => {
                let mut problem = Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "Unauthorized",
                    detail,
                );
                problem.challenge = Some("Bearer error=\"invalid_token\"");
                problem
            }
            Self::InvalidCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-credentials",
                "Invalid credentials",
                "email or password is incorrect",
            ),
            Self::InvalidRefreshToken => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid-refresh-token",
                "Invalid refresh token",
                "the refresh token is unknown, expired, revoked or already used",
            ),
            Self::NotFound => Problem::for_status(StatusCode::NOT_FOUND),
            Self::EmailTaken => Problem::new(
                StatusCode::CONFLICT,
                "email-taken",
                "Email already registered",
                "an account with this email already exists",
            ),
            Self::IdempotencyConflict => Problem::new(
                StatusCode::CONFLICT,
                "idempotency-conflict",
                "Idempotency key reused",
                "this Idempotency-Key was used with a different request body in the last 24 hours",
            ),
            Self::NameTaken(resource) => Problem::new(
                StatusCode::CONFLICT,
                "name-taken",
                "Name taken",
                &format!("you have a {resource} of this name already (names ignore case)"),
            ),
            Self::InboxList(detail) => {
                Problem::new(StatusCode::CONFLICT, "inbox-list", "Inbox list", detail)
            }
            Self::PreconditionFailed => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition-failed",
                "Precondition failed",
                "If-Match does not match the current ETag",
            ),
            Self::PayloadTooLarge => Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            Self::UnsupportedMediaType(detail) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                detail,
            ),
            Self::Validation(errors) => {
                let detail = errors
                    .as_slice()
                    .iter()
                    .map(|e| format!("{} {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation-error",
                    "Validation failed",
                    &detail,
                );
                problem.errors = Some(errors.as_slice().to_vec());
                problem
            }
            Self::RateLimited {
                retry_after_secs,
                detail,
                ..
            } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too Many Requests",
                &format!("{detail}; retry in {retry_after_secs} s"),
            ),
            Self::QuotaExceeded { resource, limit } => Problem::new(
                StatusCode::FORBIDDEN,
                "quota-exceeded",
                "Quota exceeded",
                &format!(
                    "the limit of {limit} {resource} per user is reached; delete some to make room"
                ),
            ),
            Self::RequestTimeout { seconds } => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "Request timed out",
                &format!("the request was not answered within {seconds} s; retry later"),
            ),
            Self::Internal(_) => Problem::for_status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        if let Self::Internal(err) = &self {
            // The body says nothing; the log (inside the request span, which
            // carries the request id) says everything.
            tracing::error!(error = %err, error.debug = ?err, "internal error");
        }
        let mut response = self.problem().into_response();
        if let Self::RateLimited {
            retry_after_secs,
            status,
            ..
        } = &self
        {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            status.write_headers(headers);
        }
        response
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err {
            sea_orm::DbErr::RecordNotFound(_) => Self::NotFound,
            other => Self::internal(other),
        }
    }
}

impl From<loco_rs::Error> for ApiError {
    fn from(err: loco_rs::Error) -> Self {
        match err {
            loco_rs::Error::NotFound => Self::NotFound,
            loco_rs::Error::DB(db) => db.into(),
            other => Self::internal(other),
        }
    }
}

impl From<loco_rs::model::ModelError> for ApiError {
    fn from(err: loco_rs::model::ModelError) -> Self {
        match err {
            loco_rs::model::ModelError::EntityNotFound => Self::NotFound,
            loco_rs::model::ModelError::DbErr(db) => db.into(),
            other => Self::internal(other),
        }
    }
}
