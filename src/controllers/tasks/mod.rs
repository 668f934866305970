//! Tasks of the caller: `/tasks` and `/tasks/{id}` (a recurring task's
//! series: `series`).
pub mod moves;
pub mod series;

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    handler::Handler,
    http::StatusCode,
    response::Response,
    routing::{get_service, post_service},
    Json,
};
use loco_rs::{app::AppContext, controller::Routes};
use serde_json::{Map, Value};

use crate::{
    db::Db,
    domain::listing::ParentFilter,
    errors::{ApiError, FieldErrors},
    extractors::{
        arrived::Arrived,
        auth::{Access, CurrentUser},
        headers::{IdempotencyKey, IfMatch, IfNoneMatch},
        json::JsonObject,
    },
    models::{
        idempotency_keys::{self as idempotency, Created},
        lists,
        tasks::{self, Limits, Shown, TaskInput, TaskPatch},
    },
    params::{self, query::QueryParams, tasks::TaskListQuery},
    settings::Settings,
    views::{
        self,
        tasks::{TaskPage, TaskResponse},
    },
};

/// The quotas a task write may meet.
fn limits(ctx: &AppContext) -> Result<Limits> {
    let quotas = Settings::of(ctx)?.quotas;
    Ok(Limits {
        tasks: quotas.tasks,
        labels: quotas.labels,
    })
}

type Result<T> = std::result::Result<T, ApiError>;

/// Create a task.
#[utoipa::path(post, path = "/tasks", operation_id = "create_task",
    tag = "tasks", security(("bearer" = [])),
    params(IdempotencyKey),
    request_body = TaskInput,
    responses(
        (status = 201,
            description = "Created (or the first response again, for a known `Idempotency-Key`)",
            body = TaskResponse, headers(
                ("Location" = String, description = "`/tasks/{id}`"),
                ("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"),
                ("Idempotent-Replayed" = String, description = "`true` on a replayed response"),
            )),
    ),
    extensions(("x-problems" = json!({"403": "QuotaExceeded"}))),
    )]
async fn create(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    current: CurrentUser,
    key: Result<IdempotencyKey>,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    // The order of the answers stays 401, body (415/400), the key (422),
    // the fields (422).
    let key = key?.key;
    // Only a keyed request is compared with a stored one.
    let hash = key.as_ref().map(|_| idempotency::request_hash(&body));
    let input = TaskInput::parse(body)?;
    let limits = limits(&ctx)?;
    let created = match (key, hash) {
        (Some(key), Some(hash)) => {
            let render = views::tasks::render;
            idempotency::create_task(&db, &current.user, &key, &hash, input, limits, render).await?
        }
        _ => {
            let task = tasks::Model::create_for_owner(&db, &current.user, input, limits).await?;
            Created::first(&task, views::tasks::render(&task))
        }
    };
    Ok(views::tasks::created(created))
}

/// The caller's tasks: filtered, searched, sorted, keyset-paginated.
#[utoipa::path(get, path = "/tasks", operation_id = "list_tasks",
    tag = "tasks", security(("bearer" = [])),
    params(TaskListQuery),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
    ))]
async fn list(
    State(ctx): State<Arc<AppContext>>,
    current: CurrentUser,
    query: QueryParams,
) -> Result<Json<TaskPage>> {
    let settings = Settings::of(&ctx)?;
    let page =
        TaskListQuery::parse(&query, current.user.timezone())?.into_page(&settings.cursor_key)?;
    let db = Db::of(&ctx);
    if let Some(list) = page.filter.list {
        lists::own_list(&db, current.user.id, list).await?;
    }
    if let Some(ParentFilter::Of(parent)) = page.filter.parent {
        tasks::own_task(&db, current.user.id, parent).await?;
    }
    let (rows, more) =
        tasks::Model::list_for_owner(&db, current.user.id, &page, chrono::Utc::now()).await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| params::tasks::next_cursor(last, &page, &settings.cursor_key));
    let labels = tasks::page_labels(&db, &rows).await?;
    Ok(Json(views::tasks::page(rows, labels, next_cursor)))
}

