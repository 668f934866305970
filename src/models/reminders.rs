//! The reminder pass: claim due notices atomically, record them as in-app
//! notifications in the same transaction, and hand their emails to the queue.
//!
//! A claim is one conditional `UPDATE … WHERE <marker> IS NULL … RETURNING`,
//! never a read-then-write: when several passes run at once (several app
//! instances, schedulers, or a retried job) each row is claimed by exactly
//! one of them, on SQLite (one writer at a time) as on PostgreSQL (row locks,
//! WHERE re-checked after the wait). Work goes in batches, so a pass over any
//! number of due tasks runs in bounded memory.
use chrono::{DateTime, FixedOffset};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict, Query},
    ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::_entities::{notifications, tasks};
use crate::{db::Db, domain::task::Status};

/// Tasks claimed per statement (and per transaction).
pub const BATCH: u64 = 500;

/// Which notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Reminder,
    Overdue,
}

/// `NotificationKind` in the OpenAPI document.
impl utoipa::PartialSchema for Kind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Self::ALL.map(Self::as_str)))
            .description(Some("What a notification announces."))
            .into()
    }
}

impl utoipa::ToSchema for Kind {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("NotificationKind")
    }
}

impl Kind {
    pub const ALL: [Self; 2] = [Self::Reminder, Self::Overdue];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::Overdue => "overdue",
        }
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub reminders: usize,
    pub overdue: usize,
    /// The notifications created, for their emails.
    pub notifications: Vec<Uuid>,
}

/// Claims up to [`BATCH`] tasks whose `kind` notice is due at `now`.
async fn claim(
    db: &Db,
    kind: Kind,
    now: DateTime<FixedOffset>,
) -> Result<Vec<tasks::Model>, DbErr> {
    let open = tasks::Column::Status.ne(Status::Complete.rank());
    let (marker, due) = match kind {
        // Due within the lead but not yet due: a task found already past
        // due gets the overdue notice only.
        Kind::Reminder => (
            tasks::Column::ReminderSentAt,
            tasks::Column::RemindAt
                .lte(now)
                .and(tasks::Column::DueAt.gt(now)),
        ),
        Kind::Overdue => (tasks::Column::OverdueSentAt, tasks::Column::DueAt.lte(now)),
    };
    let pending = Query::select()
        .column(tasks::Column::Id)
        .from(tasks::Entity)
        .and_where(Expr::col(marker).is_null())
        .and_where(due.clone())
        .and_where(open.clone())
        .limit(BATCH)
        .to_owned();
    tasks::Entity::update_many()
        .col_expr(marker, Expr::value(now))
        .filter(tasks::Column::Id.in_subquery(pending))
        .filter(Expr::col(marker).is_null())
        .filter(due)
        .filter(open)
        .exec_with_returning(db)
        .await
}

async fn record(
    db: &Db,
    kind: Kind,
    claimed: &[tasks::Model],
    now: DateTime<FixedOffset>,
) -> Result<Vec<Uuid>, DbErr> {
    let rows: Vec<notifications::ActiveModel> = claimed
        .iter()
        .filter_map(|task| {
            Some(notifications::ActiveModel {
                pid: ActiveValue::Set(Uuid::new_v4()),
                user_id: ActiveValue::Set(task.user_id),
                task_pid: ActiveValue::Set(task.pid),
                kind: ActiveValue::Set(kind.as_str().to_string()),
                title: ActiveValue::Set(task.title.clone()),
                due_at: ActiveValue::Set(task.due_at?),
                due_on: ActiveValue::Set(task.due_on),
                created_at: ActiveValue::Set(now),
                read_at: ActiveValue::Set(None),
                emailed_at: ActiveValue::Set(None),
                email_attempts: ActiveValue::Set(0),
                email_next_at: ActiveValue::Set(None),
                ..Default::default()
            })
        })
        .collect();
    let pids = rows
        .iter()
        .filter_map(|r| match &r.pid {
            ActiveValue::Set(pid) => Some(*pid),
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The unique (task, kind, due instant) key backs the claim up: a notice
    // can never be recorded twice.
    notifications::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                notifications::Column::TaskPid,
                notifications::Column::Kind,
                notifications::Column::DueAt,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(pids)
}

/// Runs one pass at `now`: every due reminder and overdue notice is claimed
/// and recorded, batch by batch, each batch in one transaction.
///
/// # Errors
/// Database errors (the failed batch is rolled back and claimed by a later pass).
pub async fn run_pass(db: &Db, now: DateTime<FixedOffset>) -> Result<PassReport, DbErr> {
    let mut report = PassReport::default();
    for kind in [Kind::Overdue, Kind::Reminder] {
        loop {
            let txn = db.begin().await?;
            let claimed = claim(&txn, kind, now).await?;
            let created = record(&txn, kind, &claimed, now).await?;
            txn.commit().await?;
            match kind {
                Kind::Reminder => report.reminders += created.len(),
                Kind::Overdue => report.overdue += created.len(),
            }
            report.notifications.extend(created);
            if (claimed.len() as u64) < BATCH {
                break;
            }
        }
    }
    Ok(report)
}
