//! [`Db`] as a SeaORM connection: on SQLite, reads go to one of the pool's
//! connections (one round trip each) and writes (`INSERT`, `UPDATE`,
//! `DELETE`) to the group-commit writer; elsewhere SeaORM does the work.
//!
//! Skipping sqlx's ping when a connection goes back is safe for the pool's
//! connections: a local SQLite file does not drop connections, and they read
//! with single statements in autocommit mode (transactions run on SeaORM's
//! pool), so no connection goes back inside a transaction. A statement whose
//! request was cancelled still runs to its end on the connection's thread
//! before the next command, as sqlx does.
use std::sync::Arc;

use sea_orm::{
    sqlx, ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;

use super::{group_commit, Db, Handle, SqlitePool};

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

/// The rows a write returns (`RETURNING`), run by the writer.
async fn written_rows(pool: &SqlitePool, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
    let rows = pool.writer.fetch(stmt).await.map_err(query_err)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        match &self.0 {
            Handle::Sqlite(_) => DbBackend::Sqlite,
            Handle::Orm(db) => db.get_database_backend(),
            Handle::Txn(t) => t.backend,
        }
    }

    async fn execute_raw(&self, mut stmt: Statement) -> Result<ExecResult, DbErr> {
        match &self.0 {
            Handle::Sqlite(pool) if group_commit::is_write(&stmt.sql) => {
                let done = pool.writer.execute(stmt).await;
                done.map(Into::into).map_err(exec_err)
            }
            Handle::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let done = bound(&mut stmt).execute(&mut *lease).await;
                done.map(Into::into).map_err(exec_err)
            }
            Handle::Orm(db) => db.execute_raw(stmt).await,
            Handle::Txn(t) => t.open()?.execute_raw(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match &self.0 {
            Handle::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut *lease)
                    .await;
                done.map(Into::into).map_err(exec_err)
            }
            Handle::Orm(db) => db.execute_unprepared(sql).await,
            Handle::Txn(t) => t.open()?.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, mut stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.0 {
            Handle::Sqlite(pool) if group_commit::is_write(&stmt.sql) => {
                let rows = written_rows(pool, stmt).await?;
                Ok(rows.into_iter().next())
            }
            Handle::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let row = bound(&mut stmt).fetch_optional(&mut *lease).await;
                row.map(|r| r.map(Into::into)).map_err(query_err)
            }
            Handle::Orm(db) => db.query_one_raw(stmt).await,
            Handle::Txn(t) => t.open()?.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, mut stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.0 {
            Handle::Sqlite(pool) if group_commit::is_write(&stmt.sql) => {
                written_rows(pool, stmt).await
            }
            Handle::Sqlite(pool) => {
                let mut lease = pool.acquire().await?;
                let rows = bound(&mut stmt).fetch_all(&mut *lease).await;
                rows.map(|r| r.into_iter().map(Into::into).collect())
                    .map_err(query_err)
            }
            Handle::Orm(db) => db.query_all_raw(stmt).await,
            Handle::Txn(t) => t.open()?.query_all_raw(stmt).await,
        }
    }
}
