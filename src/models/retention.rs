//! Retention (contract, "Operations"): what `cargo loco task purge` deletes.
//! Each rule is a set of short deletes over ranges of the primary key, so a
//! purge of millions of rows never holds a lock (or SQLite's write turn) for
//! long and never re-scans what an earlier batch already passed; the queue's
//! finished jobs are the task's own (`tasks::purge`), through Loco's queue.
//!
//! Safe with several schedulers: every delete is idempotent, and two purges
//! running at once delete the same rows once (the second finds them gone).
use chrono::{DateTime, Duration, FixedOffset};
use sea_orm::{
    sea_query::{Condition, Expr, Func},
    ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::_entities::{idempotency_keys, notifications, sessions};
use crate::db::Db;

/// Sessions expired or revoked this long ago go (the contract's 7 days:
/// long enough to answer a reused refresh token as reuse for a week).
fn session_grace() -> Duration {
    Duration::days(7)
}

/// Primary keys per delete statement: each is a short write, and a table of
/// a million rows takes a hundred.
const IDS_PER_DELETE: i32 = 10_000;

/// The periods that are settings (`settings.retention`).
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Read notifications older than this go.
    pub notifications_read: Duration,
}

/// How many rows each rule deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub idempotency_keys: u64,
    pub notifications: u64,
}

/// Deletes, as of `now`, every row the rules no longer keep.
///
/// # Errors
/// Database errors (a purge that stops half-way is simply resumed by the
/// next one).
pub async fn purge(db: &Db, now: DateTime<FixedOffset>, rules: Rules) -> Result<Purged, DbErr> {
    let stale = now - session_grace();
    let sessions = delete_where::<sessions::Entity>(
        db,
        sessions::Column::Id,
        Condition::any()
            .add(sessions::Column::ExpiresAt.lt(stale))
            .add(sessions::Column::RevokedAt.lt(stale)),
    )
    .await?;
    let idempotency_keys = delete_where::<idempotency_keys::Entity>(
        db,
        idempotency_keys::Column::Id,
        // Keys answer for 24 hours only (`idempotency_keys::ttl`).
        Condition::all()
            .add(idempotency_keys::Column::CreatedAt.lt(now - super::idempotency_keys::ttl())),
    )
    .await?;
    let notifications = delete_where::<notifications::Entity>(
        db,
        notifications::Column::Id,
        Condition::all()
            .add(notifications::Column::ReadAt.is_not_null())
            .add(notifications::Column::ReadAt.lt(now - rules.notifications_read)),
    )
    .await?;
    Ok(Purged {
        sessions,
        idempotency_keys,
        notifications,
    })
}

/// Deletes the rows of `E` matching `condition`, [`IDS_PER_DELETE`] primary
/// keys at a time from the lowest to the highest id now in the table.
async fn delete_where<E: EntityTrait>(
    db: &Db,
    id: E::Column,
    condition: Condition,
) -> Result<u64, DbErr> {
    let bounds: Option<(Option<i32>, Option<i32>)> = E::find()
        .select_only()
        .column_as(Expr::from(Func::min(Expr::col(id))), "low")
        .column_as(Expr::from(Func::max(Expr::col(id))), "high")
        .into_tuple()
        .one(db)
        .await?;
    let Some((Some(low), Some(high))) = bounds else {
        return Ok(0);
    };
    let mut deleted = 0;
    let mut start = low;
    loop {
        let end = start.saturating_add(IDS_PER_DELETE - 1).min(high);
        let done = E::delete_many()
            .filter(id.between(start, end))
            .filter(condition.clone())
            .exec(db)
            .await?;
        deleted += done.rows_affected;
        if end >= high {
            break;
        }
        start = end + 1;
    }
    Ok(deleted)
}
