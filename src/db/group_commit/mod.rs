//! Group commit: the request path's SQLite writes, several to a transaction.
//!
//! A write to SQLite costs mostly its commit: the WAL frames of every page
//! it touched (a task insert touches the table and eleven index leaves), and
//! every other connection drops its page cache at its next read because the
//! database changed. Concurrent requests write the same few pages (an
//! owner's rows sit together in every index), so one task here runs the
//! writes that are waiting at that moment in one transaction on a
//! connection of its own: the shared pages are written once per batch, and
//! readers see one change instead of many (docs/performance.md).
//!
//! What a caller sees does not change. Each statement gets its own result
//! (rows, rows affected, last insert id, or its own error), and only after
//! the transaction committed, so a write that returned is durable and visible
//! to the next read, as in autocommit mode. A statement that fails on a
//! constraint fails alone: SQLite undoes that statement and the transaction
//! goes on. If an error ends the whole transaction instead (SQLite rolls back
//! on some I/O, memory and disk-full errors), the statement that failed gets
//! its error and the ones before it run again in a new transaction; nothing
//! of theirs was kept. A batch of one runs in autocommit mode, as before.
//!
//! The batch holds this process's SQLite write turn (`db::write_turn`),
//! so it takes turns fairly with the one request-path transaction that runs
//! elsewhere (the idempotent create). A request that is cancelled while its
//! write waits does not take the write back: it runs, and its result is
//! dropped, as with a statement already sent to a connection.
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex, PoisonError,
};

use sea_orm::{
    sqlx::{
        self,
        sqlite::{SqliteConnectOptions, SqliteQueryResult, SqliteRow},
    },
    Statement,
};
use tokio::sync::{mpsc, oneshot};

use super::pool::AfterConnect;

mod writer;

/// The most statements one transaction takes: a bound on how long the
/// first of them waits for the last.
pub const MAX_BATCH: usize = 128;

/// What to do with a statement's outcome.
#[derive(Debug, Clone, Copy)]
enum Work {
    /// Rows affected and last insert id.
    Execute,
    /// The rows it returns (`RETURNING`).
    Fetch,
}

/// The outcome of one statement.
#[derive(Debug)]
enum Done {
    Executed(SqliteQueryResult),
    Rows(Vec<SqliteRow>),
}

struct Job {
    stmt: Statement,
    work: Work,
    reply: oneshot::Sender<Result<Done, sqlx::Error>>,
}

/// Counts since the writer was made (for tests and diagnostics).
#[derive(Debug, Default)]
struct Counters {
    transactions: AtomicU64,
    statements: AtomicU64,
}

/// How many statements the writer ran, and in how many commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub commits: u64,
    pub statements: u64,
}

/// The writer of one SQLite database: a task started with the first write
/// (again after its runtime ended, as between tests), with a connection of
/// its own opened with the pool's options.
pub struct GroupCommit {
    options: SqliteConnectOptions,
    after_connect: AfterConnect,
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// Whether `sql` changes data (and so goes to the writer).
#[must_use]
pub fn is_write(sql: &str) -> bool {
    let head = sql.trim_start().as_bytes();
    ["INSERT", "UPDATE", "DELETE", "REPLACE"]
        .iter()
        .any(|verb| {
            head.len() > verb.len()
                && head[..verb.len()].eq_ignore_ascii_case(verb.as_bytes())
                && head[verb.len()].is_ascii_whitespace()
        })
}

impl GroupCommit {
    #[must_use]
    pub fn new(options: SqliteConnectOptions, after_connect: AfterConnect) -> Self {
        Self {
            options,
            after_connect,
            queue: Mutex::new(None),
            counters: Arc::default(),
        }
    }

    #[must_use]
    pub fn stats(&self) -> Stats {
        Stats {
            commits: self.counters.transactions.load(Ordering::Relaxed),
            statements: self.counters.statements.load(Ordering::Relaxed),
        }
    }

    /// Runs `stmt` in the next batch; its rows affected and last insert id,
    /// once committed.
    ///
    /// # Errors
    /// The statement's own error; the error that ended its transaction or
    /// commit; [`sqlx::Error::WorkerCrashed`] if the writer is gone.
    pub async fn execute(&self, stmt: Statement) -> Result<SqliteQueryResult, sqlx::Error> {
        match self.run(stmt, Work::Execute).await? {
            Done::Executed(done) => Ok(done),
            Done::Rows(_) => Ok(SqliteQueryResult::default()),
        }
    }

    /// Runs `stmt` in the next batch; the rows it returns (`RETURNING`),
    /// once committed.
    ///
    /// # Errors
    /// As [`Self::execute`].
    pub async fn fetch(&self, stmt: Statement) -> Result<Vec<SqliteRow>, sqlx::Error> {
        match self.run(stmt, Work::Fetch).await? {
            Done::Rows(rows) => Ok(rows),
            Done::Executed(_) => Ok(Vec::new()),
        }
    }

    async fn run(&self, stmt: Statement, work: Work) -> Result<Done, sqlx::Error> {
        let (reply, outcome) = oneshot::channel();
        let job = Job { stmt, work, reply };
        {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let job = match queue.as_ref() {
                Some(writer) => writer.send(job).err().map(|unsent| unsent.0),
                None => Some(job),
            };
            if let Some(job) = job {
                let (sender, receiver) = mpsc::unbounded_channel();
                let writer = writer::Writer::new(
                    self.options.clone(),
                    self.after_connect,
                    self.counters.clone(),
                );
                tokio::spawn(writer.serve(receiver));
                sender.send(job).map_err(|_| sqlx::Error::WorkerCrashed)?;
                *queue = Some(sender);
            }
        }
        outcome.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }
}
