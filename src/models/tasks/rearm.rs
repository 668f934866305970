//! Re-arming a user's reminders after a profile change (timezone or reminder
//! lead). Set-based and bounded: the dated tasks are read a page at a time
//! ([`PAGE`] rows) in the order of the owner's `(user_id, created_at, pid)`
//! index, with a row-value keyset that both databases turn into a range of
//! that index. (A keyset on the id instead made SQLite pick the owner's
//! index and sort all of the owner's tasks for every page: 40 s for 105,000
//! dated tasks against 0.2 s; docs/performance.md.) Each page is rewritten by one
//! `UPDATE … SET col = CASE id WHEN … END WHERE id IN (…)`, so 100,000 tasks
//! cost 200 statement pairs and a page of memory, not one statement and one
//! loaded row each. The caller runs it in the profile change's transaction.
use chrono::{DateTime, FixedOffset, NaiveDate};
use sea_orm::{
    sea_query::{CaseStatement, Expr, ExprTrait},
    ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use uuid::Uuid;

use super::{remind_at, users, Column, Entity, Model};
use crate::{db::Db, domain::task::DueDate};

/// Rows rewritten by one statement. Each costs three bound values per CASE
/// and one in the `IN` list: 500 rows stay far below SQLite's 32,766
/// variables and PostgreSQL's 65,535.
const PAGE: u64 = 500;

type Instant = DateTime<FixedOffset>;

/// `(id, due_at, due_on, created_at, pid)` of one dated task.
type Row = (i32, Option<Instant>, Option<NaiveDate>, Instant, Uuid);

impl Model {
    /// Recomputes the due and reminder instants of the owner's tasks after a
    /// change of timezone (date-only due dates end at the owner's midnight)
    /// or of reminder lead. A task whose due instant moves is re-armed (its
    /// reminder and overdue notice may be sent again).
    ///
    /// # Errors
    /// Database errors.
    pub async fn rearm_for_owner(db: &Db, owner: &users::Model) -> Result<(), DbErr> {
        let (timezone, lead) = (owner.timezone(), owner.reminder_lead());
        let mut after: Option<(Instant, Uuid)> = None;
        loop {
            let mut select = Entity::find()
                .select_only()
                .columns([
                    Column::Id,
                    Column::DueAt,
                    Column::DueOn,
                    Column::CreatedAt,
                    Column::Pid,
                ])
                .filter(Column::UserId.eq(owner.id))
                .filter(Column::DueAt.is_not_null());
            if let Some((created_at, pid)) = after {
                let key = Expr::tuple([Expr::col(Column::CreatedAt), Expr::col(Column::Pid)]);
                select =
                    select.filter(key.gt(Expr::tuple([Expr::val(created_at), Expr::val(pid)])));
            }
            let page: Vec<Row> = select
                .order_by_asc(Column::CreatedAt)
                .order_by_asc(Column::Pid)
                .limit(PAGE)
                .into_tuple()
                .all(db)
                .await?;
            let Some(&(_, _, _, created_at, pid)) = page.last() else {
                return Ok(());
            };
            after = Some((created_at, pid));
            let mut due = CaseStatement::new();
            let mut remind = CaseStatement::new();
            let mut moved = Vec::new();
            for (id, old_due, due_on, _, _) in &page {
                let new_due = match due_on {
                    Some(date) => Some(DueDate::Date(*date).due_at(timezone).fixed_offset()),
                    None => *old_due,
                };
                if new_due != *old_due {
                    due = due.case(Column::Id.eq(*id), Expr::value(new_due));
                    moved.push(*id);
                }
                remind = remind.case(Column::Id.eq(*id), Expr::value(remind_at(new_due, lead)));
            }
            let ids: Vec<i32> = page.iter().map(|(id, ..)| *id).collect();
            let mut update = Entity::update_many()
                .col_expr(
                    Column::RemindAt,
                    remind.finally(Expr::col(Column::RemindAt)).into(),
                )
                .filter(Column::Id.is_in(ids));
            if !moved.is_empty() {
                let none = Option::<Instant>::None;
                let reset = |column: Column| -> Expr {
                    CaseStatement::new()
                        .case(Column::Id.is_in(moved.clone()), Expr::value(none))
                        .finally(Expr::col(column))
                        .into()
                };
                update = update
                    .col_expr(Column::DueAt, due.finally(Expr::col(Column::DueAt)).into())
                    .col_expr(Column::ReminderSentAt, reset(Column::ReminderSentAt))
                    .col_expr(Column::OverdueSentAt, reset(Column::OverdueSentAt));
            }
            update.exec(db).await?;
        }
    }
}
