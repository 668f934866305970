//! Accounts: registration, look-ups, profile changes, password resets.
use chrono::{Duration, SubsecRound, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func},
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType,
    QueryFilter, QuerySelect, QueryTrait, RelationTrait, SqlErr,
};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::_entities::sessions;
pub use super::_entities::users::{self, ActiveModel, Column, Entity, Model};
use crate::{
    db::{Db, Prepared},
    domain::{
        account::{Email, PersonName, ReminderLead, Timezone},
        body::{Body, READ_ONLY_FIELDS},
    },
    errors::{ApiError, FieldErrors},
    security,
};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// The statement of [`Model::find_by_live_access`] for `[jti, pid]`, built
/// once ([`crate::db::prepared`]): it runs on every authenticated request.
pub static LIVE_ACCESS: Prepared<2> = Prepared::new(|[jti, pid]| {
    let mut query = Entity::find()
        .join(JoinType::InnerJoin, users::Relation::Sessions.def())
        .filter(sessions::Column::AccessJti.eq(jti))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(Column::Pid.eq(pid))
        .into_query();
    query.limit(1);
    query
});

/// A validated registration, password already hashed.
pub struct NewUser {
    pub name: PersonName,
    pub email: Email,
    pub password_hash: String,
}

/// `PATCH /auth/me`: only the fields sent change.
#[derive(Debug, Default, ToSchema)]
pub struct ProfilePatch {
    #[schema(required = false, nullable = false)]
    pub name: Option<PersonName>,
    #[schema(required = false, nullable = false)]
    pub timezone: Option<Timezone>,
    #[schema(inline, required = false, nullable = false)]
    pub reminder_lead_minutes: Option<ReminderLead>,
}

/// Now, at the precision both databases store (microseconds).
#[must_use]
pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    Utc::now().trunc_subsecs(6).fixed_offset()
}

impl ProfilePatch {
    /// The body of `PATCH /auth/me`.
    ///
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let fields = ["name", "timezone", "reminder_lead_minutes"];
        let mut body = Body::new(map, &fields, READ_ONLY_FIELDS);
        let name = body.patch("name", false, PersonName::parse);
        let timezone = body.patch("timezone", false, Timezone::parse);
        let reminder_lead = body.patch_int("reminder_lead_minutes", ReminderLead::parse);
        body.finish()?;
        Ok(Self {
            name: name.into_option(),
            timezone: timezone.into_option(),
            reminder_lead_minutes: reminder_lead.into_option(),
        })
    }
}

