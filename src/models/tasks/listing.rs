//! `GET /tasks` as SQL: owner first, then filters, one ORDER BY per sort key
//! (ties by id), and keyset pagination that continues strictly after the
//! last row served, whatever the sort (the keyset itself: `keyset`).
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait, LikeExpr},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, DerivePartialModel, EntityTrait, Order,
    PartialModelTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

use super::{
    keyset::{column, keyset, parts, KeyValue},
    Column, Entity, Model,
};
use crate::{
    db::{hints, search, Db},
    domain::{
        listing::{Sort, TaskFilter},
        task::Status,
    },
};

crate::db::partial_model! {
    from = Model;
    /// A task as a page lists it: the columns of the response and of the
    /// sort keys only, each field named as its column. The driver copies every
    /// column of every row it reads (a `malloc` and a `free` per value, over
    /// a third of a page's CPU), so a page leaves out the owner, the search
    /// text and the reminder bookkeeping (docs/performance.md).
    #[derive(Debug, Clone, PartialEq, Eq, DerivePartialModel)]
    #[sea_orm(entity = "Entity")]
    pub struct ListedTask {
        pub pid: Uuid,
        pub title: String,
        pub description: Option<String>,
        pub status: i16,
        pub priority: i16,
        pub due_at: Option<DateTime<FixedOffset>>,
        pub due_on: Option<NaiveDate>,
        pub completed_at: Option<DateTime<FixedOffset>>,
        pub created_at: DateTime<FixedOffset>,
        pub updated_at: DateTime<FixedOffset>,
        pub list_pid: Uuid,
    }
}

/// One page request.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub limit: u64,
    pub sort: Sort,
    pub filter: TaskFilter,
    /// The sort key of the last row of the previous page.
    pub after: Option<Vec<KeyValue>>,
}

/// The query of one page (one row more than the limit, to tell whether
/// another page follows), selecting the columns of [`ListedTask`].
#[must_use]
pub fn list_select(
    backend: DbBackend,
    owner_id: i32,
    query: &ListQuery,
    now: DateTime<Utc>,
) -> Select<Entity> {
    let parts = parts(&query.sort);
    // One list's tasks are read off that list's index; the owner is still
    // checked on each row (`hints::unindexed`).
    let owner = match query.filter.list {
        Some(_) => hints::unindexed((Entity, Column::UserId)).eq(owner_id),
        None => Expr::col((Entity, Column::UserId)).eq(owner_id),
    };
    let mut select = Entity::find()
        .filter(owner)
        .filter(filters(backend, &query.filter, now));
    if let Some(key) = &query.after {
        select = select.filter(keyset(&parts, key));
    }
    for (part, descending) in &parts {
        let order = if *descending { Order::Desc } else { Order::Asc };
        select = select.order_by(column(*part, *descending), order);
    }
    ListedTask::select_cols(select.select_only()).limit(query.limit + 1)
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as escape.
fn like_contains(term: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

fn filters(backend: DbBackend, filter: &TaskFilter, now: DateTime<Utc>) -> Condition {
    let mut all = Condition::all();
    if !filter.statuses.is_empty() {
        all = all.add(Column::Status.is_in(filter.statuses.iter().map(|s| s.rank())));
    }
    if !filter.priorities.is_empty() {
        all = all.add(Column::Priority.is_in(filter.priorities.iter().map(|p| p.rank())));
    }
    if let Some(at) = filter.due_after {
        all = all.add(Column::DueAt.gte(at.fixed_offset()));
    }
    if let Some(at) = filter.due_before {
        all = all.add(Column::DueAt.lt(at.fixed_offset()));
    }
    let overdue = Condition::all()
        .add(Column::DueAt.lt(now.fixed_offset()))
        .add(Column::Status.ne(Status::Complete.rank()));
    match filter.overdue {
        Some(true) => all = all.add(overdue),
        Some(false) => {
            all = all.add(
                Condition::any()
                    .add(Column::DueAt.is_null())
                    .add(overdue.not()),
            );
        }
        None => {}
    }
    if let Some(list) = filter.list {
        all = all.add(Column::ListPid.eq(list));
    }
    if !filter.terms.is_empty() {
        let patterns = filter
            .terms
            .iter()
            .map(|term| like_contains(term))
            .collect();
        all = all.add(search::contains_all(backend, patterns));
    }
    all
}

impl Model {
    /// One page of the owner's tasks and whether more follow.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_for_owner(
        db: &Db,
        owner_id: i32,
        query: &ListQuery,
        now: DateTime<Utc>,
    ) -> Result<(Vec<ListedTask>, bool), DbErr> {
        let select = list_select(db.get_database_backend(), owner_id, query, now);
        // Unfiltered, a page is read off its sort's index up to its LIMIT:
        // bounded work, fit for the calling thread (`Db::bounded`).
        let mut rows = if query.filter.is_empty() {
            db.bounded::<ListedTask>(select.build(db.get_database_backend()))
                .await?
        } else {
            select.into_model::<ListedTask>().all(db).await?
        };
        let more = rows.len() as u64 > query.limit;
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }
}
