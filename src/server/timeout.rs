//! `REQUEST_TIMEOUT`: a handler (body reading included) answers within it or
//! the request gets 503 problem+json and its work is dropped. Streaming
//! answers (the account export, the change stream) are exempt: they are
//! bounded by the connection's idle timeout instead.
use std::time::Duration;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{errors::ApiError, extractors::arrived::Arrived, models::users::now};

/// Paths whose answers stream for as long as they need.
pub const STREAMING: [&str; 2] = ["/auth/me/export", "/changes/stream"];

/// The middleware (`axum::middleware::from_fn_with_state(limit, enforce)`).
/// The outermost layer that sees each request as it comes: it also stamps
/// when the request arrived ([`Arrived`]), before any extractor or handler
/// waits for anything (one layer fewer than a layer of its own).
pub async fn enforce(State(limit): State<Duration>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(Arrived(now()));
    if STREAMING.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout {
            seconds: limit.as_secs(),
        }
        .into_response(),
    }
}
