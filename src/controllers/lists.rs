//! Lists of the caller: `/lists`, `/lists/{id}` and `/lists/{id}/move`.
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

use crate::{
    db::Db,
    errors::ApiError,
    extractors::{
        auth::CurrentUser,
        headers::{IfMatch, IfNoneMatch},
        json::JsonObject,
    },
    models::lists::{self, ListInput, ListMove, ListPatch},
    params::{self, lists::ListListQuery, query::QueryParams},
    settings::Settings,
    views::{
        self,
        lists::{ListPage, ListResponse},
    },
};

type Result<T> = std::result::Result<T, ApiError>;

/// Create a list; it goes last.
#[utoipa::path(post, path = "/lists", operation_id = "create_list",
    tag = "lists", security(("bearer" = [])),
    request_body = ListInput,
    responses(
        (status = 201, description = "Created", body = ListResponse, headers(
            ("Location" = String, description = "`/lists/{id}`"),
            ("ETag" = String, description = "The list's version, a strong tag: `\"1\"`"),
        )),
    ),
    extensions(("x-problems" = json!({"403": "QuotaExceeded", "409": "NameTaken"}))),
    )]
async fn create(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    current: CurrentUser,
    JsonObject(body): JsonObject,
) -> Result<Response> {
    let input = ListInput::parse(body)?;
    let limit = Settings::of(&ctx)?.quotas.lists;
    let list = lists::Model::create_for_owner(&db, current.user.id, input, limit).await?;
    Ok(views::lists::created(&list))
}

/// The caller's lists in position order.
#[utoipa::path(get, path = "/lists", operation_id = "list_lists",
    tag = "lists", security(("bearer" = [])),
    params(ListListQuery),
    responses((status = 200, description = "A page of lists", body = ListPage)))]
async fn list(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    current: CurrentUser,
    query: QueryParams,
) -> Result<Json<ListPage>> {
    let key = &Settings::of(&ctx)?.cursor_key;
    let page = ListListQuery::parse(&query)?.into_page(key)?;
    let (rows, more) = lists::Model::list_for_owner(&db, current.user.id, &page).await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| params::lists::next_cursor(last, &page, key));
    Ok(Json(ListPage {
        data: rows.iter().map(ListResponse::from).collect(),
        next_cursor,
    }))
}

/// One list.
#[utoipa::path(get, path = "/lists/{id}", operation_id = "get_list",
    tag = "lists", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The list's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The list", body = ListResponse,
            headers(("ETag" = String, description = "The list's version, a strong tag: `\"3\"`"))),
        (status = 304, description = "`If-None-Match` names the current ETag",
            headers(("ETag" = String, description = "The list's version, a strong tag: `\"3\"`"))),
    ))]
async fn show(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_none_match: IfNoneMatch,
) -> Result<Response> {
    let pid = params::lists::list_id(&id)?;
    let list = lists::Model::find_for_owner(&db, current.user.id, pid).await?;
    if if_none_match.not_modified(list.version) {
        return Ok(views::not_modified(list.version));
    }
    Ok(views::lists::with_etag(&list))
}

/// Change the name, colour or archived flag of a list (JSON merge patch).
#[utoipa::path(patch, path = "/lists/{id}", operation_id = "patch_list",
    tag = "lists", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The list's id"), IfMatch),
    request_body(content(
        (ListPatch = "application/merge-patch+json"),
        (ListPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The patched list", body = ListResponse,
            headers(("ETag" = String, description = "The list's version, a strong tag: `\"3\"`"))),
    ),
    extensions(("x-problems" = json!({"409": "NameTaken"}))),
    )]
async fn patch(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    body: Result<JsonObject>,
) -> Result<Response> {
    let pid = params::lists::list_id(&id);
    let JsonObject(body) = body?;
    let pid = pid?;
    let patch = ListPatch::parse(body)?;
    let tags = if_match.tags.as_ref();
    let list = lists::Model::update_for_owner(&db, current.user.id, pid, &patch, tags).await?;
    Ok(views::lists::with_etag(&list))
}

/// Delete a list with its tasks (and their notifications); not the inbox.
#[utoipa::path(delete, path = "/lists/{id}", operation_id = "delete_list",
    tag = "lists", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The list's id"), IfMatch),
    responses((status = 204, description = "Deleted, with its tasks")),
    extensions(("x-problems" = json!({"409": "InboxList"}))),
    )]
async fn remove(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<StatusCode> {
    let pid = params::lists::list_id(&id)?;
    lists::Model::delete_for_owner(&db, current.user.id, pid, if_match.tags.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a list: right after another (`after: null`: first), right before
/// one, or last.
#[utoipa::path(post, path = "/lists/{id}/move", operation_id = "move_list",
    tag = "lists", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The list's id"), IfMatch),
    request_body = ListMove,
    responses(
        (status = 200, description = "The moved list", body = ListResponse,
            headers(("ETag" = String, description = "The list's version, a strong tag: `\"3\"`"))),
    ))]
async fn move_list(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_match: IfMatch,
    body: Result<JsonObject>,
) -> Result<Response> {
    let pid = params::lists::list_id(&id);
    let JsonObject(body) = body?;
    let pid = pid?;
    let spot = ListMove::parse(body)?.spot();
    let tags = if_match.tags.as_ref();
    let list = lists::Model::move_for_owner(&db, current.user.id, pid, spot, tags).await?;
    Ok(views::lists::with_etag(&list))
}

/// The list routes, with an `Arc` of the context as state (see
/// `controllers::tasks::routes`).
pub fn routes(ctx: &AppContext) -> Routes {
    let state = Arc::new(ctx.clone());
    Routes::new()
        .prefix("/lists")
        .add(
            "/",
            get_service(list.with_state(state.clone()))
                .post_service(create.with_state(state.clone())),
        )
        .add(
            "/{id}",
            get_service(show.with_state(state.clone()))
                .patch_service(patch.with_state(state.clone()))
                .delete_service(remove.with_state(state.clone())),
        )
        .add("/{id}/move", post_service(move_list.with_state(state)))
}
