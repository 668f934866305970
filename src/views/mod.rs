pub mod auth;
pub mod export;
pub mod lists;
pub mod notifications;
pub mod openapi;
pub mod problems;
pub mod tasks;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

/// Every timestamp leaves the server as RFC 3339 in UTC with a `Z` suffix,
/// at second precision (`2026-11-24T13:45:00Z`).
#[must_use]
pub fn timestamp<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}
