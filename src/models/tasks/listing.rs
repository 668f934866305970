//! `GET /tasks` as SQL: owner first, then filters, one ORDER BY per sort key
//! (ties by id), and keyset pagination that continues strictly after the
//! last row served, whatever the sort (the keyset itself: `keyset`).
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait, IntoCondition, LikeExpr, Query},
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, DerivePartialModel, EntityTrait, JoinType,
    Order, PartialModelTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};
use uuid::Uuid;

use super::{
    keyset::{by_label, column, keyset, parts, KeyValue},
    Column, Entity, Model,
};
use crate::{
    db::{hints, search, Db},
    domain::{
        listing::{ParentFilter, Sort, TaskFilter},
        task::Status,
    },
    models::{
        _entities::{task_labels, tasks::Relation},
        labels,
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
        pub parent_pid: Option<Uuid>,
        pub position: String,
        pub label_count: i16,
        pub recurrence_rule: Option<String>,
        pub recurrence_from: Option<i16>,
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
/// another page follows), selecting the columns of [`ListedTask`]; a
/// `labels=` filter's labels by id: [`labelled_select`].
#[must_use]
pub fn list_select(
    backend: DbBackend,
    owner_id: i32,
    query: &ListQuery,
    now: DateTime<Utc>,
) -> Select<Entity> {
    labelled_select(backend, owner_id, query, &[], now)
}

/// [`list_select`] of the tasks carrying every label of `labels` (ids).
///
/// A narrower filter than the owner (a list, a parent, labels) is read off
/// its own index, and the owner is checked on each row
/// (`hints::unindexed`). With labels, the first label's `task_labels` rows
/// drive the page (joined), the others are probed; in the default order the
/// page reads those rows in their index order, so it stops at its end.
#[must_use]
pub fn labelled_select(
    backend: DbBackend,
    owner_id: i32,
    query: &ListQuery,
    labels: &[i32],
    now: DateTime<Utc>,
) -> Select<Entity> {
    let parts = parts(&query.sort);
    let labelled = !labels.is_empty() && by_label(&parts);
    let narrowed =
        query.filter.list.is_some() || query.filter.parent.is_some() || !labels.is_empty();
    let owner = if narrowed {
        hints::unindexed((Entity, Column::UserId)).eq(owner_id)
    } else {
        Expr::col((Entity, Column::UserId)).eq(owner_id)
    };
    let mut select = Entity::find().filter(owner).filter(filters(
        backend,
        &query.filter,
        !labels.is_empty(),
        now,
    ));
    if let Some((first, rest)) = labels.split_first() {
        let first = *first;
        let carries = Relation::TaskLabels.def().on_condition(move |_task, row| {
            Expr::col((row, task_labels::Column::LabelId))
                .eq(first)
                .into_condition()
        });
        select = select.join(JoinType::InnerJoin, carries);
        for label in rest {
            let carries = Query::select()
                .expr(Expr::val(1))
                .from(task_labels::Entity)
                .and_where(
                    Expr::col((task_labels::Entity, task_labels::Column::TaskPid))
                        .equals((Entity, Column::Pid)),
                )
                .and_where(
                    Expr::col((task_labels::Entity, task_labels::Column::LabelId)).eq(*label),
                )
                .to_owned();
            select = select.filter(Expr::exists(carries));
        }
    }
    if let Some(key) = &query.after {
        select = select.filter(keyset(&parts, key, labelled));
    }
    for (part, descending) in &parts {
        let order = if *descending { Order::Desc } else { Order::Asc };
        select = select.order_by(column(*part, *descending, labelled), order);
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

/// The filters of `filter`; `labelled`: the page is read by label, so the
/// list is not the index to read.
fn filters(
    backend: DbBackend,
    filter: &TaskFilter,
    labelled: bool,
    now: DateTime<Utc>,
) -> Condition {
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
        // A parent's subtasks are read off the parent's index, labelled
        // tasks off the label's.
        let by_parent = matches!(filter.parent, Some(ParentFilter::Of(_)));
        all = all.add(if by_parent || labelled {
            hints::unindexed_eq(backend, (Entity, Column::ListPid), list)
        } else {
            Expr::col((Entity, Column::ListPid)).eq(list)
        });
    }
    match filter.parent {
        Some(ParentFilter::TopLevel) => all = all.add(Column::ParentPid.is_null()),
        Some(ParentFilter::Of(parent)) => all = all.add(Column::ParentPid.eq(parent)),
        None => {}
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
        let labels = if query.filter.labels.is_empty() {
            Vec::new()
        } else {
            match labels::filter_ids(db, owner_id, &query.filter.labels).await? {
                Some(ids) => ids,
                // A name without a label: no task carries it.
                None => return Ok((Vec::new(), false)),
            }
        };
        let backend = db.get_database_backend();
        // Unfiltered, a page is read off its sort's index up to its LIMIT:
        // bounded work, fit for the calling thread (`Db::bounded`), and its
        // SQL is built once per sort (`page`).
        let mut rows = if query.filter.is_empty() {
            let statement = super::page::unfiltered(backend, owner_id, query);
            db.bounded::<ListedTask>(statement).await?
        } else {
            let select = labelled_select(backend, owner_id, query, &labels, now);
            select.into_model::<ListedTask>().all(db).await?
        };
        let more = rows.len() as u64 > query.limit;
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }
}

/// The label names of the tasks of a page that carry any: one read, none
/// when no task of the page has labels.
///
/// # Errors
/// Database errors.
pub async fn page_labels(
    db: &Db,
    rows: &[ListedTask],
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
    let pids: Vec<Uuid> = rows
        .iter()
        .filter(|row| row.label_count > 0)
        .map(|row| row.pid)
        .collect();
    labels::names_of(db, pids).await
}
