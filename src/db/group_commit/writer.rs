//! The writer's task: batches, transactions, and the errors that end them
//! (see the parent module).
use std::{
    collections::VecDeque,
    sync::{atomic::Ordering, Arc},
};

use sea_orm::{
    sqlx::{
        self,
        sqlite::{SqliteConnectOptions, SqliteConnection},
        ConnectOptions as _,
    },
    Statement, Values,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::mpsc;

use super::{Counters, Done, Job, Work, MAX_BATCH};
use crate::db::{pool::AfterConnect, write_turn};

pub(super) struct Writer {
    options: SqliteConnectOptions,
    after_connect: AfterConnect,
    counters: Arc<Counters>,
    /// Dropped (and opened again for the next batch) when it is found
    /// inside a transaction it cannot leave, or broken.
    conn: Option<SqliteConnection>,
}

/// `err` for the other statements of a batch it ended.
fn shared(err: &sqlx::Error) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!(
        "the transaction of this write failed: {err}"
    )))
}

/// Runs `stmt` (a copy of its values: it may have to run again).
async fn statement(
    conn: &mut SqliteConnection,
    stmt: &Statement,
    work: Work,
) -> Result<Done, sqlx::Error> {
    let values = stmt.values.clone().unwrap_or_else(|| Values(Vec::new()));
    let query = sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values));
    match work {
        Work::Execute => query.execute(conn).await.map(Done::Executed),
        Work::Fetch => query.fetch_all(conn).await.map(Done::Rows),
    }
}

/// Whether the connection is outside any transaction (SQLite rolled back).
async fn in_autocommit(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    // SAFETY: `db` is this connection's open handle, held exclusively through
    // the lock for the duration of the call, which only reads a flag.
    Ok(unsafe { libsqlite3_sys::sqlite3_get_autocommit(db.as_ptr()) } != 0)
}

async fn sql(conn: &mut SqliteConnection, text: &'static str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(text))
        .execute(conn)
        .await
        .map(drop)
}

impl Writer {
    pub(super) fn new(
        options: SqliteConnectOptions,
        after_connect: AfterConnect,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            options,
            after_connect,
            counters,
            conn: None,
        }
    }

    pub(super) async fn serve(mut self, mut queue: mpsc::UnboundedReceiver<Job>) {
        let mut jobs = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
            let turn = write_turn::sqlite().await;
            // Those that came while the turn was taken join this batch.
            while jobs.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            self.batch(jobs.drain(..).collect()).await;
            drop(turn);
        }
    }

    /// The open connection, opened if need be.
    async fn connection(&mut self) -> Result<&mut SqliteConnection, sqlx::Error> {
        if self.conn.is_none() {
            let mut conn = self.options.connect().await?;
            (self.after_connect)(&mut conn).await?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("opened above"))
    }

    async fn batch(&mut self, mut pending: VecDeque<Job>) {
        while !pending.is_empty() {
            let conn = match self.connection().await {
                Ok(conn) => conn,
                Err(err) => return fail(pending, &err),
            };
            if let [job] = pending.make_contiguous() {
                let outcome = statement(conn, &job.stmt, job.work).await;
                self.count(1);
                let job = pending.pop_front().expect("one job");
                let _ = job.reply.send(outcome);
                return;
            }
            if let Err(err) = sql(conn, "BEGIN IMMEDIATE").await {
                if !matches!(in_autocommit(conn).await, Ok(true)) {
                    self.conn = None;
                }
                return fail(pending, &err);
            }
            let mut done = Vec::with_capacity(pending.len());
            let mut ended = false;
            while let Some(job) = pending.pop_front() {
                let outcome = statement(conn, &job.stmt, job.work).await;
                if outcome.is_err() {
                    // A constraint error undoes only its statement; some
                    // other errors end the transaction (or the connection).
                    let open = in_autocommit(conn).await.map(|auto| !auto);
                    if !matches!(open, Ok(true)) {
                        let _ = job.reply.send(outcome);
                        // Nothing of theirs was kept: they run again.
                        for (earlier, _) in done.drain(..).rev() {
                            pending.push_front(earlier);
                        }
                        if open.is_err() {
                            self.conn = None;
                        }
                        ended = true;
                        break;
                    }
                }
                done.push((job, outcome));
            }
            if !ended {
                self.commit(done).await;
            }
        }
    }

    async fn commit(&mut self, done: Vec<(Job, Result<Done, sqlx::Error>)>) {
        let Some(conn) = self.conn.as_mut() else {
            return fail(
                done.into_iter().map(|(job, _)| job).collect(),
                &sqlx::Error::WorkerCrashed,
            );
        };
        match sql(conn, "COMMIT").await {
            Ok(()) => {
                self.count(done.len());
                for (job, outcome) in done {
                    let _ = job.reply.send(outcome);
                }
            }
            Err(err) => {
                let _ = sql(conn, "ROLLBACK").await;
                if !matches!(in_autocommit(conn).await, Ok(true)) {
                    self.conn = None;
                }
                fail(done.into_iter().map(|(job, _)| job).collect(), &err);
            }
        }
    }

    fn count(&self, statements: usize) {
        self.counters.transactions.fetch_add(1, Ordering::Relaxed);
        self.counters.statements.fetch_add(
            u64::try_from(statements).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }
}

/// Answers every job with `err`.
fn fail(jobs: VecDeque<Job>, err: &sqlx::Error) {
    for job in jobs {
        let _ = job.reply.send(Err(shared(err)));
    }
}
