//! Bodies of the account endpoints, read into the shapes the OpenAPI
//! document shows (`PATCH /auth/me` is read by the model's own
//! `ProfilePatch::parse`). Like every body of the API, each one ignores the
//! read-only fields (`id`, `created_at`, …) and rejects any other unknown field.
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    domain::{
        account::{Email, Password, PersonName},
        body::{Body, READ_ONLY_FIELDS},
    },
    errors::{ApiError, FieldErrors},
};

fn complete<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::internal("a field passed validation without a value"))
}

fn any_string(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

/// 422 on `field` when `password` is the account's email or its local part.
///
/// # Errors
/// That 422.
pub fn not_derived(field: &str, password: &Password, email: &str) -> Result<(), ApiError> {
    password
        .not_derived_from(email)
        .map_err(|message| FieldErrors::one(field, &message).into())
}

/// `POST /auth/register`.
#[derive(Debug, ToSchema)]
pub struct RegisterRequest {
    pub name: PersonName,
    /// Unique, compared case-insensitively.
    #[schema(inline)]
    pub email: Email,
    #[schema(inline)]
    pub password: Password,
}

impl RegisterRequest {
    /// # Errors
    /// 422 naming every bad or unknown field, and the password when it is
    /// the email or its local part.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["name", "email", "password"], READ_ONLY_FIELDS);
        let name = body.required("name", PersonName::parse);
        let email = body.required("email", Email::parse);
        let password = body.required("password", Password::parse);
        body.finish()?;
        if let (Some(password), Some(email)) = (&password, &email) {
            not_derived("password", password, email.as_str())?;
        }
        Ok(Self {
            name: complete(name)?,
            email: complete(email)?,
            password: complete(password)?,
        })
    }
}

/// `POST /auth/login`: the email is not format-checked (a bad one simply
/// matches no account and gets the same 401).
#[derive(Debug, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery")]
    pub password: String,
}

impl LoginRequest {
    /// # Errors
    /// 422 when a field is missing or not a string.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["email", "password"], READ_ONLY_FIELDS);
        let email = body.required("email", any_string);
        let password = body.required("password", any_string);
        body.finish()?;
        Ok(Self {
            email: complete(email)?,
            password: complete(password)?,
        })
    }
}

/// `POST /auth/refresh`.
#[derive(Debug, ToSchema)]
pub struct RefreshRequest {
    /// The `refresh_token` of the latest `Session`.
    pub refresh_token: String,
}

impl RefreshRequest {
    /// # Errors
    /// 422 when `refresh_token` is missing or not a string.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["refresh_token"], READ_ONLY_FIELDS);
        let token = body.required("refresh_token", any_string);
        body.finish()?;
        Ok(Self {
            refresh_token: complete(token)?,
        })
    }
}

/// `POST /auth/logout`: no body at all, or this object.
#[derive(Debug, Default, ToSchema)]
pub struct LogoutRequest {
    /// `true` ends every login of the user, not just this one.
    #[schema(required = false)]
    pub all: bool,
}

impl LogoutRequest {
    /// No body is `{}`: this login only.
    ///
    /// # Errors
    /// 422 when `all` is not a boolean or another field is present.
    pub fn parse(map: Option<Map<String, Value>>) -> Result<Self, ApiError> {
        let Some(map) = map else {
            return Ok(Self::default());
        };
        let mut body = Body::new(map, &["all"], READ_ONLY_FIELDS);
        let all = body.flag("all");
        body.finish()?;
        Ok(Self { all })
    }
}

/// `POST /auth/forgot`.
#[derive(Debug, ToSchema)]
pub struct ForgotRequest {
    #[schema(inline)]
    pub email: Email,
}

impl ForgotRequest {
    /// # Errors
    /// 422 when the email is missing or malformed.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["email"], READ_ONLY_FIELDS);
        let email = body.required("email", Email::parse);
        body.finish()?;
        Ok(Self {
            email: complete(email)?,
        })
    }
}

/// `POST /auth/reset`.
#[derive(Debug, ToSchema)]
pub struct ResetRequest {
    /// The token from the password-reset email.
    pub token: String,
    #[schema(inline)]
    pub password: Password,
}

impl ResetRequest {
    /// # Errors
    /// 422 when the token is missing or the password is weak.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["token", "password"], READ_ONLY_FIELDS);
        let token = body.required("token", any_string);
        let password = body.required("password", Password::parse);
        body.finish()?;
        Ok(Self {
            token: complete(token)?,
            password: complete(password)?,
        })
    }
}

/// `POST /auth/password`.
#[derive(Debug, ToSchema)]
pub struct PasswordChangeRequest {
    /// The password now; a wrong one is the 401 of a failed login.
    #[schema(example = "correct horse battery")]
    pub current_password: String,
    #[schema(inline)]
    pub new_password: Password,
}

impl PasswordChangeRequest {
    /// # Errors
    /// 422 when a field is missing or the new password is weak.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["current_password", "new_password"], READ_ONLY_FIELDS);
        let current = body.required("current_password", any_string);
        let new = body.required("new_password", Password::parse);
        body.finish()?;
        Ok(Self {
            current_password: complete(current)?,
            new_password: complete(new)?,
        })
    }
}

/// `DELETE /auth/me`: the password again, so a stolen access token alone
/// cannot delete an account.
#[derive(Debug, ToSchema)]
pub struct DeleteAccountRequest {
    #[schema(example = "correct horse battery")]
    pub password: String,
}

impl DeleteAccountRequest {
    /// # Errors
    /// 422 when `password` is missing or not a string.
    pub fn parse(map: Map<String, Value>) -> Result<Self, ApiError> {
        let mut body = Body::new(map, &["password"], READ_ONLY_FIELDS);
        let password = body.required("password", any_string);
        body.finish()?;
        Ok(Self {
            password: complete(password)?,
        })
    }
}
