//! Planner hints that both databases understand.
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef};

/// `column + 0`: the same value, but no index serves it, so the planner
/// looks for another. SQLite (no statistics here, `src/db/sqlite.rs`)
/// otherwise picks an index by its shape alone: for `user_id = ? AND
/// list_pid = ? ORDER BY created_at` it walked the owner's index, reading
/// every task of the owner to find one list's (`idx_tasks_user_created`),
/// instead of that list's own index (`tests/models/task_listing.rs`).
#[must_use]
pub fn unindexed(column: impl IntoColumnRef) -> Expr {
    Expr::col(column).add(0)
}
