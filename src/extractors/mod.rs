//! Request extractors that turn raw requests into checked input or an [`ApiError`](crate::errors::ApiError).
pub mod auth;
pub mod json;
pub mod preconditions;
pub mod query;
