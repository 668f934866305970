//! Reads on the request's own thread, for the few SQLite statements every
//! request runs.
//!
//! sqlx drives each SQLite connection from a thread of its own: a query is
//! a message to that thread and a wake-up, and each row read is a message
//! back and another wake-up, with every value of the row copied. Under load
//! those hand-overs (futex wake-ups and context switches) took more of the
//! server's CPU than SQLite's own work on the reads (docs/performance.md,
//! change 16). The session check, the session check joined with a task, and
//! an unfiltered page of tasks are answered from an index in a few
//! microseconds, so here they run on the calling thread instead, on
//! read-only connections of this module's own, and their rows are decoded
//! straight into the models, column by column as each model defines them
//! ([`columns`]).
//!
//! Only statements whose work is bounded (a key look-up, or a page read off
//! an index up to its `LIMIT`) come here; a search or a filtered page, which
//! may scan many rows, stays on sqlx's threads. A connection here never
//! waits: where SQLite reports the database busy, or a value is of a type
//! this path does not bind, [`DirectReads::rows`] gives `None` and the
//! caller takes the usual path.
mod bind;
mod columns;
mod conn;
mod row;

use std::{
    path::PathBuf,
    sync::{Mutex, PoisonError},
};

pub use bind::binds;
pub use columns::{Columns, FromRow, Joined};
pub use conn::{DirectError, RawConn};
pub use row::{FromColumn, Row};
use sea_orm::{DbErr, Statement};

/// Read-only connections to one SQLite file, opened when first needed.
#[derive(Debug)]
pub struct DirectReads {
    path: PathBuf,
    cache_kib: u32,
    idle: Mutex<Vec<RawConn>>,
}

impl std::fmt::Debug for RawConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawConn")
    }
}

/// Idle connections kept: one per thread that reads at the same moment.
const MAX_IDLE: usize = 8;

impl DirectReads {
    #[must_use]
    pub fn new(path: PathBuf, cache_kib: u32) -> Self {
        Self {
            path,
            cache_kib,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// The rows of `stmt` as `T`, read on this thread; `None` when this path
    /// cannot answer it (a value it does not bind, the database busy, or the
    /// file not openable read-only) and the caller should run it as usual.
    pub fn rows<T: FromRow>(&self, stmt: &Statement) -> Option<Result<Vec<T>, DbErr>> {
        let values = stmt.values.as_ref().map_or(&[][..], |v| v.0.as_slice());
        if !values.iter().all(binds) {
            return None;
        }
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => RawConn::open(&self.path, self.cache_kib).ok()?,
        };
        let rows = conn.query(&stmt.sql, values, T::from_row);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
        match rows {
            Ok(rows) => Some(Ok(rows)),
            Err(DirectError::Busy) => None,
            Err(err @ DirectError::Decode(_)) => Some(Err(DbErr::Type(err.to_string()))),
            Err(err) => Some(Err(DbErr::Custom(format!("SQLite: {err}")))),
        }
    }

    /// How many idle connections are kept (for tests).
    #[must_use]
    pub fn idle(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
