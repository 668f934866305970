//! Tasks of the caller: `/tasks` and `/tasks/{id}`.
use axum::{
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json,
};
use loco_rs::{app::AppContext, controller::Routes};

use crate::{
    errors::ApiError,
    extractors::{auth::CurrentUser, json::JsonObject, query::QueryParams},
    models::tasks,
    params,
    settings::Settings,
    views::tasks::{TaskPage, TaskResponse},
};

type Result<T> = std::result::Result<T, ApiError>;

async fn create(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let draft = params::tasks::draft(body)?;
    let task = tasks::Model::create_for_owner(&ctx.db, &current.user, draft).await?;
    let location = format!("/tasks/{}", task.pid);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(TaskResponse::from(&task)),
    )
        .into_response())
}

async fn list(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    query: QueryParams,
) -> Result<Json<TaskPage>> {
    let settings = Settings::of(&ctx)?;
    let page = params::tasks::list(&query, current.user.timezone(), &settings.cursor_key)?;
    let (rows, more) =
        tasks::Model::list_for_owner(&ctx.db, current.user.id, &page, chrono::Utc::now()).await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| params::tasks::next_cursor(last, &page, &settings.cursor_key));
    Ok(Json(TaskPage {
        data: rows.iter().map(TaskResponse::from).collect(),
        next_cursor,
    }))
}

async fn show(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<TaskResponse>> {
    let task = tasks::Model::find_for_owner(&ctx.db, current.user.id, params::tasks::task_id(&id)?)
        .await?;
    Ok(Json(TaskResponse::from(&task)))
}

async fn replace(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<TaskResponse>> {
    let pid = params::tasks::task_id(&id)?;
    let draft = params::tasks::draft(body)?;
    let task = tasks::Model::replace_for_owner(&ctx.db, &current.user, pid, draft).await?;
    Ok(Json(TaskResponse::from(&task)))
}

async fn patch(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
    JsonObject(body): JsonObject,
) -> Result<Json<TaskResponse>> {
    let pid = params::tasks::task_id(&id)?;
    let patch = params::tasks::patch(body)?;
    let task = tasks::Model::patch_for_owner(&ctx.db, &current.user, pid, patch).await?;
    Ok(Json(TaskResponse::from(&task)))
}

async fn remove(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    tasks::Model::delete_for_owner(&ctx.db, current.user.id, params::tasks::task_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Routes {
    Routes::new()
        .prefix("/tasks")
        .add("/", get(list).post(create))
        .add("/{id}", get(show).put(replace).patch(patch).delete(remove))
}
