//! One read-only SQLite connection, driven through SQLite's C API on the
//! calling thread: its statements are prepared once and kept, values are
//! bound as sqlx binds them (`bind.rs`), and rows are read in place
//! (`row.rs`).
use std::{
    collections::HashMap,
    ffi::{c_int, CStr, CString},
    os::unix::ffi::OsStrExt,
    path::Path,
    ptr::{self, NonNull},
};

use libsqlite3_sys as ffi;
use sea_orm::Value;

use super::{bind::bind, row::Row};

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

/// Prepared statements by their SQL. The SQL is the app's own (values are
/// bound), so a fast hash does: SipHash over a page's SQL, twice per
/// query, was a visible share of a GET (docs/performance.md, change 20).
type Statements = HashMap<String, Stmt, foldhash::fast::RandomState>;

/// An open read-only connection and its prepared statements.
pub struct RawConn {
    stmts: Statements,
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
            stmts: Statements::default(),
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
                ffi::SQLITE_ROW => rows.push(read(&Row::new(stmt.raw, &stmt.names))?),
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
