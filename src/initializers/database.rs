//! SQLite connection tuning applied to every pooled connection.
//!
//! Loco runs its SQLite PRAGMAs once, on one connection; the other pooled
//! connections would keep `synchronous=FULL` and could fail a waiting write
//! with "database is locked". Here the pool is rebuilt with the settings on
//! each connection: WAL (readers never block the writer), `synchronous=NORMAL`
//! (safe with WAL), a busy timeout so writers queue instead of failing, and
//! foreign keys on.
use std::{str::FromStr, time::Duration};

use loco_rs::{app::AppContext, Result};
use sea_orm::{
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, Database, DatabaseBackend,
};

/// How long a write waits for SQLite's write lock before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Replaces the SQLite pool of `ctx` with a tuned one; other databases are left as they are.
///
/// # Errors
/// When the database cannot be opened.
pub async fn tune_sqlite(mut ctx: AppContext) -> Result<AppContext> {
    if ctx.db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(ctx);
    }
    let config = &ctx.config.database;
    // Validate the URI up front so a typo reports itself here.
    SqliteConnectOptions::from_str(&config.uri)
        .map_err(|e| loco_rs::Error::string(&e.to_string()))?;
    let mut options = ConnectOptions::new(&config.uri);
    options
        .max_connections(config.max_connections)
        .min_connections(config.min_connections)
        .connect_timeout(Duration::from_millis(config.connect_timeout))
        .idle_timeout(Duration::from_millis(config.idle_timeout))
        .sqlx_logging(config.enable_logging)
        // A local file does not drop connections: skip the ping that would
        // otherwise precede every query.
        .test_before_acquire(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .pragma("cache_size", "-4000")
        });
    if let Some(acquire) = config.acquire_timeout {
        options.acquire_timeout(Duration::from_millis(acquire));
    }
    let tuned = Database::connect(options).await?;
    let previous = std::mem::replace(&mut ctx.db, tuned);
    previous.close().await?;
    Ok(ctx)
}
