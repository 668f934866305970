//! The engine room: everything that exists only to make the database fast
//! or safe, behind one connection type, [`Db`].
//!
//! Models take a `&Db` and use it as any SeaORM connection
//! ([`ConnectionTrait`]); two methods add what the engine room knows:
//! [`Db::bounded`] reads rows of a statement whose work is bounded (on
//! SQLite, on the calling thread), and [`Db::begin`] starts a transaction
//! that takes this process's SQLite write turn. What lies behind:
//!
//! - on PostgreSQL, SeaORM's pool;
//! - on SQLite, a pool of this module's own over the same sqlx connections
//!   ([`pool`]): sqlx's pool pings a connection's worker thread each time it
//!   goes back, which doubled the thread hand-offs of every query
//!   (docs/performance.md). Its writes go to one more connection that commits
//!   those waiting at the same moment together ([`group_commit`]); the few
//!   reads every request makes run through SQLite's C API on the request's
//!   thread ([`direct`]); transactions run on SeaORM's pool after taking the
//!   write turn ([`write_turn`]), so they never meet the group commit in
//!   SQLite's busy handler;
//! - statements built once per backend ([`prepared`]) and the connection
//!   settings of every SQLite connection ([`sqlite`]).
//!
//! Nothing outside this module names `sqlx`, `libsqlite3_sys` or
//! `sea_query_sqlx`, and this module imports nothing of the layers above it.
mod conn;
pub mod direct;
pub mod group_commit;
pub mod hints;
pub mod pool;
pub mod prepared;
pub mod search;
pub mod sqlite;
pub mod write_turn;

use std::sync::Arc;

/// [`partial_model!`](crate::partial_model): a partial model read on the direct path too.
pub use crate::partial_model;
pub use direct::{FromColumn, FromRow, Row};
use loco_rs::app::AppContext;
pub use pool::{AfterConnect, SqlitePool};
pub use prepared::{Prepared, Templates};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};
use write_turn::WriteTurn;

/// The one database handle of the application: see the module
/// documentation. A copy is cheap (a pointer or two) and shares the pool, or
/// the transaction.
#[derive(Debug, Clone)]
pub struct Db(Handle);

#[derive(Debug, Clone)]
enum Handle {
    /// SQLite: the request path's own pool, its writer and direct reads.
    Sqlite(Arc<SqlitePool>),
    /// SeaORM's pool (PostgreSQL, or a private in-memory SQLite database).
    Orm(DatabaseConnection),
    /// A transaction.
    Txn(Arc<Transaction>),
}

/// A transaction, holding the SQLite write turn when it took one (until it
/// ends, with the last copy of its handle).
#[derive(Debug)]
struct Transaction {
    /// `None` once committed or rolled back.
    txn: Option<DatabaseTransaction>,
    turn: Option<WriteTurn>,
    backend: sea_orm::DbBackend,
}

impl Handle {
    fn txn(txn: DatabaseTransaction, turn: Option<WriteTurn>) -> Self {
        Self::Txn(Arc::new(Transaction {
            backend: txn.get_database_backend(),
            txn: Some(txn),
            turn,
        }))
    }
}

impl Transaction {
    fn open(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.txn
            .as_ref()
            .ok_or_else(|| DbErr::Custom("the transaction has ended".into()))
    }
}

impl Drop for Transaction {
    /// A transaction dropped without `commit` or `rollback` (an early `?`)
    /// rolls back before it gives up the write turn. SeaORM's own drop only
    /// marks the connection for a rollback at its next use, so the turn
    /// went to the next writer while this one still held SQLite's write
    /// lock: that writer failed with "database is locked" (about one
    /// request in 200 right after a refused write, in
    /// `requests::task_move_errors`); on PostgreSQL its row locks stayed
    /// until then.
    fn drop(&mut self) {
        let (Some(txn), turn) = (self.txn.take(), self.turn.take()) else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = txn.rollback().await {
                    tracing::warn!(error = %err, "rolling back a dropped transaction failed");
                }
                drop(turn);
            });
        }
    }
}

impl Db {
    /// The handle of the application: the SQLite pool stored at boot
    /// ([`sqlite::tune`]), else SeaORM's pool.
    #[must_use]
    pub fn of(ctx: &AppContext) -> Self {
        ctx.shared_store.get::<Arc<SqlitePool>>().map_or_else(
            || Self(Handle::Orm(ctx.db.clone())),
            |pool| Self(Handle::Sqlite(pool)),
        )
    }

