//! Reading the columns of the current row, as sqlx decodes them for SQLite.
use std::{cell::Cell, ffi::c_int, ptr::NonNull};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc};
use libsqlite3_sys as ffi;
use uuid::Uuid;

use super::DirectError;

/// The current row of a statement being stepped.
pub struct Row<'a> {
    raw: NonNull<ffi::sqlite3_stmt>,
    names: &'a [String],
    /// Where the search for the next column starts.
    next: Cell<usize>,
}

impl<'a> Row<'a> {
    /// The row `raw` is on, whose columns are `names`.
    pub(super) fn new(raw: NonNull<ffi::sqlite3_stmt>, names: &'a [String]) -> Self {
        Self {
            raw,
            names,
            next: Cell::new(0),
        }
    }

    /// The column named `prefix` + `name`, read as `T`.
    ///
    /// # Errors
    /// [`DirectError::Decode`] when there is no such column or it does not
    /// read as `T`.
    pub fn get<T: FromColumn>(&self, prefix: &str, name: &str) -> Result<T, DirectError> {
        let is = |n: &String| is_named(n.as_bytes(), prefix.as_bytes(), name.as_bytes());
        // Fields are mostly read in select order: look after the last one first.
        let next = self.next.get().min(self.names.len());
        let (before, after) = self.names.split_at(next);
        let at = after
            .iter()
            .position(is)
            .map(|i| i + next)
            .or_else(|| before.iter().position(is))
            .ok_or_else(|| DirectError::Decode(format!("column {prefix}{name}: not selected")))?;
        self.next.set(at + 1);
        let at = c_int::try_from(at).unwrap_or(c_int::MAX);
        T::read(self, at)
            .map_err(|what| DirectError::Decode(format!("column {prefix}{name}: {what}")))
    }

    fn kind(&self, at: c_int) -> c_int {
        // SAFETY: a statement positioned on a row; `at` is one of its columns.
        unsafe { ffi::sqlite3_column_type(self.raw.as_ptr(), at) }
    }

    fn int(&self, at: c_int) -> Result<i64, &'static str> {
        match self.kind(at) {
            // SAFETY: as in `kind`; an integer column read as one.
            ffi::SQLITE_INTEGER => Ok(unsafe { ffi::sqlite3_column_int64(self.raw.as_ptr(), at) }),
            ffi::SQLITE_NULL => Err("NULL"),
            _ => Err("not an integer"),
        }
    }

    fn bytes(&self, at: c_int, kind: c_int) -> Result<&[u8], &'static str> {
        match self.kind(at) {
            ffi::SQLITE_NULL => return Err("NULL"),
            k if k != kind => return Err("of another type"),
            _ => {}
        }
        // SAFETY: as in `kind`. The pointer stays valid until the next step,
        // reset or type conversion of this column, none of which can happen
        // while the returned borrow of `self` lives.
        unsafe {
            let data: *const u8 = if kind == ffi::SQLITE_BLOB {
                ffi::sqlite3_column_blob(self.raw.as_ptr(), at).cast()
            } else {
                ffi::sqlite3_column_text(self.raw.as_ptr(), at)
            };
            let len =
                usize::try_from(ffi::sqlite3_column_bytes(self.raw.as_ptr(), at)).unwrap_or(0);
            Ok(if data.is_null() {
                &[]
            } else {
                std::slice::from_raw_parts(data, len)
            })
        }
    }

    fn text(&self, at: c_int) -> Result<&str, &'static str> {
        std::str::from_utf8(self.bytes(at, ffi::SQLITE_TEXT)?).map_err(|_| "not UTF-8")
    }
}

/// Whether `column` is `prefix` followed by `name`, compared byte by byte in
/// place. Column names are a few bytes long, and a call to libc's `memcmp`
/// per comparison (what `starts_with`/`ends_with` compile to) cost more than
/// the loop: on the benchmark machine its AVX-512 variant was 14% of a
/// page's CPU (docs/performance.md, change 20).
fn is_named(column: &[u8], prefix: &[u8], name: &[u8]) -> bool {
    column.len() == prefix.len() + name.len()
        && column
            .iter()
            .zip(prefix.iter().chain(name))
            .all(|(a, b)| a == b)
}

/// A field type read from a column, as sqlx decodes it for SQLite.
pub trait FromColumn: Sized {
    /// # Errors
    /// What is wrong with the column.
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str>;
}

impl<T: FromColumn> FromColumn for Option<T> {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        if row.kind(at) == ffi::SQLITE_NULL {
            Ok(None)
        } else {
            T::read(row, at).map(Some)
        }
    }
}

impl FromColumn for bool {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        row.int(at).map(|v| v != 0)
    }
}

impl FromColumn for i64 {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        row.int(at)
    }
}

impl FromColumn for i32 {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        Self::try_from(row.int(at)?).map_err(|_| "out of range")
    }
}

impl FromColumn for i16 {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        Self::try_from(row.int(at)?).map_err(|_| "out of range")
    }
}

impl FromColumn for String {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        row.text(at).map(str::to_owned)
    }
}

impl FromColumn for Uuid {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        Self::from_slice(row.bytes(at, ffi::SQLITE_BLOB)?).map_err(|_| "not a 16-byte UUID")
    }
}

impl FromColumn for NaiveDate {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        Self::parse_from_str(row.text(at)?, "%F").map_err(|_| "not a date")
    }
}

impl FromColumn for DateTime<FixedOffset> {
    fn read(row: &Row<'_>, at: c_int) -> Result<Self, &'static str> {
        if row.kind(at) == ffi::SQLITE_INTEGER {
            let secs = row.int(at)?;
            return DateTime::from_timestamp(secs, 0)
                .map(|at| at.fixed_offset())
                .ok_or("not a date-time");
        }
        datetime_from_text(row.text(at)?).ok_or("not a date-time")
    }
}

/// sqlx's reading of a date-time stored as text: RFC 3339, else SQLite's
/// other formats (without an offset: UTC).
fn datetime_from_text(text: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at);
    }
    const FORMATS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    FORMATS.iter().find_map(|format| {
        DateTime::parse_from_str(text, format).ok().or_else(|| {
            NaiveDateTime::parse_from_str(text, format)
                .ok()
                .map(|naive| naive.and_utc().with_timezone(&Utc.fix()))
        })
    })
}
