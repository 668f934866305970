//! Planner hints that both databases understand.
use sea_orm::{
    sea_query::{Expr, ExprTrait, IntoColumnRef},
    DbBackend,
};

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

/// [`unindexed`] for a column of any type, `column = value`: SQLite's unary
/// `+` (the same value, of any type, and no index serves it; `+ 0` would turn
/// a UUID, stored as a blob, into a number). PostgreSQL keeps statistics and
/// picks the narrower index by itself, and has no unary `+` for UUIDs, so
/// there the term stays as it is.
#[must_use]
pub fn unindexed_eq(
    backend: DbBackend,
    column: impl IntoColumnRef,
    value: impl Into<sea_orm::Value>,
) -> Expr {
    let column = Expr::col(column);
    let column = match backend {
        // SQLite's placeholder is `?` (only PostgreSQL's are numbered).
        DbBackend::Sqlite => Expr::cust_with_expr("+?", column),
        _ => column,
    };
    column.eq(value.into())
}
