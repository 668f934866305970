//! Response shapes of the account endpoints.
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::timestamp;
use crate::models::users;

/// `User` in the contract.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserResponse {
    pub id: Uuid,
    #[schema(example = "Ada")]
    pub name: String,
    #[schema(format = Email, example = "ada@example.com")]
    pub email: String,
    /// An IANA timezone name; date-only due dates end at midnight there.
    #[schema(example = "UTC")]
    pub timezone: String,
    /// How long before a task is due its reminder is sent; 0 turns reminders off.
    #[schema(minimum = 0, maximum = 10080, example = 60)]
    pub reminder_lead_minutes: i32,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&users::Model> for UserResponse {
    fn from(user: &users::Model) -> Self {
        Self {
            id: user.pid,
            name: user.name.clone(),
            email: user.email.clone(),
            timezone: user.timezone.clone(),
            reminder_lead_minutes: user.reminder_lead_minutes,
            created_at: timestamp(&user.created_at),
        }
    }
}

/// `Session` in the contract: a fresh token pair and its user.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Session)]
pub struct SessionResponse {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(value_type = String, pattern = "^Bearer$", example = "Bearer")]
    pub token_type: &'static str,
    /// Lifetime of the access token, in seconds.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Opaque; single use (rotated by `POST /auth/refresh`).
    pub refresh_token: String,
    pub user: UserResponse,
}

/// A session leaves with `Cache-Control: no-store` (and `Pragma: no-cache`
/// for HTTP/1.0 caches): its tokens must not be kept by any cache
/// (RFC 6749 §5.1).
impl axum::response::IntoResponse for SessionResponse {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{header, HeaderValue};
        (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            axum::Json(self),
        )
            .into_response()
    }
}
