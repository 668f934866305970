//! SQLite connection tuning applied to every pooled connection.
//!
//! Loco runs its SQLite PRAGMAs once, on one connection; the other pooled
//! connections would keep `synchronous=FULL` and could fail a waiting write
//! with "database is locked". Here the pool is rebuilt with the settings on
//! each connection: WAL (readers never block the writer), `synchronous=NORMAL`
//! (safe with WAL), a busy timeout so writers queue instead of failing, and
//! foreign keys on, and temporary storage (statement journals) in memory.
//!
//! Each connection also gets SQLite's query-planner stability guarantee
//! (`SQLITE_DBCONFIG_ENABLE_QPSG`). SeaORM binds `LIMIT` as a parameter
//! (`.one()` is `LIMIT ?`, a page is `LIMIT ?`), and without QPSG SQLite
//! re-parses and re-plans such a statement every time it is bound again, so
//! sqlx's statement cache never helps: a quarter of the server's CPU went
//! there (docs/performance.md). With QPSG a statement keeps the plan made on
//! its first run; no plan here depends on bound values (no `ANALYZE` data,
//! `LIKE` patterns start with `%`), so the plan is the same either way.
use std::{os::raw::c_int, str::FromStr, sync::Arc, time::Duration};

use loco_rs::{app::AppContext, environment::Environment, Result};
use sea_orm::{
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    sqlx::{
        sqlite::{SqliteConnection, SqlitePoolOptions},
        ConnectOptions as _, Error as SqlxError,
    },
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
};

use super::SqlitePool;

/// How long a write waits for SQLite's write lock before giving up.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Replaces the SQLite pool of `ctx` with a tuned one whose connections
/// each keep a page cache of `cache_kib`, and stores the request path's own
/// pool of the same connections ([`super::Db::of`] finds it); other
/// databases are left as they are.
///
/// # Errors
/// When the database cannot be opened.
pub async fn tune_sqlite(mut ctx: AppContext, cache_kib: u32) -> Result<AppContext> {
    if ctx.db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(ctx);
    }
    let config = &ctx.config.database;
    // Outside tests, checkpoints run in the background (see `checkpoint`).
    let background_checkpoints = ctx.environment != Environment::Test;
    // Validate the URI up front so a typo reports itself here.
    let settings = SqliteConnectOptions::from_str(&config.uri)
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
        .map_sqlx_sqlite_opts(move |o| connection_settings(o, background_checkpoints, cache_kib))
        .map_sqlx_sqlite_pool_opts(|o: SqlitePoolOptions| {
            o.after_connect(|conn, _| Box::pin(enable_stable_plans(conn)))
        });
    if let Some(acquire) = config.acquire_timeout {
        options.acquire_timeout(Duration::from_millis(acquire));
    }
    let checkpointer = background_checkpoints.then(|| {
        // A connection of its own: the checkpoint's fsync never holds one of
        // the request pool's few connections.
        let mut own = options.clone();
        own.max_connections(1).min_connections(1);
        own
    });
    let tuned = Database::connect(options).await?;
    if SqlitePool::shares_one_database(&config.uri) {
        let mut settings = connection_settings(settings, background_checkpoints, cache_kib);
        if !config.enable_logging {
            settings = settings.disable_statement_logging();
        }
        let acquire_timeout = config
            .acquire_timeout
            .map_or(REQUEST_ACQUIRE_TIMEOUT, Duration::from_millis);
        let pool = SqlitePool::new(
            settings,
            |conn| Box::pin(enable_stable_plans(conn)),
            config.max_connections,
            acquire_timeout,
        )
        .with_direct_reads(DIRECT_READ_CACHE_KIB)
        .with_transactions(tuned.clone());
        ctx.shared_store.insert(Arc::new(pool));
    }
    let previous = std::mem::replace(&mut ctx.db, tuned);
    previous.close().await?;
    if let Some(own) = checkpointer {
        spawn_checkpoints(Database::connect(own).await?, ctx.db.clone());
    }
    Ok(ctx)
}

