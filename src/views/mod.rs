pub mod auth;
pub mod export;
pub mod labels;
pub mod lists;
pub mod notifications;
pub mod openapi;
pub mod problems;
pub mod tasks;

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};

use crate::domain::etag::etag;

/// Every timestamp leaves the server as RFC 3339 in UTC with a `Z` suffix,
/// at second precision (`2026-11-24T13:45:00Z`).
#[must_use]
pub fn timestamp<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A due date as it leaves the server: the date of a date-only one
/// (`2026-12-01`), else the instant ([`timestamp`]).
#[must_use]
pub fn due_date<Tz: TimeZone>(date: Option<NaiveDate>, at: &DateTime<Tz>) -> String {
    date.map_or_else(|| timestamp(at), |d| d.format("%Y-%m-%d").to_string())
}

/// `304 Not Modified` for a task or list at `version`, with its `ETag`.
#[must_use]
pub fn not_modified(version: i32) -> Response {
    (StatusCode::NOT_MODIFIED, [(header::ETAG, etag(version))]).into_response()
}
