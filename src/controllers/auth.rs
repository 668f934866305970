//! Accounts and sessions: `/auth/*`.
use std::sync::Arc;

use axum::{
    extract::State,
    handler::Handler,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get_service, post_service},
    Json,
};
use chrono::Duration;
use loco_rs::{app::AppContext, controller::Routes};
use sea_orm::EntityTrait;

use crate::{
    db::Db,
    domain::account::Email,
    errors::ApiError,
    extractors::{
        auth::CurrentUser,
        json::{JsonObject, OptionalJsonObject},
    },
    models::{
        export, sessions, tasks,
        users::{self, ProfilePatch},
    },
    params::auth::{
        DeleteAccountRequest, LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest,
    },
    rate_limit,
    security::Passwords,
    settings::Settings,
    views::{
        self,
        auth::{SessionResponse, UserResponse},
        export::ExportDocument,
    },
};

type Result<T> = std::result::Result<T, ApiError>;

/// A new token pair for `user` as the `Session` body.
fn session_response(
    ctx: &AppContext,
    issued: &sessions::Issued,
    user: &users::Model,
) -> Result<SessionResponse> {
    let jwt = ctx.config.get_jwt_config().map_err(ApiError::internal)?;
    Ok(SessionResponse {
        access_token: issued.session.access_token(jwt, user.pid)?,
        token_type: "Bearer",
        expires_in: jwt.expiration,
        refresh_token: issued.refresh_token.clone(),
        user: UserResponse::from(user),
    })
}

fn refresh_ttl(settings: &Settings) -> Duration {
    Duration::seconds(settings.refresh_token_ttl_seconds)
}

/// Create an account.
#[utoipa::path(post, path = "/auth/register", operation_id = "register",
    tag = "auth",
    extensions(("x-problems" = json!({"409": "EmailTaken"}))),
    request_body = RegisterRequest,
    responses((status = 201, description = "The new account", body = UserResponse)))]
async fn register(
    State(ctx): State<Arc<AppContext>>,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let db = Db::of(&ctx);
    let input = RegisterRequest::parse(body)?;
    rate_limit::auth_attempt(None).await?;
    let password_hash = Passwords::of(&ctx)?.hash(input.password.expose()).await?;
    let user = users::Model::register(
        &db,
        users::NewUser {
            name: input.name,
            email: input.email,
            password_hash,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserResponse::from(&user))).into_response())
}

/// Log in: a new session (token pair).
#[utoipa::path(post, path = "/auth/login", operation_id = "login",
    tag = "auth",
    extensions(("x-problems" = json!({"401": "InvalidCredentials"}))),
    request_body = LoginRequest,
    responses((status = 200, description = "A new session", body = SessionResponse)))]
async fn login(
    State(ctx): State<Arc<AppContext>>,
    JsonObject(body): JsonObject,
) -> Result<SessionResponse> {
    let db = Db::of(&ctx);
    let input = LoginRequest::parse(body)?;
    rate_limit::auth_attempt(Some(&input.email)).await?;
    // An address that cannot be valid matches nobody; it still pays for one hash.
    let user = match Email::parse(&input.email) {
        Ok(email) => users::Model::find_by_email(&db, &email).await?,
        Err(_) => None,
    };
    let verified = Passwords::of(&ctx)?
        .verify(&input.password, user.as_ref().map(|u| u.password.as_str()))
        .await?;
    let Some(user) = user.filter(|_| verified) else {
        return Err(ApiError::InvalidCredentials);
    };
    let settings = Settings::of(&ctx)?;
    let issued = sessions::Model::start(&db, user.id, refresh_ttl(&settings)).await?;
    session_response(&ctx, &issued, &user)
}

/// Trade a refresh token for a new pair; the old refresh token and its access token die.
#[utoipa::path(post, path = "/auth/refresh", operation_id = "refresh",
    tag = "auth",
    extensions(("x-problems" = json!({"401": "InvalidRefreshToken"}))),
    request_body = RefreshRequest,
    responses((status = 200, description = "The rotated session", body = SessionResponse)))]
async fn refresh(
    State(ctx): State<Arc<AppContext>>,
    JsonObject(body): JsonObject,
) -> Result<SessionResponse> {
    let db = Db::of(&ctx);
    let token = RefreshRequest::parse(body)?.refresh_token;
    // Per client IP (contract, "Operations"), with a budget of its own.
    rate_limit::refresh_attempt().await?;
    let settings = Settings::of(&ctx)?;
    let issued = sessions::Model::rotate(&db, &token, refresh_ttl(&settings)).await?;
    let user = users::Entity::find_by_id(issued.session.user_id)
        .one(&db)
        .await?
        .ok_or(ApiError::InvalidRefreshToken)?;
    session_response(&ctx, &issued, &user)
}

