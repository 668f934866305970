//! `POST /tasks/{id}/move`.
use axum::{extract::Path, response::Response};

use crate::{
    db::Db,
    errors::ApiError,
    extractors::{auth::CurrentUser, headers::IfMatch, json::JsonObject},
    models::tasks::{self, Shown, TaskMove},
    params,
    views::{self, tasks::TaskResponse},
};

type Result<T> = std::result::Result<T, ApiError>;

/// Move a task (with its subtree): to another list or parent, and to a spot
/// among its new siblings (right after one, `after: null` first, right
/// before one, or last).
#[utoipa::path(post, path = "/tasks/{id}/move", operation_id = "move_task",
    tag = "tasks", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The task's id"), IfMatch),
    request_body = TaskMove,
    responses(
        (status = 200, description = "The moved task", body = TaskResponse,
            headers(("ETag" = String, description = "The task's version, a strong tag: `\"3\"`"))),
    ))]
pub async fn move_task(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    body: Result<JsonObject>,
) -> Result<Response> {
    let pid = params::tasks::task_id(&id);
    let JsonObject(body) = body?;
    let pid = pid?;
    let mv = TaskMove::parse(body)?;
    let tags = if_match.tags.as_ref();
    let task = tasks::Model::move_for_owner(&db, current.user.id, pid, &mv, tags).await?;
    Ok(views::tasks::with_etag(&Shown::read(&db, task).await?))
}
