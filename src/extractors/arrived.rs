//! When a request arrived: stamped by the request-timeout layer
//! (`server::timeout`), before the body is read and any extractor or handler
//! waits for anything, so that two requests sent together count as
//! concurrent even when one of them is handled only after the other
//! finished (`tasks::Model::update_arrived`).
use std::convert::Infallible;

use axum::{extract::FromRequestParts, http::request::Parts};
use chrono::{DateTime, FixedOffset};

use crate::models::users::now;

/// The instant a request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrived(pub DateTime<FixedOffset>);

impl<S: Send + Sync> FromRequestParts<S> for Arrived {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Self>()
            .copied()
            .unwrap_or_else(|| Self(now())))
    }
}
