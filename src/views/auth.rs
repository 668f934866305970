//! Response shapes of the account endpoints.
use serde::Serialize;
use uuid::Uuid;

use super::timestamp;
use crate::models::users;

/// `User` in the contract.
#[derive(Debug, Serialize)]
pub struct UserResponse {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub timezone: String,
    pub reminder_lead_minutes: i32,
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
#[derive(Debug, Serialize)]
pub struct SessionResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub user: UserResponse,
}
