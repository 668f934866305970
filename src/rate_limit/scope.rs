//! The per-request side: the layer that scopes a request, the two checks
//! handlers and the auth extractor call, and the `RateLimit-*` headers.
use std::{cell::Cell, future::Future, net::IpAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    middleware::{self, Next},
    response::Response,
    Router as AxumRouter,
};
use loco_rs::app::AppContext;
use uuid::Uuid;

use super::{client_ip, RateLimits};
use crate::errors::{ApiError, RateLimitHeaders, RATELIMIT_LIMIT};

/// What one request carries through its task.
struct RequestScope {
    limits: Arc<RateLimits>,
    client: IpAddr,
    /// The status to report on a successful response.
    noted: Cell<Option<RateLimitHeaders>>,
}

tokio::task_local! {
    static REQUEST: RequestScope;
}

/// Adds the [`scope`] layer when limits are on. With `RATE_LIMIT=off` no
/// layer is added and every check is a no-op.
///
/// # Errors
/// Internal error when the limiter was not stored at boot (a wiring bug).
pub fn install(router: AxumRouter, ctx: &AppContext) -> loco_rs::Result<AxumRouter> {
    let limits = ctx
        .shared_store
        .get::<Arc<RateLimits>>()
        .ok_or_else(|| loco_rs::Error::string("rate limits are not loaded"))?;
    if !limits.enabled() {
        return Ok(router);
    }
    Ok(router.layer(middleware::from_fn_with_state(limits, scope)))
}

/// Runs the request with its client address and the limiter at hand, then
/// sends the `RateLimit-*` headers of whatever check it passed (a 429 sets
/// its own).
pub async fn scope(
    State(limits): State<Arc<RateLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let client = client_ip(
        request.headers(),
        request.extensions(),
        limits.trusted_proxies(),
    );
    let request_scope = RequestScope {
        limits,
        client,
        noted: Cell::new(None),
    };
    let (noted, mut response) = REQUEST
        .scope(request_scope, async move {
            let response = next.run(request).await;
            (REQUEST.with(|s| s.noted.get()), response)
        })
        .await;
    if let Some(status) = noted {
        if !response.headers().contains_key(RATELIMIT_LIMIT) {
            status.write_headers(response.headers_mut());
        }
    }
    response
}

/// Runs `run` against this request's limiter and client, and keeps the
/// status it returns for the response headers. Outside a scope (limits off,
/// or a caller outside a request) nothing is counted.
fn check(
    run: impl FnOnce(&RateLimits, IpAddr) -> Result<RateLimitHeaders, ApiError>,
) -> Result<(), ApiError> {
    REQUEST
        .try_with(|scope| {
            let status = run(&scope.limits, scope.client)?;
            scope.noted.set(Some(status));
            Ok(())
        })
        .unwrap_or(Ok(()))
}

/// [`check`] for the limits that may ask Redis: the limiter is taken out of
/// the scope first, since a task-local cannot be borrowed across an await.
async fn check_shared<F, Fut>(run: F) -> Result<(), ApiError>
where
    F: FnOnce(Arc<RateLimits>, IpAddr) -> Fut,
    Fut: Future<Output = Result<RateLimitHeaders, ApiError>>,
{
    let Ok((limits, client)) = REQUEST.try_with(|scope| (scope.limits.clone(), scope.client))
    else {
        return Ok(());
    };
    let status = run(limits, client).await?;
    let _ = REQUEST.try_with(|scope| scope.noted.set(Some(status)));
    Ok(())
}

/// Counts one request to a limited auth endpoint from this client, and for
/// `email` when the endpoint names an account (`login`, `forgot`).
///
/// # Errors
/// [`ApiError::RateLimited`] when a limit is reached.
pub async fn auth_attempt(email: Option<&str>) -> Result<(), ApiError> {
    check_shared(|limits, client| async move { limits.auth(client, email).await }).await
}

/// Counts one `POST /auth/refresh` from this client.
///
/// # Errors
/// [`ApiError::RateLimited`] when the client's refresh limit is reached.
pub async fn refresh_attempt() -> Result<(), ApiError> {
    check_shared(|limits, client| async move { limits.refresh(client).await }).await
}

/// Counts one authenticated request of `user` (in memory, per instance).
///
/// # Errors
/// [`ApiError::RateLimited`] when the user's limit is reached.
pub fn user_request(user: Uuid) -> Result<(), ApiError> {
    check(|limits, _| limits.user(user))
}
