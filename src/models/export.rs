//! The rows of an account export (`GET /auth/me/export`), read page by page
//! as the client takes them: tasks in the listing's keyset order, then
//! notifications, [`PAGE_ROWS`] at a time (`views::export` writes them).
//!
//! Each page is one read of its own, not one long transaction: holding a
//! snapshot (and, on PostgreSQL, a pooled connection) for as long as a slow
//! client takes to download a million tasks would let a few exports starve
//! the pool. A row written while the export runs may or may not be in it;
//! each row in it is whole (docs/decisions.md, "Account export").
use std::collections::HashMap;

use chrono::Utc;
use futures_util::Stream;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    labels, lists,
    notifications::{self, After},
    tasks::{self, decode_key, page_labels, KeyValue, ListQuery, ListedTask},
};
use crate::{
    db::Db,
    domain::listing::{Sort, TaskFilter},
};

/// Rows read per page.
pub const PAGE_ROWS: u64 = 1_000;

/// One step of the export, in order: task pages, notification pages, end.
#[derive(Debug)]
pub enum Part {
    /// A page of tasks, newest first (possibly empty: an account without
    /// tasks has one empty page), with the label names of those that have any.
    Tasks(Vec<ListedTask>, HashMap<Uuid, Vec<String>>),
    /// A page of notifications, read or not, newest first.
    Notifications(Vec<notifications::Model>),
    /// Everything was read.
    End,
}

/// Where the reader is.
enum Step {
    Tasks(Option<Vec<KeyValue>>),
    Notifications(Option<After>),
    End,
    Done,
}

/// Every list of `owner_id`, in position order.
///
/// # Errors
/// Database errors.
pub async fn lists(db: &Db, owner_id: i32) -> Result<Vec<lists::Model>, DbErr> {
    lists::Entity::find()
        .filter(lists::Column::UserId.eq(owner_id))
        .order_by_asc(lists::Column::Position)
        .order_by_asc(lists::Column::Pid)
        .all(db)
        .await
}

/// Every label of `owner_id`, by name ignoring case, in the order of
/// `GET /labels` (the name keys' bytes, then the id: sorted here, since a
/// PostgreSQL collation may be linguistic; at most `QUOTA_LABELS` rows).
///
/// # Errors
/// Database errors.
pub async fn labels(db: &Db, owner_id: i32) -> Result<Vec<labels::Model>, DbErr> {
    let mut rows = labels::Entity::find()
        .filter(labels::Column::UserId.eq(owner_id))
        .all(db)
        .await?;
    rows.sort_unstable_by(|a, b| (&a.name_key, a.pid).cmp(&(&b.name_key, b.pid)));
    Ok(rows)
}

/// The parts of `owner_id`'s export. After a database error the stream
/// ends without [`Part::End`].
pub fn parts(db: Db, owner_id: i32) -> impl Stream<Item = Result<Part, DbErr>> + Send + 'static {
    futures_util::stream::unfold(Step::Tasks(None), move |step| {
        let db = db.clone();
        async move {
            match next(&db, owner_id, step).await {
                Ok(Some((part, step))) => Some((Ok(part), step)),
                Ok(None) => None,
                Err(err) => Some((Err(err), Step::Done)),
            }
        }
    })
}

async fn next(db: &Db, owner_id: i32, step: Step) -> Result<Option<(Part, Step)>, DbErr> {
    Ok(Some(match step {
        Step::Tasks(after) => {
            let sort = Sort::default();
            let query = ListQuery {
                limit: PAGE_ROWS,
                sort: sort.clone(),
                filter: TaskFilter::default(),
                after,
            };
            let (rows, more) =
                tasks::Model::list_for_owner(db, owner_id, &query, Utc::now()).await?;
            let key = rows
                .last()
                .filter(|_| more)
                .and_then(|last| decode_key(&sort, &last.sort_key(&sort)));
            let step = match key {
                Some(key) => Step::Tasks(Some(key)),
                None => Step::Notifications(None),
            };
            let names = page_labels(db, &rows).await?;
            (Part::Tasks(rows, names), step)
        }
        Step::Notifications(after) => {
            let (rows, more) =
                notifications::Model::list_for_owner(db, owner_id, false, PAGE_ROWS, after).await?;
            let step = match rows.last().filter(|_| more) {
                Some(last) => Step::Notifications(Some(After {
                    created_at: last.created_at,
                    pid: last.pid,
                })),
                None => Step::End,
            };
            (Part::Notifications(rows), step)
        }
        Step::End => (Part::End, Step::Done),
        Step::Done => return Ok(None),
    }))
}
