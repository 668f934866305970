//! On SQLite, writers of this process take turns before they write.
//!
//! SQLite has one write lock per database. A statement that finds it taken
//! waits in SQLite's busy handler, which polls with sleeps of 1, 2, 5, 10 …
//! up to 100 ms while keeping its pooled connection: under a burst of writes
//! the unlucky ones sleep far longer than the lock is held, and the readers
//! wait for the connections they keep (docs/performance.md). The writes of
//! the request path take this FIFO turn first, without a connection: the
//! group-commit writer (`super::group_commit`) around each batch, and every
//! transaction of [`super::Db::begin`] (the idempotent create, the reminder
//! pass) for its whole length. Another process on the same file still meets
//! the busy timeout. PostgreSQL has row locks: no turn.
use sea_orm::{ConnectionTrait, DatabaseBackend};
use tokio::sync::{Mutex, MutexGuard};

static SQLITE_WRITES: Mutex<()> = Mutex::const_new(());

/// A turn to write; dropping it lets the next writer go.
#[derive(Debug)]
pub struct WriteTurn {
    _guard: Option<MutexGuard<'static, ()>>,
}

/// Waits for this process's turn to write to `db` (at once unless SQLite).
/// Not re-entrant: never take a turn while holding one, nor write through a
/// [`super::Db`] of the SQLite pool while holding one: its writer waits for
/// the same turn ([`super::Db::begin`] takes it for its transaction).
pub async fn take<C: ConnectionTrait>(db: &C) -> WriteTurn {
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        sqlite().await
    } else {
        WriteTurn { _guard: None }
    }
}

/// Waits for this process's turn to write to its SQLite database.
pub async fn sqlite() -> WriteTurn {
    WriteTurn {
        _guard: Some(SQLITE_WRITES.lock().await),
    }
}
