//! Response shapes of the list endpoints.
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::timestamp;
use crate::{
    domain::{
        etag::etag,
        organizing::{Color, ListName},
    },
    models::lists,
};

/// `List` in the contract.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = List)]
pub struct ListResponse {
    pub id: Uuid,
    #[schema(value_type = ListName)]
    pub name: String,
    #[schema(value_type = Option<Color>, required = true)]
    pub color: Option<String>,
    /// The list every account has; it cannot be deleted or archived.
    pub inbox: bool,
    pub archived: bool,
    /// Opaque; lists sort by it in byte order.
    #[schema(example = "V")]
    pub position: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&lists::Model> for ListResponse {
    fn from(list: &lists::Model) -> Self {
        Self {
            id: list.pid,
            name: list.name.clone(),
            color: list.color.clone(),
            inbox: list.inbox,
            archived: list.archived,
            position: list.position.clone(),
            created_at: timestamp(&list.created_at),
            updated_at: timestamp(&list.updated_at),
        }
    }
}

/// A page of `GET /lists`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListPage {
    pub data: Vec<ListResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A list with its `ETag` (200).
pub fn with_etag(list: &lists::Model) -> Response {
    (
        [(header::ETAG, etag(list.version))],
        Json(ListResponse::from(list)),
    )
        .into_response()
}

/// `201` with `Location` and `ETag`.
pub fn created(list: &lists::Model) -> Response {
    (
        StatusCode::CREATED,
        [
            (header::LOCATION, format!("/lists/{}", list.pid)),
            (header::ETAG, etag(list.version)),
        ],
        Json(ListResponse::from(list)),
    )
        .into_response()
}
