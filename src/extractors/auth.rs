//! The bearer-token extractors: a verified Loco JWT ([`Access`]) and the
//! caller behind it once its session is known to be live ([`CurrentUser`]).
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use uuid::Uuid;

use crate::{
    db::Db,
    errors::ApiError,
    extractors::AppState,
    models::{tasks, users},
    rate_limit,
    security::{AccessTokens, TokenError},
};

/// The caller of an authenticated endpoint.
pub struct CurrentUser {
    pub user: users::Model,
    /// The `jti` of the access token used: names the login (session).
    pub jti: Uuid,
}

/// An access token whose signature, algorithm and expiry are verified, and
/// whose session is not checked yet: [`Access::check`] (or
/// [`Access::with_task`], which folds a task look-up into the same query)
/// turns it into the [`CurrentUser`] or a 401.
pub struct Access {
    pub jti: Uuid,
    pub user_pid: Uuid,
}

fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::MissingToken)?
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or(ApiError::Unauthorized("malformed Authorization header"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized("malformed Authorization header"));
    }
    Ok(token.trim())
}

impl<S: AppState> FromRequestParts<S> for Access {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        let verified = AccessTokens::of(state.app())?
            .verify(token)
            .map_err(|err| match err {
                TokenError::Invalid => ApiError::Unauthorized("invalid or expired token"),
                TokenError::Claims => ApiError::Unauthorized("invalid token"),
            })?;
        let (jti, user_pid) = (verified.jti, verified.user_pid);
        Ok(Self { jti, user_pid })
    }
}

impl Access {
    /// The caller, given what the session look-up found: `None` (revoked,
    /// or the user is gone) is 401. Rate limited per user, and only once the
    /// caller is known: a bad token is 401, never 429.
    ///
    /// # Errors
    /// 401, or 429 when the caller is over their limit.
    pub fn admit(self, user: Option<users::Model>) -> Result<CurrentUser, ApiError> {
        let user = user.ok_or(ApiError::Unauthorized("token revoked or user gone"))?;
        rate_limit::user_request(user.pid)?;
        Ok(CurrentUser {
            user,
            jti: self.jti,
        })
    }

    /// The caller, if the token's session is live.
    ///
    /// # Errors
    /// As [`Access::admit`]; database errors.
    pub async fn check(self, db: &Db) -> Result<CurrentUser, ApiError> {
        let user = users::Model::find_by_live_access(db, self.jti, self.user_pid).await?;
        self.admit(user)
    }

    /// The caller and their task `pid` (`None` when they have no such task,
    /// or no `pid` is given), in one query.
    ///
    /// # Errors
    /// As [`Access::check`].
    pub async fn with_task(
        self,
        db: &Db,
        pid: Option<Uuid>,
    ) -> Result<(CurrentUser, Option<tasks::Model>), ApiError> {
        let Some(pid) = pid else {
            return Ok((self.check(db).await?, None));
        };
        let found = tasks::find_with_access(db, self.jti, self.user_pid, pid).await?;
        let (user, task) = found.unzip();
        Ok((self.admit(user)?, task.flatten()))
    }
}

impl<S: AppState> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let access = Access::from_request_parts(parts, state).await?;
        access.check(&Db::of(state.app())).await
    }
}
