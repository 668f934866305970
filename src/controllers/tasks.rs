//! Tasks of the caller: `/tasks` and `/tasks/{id}`.
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json,
};
use loco_rs::{app::AppContext, controller::Routes};

use crate::{
    errors::ApiError,
    extractors::{
        auth::CurrentUser,
        json::JsonObject,
        preconditions::{etag, Preconditions},
        query::QueryParams,
    },
    models::{idempotency_keys as idempotency, tasks},
    params,
    settings::Settings,
    views::tasks::{TaskPage, TaskResponse},
};

type Result<T> = std::result::Result<T, ApiError>;

async fn create(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let key = params::tasks::idempotency_key(&headers)?;
    let hash = idempotency::request_hash(&body);
    let draft = params::tasks::draft(body)?;
    if let Some(key) = key {
        let render = |task: &tasks::Model| {
            serde_json::to_string(&TaskResponse::from(task)).unwrap_or_default()
        };
        let created =
            idempotency::create_task(&ctx.db, &current.user, &key, &hash, draft, render).await?;
        let status = StatusCode::from_u16(created.status).unwrap_or(StatusCode::CREATED);
        let mut response = (
            status,
            [
                (header::LOCATION, format!("/tasks/{}", created.task_pid)),
                (header::CONTENT_TYPE, "application/json".to_string()),
                (header::ETAG, etag(1)),
            ],
            created.body,
        )
            .into_response();
        if created.replayed {
            response.headers_mut().insert(
                "idempotent-replayed",
                axum::http::HeaderValue::from_static("true"),
            );
        }
        return Ok(response);
    }
    let task = tasks::Model::create_for_owner(&ctx.db, &current.user, draft).await?;
    let location = format!("/tasks/{}", task.pid);
    Ok((
        StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (header::ETAG, etag(task.version)),
        ],
        Json(TaskResponse::from(&task)),
    )
        .into_response())
}

/// A task with its `ETag`.
fn task_response(task: &tasks::Model) -> Response {
    (
        [(header::ETAG, etag(task.version))],
        Json(TaskResponse::from(task)),
    )
        .into_response()
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
    preconditions: Preconditions,
) -> Result<Response> {
    let task = tasks::Model::find_for_owner(&ctx.db, current.user.id, params::tasks::task_id(&id)?)
        .await?;
    if preconditions.not_modified(task.version) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag(task.version))],
        )
            .into_response());
    }
    Ok(task_response(&task))
}

async fn replace(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
    preconditions: Preconditions,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let pid = params::tasks::task_id(&id)?;
    let draft = params::tasks::draft(body)?;
    let if_match = preconditions.if_match.as_ref();
    let task =
        tasks::Model::replace_for_owner(&ctx.db, &current.user, pid, draft, if_match).await?;
    Ok(task_response(&task))
}

async fn patch(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
    preconditions: Preconditions,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let pid = params::tasks::task_id(&id)?;
    let patch = params::tasks::patch(body)?;
    let if_match = preconditions.if_match.as_ref();
    let task = tasks::Model::patch_for_owner(&ctx.db, &current.user, pid, patch, if_match).await?;
    Ok(task_response(&task))
}

async fn remove(
    State(ctx): State<AppContext>,
    current: CurrentUser,
    Path(id): Path<String>,
    preconditions: Preconditions,
) -> Result<StatusCode> {
    let pid = params::tasks::task_id(&id)?;
    tasks::Model::delete_for_owner(
        &ctx.db,
        current.user.id,
        pid,
        preconditions.if_match.as_ref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn routes() -> Routes {
    Routes::new()
        .prefix("/tasks")
        .add("/", get(list).post(create))
        .add("/{id}", get(show).put(replace).patch(patch).delete(remove))
}
