//! Bodies of the account endpoints. Like every body of the API, each one
//! ignores the read-only fields (`id`, `created_at`, …) and rejects any other
//! unknown field.
use serde_json::{Map, Value};

use crate::{
    domain::{
        account::{Email, Password, PersonName, ReminderLead, Timezone},
        body::{Body, READ_ONLY_FIELDS},
    },
    errors::ApiError,
    models::users::ProfileChange,
};

fn complete<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::internal("a field passed validation without a value"))
}

fn any_string(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

/// `POST /auth/register`.
pub struct Register {
    pub name: PersonName,
    pub email: Email,
    pub password: Password,
}

/// # Errors
/// 422 naming every bad or unknown field.
pub fn register(map: Map<String, Value>) -> Result<Register, ApiError> {
    let mut body = Body::new(map, &["name", "email", "password"], READ_ONLY_FIELDS);
    let name = body.required("name", PersonName::parse);
    let email = body.required("email", Email::parse);
    let password = body.required("password", Password::parse);
    body.finish()?;
    Ok(Register {
        name: complete(name)?,
        email: complete(email)?,
        password: complete(password)?,
    })
}

/// `POST /auth/login`: the email is not format-checked (a bad one simply
/// matches no account and gets the same 401).
pub struct Login {
    pub email: String,
    pub password: String,
}

/// # Errors
/// 422 when a field is missing or not a string.
pub fn login(map: Map<String, Value>) -> Result<Login, ApiError> {
    let mut body = Body::new(map, &["email", "password"], READ_ONLY_FIELDS);
    let email = body.required("email", any_string);
    let password = body.required("password", any_string);
    body.finish()?;
    Ok(Login {
        email: complete(email)?,
        password: complete(password)?,
    })
}

/// `POST /auth/refresh`.
///
/// # Errors
/// 422 when `refresh_token` is missing or not a string.
pub fn refresh(map: Map<String, Value>) -> Result<String, ApiError> {
    let mut body = Body::new(map, &["refresh_token"], READ_ONLY_FIELDS);
    let token = body.required("refresh_token", any_string);
    body.finish()?;
    complete(token)
}

/// `POST /auth/logout`: `{"all": true}` ends every login.
///
/// # Errors
/// 422 when `all` is not a boolean or another field is present.
pub fn logout(map: Option<Map<String, Value>>) -> Result<bool, ApiError> {
    let Some(map) = map else { return Ok(false) };
    let mut body = Body::new(map, &["all"], READ_ONLY_FIELDS);
    let all = body.flag("all");
    body.finish()?;
    Ok(all)
}

/// `POST /auth/forgot`.
///
/// # Errors
/// 422 when the email is missing or malformed.
pub fn forgot(map: Map<String, Value>) -> Result<Email, ApiError> {
    let mut body = Body::new(map, &["email"], READ_ONLY_FIELDS);
    let email = body.required("email", Email::parse);
    body.finish()?;
    complete(email)
}

/// `POST /auth/reset`.
pub struct Reset {
    pub token: String,
    pub password: Password,
}

/// # Errors
/// 422 when the token is missing or the password is weak.
pub fn reset(map: Map<String, Value>) -> Result<Reset, ApiError> {
    let mut body = Body::new(map, &["token", "password"], READ_ONLY_FIELDS);
    let token = body.required("token", any_string);
    let password = body.required("password", Password::parse);
    body.finish()?;
    Ok(Reset {
        token: complete(token)?,
        password: complete(password)?,
    })
}

/// `PATCH /auth/me`.
///
/// # Errors
/// 422 naming every bad or unknown field.
pub fn profile(map: Map<String, Value>) -> Result<ProfileChange, ApiError> {
    let mut body = Body::new(
        map,
        &["name", "timezone", "reminder_lead_minutes"],
        READ_ONLY_FIELDS,
    );
    let name = body.patch("name", false, PersonName::parse);
    let timezone = body.patch("timezone", false, Timezone::parse);
    let reminder_lead = body.patch_int("reminder_lead_minutes", ReminderLead::parse);
    body.finish()?;
    Ok(ProfileChange {
        name: name.into_option(),
        timezone: timezone.into_option(),
        reminder_lead: reminder_lead.into_option(),
    })
}
