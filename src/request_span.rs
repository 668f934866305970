//! The span every request runs in, so that whatever it logs (an internal
//! error above all) carries its request id.
//!
//! It replaces Loco's `logger` middleware, which does the same with a span of
//! six fields (the full URI, the HTTP version, the user agent, the
//! environment…), each formatted and gathered into JSON by the log layer when
//! the span opens, on every request: 5% of a `GET /tasks/{id}`'s CPU
//! (docs/performance.md, change 22). This span has the request id, the
//! method and the path, read as strings (no formatting); the query string is
//! left out of the logs, as it may carry cursors and search terms. The rest
//! is Loco's: tower-http's `TraceLayer` with its default events, switched by
//! the same `server.middlewares.logger.enable` setting.
use axum::{http::Request, Router as AXRouter};
use loco_rs::{
    app::AppContext,
    controller::middleware::{logger, request_id::LocoRequestId, MiddlewareLayer},
    Result,
};
use serde::Serialize;
use tower_http::trace::TraceLayer;

/// The `logger` middleware of this app.
#[derive(Debug, Clone, Serialize)]
pub struct RequestSpan {
    enable: bool,
}

impl RequestSpan {
    /// Enabled as Loco's logger would be: by its setting, on by default.
    #[must_use]
    pub fn new(config: Option<&logger::Config>) -> Self {
        Self {
            enable: config.is_none_or(|c| c.enable),
        }
    }
}

impl MiddlewareLayer for RequestSpan {
    fn name(&self) -> &'static str {
        "logger"
    }

    fn is_enabled(&self) -> bool {
        self.enable
    }

    fn config(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }

    fn apply(&self, app: AXRouter<AppContext>) -> Result<AXRouter<AppContext>> {
        Ok(app.layer(TraceLayer::new_for_http().make_span_with(span)))
    }
}

/// The span of `request`: its id (set by the `request_id` middleware, which
/// runs first), method and path.
#[must_use]
pub fn span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<LocoRequestId>()
        .map_or("req-id-none", LocoRequestId::get);
    tracing::error_span!(
        "http-request",
        request_id,
        "http.method" = request.method().as_str(),
        "http.path" = request.uri().path(),
    )
}
