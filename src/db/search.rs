//! `q=` as SQL: where a task's search text is read from on each backend.
//!
//! SQLite reads `tasks.search_text` in place: a search walks the owner's
//! rows in list order and stops after one page of matches. PostgreSQL looks
//! the text up in `task_search`, a copy kept by triggers on `tasks` with the
//! trigram GIN index that serves rare words (migration
//! `m20261203_140000_task_search`). That index lived on `tasks` before, where
//! every re-armed row (a new `due_at` or `remind_at`) added an entry to it:
//! half the time of a timezone change (docs/performance.md).
use sea_orm::{
    sea_query::{Alias, Condition, Expr, ExprTrait, LikeExpr, Query},
    DbBackend,
};

/// A task of table `tasks` whose search text contains every pattern; the
/// patterns are `LIKE` patterns (`%…%`, escaped by the caller).
#[must_use]
pub fn contains_all(backend: DbBackend, patterns: Vec<LikeExpr>) -> Condition {
    let text = |table: &str| Expr::col((Alias::new(table), Alias::new("search_text")));
    match backend {
        DbBackend::Postgres => {
            let mut all = Condition::all();
            for pattern in patterns {
                all = all.add(text("task_search").like(pattern));
            }
            Condition::all().add(
                Expr::col((Alias::new("tasks"), Alias::new("id"))).in_subquery(
                    Query::select()
                        .column((Alias::new("task_search"), Alias::new("task_id")))
                        .from(Alias::new("task_search"))
                        .cond_where(all)
                        .to_owned(),
                ),
            )
        }
        _ => patterns.into_iter().fold(Condition::all(), |all, pattern| {
            all.add(text("tasks").like(pattern))
        }),
    }
}
