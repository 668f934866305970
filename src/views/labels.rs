//! Response shapes of the label endpoints.
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
        organizing::{Color, LabelName},
    },
    models::labels,
};

/// `Label` in the contract.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Label)]
pub struct LabelResponse {
    pub id: Uuid,
    #[schema(value_type = LabelName)]
    pub name: String,
    #[schema(value_type = Option<Color>, required = true)]
    pub color: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&labels::Model> for LabelResponse {
    fn from(label: &labels::Model) -> Self {
        Self {
            id: label.pid,
            name: label.name.clone(),
            color: label.color.clone(),
            created_at: timestamp(&label.created_at),
            updated_at: timestamp(&label.updated_at),
        }
    }
}

/// A page of `GET /labels`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelPage {
    pub data: Vec<LabelResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

/// A label with its `ETag` (200).
pub fn with_etag(label: &labels::Model) -> Response {
    (
        [(header::ETAG, etag(label.version))],
        Json(LabelResponse::from(label)),
    )
        .into_response()
}

/// `201` with `Location` and `ETag`.
pub fn created(label: &labels::Model) -> Response {
    (
        StatusCode::CREATED,
        [
            (header::LOCATION, format!("/labels/{}", label.pid)),
            (header::ETAG, etag(label.version)),
        ],
        Json(LabelResponse::from(label)),
    )
        .into_response()
}
