//! The database handle of the request path.
//!
//! On PostgreSQL it is the application's SeaORM pool. On SQLite it is a pool
//! of this module's own, over the same sqlx connections with the same
//! settings, because sqlx's pool is slow for SQLite in one particular way:
//! each time a connection goes back, sqlx spawns a task that pings it, and
//! an SQLite connection answers a ping from its own worker thread. So every
//! query cost two round trips between a Tokio worker and the connection's
//! thread (the query, then the ping), with two thread wake-ups each, and a
//! GET made four (docs/performance.md). Here a connection goes back to the
//! idle list at once, and a query costs one round trip.
//!
//! Skipping that ping is safe for these connections: a local SQLite file does
//! not drop connections, and the request path reads with single statements
//! in autocommit mode here (its one transaction, the idempotent create, runs
//! on the SeaORM pool), so no connection goes back inside a transaction. A
//! statement whose request was cancelled still runs to its end on the
//! connection's thread before the next command, as sqlx does.
//!
//! The writes (`INSERT`, `UPDATE`, `DELETE`) go to one more connection,
//! which commits those that wait at the same moment together
//! ([`crate::group_commit`]).
use std::{
    str::FromStr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use axum::{extract::FromRequestParts, http::request::Parts};
use loco_rs::app::AppContext;
use sea_orm::{
    sqlx::{
        self,
        sqlite::{SqliteConnectOptions, SqliteConnection},
        ConnectOptions as _,
    },
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr,
    Statement,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::{
    direct_read::{DirectReads, ReadsDirect},
    errors::ApiError,
    extractors::AppState,
    group_commit::{self, GroupCommit},
};

/// Run once on each new connection (the settings sqlx has no option for).
pub type AfterConnect = for<'c> fn(
    &'c mut SqliteConnection,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'c>,
>;

/// Up to `size` SQLite connections for reads, opened when first needed and
/// kept, and one more for the writes, which it runs several to a transaction
/// ([`crate::group_commit`]).
pub struct SqlitePool {
    writer: GroupCommit,
    options: SqliteConnectOptions,
    after_connect: AfterConnect,
    permits: Semaphore,
    idle: Mutex<Vec<SqliteConnection>>,
    acquire_timeout: Duration,
    direct: Option<DirectReads>,
}

impl std::fmt::Debug for SqlitePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlitePool")
            .field("available", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

/// A connection lent out; back to the idle list when dropped.
pub struct Lease<'a> {
    pool: &'a SqlitePool,
    conn: Option<SqliteConnection>,
    _permit: SemaphorePermit<'a>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

impl std::ops::Deref for Lease<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.conn
            .as_ref()
            .expect("a lease holds its connection until dropped")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until dropped")
    }
}

fn query_err(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

fn exec_err(err: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

/// `stmt` as an sqlx query (cached per connection, as SeaORM's are); its
/// values move into the query.
fn bound(stmt: &mut Statement) -> sqlx::query::Query<'_, sqlx::Sqlite, SqlxValues> {
    let values = stmt
        .values
        .take()
        .unwrap_or_else(|| sea_orm::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

impl SqlitePool {
    /// A pool of up to `size` connections made with `options`, each passed
    /// through `after_connect` once when opened.
    #[must_use]
    pub fn new(
        options: SqliteConnectOptions,
        after_connect: AfterConnect,
        size: u32,
        acquire_timeout: Duration,
    ) -> Self {
        let size = usize::try_from(size.max(1)).unwrap_or(1);
        Self {
            writer: GroupCommit::new(options.clone(), after_connect),
            options,
            after_connect,
            permits: Semaphore::new(size),
            idle: Mutex::new(Vec::with_capacity(size)),
            acquire_timeout,
            direct: None,
        }
    }

    /// The same pool, with the hot reads answered on the calling thread by
    /// read-only connections of `cache_kib` each ([`crate::direct_read`]).
    #[must_use]
    pub fn with_direct_reads(mut self, cache_kib: u32) -> Self {
        let path = self.options.get_filename().to_path_buf();
        self.direct = Some(DirectReads::new(path, cache_kib));
        self
    }

    /// Whether `uri` names a database every connection shares (a file, not
    /// a private in-memory database).
    #[must_use]
    pub fn shares_one_database(uri: &str) -> bool {
        uri.starts_with("sqlite:")
            && SqliteConnectOptions::from_str(uri).is_ok()
            && !uri.contains(":memory:")
            && !uri.contains("mode=memory")
    }

    /// How many writes the writer ran, in how many commits.
    #[must_use]
    pub fn write_stats(&self) -> group_commit::Stats {
        self.writer.stats()
    }

    /// An idle connection, or a new one while fewer than `size` are open;
    /// waits for one to come back otherwise (at most the acquire timeout).
    ///
    /// # Errors
    /// [`DbErr::ConnectionAcquire`] on timeout; [`DbErr::Conn`] when a new
    /// connection cannot be opened.
    pub async fn acquire(&self) -> Result<Lease<'_>, DbErr> {
        let permit = tokio::time::timeout(self.acquire_timeout, self.permits.acquire())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed))?;
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn_err = |e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e)));
                let mut conn = self.options.connect().await.map_err(conn_err)?;
                (self.after_connect)(&mut conn).await.map_err(conn_err)?;
                conn
            }
        };
        Ok(Lease {
            pool: self,
            conn: Some(conn),
            _permit: permit,
        })
    }
}

