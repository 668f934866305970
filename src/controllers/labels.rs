//! Labels of the caller: `/labels` and `/labels/{id}`.
use std::sync::Arc;

use axum::{
    extract::{Path, State},
    handler::Handler,
    http::StatusCode,
    response::Response,
    routing::get_service,
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
    models::labels::{self, LabelInput, LabelPatch},
    params::{self, labels::LabelListQuery, query::QueryParams},
    settings::Settings,
    views::{
        self,
        labels::{LabelPage, LabelResponse},
    },
};

type Result<T> = std::result::Result<T, ApiError>;

/// Create a label.
#[utoipa::path(post, path = "/labels", operation_id = "create_label",
    tag = "labels", security(("bearer" = [])),
    request_body = LabelInput,
    responses(
        (status = 201, description = "Created", body = LabelResponse, headers(
            ("Location" = String, description = "`/labels/{id}`"),
            ("ETag" = String, description = "The label's version, a strong tag: `\"1\"`"),
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
    let input = LabelInput::parse(body)?;
    let limit = Settings::of(&ctx)?.quotas.labels;
    let label = labels::Model::create_for_owner(&db, current.user.id, input, limit).await?;
    Ok(views::labels::created(&label))
}

/// The caller's labels by name, ignoring case.
#[utoipa::path(get, path = "/labels", operation_id = "list_labels",
    tag = "labels", security(("bearer" = [])),
    params(LabelListQuery),
    responses((status = 200, description = "A page of labels", body = LabelPage)))]
async fn list(
    State(ctx): State<Arc<AppContext>>,
    db: Db,
    current: CurrentUser,
    query: QueryParams,
) -> Result<Json<LabelPage>> {
    let key = &Settings::of(&ctx)?.cursor_key;
    let page = LabelListQuery::parse(&query)?.into_page(key)?;
    let (rows, more) = labels::Model::list_for_owner(&db, current.user.id, &page).await?;
    let next_cursor = rows
        .last()
        .filter(|_| more)
        .map(|last| params::labels::next_cursor(last, key));
    Ok(Json(LabelPage {
        data: rows.iter().map(LabelResponse::from).collect(),
        next_cursor,
    }))
}

/// One label.
#[utoipa::path(get, path = "/labels/{id}", operation_id = "get_label",
    tag = "labels", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The label's id"), IfNoneMatch),
    responses(
        (status = 200, description = "The label", body = LabelResponse,
            headers(("ETag" = String, description = "The label's version, a strong tag: `\"3\"`"))),
        (status = 304, description = "`If-None-Match` names the current ETag",
            headers(("ETag" = String, description = "The label's version, a strong tag: `\"3\"`"))),
    ))]
async fn show(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_none_match: IfNoneMatch,
) -> Result<Response> {
    let pid = params::labels::label_id(&id)?;
    let label = labels::Model::find_for_owner(&db, current.user.id, pid).await?;
    if if_none_match.not_modified(label.version) {
        return Ok(views::not_modified(label.version));
    }
    Ok(views::labels::with_etag(&label))
}

/// Rename or recolour a label (JSON merge patch); a rename shows on every
/// task that carries it (each gets a new `updated_at` and ETag).
#[utoipa::path(patch, path = "/labels/{id}", operation_id = "patch_label",
    tag = "labels", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The label's id"), IfMatch),
    request_body(content(
        (LabelPatch = "application/merge-patch+json"),
        (LabelPatch = "application/json"),
    )),
    responses(
        (status = 200, description = "The patched label", body = LabelResponse,
            headers(("ETag" = String, description = "The label's version, a strong tag: `\"3\"`"))),
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
    let pid = params::labels::label_id(&id);
    let JsonObject(body) = body?;
    let pid = pid?;
    let patch = LabelPatch::parse(body)?;
    let tags = if_match.tags.as_ref();
    let label = labels::Model::update_for_owner(&db, current.user.id, pid, &patch, tags).await?;
    Ok(views::labels::with_etag(&label))
}

/// Delete a label; it comes off every task that carried it (each gets a new
/// `updated_at` and ETag).
#[utoipa::path(delete, path = "/labels/{id}", operation_id = "delete_label",
    tag = "labels", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The label's id"), IfMatch),
    responses((status = 204, description = "Deleted, and taken off its tasks")),
    )]
async fn remove(
    db: Db,
    current: CurrentUser,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<StatusCode> {
    let pid = params::labels::label_id(&id)?;
    labels::Model::delete_for_owner(&db, current.user.id, pid, if_match.tags.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The label routes, with an `Arc` of the context as state (see
/// `controllers::tasks::routes`).
pub fn routes(ctx: &AppContext) -> Routes {
    let state = Arc::new(ctx.clone());
    Routes::new()
        .prefix("/labels")
        .add(
            "/",
            get_service(list.with_state(state.clone()))
                .post_service(create.with_state(state.clone())),
        )
        .add(
            "/{id}",
            get_service(show.with_state(state.clone()))
                .patch_service(patch.with_state(state.clone()))
                .delete_service(remove.with_state(state)),
        )
}
