//! Field-level validation errors: every offending field of a request at once.
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiError;

/// One offending field (or query parameter) of a validation failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The body field, query parameter or header name (`body` for a body that is not an object).
    #[schema(example = "title")]
    pub field: String,
    #[schema(example = "must not be blank")]
    pub message: String,
}

/// Collects every field error of one request, so a client learns all of them at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// One error on one field.
    #[must_use]
    pub fn one(field: &str, message: &str) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// Records the error of a parse result under `field` and returns its value.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// `Ok(())` when nothing was recorded, otherwise these errors (a 422
    /// once they reach the handler: `From<FieldErrors> for ApiError`).
    ///
    /// # Errors
    /// Every recorded field.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}
