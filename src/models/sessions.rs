//! Logins: one row per login holding the current refresh-token hash and the
//! id (`jti`) of the one access token that is currently valid for it.
//!
//! Refresh tokens read `<session pid>.<secret>`. Rotation is one conditional
//! UPDATE on the current hash, so of two uses of one token only the first
//! wins; a token that names a live session but not its current hash is a
//! replayed (already rotated) token, and revokes that login.
use chrono::Duration;
use loco_rs::{auth::jwt::JWT, config::JWT as JwtConfig};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue, ColumnTrait, DbErr, EntityTrait, QueryFilter,
};
use serde_json::{Map, Value};
use uuid::Uuid;

pub use super::_entities::sessions::{self, ActiveModel, Column, Entity, Model};
use super::users::now;
use crate::{db::Db, errors::ApiError, security};

impl sea_orm::ActiveModelBehavior for ActiveModel {}

/// A freshly issued token pair.
pub struct Issued {
    pub session: Model,
    pub refresh_token: String,
}

fn refresh_token_for(session_pid: Uuid, secret: &str) -> String {
    format!("{}.{secret}", session_pid.simple())
}

fn session_pid_of(refresh_token: &str) -> Option<Uuid> {
    let (pid, _) = refresh_token.split_once('.')?;
    Uuid::try_parse(pid).ok()
}

impl Model {
    /// Starts a login for `user_id`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn start(db: &Db, user_id: i32, ttl: Duration) -> Result<Issued, DbErr> {
        let at = now();
        let pid = Uuid::new_v4();
        let refresh_token = refresh_token_for(pid, &security::new_secret());
        let session = ActiveModel {
            pid: ActiveValue::Set(pid),
            user_id: ActiveValue::Set(user_id),
            refresh_hash: ActiveValue::Set(security::token_hash(&refresh_token)),
            access_jti: ActiveValue::Set(Uuid::new_v4()),
            expires_at: ActiveValue::Set(at + ttl),
            revoked_at: ActiveValue::Set(None),
            created_at: ActiveValue::Set(at),
            updated_at: ActiveValue::Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(Issued {
            session,
            refresh_token,
        })
    }

    /// Trades a refresh token for a new pair; the old refresh token and the
    /// old access token die with it.
    ///
    /// # Errors
    /// [`ApiError::InvalidRefreshToken`] when the token is unknown, expired,
    /// revoked or already rotated (the last also revokes the login).
    pub async fn rotate(db: &Db, refresh_token: &str, ttl: Duration) -> Result<Issued, ApiError> {
        let Some(session_pid) = session_pid_of(refresh_token) else {
            return Err(ApiError::InvalidRefreshToken);
        };
        let at = now();
        let next_token = refresh_token_for(session_pid, &security::new_secret());
        let rotated = Entity::update_many()
            .col_expr(
                Column::RefreshHash,
                Expr::value(security::token_hash(&next_token)),
            )
            .col_expr(Column::AccessJti, Expr::value(Uuid::new_v4()))
            .col_expr(Column::ExpiresAt, Expr::value(at + ttl))
            .col_expr(Column::UpdatedAt, Expr::value(at))
            .filter(Column::Pid.eq(session_pid))
            .filter(Column::RefreshHash.eq(security::token_hash(refresh_token)))
            .filter(Column::RevokedAt.is_null())
            .filter(Column::ExpiresAt.gt(at))
            .exec_with_returning(db)
            .await?;
        if let Some(session) = rotated.into_iter().next() {
            return Ok(Issued {
                session,
                refresh_token: next_token,
            });
        }
        // Not the current token of a live login. If it names a live login,
        // it is an old token coming back: treat the login as stolen.
        Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(at))
            .filter(Column::Pid.eq(session_pid))
            .filter(Column::RevokedAt.is_null())
            .filter(Column::RefreshHash.ne(security::token_hash(refresh_token)))
            .exec(db)
            .await?;
        Err(ApiError::InvalidRefreshToken)
    }

    /// Ends the login whose access token carries `jti`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn revoke_by_jti(db: &Db, jti: Uuid) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .filter(Column::AccessJti.eq(jti))
            .filter(Column::RevokedAt.is_null())
            .exec(db)
            .await
            .map(|_| ())
    }

    /// Ends every login of a user.
    ///
    /// # Errors
    /// Database errors.
    pub async fn revoke_all(db: &Db, user_id: i32) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .filter(Column::UserId.eq(user_id))
            .filter(Column::RevokedAt.is_null())
            .exec(db)
            .await
            .map(|_| ())
    }

    /// Ends every login of a user but the one whose access id is `keep`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn revoke_others(db: &Db, user_id: i32, keep: Uuid) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::RevokedAt, Expr::value(now()))
            .filter(Column::UserId.eq(user_id))
            .filter(Column::AccessJti.ne(keep))
            .filter(Column::RevokedAt.is_null())
            .exec(db)
            .await
            .map(|_| ())
    }

    /// The access token (Loco's JWT) for this login: `pid` is the user,
    /// `jti` the session's current access id, `iat` the issue time.
    ///
    /// # Errors
    /// Internal error when signing fails (a bad secret).
    pub fn access_token(&self, jwt: &JwtConfig, user_pid: Uuid) -> Result<String, ApiError> {
        let signer = JWT::new(&jwt.secret);
        // Loco stamps `exp` from its own reading of the clock; when the second
        // turns over between that and `iat`, sign again, so that `exp - iat`
        // is always exactly the configured lifetime.
        let mut attempts = 0;
        loop {
            let iat = chrono::Utc::now().timestamp();
            let mut claims = Map::new();
            claims.insert("iat".into(), Value::from(iat));
            claims.insert("jti".into(), Value::from(self.access_jti.to_string()));
            let token = signer
                .generate_token(jwt.expiration, user_pid.to_string(), claims)
                .map_err(ApiError::internal)?;
            attempts += 1;
            if chrono::Utc::now().timestamp() == iat || attempts == 3 {
                return Ok(token);
            }
        }
    }
}
