//! The bearer-token extractor: a verified Loco JWT whose session is live.
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use loco_rs::app::AppContext;
use uuid::Uuid;

use crate::{errors::ApiError, models::users, rate_limit, security::AccessTokens};

/// The caller of an authenticated endpoint.
pub struct CurrentUser {
    pub user: users::Model,
    /// The `jti` of the access token used: names the login (session).
    pub jti: Uuid,
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

impl FromRequestParts<AppContext> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        ctx: &AppContext,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        let claims = AccessTokens::of(ctx)?
            .validate(token)
            .map_err(|_| ApiError::Unauthorized("invalid or expired token"))?;
        let pid =
            Uuid::try_parse(&claims.pid).map_err(|_| ApiError::Unauthorized("invalid token"))?;
        let jti = claims
            .claims
            .get("jti")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::try_parse(s).ok())
            .ok_or(ApiError::Unauthorized("invalid token"))?;
        let user = users::Model::find_by_live_access(&ctx.db, jti, pid)
            .await?
            .ok_or(ApiError::Unauthorized("token revoked or user gone"))?;
        // Only once the caller is known: a bad token is 401, never 429.
        rate_limit::user_request(user.pid)?;
        Ok(Self { user, jti })
    }
}
