//! Request extractors that turn raw requests into checked input or an
//! [`ApiError`](crate::errors::ApiError): the caller (`auth`), the database
//! handle (`db`), JSON bodies (`json`), headers (`headers`) and when the
//! request arrived (`arrived`).
pub mod arrived;
pub mod auth;
mod db;
pub mod headers;
pub mod json;

use std::sync::Arc;

use loco_rs::app::AppContext;

/// The router states the extractors work with: Loco's [`AppContext`], or an
/// [`Arc`] of it, which the task routes use so that a request clones a
/// pointer instead of the whole context (`controllers::tasks::routes`).
pub trait AppState: Send + Sync {
    fn app(&self) -> &AppContext;
}

impl AppState for AppContext {
    fn app(&self) -> &AppContext {
        self
    }
}

impl AppState for Arc<AppContext> {
    fn app(&self) -> &AppContext {
        self
    }
}