impl ReadsDirect for RequestDb {
    fn direct(&self) -> Option<&DirectReads> {
        match self {
            Self::Sqlite(pool) => pool.direct.as_ref(),
            Self::Orm(_) => None,
        }
    }
}

/// The rows a write returns (`RETURNING`), run by the writer.
async fn written_rows(pool: &SqlitePool, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
    let rows = pool.writer.fetch(stmt).await.map_err(query_err)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The request path's database: see the module documentation.
#[derive(Debug, Clone)]
pub enum RequestDb {
    Sqlite(Arc<SqlitePool>),
    Orm(DatabaseConnection),
}

impl RequestDb {
    /// The handle stored at boot, or the application's pool.
    #[must_use]
    pub fn of(ctx: &AppContext) -> Self {
        ctx.shared_store
            .get::<Arc<SqlitePool>>()
            .map_or_else(|| Self::Orm(ctx.db.clone()), Self::Sqlite)
    }
}

impl<S: AppState> FromRequestParts<S> for RequestDb {
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(state.app()))
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for RequestDb {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Self::Sqlite(_) => DbBackend::Sqlite,
            Self::Orm(db) => db.get_database_backend(),
        }
    }

    async fn execute_raw(&self, mut stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Self::Sqlite(pool) if group_commit::is_write(&stmt.sql) => {
                let done = pool.writer.execute(stmt).await;
                done.map(Into::into).map_err(exec_err)
            }
            Self::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let done = bound(&mut stmt).execute(&mut *lease).await;
                done.map(Into::into).map_err(exec_err)
            }
            Self::Orm(db) => db.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Self::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut *lease)
                    .await;
                done.map(Into::into).map_err(exec_err)
            }
            Self::Orm(db) => db.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, mut stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Self::Sqlite(pool) if group_commit::is_write(&stmt.sql) => {
                let rows = written_rows(pool, stmt).await?;
                Ok(rows.into_iter().next())
            }
            Self::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let row = bound(&mut stmt).fetch_optional(&mut *lease).await;
                row.map(|r| r.map(Into::into)).map_err(query_err)
            }
            Self::Orm(db) => db.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, mut stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Self::Sqlite(pool) if group_commit::is_write(&stmt.sql) => {
                written_rows(pool, stmt).await
            }
            Self::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let rows = bound(&mut stmt).fetch_all(&mut *lease).await;
                rows.map(|r| r.into_iter().map(Into::into).collect())
                    .map_err(query_err)
            }
            Self::Orm(db) => db.query_all_raw(stmt).await,
        }
    }
}