/// One task.
#[utoipa::path(get, path = "/tasks/{id}", operation_id = "get_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
        (status = 304, description = "`If-None-Match` names the current ETag",
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
    ))]
async fn show(
    db: Db,
    access: Access,
    Path(id): Path<String>,
    if_none_match: IfNoneMatch,
) -> Result<Response> {
    let pid = params::tasks::task_id(&id);
    let (_caller, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let task = task.ok_or(ApiError::NotFound)?;
    if if_none_match.not_modified(task.version) {
        return Ok(views::not_modified(task.version));
    }
    Ok(views::tasks::with_etag(&Shown::read(&db, task).await?))
}

/// Replace a task: omitted optional fields go back to their defaults.
#[utoipa::path(put, path = "/tasks/{id}", operation_id = "replace_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), IfMatch),
    request_body = TaskInput,
    responses(
        (status = 200, description = "The replaced task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
    ))]
async fn replace(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    (access, arrived): (Access, Arrived),
    Path(id): Path<String>,
    if_match: IfMatch,
    body: Result<JsonObject>,
) -> Result<Response> {
    let whole = |map| TaskInput::parse(map).map(TaskPatch::from);
    update(&ctx, db, (access, arrived), &id, if_match, body, whole).await
}

/// Change some fields of a task (JSON merge patch).
#[utoipa::path(patch, path = "/tasks/{id}", operation_id = "patch_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), IfMatch),
    request_body(content(
        (TaskPatch = "application/merge-patch+json"),
        (TaskPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The patched task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
    ))]
async fn patch(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    (access, arrived): (Access, Arrived),
    Path(id): Path<String>,
    if_match: IfMatch,
    body: Result<JsonObject>,
) -> Result<Response> {
    update(
        &ctx,
        db,
        (access, arrived),
        &id,
        if_match,
        body,
        TaskPatch::parse,
    )
    .await
}

/// PUT and PATCH: the body read by `parse` as a patch, applied to the task.
async fn update(
    ctx: &AppContext,
    db: Db,
    (access, Arrived(arrived)): (Access, Arrived),
    id: &str,
    if_match: IfMatch,
    body: Result<JsonObject>,
    parse: impl FnOnce(Map<String, Value>) -> std::result::Result<TaskPatch, FieldErrors>,
) -> Result<Response> {
    // The order of the answers stays 401, body (415/400), 404 for an id
    // that is not one, 422, 404 for a missing task.
    let pid = params::tasks::task_id(id);
    let (current, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let JsonObject(body) = body?;
    pid?;
    let patch = parse(body)?;
    let task = task.ok_or(ApiError::NotFound)?;
    let tags = if_match.tags.as_ref();
    let label_limit = Settings::of(ctx)?.quotas.labels;
    let owner = &current.user;
    let task =
        tasks::Model::update_arrived(&db, owner, task, &patch, tags, label_limit, arrived).await?;
    Ok(views::tasks::with_etag(&task))
}

/// Delete a task; a second DELETE is 404.
#[utoipa::path(delete, path = "/tasks/{id}", operation_id = "delete_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
    ))]
async fn remove(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<StatusCode> {
    let pid = params::tasks::task_id(&id)?;
    tasks::Model::delete_for_owner(&db, current.user.id, pid, if_match.tags.as_ref()).await?;
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
                .delete_service(remove.with_state(state.clone())),
        )
        .add(
            "/{id}/move",
            post_service(moves::move_task.with_state(state.clone())),
        )
        .add(
            "/{id}/completions",
            get_service(series::completions.with_state(state.clone())),
        )
        .add(
            "/{id}/occurrences",
            get_service(series::occurrences.with_state(state)),
        )
}
