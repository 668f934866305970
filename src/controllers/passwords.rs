//! Passwords: `POST /auth/forgot`, `/auth/reset` and `/auth/password`.
use std::sync::Arc;

use axum::{extract::State, handler::Handler, http::StatusCode, routing::post_service};
use chrono::Duration;
use loco_rs::{app::AppContext, controller::Routes, prelude::BackgroundWorker};

use crate::{
    db::Db,
    errors::ApiError,
    extractors::{auth::CurrentUser, json::JsonObject},
    models::{sessions, users},
    params::auth::{not_derived, ForgotRequest, PasswordChangeRequest, ResetRequest},
    rate_limit,
    security::Passwords,
    settings::Settings,
    workers::password_reset::{PasswordResetArgs, PasswordResetWorker},
};

type Result<T> = std::result::Result<T, ApiError>;

/// Mail a single-use password-reset token (valid one hour), if the account exists.
#[utoipa::path(post, path = "/auth/forgot", operation_id = "forgot_password",
    tag = "auth",
    request_body = ForgotRequest,
    responses((status = 202, description = "Accepted, whether or not the account exists")))]
pub(super) async fn forgot(
    State(ctx): State<Arc<AppContext>>,
    JsonObject(body): JsonObject,
) -> Result<StatusCode> {
    let db = Db::of(&ctx);
    let email = ForgotRequest::parse(body)?.email;
    rate_limit::auth_attempt(Some(email.as_str())).await?;
    if let Some(user) = users::Model::find_by_email(&db, &email).await? {
        // The job names the user only; the worker mints the token as it
        // sends, so no token ever sits in the queue.
        PasswordResetWorker::perform_later(&ctx, PasswordResetArgs { user: user.pid })
            .await
            .map_err(ApiError::internal)?;
    }
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with a reset token; every login of the user is revoked.
#[utoipa::path(post, path = "/auth/reset", operation_id = "reset_password",
    tag = "auth",
    extensions(("x-problems" = json!({"400": "InvalidResetToken"}))),
    request_body = ResetRequest,
    responses((status = 204, description = "Password changed")))]
pub(super) async fn reset(
    State(ctx): State<Arc<AppContext>>,
    JsonObject(body): JsonObject,
) -> Result<StatusCode> {
    let db = Db::of(&ctx);
    let input = ResetRequest::parse(body)?;
    rate_limit::auth_attempt(None).await?;
    let ttl = Duration::seconds(Settings::of(&ctx)?.reset_token_ttl_seconds);
    let owner = users::Model::find_by_reset_token(&db, &input.token, ttl)
        .await?
        .ok_or(ApiError::InvalidResetToken)?;
    not_derived("password", &input.password, &owner.email)?;
    let password_hash = Passwords::of(&ctx)?.hash(input.password.expose()).await?;
    // One transaction: a reset that took effect has ended every login (a
    // crash between two statements would leave a stolen login alive). The
    // update is conditional on the token, so it still works only once.
    let txn = db.begin().await?;
    let user = users::Model::reset_password(&txn, &input.token, password_hash, ttl).await?;
    sessions::Model::revoke_all(&txn, user.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change the caller's password; every other login of the user is revoked,
/// this one stays.
#[utoipa::path(post, path = "/auth/password", operation_id = "change_password",
    tag = "auth", security(("bearer" = [])),
    extensions(("x-problems" = json!({"401": "InvalidCredentials"}))),
    request_body = PasswordChangeRequest,
    responses((status = 204, description = "Password changed")))]
pub(super) async fn change(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    JsonObject(body): JsonObject,
) -> Result<StatusCode> {
    let db = Db::of(&ctx);
    let input = PasswordChangeRequest::parse(body)?;
    // Counted for the account too: a stolen access token must not become an
    // unlimited oracle for the current password.
    rate_limit::auth_attempt(Some(&current.user.email)).await?;
    not_derived("new_password", &input.new_password, &current.user.email)?;
    let passwords = Passwords::of(&ctx)?;
    passwords
        .confirm(&input.current_password, &current.user.password)
        .await?;
    let password_hash = passwords.hash(input.new_password.expose()).await?;
    let txn = db.begin().await?;
    users::Model::set_password(&txn, current.user.id, password_hash).await?;
    sessions::Model::revoke_others(&txn, current.user.id, current.jti).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The password routes (under `/auth`, beside `controllers::auth`).
pub fn routes(ctx: &AppContext) -> Routes {
    let state = Arc::new(ctx.clone());
    Routes::new()
        .prefix("/auth")
        .add("/forgot", post_service(forgot.with_state(state.clone())))
        .add("/reset", post_service(reset.with_state(state.clone())))
        .add("/password", post_service(change.with_state(state)))
}
