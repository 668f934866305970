//! Values bound as sqlx binds them for SQLite: integers as integers, UUIDs
//! as 16-byte blobs, dates as `%F` and date-times as RFC 3339 text.
use std::ffi::c_int;

use chrono::{DateTime, SecondsFormat};
use libsqlite3_sys as ffi;
use sea_orm::Value;

/// Whether this path binds `value` (as sqlx binds it for SQLite).
#[must_use]
pub fn binds(value: &Value) -> bool {
    matches!(
        value,
        Value::Bool(_)
            | Value::TinyInt(_)
            | Value::SmallInt(_)
            | Value::Int(_)
            | Value::BigInt(_)
            | Value::TinyUnsigned(_)
            | Value::SmallUnsigned(_)
            | Value::Unsigned(_)
            | Value::BigUnsigned(_)
            | Value::String(_)
            | Value::Uuid(_)
            | Value::ChronoDate(_)
            | Value::ChronoDateTimeUtc(_)
            | Value::ChronoDateTimeWithTimeZone(_)
    )
}

/// Binds `value` at `at` as sqlx encodes it: integers as integers, UUIDs as
/// 16-byte blobs, dates as `%F` and date-times as RFC 3339 text.
pub(super) unsafe fn bind(stmt: *mut ffi::sqlite3_stmt, at: c_int, value: &Value) -> c_int {
    let int = |v: Option<i64>| match v {
        // SAFETY: (the caller's) a live statement not being stepped.
        Some(v) => unsafe { ffi::sqlite3_bind_int64(stmt, at, v) },
        None => unsafe { ffi::sqlite3_bind_null(stmt, at) },
    };
    let text = |v: Option<&str>| match v {
        // SAFETY: SQLITE_TRANSIENT makes SQLite copy the text before returning.
        Some(v) => unsafe {
            ffi::sqlite3_bind_text64(
                stmt,
                at,
                v.as_ptr().cast(),
                v.len() as u64,
                ffi::SQLITE_TRANSIENT(),
                ffi::SQLITE_UTF8 as u8,
            )
        },
        None => unsafe { ffi::sqlite3_bind_null(stmt, at) },
    };
    match value {
        Value::Bool(v) => int(v.map(i64::from)),
        Value::TinyInt(v) => int(v.map(i64::from)),
        Value::SmallInt(v) => int(v.map(i64::from)),
        Value::Int(v) => int(v.map(i64::from)),
        Value::BigInt(v) => int(*v),
        Value::TinyUnsigned(v) => int(v.map(i64::from)),
        Value::SmallUnsigned(v) => int(v.map(i64::from)),
        Value::Unsigned(v) => int(v.map(i64::from)),
        Value::BigUnsigned(v) => match v.map(i64::try_from) {
            Some(Err(_)) => ffi::SQLITE_RANGE,
            v => int(v.and_then(Result::ok)),
        },
        Value::String(v) => text(v.as_deref()),
        Value::ChronoDate(v) => text(v.map(|d| d.format("%F").to_string()).as_deref()),
        Value::ChronoDateTimeUtc(v) => text(v.map(|d| rfc3339(&d)).as_deref()),
        Value::ChronoDateTimeWithTimeZone(v) => text(v.map(|d| rfc3339(&d)).as_deref()),
        // SAFETY: as above; the 16 bytes are copied (SQLITE_TRANSIENT).
        Value::Uuid(Some(id)) => unsafe {
            ffi::sqlite3_bind_blob(
                stmt,
                at,
                id.as_bytes().as_ptr().cast(),
                16,
                ffi::SQLITE_TRANSIENT(),
            )
        },
        Value::Uuid(None) => int(None),
        _ => ffi::SQLITE_MISMATCH,
    }
}

fn rfc3339<Tz: chrono::TimeZone>(at: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}