/// End this login (or, with `all`, every login of the user) at once.
#[utoipa::path(post, path = "/auth/logout", operation_id = "logout",
    tag = "auth", security(("bearer" = [])),
    request_body(
        content = Option<LogoutRequest>,
        description = "Optional: no body ends this login only"
    ),
    responses((status = 204,
        description = "Logged out: the access token and its refresh token no longer work")))]
async fn logout(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    OptionalJsonObject(body): OptionalJsonObject,
) -> Result<StatusCode> {
    let db = Db::of(&ctx);
    if LogoutRequest::parse(body)?.all {
        sessions::Model::revoke_all(&db, current.user.id).await?;
    } else {
        sessions::Model::revoke_by_jti(&db, current.jti).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, path = "/auth/me", operation_id = "get_me",
    tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = UserResponse)))]
async fn me(current: CurrentUser) -> Json<UserResponse> {
    Json(UserResponse::from(&current.user))
}

/// Change the caller's name, timezone or reminder lead.
#[utoipa::path(patch, path = "/auth/me", operation_id = "update_me",
    tag = "auth", security(("bearer" = [])),
    request_body = ProfilePatch,
    responses((status = 200, description = "The updated account", body = UserResponse)))]
async fn update_me(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    JsonObject(body): JsonObject,
) -> Result<Json<UserResponse>> {
    let db = Db::of(&ctx);
    let change = ProfilePatch::parse(body)?;
    let before = (
        current.user.timezone.clone(),
        current.user.reminder_lead_minutes,
    );
    // One transaction: the profile and the reminder instants it implies
    // change together or not at all.
    let txn = db.begin().await?;
    let user = current.user.update_profile(&txn, change).await?;
    if (user.timezone.clone(), user.reminder_lead_minutes) != before {
        tasks::Model::rearm_for_owner(&txn, &user).await?;
    }
    txn.commit().await?;
    Ok(Json(UserResponse::from(&user)))
}

/// Delete the caller's account and everything it owns, at once; the email
/// can register again.
#[utoipa::path(delete, path = "/auth/me", operation_id = "delete_me",
    tag = "auth", security(("bearer" = [])),
    extensions(("x-problems" = json!({"401": "InvalidCredentials"}))),
    request_body = DeleteAccountRequest,
    responses((status = 204, description = "The account and everything it owned are gone")))]
async fn delete_me(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    JsonObject(body): JsonObject,
) -> Result<StatusCode> {
    let db = Db::of(&ctx);
    let input = DeleteAccountRequest::parse(body)?;
    rate_limit::auth_attempt(Some(&current.user.email)).await?;
    Passwords::of(&ctx)?
        .confirm(&input.password, &current.user.password)
        .await?;
    let txn = db.begin().await?;
    users::Model::delete_account(&txn, current.user.id).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything the caller owns, as one JSON document streamed page by page
/// (exempt from `REQUEST_TIMEOUT`; `views::export`).
#[utoipa::path(get, path = "/auth/me/export", operation_id = "export_me",
    tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "Every row the caller owns (webhooks without secrets)",
        body = ExportDocument, headers(
            ("Content-Disposition" = String, description = "`attachment; filename=\"taskforge-export.json\"`"),
            ("Cache-Control" = String, description = "`no-store`: personal data"),
        ))))]
async fn export_me(State(ctx): State<Arc<AppContext>>, current: CurrentUser) -> Result<Response> {
    let db = Db::of(&ctx);
    // At most `QUOTA_LISTS` lists and `QUOTA_LABELS` labels (500 each):
    // read whole, before the stream.
    let lists = export::lists(&db, current.user.id).await?;
    let labels = export::labels(&db, current.user.id).await?;
    let parts = export::parts(db, current.user.id);
    let body = views::export::body(&current.user, &lists, &labels, parts);
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"taskforge-export.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// The auth routes, with an `Arc` of the context as their state (see
/// `controllers::tasks::routes`).
pub fn routes(ctx: &AppContext) -> Routes {
    let state = Arc::new(ctx.clone());
    Routes::new()
        .prefix("/auth")
        .add(
            "/register",
            post_service(register.with_state(state.clone())),
        )
        .add("/login", post_service(login.with_state(state.clone())))
        .add("/refresh", post_service(refresh.with_state(state.clone())))
        .add("/logout", post_service(logout.with_state(state.clone())))
        .add(
            "/me",
            get_service(me.with_state(state.clone()))
                .patch_service(update_me.with_state(state.clone()))
                .delete_service(delete_me.with_state(state.clone())),
        )
        .add("/me/export", get_service(export_me.with_state(state)))
}
