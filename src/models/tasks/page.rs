//! The statement of an unfiltered page of `GET /tasks` (the hot listing),
//! built once per sort order and cursor presence: only its values change
//! from one request to the next (`db::Templates`).
use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use sea_orm::{DbBackend, QueryTrait, Statement, Value};
use uuid::Uuid;

use super::{
    keyset::{bound, KeyValue},
    listing::{list_select, ListQuery},
};
use crate::{db::Templates, domain::listing::TaskFilter};

static PAGES: LazyLock<Templates> = LazyLock::new(Templates::new);

/// What changes between two pages of one shape: the owner, the page size
/// and the cursor's key.
struct Params {
    owner_id: i32,
    limit: u64,
    after: Option<Vec<KeyValue>>,
}

fn shape(query: &ListQuery) -> String {
    format!("{}|{}", query.sort.canonical(), query.after.is_some())
}

/// Whether pages of `query`'s shape are copied from a template.
#[must_use]
pub fn copied(backend: DbBackend, query: &ListQuery) -> bool {
    PAGES.copies(backend, &shape(query))
}

/// The statement of `query`'s page of `owner_id`'s tasks (its filter empty).
#[must_use]
pub fn unfiltered(backend: DbBackend, owner_id: i32, query: &ListQuery) -> Statement {
    let shape = shape(query);
    let params = Params {
        owner_id,
        limit: query.limit,
        after: query.after.clone(),
    };
    let build = |p: &Params| {
        let page = ListQuery {
            limit: p.limit,
            sort: query.sort.clone(),
            filter: TaskFilter::default(),
            after: p.after.clone(),
        };
        // No filter: `now` (only the overdue filter reads it) does not matter.
        list_select(backend, p.owner_id, &page, Utc::now()).build(backend)
    };
    PAGES.statement(
        backend,
        &shape,
        &params,
        || stand_ins(&params),
        values,
        build,
    )
}

/// The values a page binds for `p`, in the order of `stand_ins`'.
fn values(p: &Params) -> Vec<Value> {
    let mut out = vec![Value::from(p.owner_id), Value::from(p.limit + 1)];
    out.extend(p.after.iter().flatten().map(bound));
    out
}

/// Params of the same shape as `like`, whose values no page binds otherwise.
fn stand_ins(like: &Params) -> Params {
    let odd: DateTime<FixedOffset> = DateTime::from_timestamp(-1_234_567_890, 123_457)
        .unwrap_or_default()
        .fixed_offset();
    let after = like.after.as_ref().map(|key| {
        (0..key.len())
            .zip(key)
            .map(|(i, value)| {
                let i16_at = i16::try_from(i).unwrap_or(0);
                match value {
                    KeyValue::Time(_) => KeyValue::Time(odd + Duration::seconds(i64::from(i16_at))),
                    KeyValue::Rank(_) => KeyValue::Rank(i16::MIN + i16_at),
                    KeyValue::Text(_) => KeyValue::Text(format!("\u{1}stand-in {i}")),
                    KeyValue::Id(_) => KeyValue::Id(Uuid::from_u128(u128::MAX - 64 - i as u128)),
                }
            })
            .collect()
    });
    Params {
        owner_id: i32::MIN + 1,
        limit: u64::MAX - 9,
        after,
    }
}