impl Model {
    /// The account with this email, compared case-insensitively.
    ///
    /// Both sides go through the database's own `lower()`, the function of
    /// the unique index: SQLite's folds ASCII letters only, PostgreSQL's
    /// folds all, and a look-up must agree with the index on either (a
    /// Rust-lowered `ann@bücher.example` never matches SQLite's
    /// `lower('ann@BÜCHER.example')`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_by_email(db: &Db, email: &Email) -> Result<Option<Self>, DbErr> {
        Entity::find()
            .filter(
                Expr::expr(Func::lower(Expr::col(Column::Email)))
                    .eq(Func::lower(Expr::val(email.as_str()))),
            )
            .one(db)
            .await
    }

    /// The user with public id `pid`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_by_pid(db: &Db, pid: Uuid) -> Result<Option<Self>, DbErr> {
        Entity::find().filter(Column::Pid.eq(pid)).one(db).await
    }

    /// The user behind a live access token: its session (`jti`) must exist
    /// and be unrevoked, and belong to the user named by the token's `pid`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_by_live_access(db: &Db, jti: Uuid, pid: Uuid) -> Result<Option<Self>, DbErr> {
        // Two key look-ups: bounded, read on the calling thread on SQLite.
        let stmt = LIVE_ACCESS.statement(db.get_database_backend(), [jti, pid]);
        Ok(db.bounded::<Self>(stmt).await?.into_iter().next())
    }

    /// Creates an account.
    ///
    /// # Errors
    /// [`ApiError::EmailTaken`] when the email is registered in any letter case.
    pub async fn register(db: &Db, new: NewUser) -> Result<Self, ApiError> {
        let at = now();
        let user = ActiveModel {
            pid: ActiveValue::Set(Uuid::new_v4()),
            email: ActiveValue::Set(new.email.as_str().to_string()),
            password: ActiveValue::Set(new.password_hash),
            name: ActiveValue::Set(new.name.into_inner()),
            timezone: ActiveValue::Set("UTC".to_string()),
            reminder_lead_minutes: ActiveValue::Set(60),
            created_at: ActiveValue::Set(at),
            updated_at: ActiveValue::Set(at),
            ..Default::default()
        };
        // The account and its inbox, together or not at all.
        let txn = db.begin().await?;
        let user = user.insert(&txn).await.map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::EmailTaken,
            _ => err.into(),
        })?;
        super::lists::Model::create_inbox(&txn, user.id).await?;
        txn.commit().await?;
        Ok(user)
    }

    /// Applies a profile change.
    ///
    /// # Errors
    /// Database errors.
    pub async fn update_profile(self, db: &Db, change: ProfilePatch) -> Result<Self, DbErr> {
        let mut user: ActiveModel = self.into();
        if let Some(name) = change.name {
            user.name = ActiveValue::Set(name.into_inner());
        }
        if let Some(tz) = change.timezone {
            user.timezone = ActiveValue::Set(tz.name().to_string());
        }
        if let Some(lead) = change.reminder_lead_minutes {
            user.reminder_lead_minutes = ActiveValue::Set(lead.minutes());
        }
        user.updated_at = ActiveValue::Set(now());
        user.update(db).await
    }

    /// Minutes before a due date that reminders go out (0: off).
    #[must_use]
    pub fn reminder_lead(&self) -> ReminderLead {
        ReminderLead::parse(i64::from(self.reminder_lead_minutes)).unwrap_or(ReminderLead::OFF)
    }

    /// The user's timezone.
    #[must_use]
    pub fn timezone(&self) -> Timezone {
        Timezone::from_stored(&self.timezone)
    }

    /// Issues a single-use reset token (stored hashed; any earlier one dies).
    ///
    /// # Errors
    /// Database errors.
    pub async fn start_password_reset(&self, db: &Db) -> Result<String, DbErr> {
        let token = security::new_secret();
        Entity::update_many()
            .col_expr(
                Column::ResetTokenHash,
                Expr::value(security::token_hash(&token)),
            )
            .col_expr(Column::ResetSentAt, Expr::value(now()))
            .filter(Column::Id.eq(self.id))
            .exec(db)
            .await?;
        Ok(token)
    }

    /// The user a live reset token belongs to (unknown, used or older than
    /// `ttl`: none).
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_by_reset_token(
        db: &Db,
        token: &str,
        ttl: Duration,
    ) -> Result<Option<Self>, DbErr> {
        Entity::find()
            .filter(Column::ResetTokenHash.eq(security::token_hash(token)))
            .filter(Column::ResetSentAt.gt(now() - ttl))
            .one(db)
            .await
    }

    /// Deletes the user and everything they own. The foreign keys cascade
    /// (tasks, lists, sessions, notifications, idempotency keys); the rows are
    /// deleted here by name all the same, children first, so the deletion
    /// does not depend on the database enforcing them. Run it in a
    /// transaction: all of it or nothing.
    ///
    /// # Errors
    /// Database errors.
    pub async fn delete_account(db: &Db, user_id: i32) -> Result<(), DbErr> {
        use super::_entities::{idempotency_keys, lists, notifications, tasks};
        idempotency_keys::Entity::delete_many()
            .filter(idempotency_keys::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        notifications::Entity::delete_many()
            .filter(notifications::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        tasks::Entity::delete_many()
            .filter(tasks::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        lists::Entity::delete_many()
            .filter(lists::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        sessions::Entity::delete_many()
            .filter(sessions::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        Entity::delete_by_id(user_id).exec(db).await?;
        Ok(())
    }

    /// Replaces the password hash (a password change by its owner).
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_password(db: &Db, user_id: i32, password_hash: String) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::Password, Expr::value(password_hash))
            .col_expr(Column::UpdatedAt, Expr::value(now()))
            .filter(Column::Id.eq(user_id))
            .exec(db)
            .await
            .map(|_| ())
    }

    /// Sets a new password with a reset token: one conditional update, so a
    /// token works once even under concurrent use.
    ///
    /// # Errors
    /// [`ApiError::InvalidResetToken`] when the token is unknown, used or older than `ttl`.
    pub async fn reset_password(
        db: &Db,
        token: &str,
        password_hash: String,
        ttl: Duration,
    ) -> Result<Self, ApiError> {
        let at = now();
        let updated = Entity::update_many()
            .col_expr(Column::Password, Expr::value(password_hash))
            .col_expr(Column::ResetTokenHash, Expr::value(Option::<String>::None))
            .col_expr(
                Column::ResetSentAt,
                Expr::value(Option::<chrono::DateTime<chrono::FixedOffset>>::None),
            )
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::ResetTokenHash.eq(security::token_hash(token)))
            .filter(Column::ResetSentAt.gt(at - ttl))
            .exec_with_returning(db)
            .await?;
        updated
            .into_iter()
            .next()
            .ok_or(ApiError::InvalidResetToken)
    }
}