    /// A handle over `pool` (tests and tools build their own).
    #[must_use]
    pub fn sqlite(pool: Arc<SqlitePool>) -> Self {
        Self(Handle::Sqlite(pool))
    }

    /// The SQLite pool behind this handle, if it is one (tests, diagnostics).
    #[must_use]
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.0 {
            Handle::Sqlite(pool) => Some(pool),
            Handle::Orm(_) | Handle::Txn(_) => None,
        }
    }

    /// The direct reads of this handle, if it has them (tests, diagnostics).
    #[must_use]
    pub fn direct_reads(&self) -> Option<&direct::DirectReads> {
        self.sqlite_pool().and_then(|pool| pool.direct.as_ref())
    }

    /// The rows of `stmt` as `T`, for a statement whose work is bounded by an
    /// index look-up or a `LIMIT`: on SQLite read on the calling thread
    /// ([`direct`]) where that path can answer it, else as any query. Never
    /// use it for a search or a filter that may scan many rows: it would hold
    /// a Tokio worker for as long.
    ///
    /// # Errors
    /// Database errors; a column that does not decode as `T`.
    pub async fn bounded<T: FromRow>(&self, stmt: Statement) -> Result<Vec<T>, DbErr> {
        if let Some(rows) = self.direct_rows::<T>(&stmt) {
            return rows;
        }
        let rows = self.query_all_raw(stmt).await?;
        rows.iter().map(T::from_result).collect()
    }

    /// What the direct path answers for `stmt`: `None` when this handle has
    /// none or the path cannot answer it ([`direct::DirectReads::rows`]).
    pub fn direct_rows<T: FromRow>(&self, stmt: &Statement) -> Option<Result<Vec<T>, DbErr>> {
        self.direct_reads()?.rows(stmt)
    }

    /// Starts a transaction; [`Db::commit`] ends it, dropping it rolls back.
    /// On SQLite it first waits for this process's write turn and holds it
    /// until the end, so it must not be called while a turn is held; inside
    /// a transaction it starts a nested one (a savepoint) without a new turn.
    /// Write only through the returned handle until it ends: a write through
    /// another handle of the same SQLite database would wait for the turn.
    ///
    /// # Errors
    /// Database errors.
    pub async fn begin(&self) -> Result<Self, DbErr> {
        match &self.0 {
            Handle::Sqlite(pool) => {
                let turn = write_turn::sqlite().await;
                Ok(Self(Handle::txn(
                    pool.transactions()?.begin().await?,
                    Some(turn),
                )))
            }
            Handle::Orm(db) => {
                let turn = write_turn::take(db).await;
                Ok(Self(Handle::txn(db.begin().await?, Some(turn))))
            }
            Handle::Txn(outer) => Ok(Self(Handle::txn(outer.open()?.begin().await?, None))),
        }
    }

    /// Commits a transaction begun with [`Db::begin`].
    ///
    /// # Errors
    /// Database errors; [`DbErr::Custom`] when this handle is no transaction,
    /// or a copy of it still lives.
    pub async fn commit(self) -> Result<(), DbErr> {
        let mut ended = self.into_transaction()?;
        match ended.txn.take() {
            Some(txn) => txn.commit().await,
            None => Err(DbErr::Custom("the transaction has ended".into())),
        }
    }

    /// Rolls a transaction begun with [`Db::begin`] back.
    ///
    /// # Errors
    /// As [`Db::commit`].
    pub async fn rollback(self) -> Result<(), DbErr> {
        let mut ended = self.into_transaction()?;
        match ended.txn.take() {
            Some(txn) => txn.rollback().await,
            None => Err(DbErr::Custom("the transaction has ended".into())),
        }
    }

    fn into_transaction(self) -> Result<Transaction, DbErr> {
        let Handle::Txn(shared) = self.0 else {
            return Err(DbErr::Custom(
                "commit or rollback of a handle that is not a transaction".into(),
            ));
        };
        Arc::try_unwrap(shared).map_err(|_| {
            DbErr::Custom("a transaction cannot end while a copy of its handle lives".into())
        })
    }
}

impl From<DatabaseConnection> for Db {
    /// SeaORM's pool as a handle: for the reminder pass, workers, tasks.
    fn from(db: DatabaseConnection) -> Self {
        Self(Handle::Orm(db))
    }
}
