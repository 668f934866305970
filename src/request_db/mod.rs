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
mod pool;

use std::sync::Arc;

use axum::{extract::FromRequestParts, http::request::Parts};
use loco_rs::app::AppContext;
pub use pool::{AfterConnect, Lease, SqlitePool};
use sea_orm::{
    sqlx, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;

use crate::{
    direct_read::{DirectReads, ReadsDirect},
    errors::ApiError,
    extractors::AppState,
    group_commit,
};

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
