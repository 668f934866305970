//! Tasks of the caller: `/tasks` and `/tasks/{id}`.
use std::sync::Arc;

use axum::{
    extract::{Path, State},
    handler::Handler,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get_service,
    Json,
};
use loco_rs::{app::AppContext, controller::Routes};

use crate::{
    errors::ApiError,
    extractors::{
        auth::{Access, CurrentUser},
        json::JsonObject,
        preconditions::{etag, Preconditions},
        query::QueryParams,
    },
    models::{idempotency_keys as idempotency, tasks},
    params::{self, schema as req},
    request_db::RequestDb,
    settings::Settings,
    views::{
        responses as problem,
        tasks::{TaskPage, TaskResponse},
    },
};

type Result<T> = std::result::Result<T, ApiError>;

/// Create a task.
#[utoipa::path(post, path = "/tasks", operation_id = "create_task",
    tag = "tasks", security(("bearer" = [])),
    params(req::IdempotencyHeader),
    request_body = req::TaskInput,
    responses(
        (status = 201,
            description = "Created (or the first response again, for a known `Idempotency-Key`)",
            body = TaskResponse, headers(
                ("Location" = String, description = "`/tasks/{id}`"),
                ("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"),
                ("Idempotent-Replayed" = String, description = "`true` on a replayed response"),
            )),
        (status = 409, response = problem::IdempotencyConflict),
    ))]
async fn create(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let key = params::tasks::idempotency_key(&headers)?;
    // Only a keyed request is compared with a stored one.
    let hash = key.as_ref().map(|_| idempotency::request_hash(&body));
    let draft = params::tasks::draft(body)?;
    if let (Some(key), Some(hash)) = (key, hash) {
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
    let task = tasks::Model::create_for_owner(&RequestDb::of(&ctx), &current.user, draft).await?;
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

/// The caller's tasks: filtered, searched, sorted, keyset-paginated.
#[utoipa::path(get, path = "/tasks", operation_id = "list_tasks",
    tag = "tasks", security(("bearer" = [])),
    params(req::TaskListQuery),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
        (status = 400, response = problem::BadQuery),
    ))]
async fn list(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    query: QueryParams,
) -> Result<Json<TaskPage>> {
    let settings = Settings::of(&ctx)?;
    let page = params::tasks::list(&query, current.user.timezone(), &settings.cursor_key)?;
    let db = RequestDb::of(&ctx);
    let (rows, more) =
        tasks::Model::list_for_owner(&db, current.user.id, &page, chrono::Utc::now()).await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| params::tasks::next_cursor(last, &page, &settings.cursor_key));
    Ok(Json(TaskPage {
        data: rows.into_iter().map(TaskResponse::from).collect(),
        next_cursor,
    }))
}

/// One task.
#[utoipa::path(get, path = "/tasks/{id}", operation_id = "get_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), req::IfNoneMatchHeader),
    responses(
        (status = 200, description = "The task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
        (status = 304, description = "`If-None-Match` names the current ETag",
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
        (status = 404, response = problem::NotFound),
    ))]
async fn show(
    db: RequestDb,
    access: Access,
    Path(id): Path<String>,
    preconditions: Preconditions,
) -> Result<Response> {
    let pid = params::tasks::task_id(&id);
    let (_caller, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let task = task.ok_or(ApiError::NotFound)?;
    if preconditions.not_modified(task.version) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag(task.version))],
        )
            .into_response());
    }
    Ok(task_response(&task))
}

/// Replace a task: omitted optional fields go back to their defaults.
#[utoipa::path(put, path = "/tasks/{id}", operation_id = "replace_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), req::IfMatchHeader),
    request_body = req::TaskInput,
    responses(
        (status = 200, description = "The replaced task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
        (status = 404, response = problem::NotFound),
        (status = 412, response = problem::PreconditionFailed),
    ))]
async fn replace(
    db: RequestDb,
    access: Access,
    Path(id): Path<String>,
    preconditions: Preconditions,
    body: Result<JsonObject>,
) -> Result<Response> {
    // The order of the answers stays 401, body (415/400), 404 for an id
    // that is not one, 422, 404 for a missing task.
    let pid = params::tasks::task_id(&id);
    let (current, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let JsonObject(body) = body?;
    pid?;
    let draft = params::tasks::draft(body)?;
    let task = task.ok_or(ApiError::NotFound)?;
    let if_match = preconditions.if_match.as_ref();
    let task = tasks::Model::replace_for_owner(&db, &current.user, task, draft, if_match).await?;
    Ok(task_response(&task))
}

/// Change some fields of a task (JSON merge patch).
#[utoipa::path(patch, path = "/tasks/{id}", operation_id = "patch_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), req::IfMatchHeader),
    request_body(content(
        (req::TaskPatch = "application/merge-patch+json"),
        (req::TaskPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The patched task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
        (status = 404, response = problem::NotFound),
        (status = 412, response = problem::PreconditionFailed),
    ))]
async fn patch(
    db: RequestDb,
    access: Access,
    Path(id): Path<String>,
    preconditions: Preconditions,
    body: Result<JsonObject>,
) -> Result<Response> {
    // The order of the answers stays 401, body (415/400), 404 for an id
    // that is not one, 422, 404 for a missing task.
    let pid = params::tasks::task_id(&id);
    let (current, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let JsonObject(body) = body?;
    pid?;
    let patch = params::tasks::patch(body)?;
    let task = task.ok_or(ApiError::NotFound)?;
    let if_match = preconditions.if_match.as_ref();
    let task = tasks::Model::patch_for_owner(&db, &current.user, task, patch, if_match).await?;
    Ok(task_response(&task))
}

/// Delete a task; a second DELETE is 404.
#[utoipa::path(delete, path = "/tasks/{id}", operation_id = "delete_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), req::IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, response = problem::NotFound),
        (status = 412, response = problem::PreconditionFailed),
    ))]
async fn remove(
    db: RequestDb,
    current: CurrentUser,
    Path(id): Path<String>,
    preconditions: Preconditions,
) -> Result<StatusCode> {
    let pid = params::tasks::task_id(&id)?;
    tasks::Model::delete_for_owner(&db, current.user.id, pid, preconditions.if_match.as_ref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The task routes, with their state applied here: an `Arc` of the
/// context, so a request clones a pointer. (Routes added as plain handlers
/// get Loco's `AppContext` as state, and axum clones the state, a deep copy
/// of the whole configuration, at least twice per request: a quarter of a
/// GET's CPU with the allocations it causes; docs/performance.md.)
pub fn routes(ctx: &AppContext) -> Routes {
    let state = Arc::new(ctx.clone());
    Routes::new()
        .prefix("/tasks")
        .add(
            "/",
            get_service(list.with_state(state.clone()))
                .post_service(create.with_state(state.clone())),
        )
        .add(
            "/{id}",
            get_service(show.with_state(state.clone()))
                .put_service(replace.with_state(state.clone()))
                .patch_service(patch.with_state(state.clone()))
                .delete_service(remove.with_state(state)),
        )
}
