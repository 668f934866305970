//! `GET /tasks` as SQL: owner first, then filters, one ORDER BY per sort key
//! (ties by id), and keyset pagination that continues strictly after the
//! last row served, whatever the sort.
//!
//! A due-date sort is two keys: "has no due date" (always ascending, so
//! tasks without one come last in both directions) and the due instant.
use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait, LikeExpr, SimpleExpr},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{json, Value};
use uuid::Uuid;

use super::_entities::tasks::{Column, Entity, Model};
use crate::domain::{
    listing::{Sort, SortField, TaskFilter},
    task::Status,
};

/// One page request.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub limit: u64,
    pub sort: Sort,
    pub filter: TaskFilter,
    /// The sort key of the last row of the previous page.
    pub after: Option<Vec<KeyValue>>,
}

/// A column of the keyset, in ORDER BY order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    CreatedAt,
    UpdatedAt,
    DueMissing,
    DueAt,
    Priority,
    Title,
    Status,
    Id,
}

/// A typed value of one keyset column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    Time(DateTime<FixedOffset>),
    MaybeTime(Option<DateTime<FixedOffset>>),
    Flag(bool),
    Rank(i16),
    Text(String),
    Id(Uuid),
}

fn parts(sort: &Sort) -> Vec<(Part, bool)> {
    let mut parts = Vec::new();
    for key in sort.keys() {
        match key.field {
            SortField::CreatedAt => parts.push((Part::CreatedAt, key.descending)),
            SortField::UpdatedAt => parts.push((Part::UpdatedAt, key.descending)),
            SortField::DueDate => {
                parts.push((Part::DueMissing, false));
                parts.push((Part::DueAt, key.descending));
            }
            SortField::Priority => parts.push((Part::Priority, key.descending)),
            SortField::Title => parts.push((Part::Title, key.descending)),
            SortField::Status => parts.push((Part::Status, key.descending)),
        }
    }
    parts.push((Part::Id, sort.id_descending()));
    parts
}

fn column(part: Part) -> SimpleExpr {
    match part {
        Part::CreatedAt => Expr::col(Column::CreatedAt),
        Part::UpdatedAt => Expr::col(Column::UpdatedAt),
        Part::DueMissing => Expr::col(Column::DueAt).is_null(),
        Part::DueAt => Expr::col(Column::DueAt),
        Part::Priority => Expr::col(Column::Priority),
        Part::Title => Expr::col(Column::Title),
        Part::Status => Expr::col(Column::Status),
        Part::Id => Expr::col(Column::Pid),
    }
}

fn sql_value(value: &KeyValue) -> sea_orm::Value {
    match value {
        KeyValue::Time(t) => (*t).into(),
        KeyValue::MaybeTime(t) => (*t).into(),
        KeyValue::Flag(b) => (*b).into(),
        KeyValue::Rank(r) => (*r).into(),
        KeyValue::Text(s) => s.clone().into(),
        KeyValue::Id(id) => (*id).into(),
    }
}

/// `part = value`, with NULL and the "has no due date" flag spelled out.
fn equal(part: Part, value: &KeyValue) -> SimpleExpr {
    match (part, value) {
        (Part::DueMissing, KeyValue::Flag(true)) | (Part::DueAt, KeyValue::MaybeTime(None)) => {
            Expr::col(Column::DueAt).is_null()
        }
        (Part::DueMissing, _) => Expr::col(Column::DueAt).is_not_null(),
        _ => column(part).eq(sql_value(value)),
    }
}

/// `part` strictly after `value` in its direction; `None` when nothing can be.
fn after(part: Part, value: &KeyValue, descending: bool) -> Option<SimpleExpr> {
    match (part, value) {
        (Part::DueMissing, KeyValue::Flag(false)) => Some(Expr::col(Column::DueAt).is_null()),
        (Part::DueMissing, _) | (Part::DueAt, KeyValue::MaybeTime(None)) => None,
        _ if descending => Some(column(part).lt(sql_value(value))),
        _ => Some(column(part).gt(sql_value(value))),
    }
}

/// Rows after `key`: the first differing keyset column decides.
fn keyset(parts: &[(Part, bool)], key: &[KeyValue]) -> Condition {
    let mut any = Condition::any();
    for (i, ((part, descending), value)) in parts.iter().zip(key).enumerate() {
        let Some(beyond) = after(*part, value, *descending) else {
            continue;
        };
        let mut all = Condition::all();
        for ((prior, _), prior_value) in parts[..i].iter().zip(key) {
            all = all.add(equal(*prior, prior_value));
        }
        any = any.add(all.add(beyond));
    }
    any
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

fn filters(filter: &TaskFilter, now: DateTime<Utc>) -> Condition {
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
    for term in &filter.terms {
        all = all.add(Expr::col(Column::SearchText).like(like_contains(term)));
    }
    all
}

impl Model {
    /// One page of the owner's tasks and whether more follow.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_for_owner<C: ConnectionTrait>(
        db: &C,
        owner_id: i32,
        query: &ListQuery,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Self>, bool), DbErr> {
        let parts = parts(&query.sort);
        let mut select = Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .filter(filters(&query.filter, now));
        if let Some(key) = &query.after {
            select = select.filter(keyset(&parts, key));
        }
        for (part, descending) in &parts {
            let order = if *descending { Order::Desc } else { Order::Asc };
            select = select.order_by(column(*part), order);
        }
        let mut rows = select.limit(query.limit + 1).all(db).await?;
        let more = rows.len() as u64 > query.limit;
        rows.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }

    /// This row's position under `sort`, as cursor JSON.
    #[must_use]
    pub fn sort_key(&self, sort: &Sort) -> Vec<Value> {
        let time = |t: &DateTime<FixedOffset>| {
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false))
        };
        parts(sort)
            .into_iter()
            .map(|(part, _)| match part {
                Part::CreatedAt => time(&self.created_at),
                Part::UpdatedAt => time(&self.updated_at),
                Part::DueMissing => json!(self.due_at.is_none()),
                Part::DueAt => self.due_at.as_ref().map_or(Value::Null, time),
                Part::Priority => json!(self.priority),
                Part::Title => json!(self.title),
                Part::Status => json!(self.status),
                Part::Id => json!(self.pid.to_string()),
            })
            .collect()
    }
}

/// Reads cursor JSON back into typed keyset values for `sort`.
#[must_use]
pub fn decode_key(sort: &Sort, values: &[Value]) -> Option<Vec<KeyValue>> {
    let parts = parts(sort);
    if parts.len() != values.len() {
        return None;
    }
    let time = |v: &Value| DateTime::parse_from_rfc3339(v.as_str()?).ok();
    parts
        .iter()
        .zip(values)
        .map(|((part, _), value)| {
            Some(match part {
                Part::CreatedAt | Part::UpdatedAt => KeyValue::Time(time(value)?),
                Part::DueMissing => KeyValue::Flag(value.as_bool()?),
                Part::DueAt if value.is_null() => KeyValue::MaybeTime(None),
                Part::DueAt => KeyValue::MaybeTime(Some(time(value)?)),
                Part::Priority | Part::Status => {
                    KeyValue::Rank(i16::try_from(value.as_i64()?).ok()?)
                }
                Part::Title => KeyValue::Text(value.as_str()?.to_string()),
                Part::Id => KeyValue::Id(Uuid::try_parse(value.as_str()?).ok()?),
            })
        })
        .collect()
}
