//! The database handle of a request: [`Db::of`] the router's state.
use axum::{extract::FromRequestParts, http::request::Parts};

use super::AppState;
use crate::{db::Db, errors::ApiError};

impl<S: AppState> FromRequestParts<S> for Db {
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(state.app()))
    }
}
