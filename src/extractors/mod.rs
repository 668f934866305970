//! Request extractors that turn raw requests into checked input or an [`ApiError`](crate::errors::ApiError).
pub mod auth;
pub mod json;
pub mod preconditions;
pub mod query;

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
