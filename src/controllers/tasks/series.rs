//! A recurring task's series: `GET /tasks/{id}/completions` (what was done,
//! for which due date) and `GET /tasks/{id}/occurrences` (the due dates to
//! come).
use std::sync::Arc;

use axum::{
    extract::{Path, State},
    Json,
};
use loco_rs::app::AppContext;

use crate::{
    db::Db,
    errors::ApiError,
    extractors::auth::Access,
    models::tasks,
    params::{
        self,
        query::QueryParams,
        tasks::{CompletionListQuery, OccurrenceQuery},
    },
    settings::Settings,
    views::{
        self,
        tasks::{CompletionPage, OccurrencePage},
    },
};

type Result<T> = std::result::Result<T, ApiError>;

/// The completions of a task, newest first (only recurring tasks record
/// them: for another task the list is empty).
#[utoipa::path(get, path = "/tasks/{id}/completions", operation_id = "list_task_completions",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), CompletionListQuery),
    responses(
        (status = 200, description = "A page of completions", body = CompletionPage),
    ))]
pub async fn completions(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    access: Access,
    Path(id): Path<String>,
    query: QueryParams,
) -> Result<Json<CompletionPage>> {
    let pid = params::tasks::task_id(&id);
    let (current, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let task = task.ok_or(ApiError::NotFound)?;
    let cursor_key = &Settings::of(&ctx)?.cursor_key;
    let page = CompletionListQuery::parse(&query, task.pid, cursor_key)?;
    let (rows, more) =
        tasks::completions_of(&db, current.user.id, &task, page.limit, page.cursor).await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| CompletionListQuery::next_cursor(task.pid, last, cursor_key));
    Ok(Json(views::tasks::completions(&rows, next_cursor)))
}

/// The next due dates of a task's series from the current one (inclusive),
/// as it would be advanced if each were completed on time; a task without
/// recurrence gives its due date alone (or nothing), a finished series
/// nothing.
#[utoipa::path(get, path = "/tasks/{id}/occurrences", operation_id = "list_task_occurrences",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), OccurrenceQuery),
    responses(
        (status = 200, description = "The due dates to come", body = OccurrencePage),
    ))]
pub async fn occurrences(
    db: Db,
    access: Access,
    Path(id): Path<String>,
    query: QueryParams,
) -> Result<Json<OccurrencePage>> {
    let pid = params::tasks::task_id(&id);
    let (current, task) = access.with_task(&db, pid.as_ref().ok().copied()).await?;
    let task = task.ok_or(ApiError::NotFound)?;
    let query = OccurrenceQuery::parse(&query)?;
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let dates = tasks::occurrences_of(&task, &current.user, limit);
    Ok(Json(views::tasks::occurrences(&dates)))
}
