//! The caller's notifications: `/notifications`.
use std::sync::Arc;

use axum::{
    extract::{Path, State},
    handler::Handler,
    http::StatusCode,
    routing::{get_service, post_service},
    Json,
};
use loco_rs::{app::AppContext, controller::Routes};

use crate::{
    db::Db,
    errors::ApiError,
    extractors::auth::CurrentUser,
    models::notifications,
    params::{self, notifications::NotificationListQuery, query::QueryParams},
    settings::Settings,
    views::notifications::{NotificationPage, NotificationResponse},
};

type Result<T> = std::result::Result<T, ApiError>;

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", operation_id = "list_notifications",
    tag = "notifications", security(("bearer" = [])),
    params(NotificationListQuery),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPage),
    ))]
async fn list(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    query: QueryParams,
) -> Result<Json<NotificationPage>> {
    let db = Db::of(&ctx);
    let settings = Settings::of(&ctx)?;
    let page = NotificationListQuery::parse(&query, &settings.cursor_key)?;
    let (rows, more) = notifications::Model::list_for_owner(
        &db,
        current.user.id,
        page.unread,
        page.limit,
        page.cursor,
    )
    .await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| page.next_cursor(last, &settings.cursor_key));
    Ok(Json(NotificationPage {
        data: rows.iter().map(NotificationResponse::from).collect(),
        next_cursor,
    }))
}

/// Mark a notification read (again: the first `read_at` stays).
#[utoipa::path(post, path = "/notifications/{id}/read", operation_id = "mark_notification_read",
    tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification's id")),
    responses(
        (status = 204, description = "Read"),
    ))]
async fn mark_read(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let db = Db::of(&ctx);
    let pid = params::notifications::notification_id(&id)?;
    notifications::Model::mark_read(&db, current.user.id, pid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The notification routes, with an `Arc` of the context as their state
/// (see `controllers::tasks::routes`).
pub fn routes(ctx: &AppContext) -> Routes {
    let state = Arc::new(ctx.clone());
    Routes::new()
        .prefix("/notifications")
        .add("/", get_service(list.with_state(state.clone())))
        .add("/{id}/read", post_service(mark_read.with_state(state)))
}
