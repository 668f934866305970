//! The owner's lock: every write that must see all of one user's lists,
//! labels or task tree as they stand (a quota count, a unique name, the last
//! position among siblings, the tree's shape) runs in a transaction that
//! first takes it.
use sea_orm::{
    sea_query::{Expr, ExprTrait, LockType, Query},
    ConnectionTrait, DbErr, SqlErr,
};

use super::_entities::users;
use crate::{db::Db, errors::ApiError};

/// Locks the owner's row until the transaction `txn` ends (PostgreSQL
/// `FOR UPDATE`), so two such writes of one user run one after the other:
/// what the first checked stays true until it commits, and the second
/// (READ COMMITTED: each statement reads what has committed) sees it.
/// SQLite runs one write transaction at a time (the write turn), and its
/// builder leaves the lock out. The tree triggers of `tasks` take the same
/// lock (migration `m20261207_100000_task_tree`).
///
/// # Errors
/// Database errors.
pub async fn lock_owner(txn: &Db, owner_id: i32) -> Result<(), DbErr> {
    let mut select = Query::select();
    select
        .column(users::Column::Id)
        .from(users::Entity)
        .and_where(Expr::col(users::Column::Id).eq(owner_id))
        .lock(LockType::Update);
    txn.query_one(&select).await?;
    Ok(())
}

/// A write of a `what` (a list, a label) refused by the unique index of
/// the owner's names: the 409 its name check answers, should a write ever
/// slip past that check (the owner's lock makes it impossible today).
pub fn name_taken(what: &'static str) -> impl Fn(DbErr) -> ApiError {
    move |err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::NameTaken(what),
        _ => err.into(),
    }
}
