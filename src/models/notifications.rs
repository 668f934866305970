//! In-app notifications (the owner's inbox) and the email outbox they double as.
use chrono::{DateTime, Duration, FixedOffset};
use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait},
    ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub use super::_entities::notifications::{self, ActiveModel, Column, Entity, Model};
use super::users::now;
use crate::{db::Db, errors::ApiError};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// Email attempts per notification before it is given up (logged).
pub const MAX_EMAIL_ATTEMPTS: i32 = 5;

/// How long a queued first attempt may take before a pass queues it again.
pub const FIRST_ATTEMPT_GRACE: Duration = Duration::minutes(10);

/// Wait after attempt `n` before the next: 2, 4, 8, 16 … minutes.
#[must_use]
pub fn email_backoff(attempts: i32) -> Duration {
    Duration::minutes(1_i64 << attempts.clamp(0, 10))
}

/// Where a page of notifications starts: after this (created_at, id), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub created_at: DateTime<FixedOffset>,
    pub pid: Uuid,
}

impl Model {
    /// One page of the owner's notifications, newest first, and whether more follow.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_for_owner(
        db: &Db,
        owner_id: i32,
        unread_only: bool,
        limit: u64,
        after: Option<After>,
    ) -> Result<(Vec<Self>, bool), DbErr> {
        let mut select = Entity::find().filter(Column::UserId.eq(owner_id));
        if unread_only {
            select = select.filter(Column::ReadAt.is_null());
        }
        if let Some(after) = after {
            select = select
                .filter(Column::CreatedAt.lte(after.created_at))
                .filter(
                    Expr::tuple([Expr::col(Column::CreatedAt), Expr::col(Column::Pid)]).lt(
                        Expr::tuple([Expr::val(after.created_at), Expr::val(after.pid)]),
                    ),
                );
        }
        let mut rows = select
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Pid)
            .limit(limit + 1)
            .all(db)
            .await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((rows, more))
    }

    /// Marks the owner's notification read (again is fine: the first time stays).
    ///
    /// # Errors
    /// [`ApiError::NotFound`] when it does not exist or belongs to someone else.
    pub async fn mark_read(db: &Db, owner_id: i32, pid: Uuid) -> Result<(), ApiError> {
        let found = Entity::find()
            .filter(Column::UserId.eq(owner_id))
            .filter(Column::Pid.eq(pid))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)?;
        Entity::update_many()
            .col_expr(Column::ReadAt, Expr::value(now()))
            .filter(Column::Id.eq(found.id))
            .filter(Column::ReadAt.is_null())
            .exec(db)
            .await?;
        Ok(())
    }

    /// Takes the email of notification `pid` for one attempt: only if it is
    /// not sent yet and its attempt is due, so two workers never send it both.
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim_email(db: &Db, pid: Uuid) -> Result<Option<Self>, DbErr> {
        let at = now();
        let claimed = Entity::update_many()
            .col_expr(
                Column::EmailAttempts,
                Expr::col(Column::EmailAttempts).add(1),
            )
            .col_expr(Column::EmailNextAt, Expr::value(at + email_backoff(0)))
            .filter(Column::Pid.eq(pid))
            .filter(Column::EmailedAt.is_null())
            .filter(Column::EmailAttempts.lt(MAX_EMAIL_ATTEMPTS))
            .filter(
                Condition::any()
                    .add(Column::EmailNextAt.is_null())
                    .add(Column::EmailNextAt.lte(at)),
            )
            .exec_with_returning(db)
            .await?;
        let Some(claimed) = claimed.into_iter().next() else {
            return Ok(None);
        };
        // Push the next attempt out by the backoff of this one.
        Entity::update_many()
            .col_expr(
                Column::EmailNextAt,
                Expr::value(at + email_backoff(claimed.email_attempts)),
            )
            .filter(Column::Id.eq(claimed.id))
            .exec(db)
            .await?;
        Ok(Some(claimed))
    }

    /// Records the email as done (sent, or skipped for want of a mailer).
    ///
    /// # Errors
    /// Database errors.
    pub async fn mark_emailed(db: &Db, id: i32) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::EmailedAt, Expr::value(now()))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await
            .map(|_| ())
    }

    /// Notifications whose email is still owed: a failed attempt whose
    /// backoff is over, or a first attempt that never ran (its job was lost,
    /// say to a crash between the pass's commit and the enqueue) after
    /// [`FIRST_ATTEMPT_GRACE`].
    ///
    /// # Errors
    /// Database errors.
    pub async fn emails_to_retry(db: &Db, limit: u64) -> Result<Vec<Uuid>, DbErr> {
        let at = now();
        Entity::find()
            .select_only()
            .column(Column::Pid)
            .filter(Column::EmailedAt.is_null())
            .filter(Column::EmailAttempts.lt(MAX_EMAIL_ATTEMPTS))
            .filter(
                Condition::any().add(Column::EmailNextAt.lte(at)).add(
                    Condition::all()
                        .add(Column::EmailNextAt.is_null())
                        .add(Column::CreatedAt.lte(at - FIRST_ATTEMPT_GRACE)),
                ),
            )
            .limit(limit)
            .into_tuple()
            .all(db)
            .await
    }
}
