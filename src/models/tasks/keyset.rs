//! The keyset of `GET /tasks`: the ORDER BY columns of each sort, the
//! condition "strictly after this row", and the cursor's key values.
//!
//! A due-date sort orders by the due instant with a far sentinel standing in
//! for "no due date" (the far future ascending, the far past descending), so
//! tasks without one come last in both directions and the key is never NULL.
//! Indexes on exactly those expressions serve both directions. When every
//! key runs the same way the keyset is one row-value comparison, which both
//! databases answer with an index range scan, so page 1,000 costs what page 1
//! does; mixed directions fall back to the expanded OR form.
use chrono::{DateTime, FixedOffset};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, SimpleExpr};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{listing::ListedTask, Column};
use crate::{
    domain::listing::{Sort, SortField},
    models::_entities::task_labels,
};

/// Stands in for a missing due date when sorting ascending (after every real one).
pub const DUE_LAST_ASCENDING: &str = "9999-12-31T23:59:59+00:00";
/// Stands in for a missing due date when sorting descending (after every real one).
pub const DUE_LAST_DESCENDING: &str = "0001-01-01T00:00:00+00:00";

/// A column of the keyset, in ORDER BY order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    CreatedAt,
    UpdatedAt,
    /// The due instant, or the sentinel of this direction.
    Due,
    Priority,
    Title,
    Status,
    Position,
    Id,
}

/// A typed value of one keyset column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyValue {
    Time(DateTime<FixedOffset>),
    Rank(i16),
    Text(String),
    Id(Uuid),
}

pub(super) fn parts(sort: &Sort) -> Vec<(Part, bool)> {
    let mut parts: Vec<(Part, bool)> = sort
        .keys()
        .iter()
        .map(|key| {
            let part = match key.field {
                SortField::CreatedAt => Part::CreatedAt,
                SortField::UpdatedAt => Part::UpdatedAt,
                SortField::DueDate => Part::Due,
                SortField::Priority => Part::Priority,
                SortField::Title => Part::Title,
                SortField::Status => Part::Status,
                SortField::Position => Part::Position,
            };
            (part, key.descending)
        })
        .collect();
    parts.push((Part::Id, sort.id_descending()));
    parts
}

fn due_sentinel(descending: bool) -> &'static str {
    if descending {
        DUE_LAST_DESCENDING
    } else {
        DUE_LAST_ASCENDING
    }
}

/// Whether a page filtered by labels reads its order off the first label's
/// rows (`task_labels`, whose copy of the creation time and id is indexed
/// per label): only the default order and its reverse.
pub(super) fn by_label(parts: &[(Part, bool)]) -> bool {
    matches!(parts, [(Part::CreatedAt, _), (Part::Id, _)])
}

/// The SQL of one keyset column. The due expression is spelled exactly as in
/// the indexes of migration `m20261124_170000_task_listing`. `labelled`:
/// the creation time and id as the joined `task_labels` row holds them
/// ([`by_label`]).
pub(super) fn column(part: Part, descending: bool, labelled: bool) -> SimpleExpr {
    match part {
        Part::CreatedAt if labelled => {
            Expr::col((task_labels::Entity, task_labels::Column::TaskCreatedAt))
        }
        Part::Id if labelled => Expr::col((task_labels::Entity, task_labels::Column::TaskPid)),
        Part::CreatedAt => Expr::col(Column::CreatedAt),
        Part::UpdatedAt => Expr::col(Column::UpdatedAt),
        Part::Due => Expr::cust(format!("COALESCE(due_at, '{}')", due_sentinel(descending))),
        Part::Priority => Expr::col(Column::Priority),
        Part::Title => Expr::col(Column::Title),
        Part::Status => Expr::col(Column::Status),
        Part::Position => Expr::col(Column::Position),
        Part::Id => Expr::col(Column::Pid),
    }
}

fn sql_value(value: &KeyValue) -> SimpleExpr {
    Expr::val(bound(value))
}

/// The value a keyset column's `value` is bound as.
pub(super) fn bound(value: &KeyValue) -> sea_orm::Value {
    match value {
        KeyValue::Time(t) => (*t).into(),
        KeyValue::Rank(r) => (*r).into(),
        KeyValue::Text(s) => s.clone().into(),
        KeyValue::Id(id) => (*id).into(),
    }
}

/// Rows strictly after `key` in the order of `parts`.
///
/// When every key runs the same way this is one row-value comparison, which
/// both databases turn into an exact index range starting at the cursor;
/// otherwise it is the expanded OR form. SQLite cannot range-scan a row value
/// over an expression index, so when the first key is the due expression (or
/// directions are mixed) a leading `first >= value` (`<=` descending), implied
/// by the rest, lets the scan start at the cursor's first key.
pub(super) fn keyset(parts: &[(Part, bool)], key: &[KeyValue], labelled: bool) -> Condition {
    let column = |part, descending| column(part, descending, labelled);
    let (first, first_descending) = parts[0];
    let leading = if first_descending {
        column(first, true).lte(sql_value(&key[0]))
    } else {
        column(first, false).gte(sql_value(&key[0]))
    };
    let uniform = parts.iter().all(|(_, d)| *d == first_descending);
    let exact: SimpleExpr = if uniform {
        let columns = Expr::tuple(parts.iter().map(|(p, d)| column(*p, *d)));
        let values = Expr::tuple(key.iter().map(sql_value));
        if first_descending {
            columns.lt(values)
        } else {
            columns.gt(values)
        }
    } else {
        let mut any = Condition::any();
        for (i, ((part, descending), value)) in parts.iter().zip(key).enumerate() {
            let mut all = Condition::all();
            for ((prior, prior_descending), prior_value) in parts[..i].iter().zip(key) {
                all = all.add(column(*prior, *prior_descending).eq(sql_value(prior_value)));
            }
            let beyond = if *descending {
                column(*part, true).lt(sql_value(value))
            } else {
                column(*part, false).gt(sql_value(value))
            };
            any = any.add(all.add(beyond));
        }
        any.into()
    };
    let condition = Condition::all().add(exact);
    if first == Part::Due || !uniform {
        condition.add(leading)
    } else {
        condition
    }
}

impl ListedTask {
    /// This row's position under `sort`, as cursor JSON.
    #[must_use]
    pub fn sort_key(&self, sort: &Sort) -> Vec<Value> {
        let time = |t: &DateTime<FixedOffset>| {
            json!(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false))
        };
        parts(sort)
            .into_iter()
            .map(|(part, descending)| match part {
                Part::CreatedAt => time(&self.created_at),
                Part::UpdatedAt => time(&self.updated_at),
                Part::Due => self
                    .due_at
                    .as_ref()
                    .map_or_else(|| json!(due_sentinel(descending)), time),
                Part::Priority => json!(self.priority),
                Part::Title => json!(self.title),
                Part::Status => json!(self.status),
                Part::Position => json!(self.position),
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
                Part::CreatedAt | Part::UpdatedAt | Part::Due => KeyValue::Time(time(value)?),
                Part::Priority | Part::Status => {
                    KeyValue::Rank(i16::try_from(value.as_i64()?).ok()?)
                }
                Part::Title | Part::Position => KeyValue::Text(value.as_str()?.to_string()),
                Part::Id => KeyValue::Id(Uuid::try_parse(value.as_str()?).ok()?),
            })
        })
        .collect()
}