/// The page cache of each direct-read connection ([`super::direct`]):
/// its reads are a few index pages each, and WAL mode empties a reader's
/// cache whenever another connection has written, so a small one serves as
/// well as a large one.
pub const DIRECT_READ_CACHE_KIB: u32 = 256;

/// How long a request waits for one of the request pool's connections
/// unless `database.acquire_timeout` says otherwise (sqlx's default).
pub const REQUEST_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The settings of every SQLite connection (see the module documentation).
fn connection_settings(
    o: SqliteConnectOptions,
    background_checkpoints: bool,
    cache_kib: u32,
) -> SqliteConnectOptions {
    let o = o
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("cache_size", format!("-{cache_kib}"))
        // The statement journals of a group commit's statements spill past
        // 64 KiB: to memory, not to temporary files (docs/performance.md).
        .pragma("temp_store", "memory");
    if background_checkpoints {
        o.pragma("wal_autocheckpoint", "0")
    } else {
        o
    }
}

/// How often the background checkpoint runs.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Copies what the WAL holds into the database file, without waiting for
/// readers or writers (`PRAGMA wal_checkpoint(PASSIVE)`).
///
/// SQLite's automatic checkpoint runs inside the statement whose commit
/// crosses 1,000 WAL pages, fsyncs included, so every few hundred writes
/// one request took hundreds of milliseconds, and the writers queued behind
/// its write turn with it (patch p99 0.5 s, docs/performance.md). Outside
/// tests the pool's connections have `wal_autocheckpoint=0` and this runs
/// every [`CHECKPOINT_EVERY`] on a task of its own instead.
///
/// # Errors
/// Database errors (a busy checkpoint is not one: it retries next time).
pub async fn checkpoint(db: &DatabaseConnection) -> std::result::Result<(), DbErr> {
    db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
        .await
        .map(|_| ())
}

/// Checkpoints through `own` every [`CHECKPOINT_EVERY`] for as long as the
/// application's pool `app` is open; then closes `own`.
fn spawn_checkpoints(own: DatabaseConnection, app: DatabaseConnection) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if app.get_sqlite_connection_pool().is_closed() {
                break;
            }
            if let Err(err) = checkpoint(&own).await {
                tracing::warn!(error = %err, "background WAL checkpoint failed");
            }
        }
        drop(app);
        let _ = own.close().await;
    });
}

/// Switches on `SQLITE_DBCONFIG_ENABLE_QPSG` for one connection.
async fn enable_stable_plans(conn: &mut SqliteConnection) -> std::result::Result<(), SqlxError> {
    if qpsg(conn, 1).await? {
        Ok(())
    } else {
        Err(SqlxError::Configuration(
            "SQLite did not enable query planner stability".into(),
        ))
    }
}

/// Whether query planner stability is on for this connection (for tests and checks).
///
/// # Errors
/// When the connection's worker thread is gone.
pub async fn stable_plans_enabled(
    conn: &mut SqliteConnection,
) -> std::result::Result<bool, SqlxError> {
    qpsg(conn, -1).await
}

/// `sqlite3_db_config(SQLITE_DBCONFIG_ENABLE_QPSG, value, &out)`: `value` 1
/// enables, 0 disables, -1 leaves it; returns the setting afterwards.
async fn qpsg(conn: &mut SqliteConnection, value: c_int) -> std::result::Result<bool, SqlxError> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle();
    let mut enabled: c_int = 0;
    // SAFETY: `db` is this connection's open handle, held exclusively through
    // the lock for the duration of the call; the option takes an int and an
    // int* (SQLITE_DBCONFIG_ENABLE_QPSG's documented arguments).
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db.as_ptr(),
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            value,
            &raw mut enabled,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK {
        return Err(SqlxError::Configuration(
            format!("sqlite3_db_config(QPSG) failed with code {rc}").into(),
        ));
    }
    Ok(enabled == 1)
}
