//! SQLite's own pool of connections for reads (see the parent module), with
//! its group-commit writer, its direct reads, and SeaORM's pool for
//! transactions.
use std::{
    str::FromStr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use sea_orm::{
    sqlx::{
        self,
        sqlite::{SqliteConnectOptions, SqliteConnection},
        ConnectOptions as _,
    },
    DatabaseConnection, DbErr, RuntimeErr,
};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::{
    direct::DirectReads,
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
/// ([`super::group_commit`]).
pub struct SqlitePool {
    pub(super) writer: GroupCommit,
    options: SqliteConnectOptions,
    after_connect: AfterConnect,
    permits: Semaphore,
    idle: Mutex<Vec<SqliteConnection>>,
    acquire_timeout: Duration,
    pub(super) direct: Option<DirectReads>,
    /// SeaORM's pool over the same file, where transactions run.
    transactions: Option<DatabaseConnection>,
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
            transactions: None,
        }
    }

    /// The same pool, with the hot reads answered on the calling thread by
    /// read-only connections of `cache_kib` each ([`super::direct`]).
    #[must_use]
    pub fn with_direct_reads(mut self, cache_kib: u32) -> Self {
        let path = self.options.get_filename().to_path_buf();
        self.direct = Some(DirectReads::new(path, cache_kib));
        self
    }

    /// The same pool, with its transactions run on `orm` (SeaORM's pool of
    /// the same database, [`super::Db::begin`]).
    #[must_use]
    pub fn with_transactions(mut self, orm: DatabaseConnection) -> Self {
        self.transactions = Some(orm);
        self
    }

    /// Where this pool's transactions run.
    ///
    /// # Errors
    /// [`DbErr::Custom`] when the pool was built without one.
    pub(super) fn transactions(&self) -> Result<&DatabaseConnection, DbErr> {
        self.transactions
            .as_ref()
            .ok_or_else(|| DbErr::Custom("this SQLite pool runs no transactions".into()))
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
