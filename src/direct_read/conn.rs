//! One read-only SQLite connection, driven through SQLite's C API on the
//! calling thread: its statements are prepared once and kept, values are
//! bound as sqlx binds them, and rows are read in place.
use std::{
    collections::HashMap,
    ffi::{c_int, CStr, CString},
    os::unix::ffi::OsStrExt,
    path::Path,
    ptr::{self, NonNull},
};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Offset, SecondsFormat, Utc};
use libsqlite3_sys as ffi;
use sea_orm::Value;
use uuid::Uuid;

/// Statements kept per connection; past that the cache starts over.
const MAX_CACHED: usize = 64;

/// Why a direct read did not give rows.
#[derive(Debug)]
pub enum DirectError {
    /// The database was busy (a reader does not wait on this path).
    Busy,
    /// SQLite refused: its result code and message.
    Sqlite { code: c_int, message: String },
    /// A column that does not read as its field.
    Decode(String),
}

impl std::fmt::Display for DirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Busy => f.write_str("database is busy"),
            Self::Sqlite { code, message } => write!(f, "{message} (code {code})"),
            Self::Decode(what) => write!(f, "cannot decode {what}"),
        }
    }
}

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

struct Stmt {
    raw: NonNull<ffi::sqlite3_stmt>,
    names: Vec<String>,
}

impl Drop for Stmt {
    fn drop(&mut self) {
        // SAFETY: `raw` came from sqlite3_prepare_v3 and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.raw.as_ptr()) };
    }
}

/// An open read-only connection and its prepared statements.
pub struct RawConn {
    stmts: HashMap<String, Stmt>,
    db: NonNull<ffi::sqlite3>,
}

// SAFETY: opened with SQLITE_OPEN_NOMUTEX, a connection may move between
// threads as long as one thread uses it at a time, which `&mut self` ensures.
unsafe impl Send for RawConn {}

impl Drop for RawConn {
    fn drop(&mut self) {
        self.stmts.clear();
        // SAFETY: every statement is finalized above; `db` is closed once.
        unsafe { ffi::sqlite3_close(self.db.as_ptr()) };
    }
}

fn error(db: NonNull<ffi::sqlite3>, code: c_int) -> DirectError {
    if code & 0xff == ffi::SQLITE_BUSY || code & 0xff == ffi::SQLITE_LOCKED {
        return DirectError::Busy;
    }
    // SAFETY: `db` is open; the message is copied before the next call.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
    DirectError::Sqlite {
        code,
        message: message.to_string_lossy().into_owned(),
    }
}

impl RawConn {
    /// Opens `path` read-only with a page cache of `cache_kib` and query
    /// planner stability, as the pool's connections have.
    ///
    /// # Errors
    /// When SQLite cannot open the file.
    pub fn open(path: &Path, cache_kib: u32) -> Result<Self, DirectError> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| DirectError::Decode("a database path with a NUL byte".into()))?;
        let mut db = ptr::null_mut();
        let flags = ffi::SQLITE_OPEN_READONLY | ffi::SQLITE_OPEN_NOMUTEX;
        // SAFETY: valid C string and out pointer; the handle is closed by Drop.
        let code = unsafe { ffi::sqlite3_open_v2(c_path.as_ptr(), &mut db, flags, ptr::null()) };
        let Some(db) = NonNull::new(db) else {
            return Err(DirectError::Sqlite {
                code,
                message: "out of memory".into(),
            });
        };
        let mut conn = Self {
            stmts: HashMap::new(),
            db,
        };
        if code != ffi::SQLITE_OK {
            return Err(error(db, code));
        }
        conn.query(
            &format!("PRAGMA cache_size = -{cache_kib}"),
            &[],
            |_| Ok(()),
        )?;
        let mut enabled: c_int = 0;
        // SAFETY: open handle; SQLITE_DBCONFIG_ENABLE_QPSG takes an int and an int*.
        let code = unsafe {
            ffi::sqlite3_db_config(
                db.as_ptr(),
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as c_int,
                &mut enabled as *mut c_int,
            )
        };
        if code != ffi::SQLITE_OK || enabled != 1 {
            return Err(error(db, code));
        }
        conn.stmts.clear();
        Ok(conn)
    }

    /// Runs `sql` with `values` (each of which [`binds`]) and reads each row
    /// with `read`.
    ///
    /// # Errors
    /// [`DirectError`]: busy, SQLite's error, or a column `read` rejects.
    pub fn query<T>(
        &mut self,
        sql: &str,
        values: &[Value],
        mut read: impl FnMut(&Row<'_>) -> Result<T, DirectError>,
    ) -> Result<Vec<T>, DirectError> {
        let db = self.db;
        if !self.stmts.contains_key(sql) {
            if self.stmts.len() >= MAX_CACHED {
                self.stmts.clear();
            }
            let stmt = prepare(db, sql)?;
            self.stmts.insert(sql.to_owned(), stmt);
        }
        let stmt = &self.stmts[sql];
        let _reset = Reset(stmt.raw);
        for (at, value) in values.iter().enumerate() {
            let at = c_int::try_from(at + 1).unwrap_or(c_int::MAX);
            // SAFETY: `stmt` is a live statement of `db`, not being stepped.
            let code = unsafe { bind(stmt.raw.as_ptr(), at, value) };
            if code != ffi::SQLITE_OK {
                return Err(error(db, code));
            }
        }
        let mut rows = Vec::new();
        loop {
            // SAFETY: a live, bound statement used by this thread only.
            match unsafe { ffi::sqlite3_step(stmt.raw.as_ptr()) } {
                ffi::SQLITE_ROW => rows.push(read(&Row {
                    raw: stmt.raw,
                    names: &stmt.names,
                    next: std::cell::Cell::new(0),
                })?),
                ffi::SQLITE_DONE => return Ok(rows),
                code => return Err(error(db, code)),
            }
        }
    }
}

fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Stmt, DirectError> {
    let mut raw = ptr::null_mut();
    let len = c_int::try_from(sql.len())
        .map_err(|_| DirectError::Decode("a statement over 2 GiB".into()))?;
    // SAFETY: `sql` is valid for `len` bytes; the statement is finalized by Stmt.
    let code = unsafe {
        ffi::sqlite3_prepare_v3(
            db.as_ptr(),
            sql.as_ptr().cast(),
            len,
            ffi::SQLITE_PREPARE_PERSISTENT,
            &mut raw,
            ptr::null_mut(),
        )
    };
    let Some(raw) = NonNull::new(raw).filter(|_| code == ffi::SQLITE_OK) else {
        return Err(error(db, code));
    };
    // SAFETY: a prepared statement; column names are copied at once.
    let names = unsafe {
        (0..ffi::sqlite3_column_count(raw.as_ptr()))
            .map(|i| {
                let name = ffi::sqlite3_column_name(raw.as_ptr(), i);
                if name.is_null() {
                    String::new()
                } else {
                    CStr::from_ptr(name).to_string_lossy().into_owned()
                }
            })
            .collect()
    };
    Ok(Stmt { raw, names })
}

/// Resets a statement and clears its bindings when dropped.
struct Reset(NonNull<ffi::sqlite3_stmt>);

impl Drop for Reset {
    fn drop(&mut self) {
        // SAFETY: a live statement; reset and clear never fail fatally.
        unsafe {
            ffi::sqlite3_reset(self.0.as_ptr());
            ffi::sqlite3_clear_bindings(self.0.as_ptr());
        }
    }
}

/// Binds `value` at `at` as sqlx encodes it: integers as integers, UUIDs as
/// 16-byte blobs, dates as `%F` and date-times as RFC 3339 text.
unsafe fn bind(stmt: *mut ffi::sqlite3_stmt, at: c_int, value: &Value) -> c_int {
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

/// The current row of a statement being stepped.
pub struct Row<'a> {
    raw: NonNull<ffi::sqlite3_stmt>,
    names: &'a [String],
    /// Where the search for the next column starts.
    next: std::cell::Cell<usize>,
}

impl Row<'_> {
    /// The column named `prefix` + `name`, read as `T`.
    ///
    /// # Errors
    /// [`DirectError::Decode`] when there is no such column or it does not
    /// read as `T`.
    pub fn get<T: FromColumn>(&self, prefix: &str, name: &str) -> Result<T, DirectError> {
        let is = |n: &String| {
            n.len() == prefix.len() + name.len() && n.starts_with(prefix) && n.ends_with(name)
        };
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
