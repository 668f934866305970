//! The HTTP server (`Hooks::serve`): Loco's `axum::serve`, plus the
//! connection timeouts of the contract. Request headers must arrive within
//! `HEADER_TIMEOUT`, an idle kept-alive connection closes after
//! `IDLE_TIMEOUT` ([`watch`]); a handler answers within `REQUEST_TIMEOUT` or
//! the request gets 503 ([`timeout`]). Without them a client that sends one
//! header byte a minute holds its connection (and a file descriptor) for ever.
pub mod cors;
pub mod headers;
pub mod timeout;
pub mod watch;

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, HeaderValue},
    Router,
};
use hyper::{body::Incoming, Request};
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::{conn::auto, graceful::GracefulShutdown},
};
use loco_rs::{app::AppContext, boot::ServeParams, Result};
use tower::ServiceExt;

use crate::settings::Settings;
use watch::{Limits, Watch, Watched};

/// After a shutdown signal, how long kept-alive connections may still bring
/// a request (answered with `Connection: close`) before the idle ones are
/// closed: far more than a request takes to cross a network.
const IDLE_GRACE: Duration = Duration::from_secs(1);

/// Serves `app` on the configured address until a shutdown signal (SIGTERM
/// or SIGINT), then stops accepting, lets the requests in flight finish (at
/// most `SHUTDOWN_TIMEOUT`) and runs `on_shutdown`.
///
/// # Errors
/// When the address cannot be bound.
pub async fn serve<F, Fut>(
    app: Router,
    ctx: &AppContext,
    params: &ServeParams,
    on_shutdown: F,
) -> Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let settings = Settings::of(ctx).map_err(|e| loco_rs::Error::Message(e.to_string()))?;
    let limits = Limits {
        header: Duration::from_secs(settings.timeouts.header_seconds),
        idle: Duration::from_secs(settings.timeouts.idle_seconds),
    };
    let listener =
        tokio::net::TcpListener::bind(format!("{}:{}", params.binding, params.port)).await?;
    let drain = Duration::from_secs(settings.timeouts.shutdown_seconds);
    serve_on(
        listener,
        app,
        limits,
        drain,
        loco_rs::boot::shutdown_signal(),
    )
    .await;
    on_shutdown().await;
    Ok(())
}

/// Serves `app` on `listener` with the connection `limits` until `shutdown`
/// completes, then closes the listener (new connections are refused),
/// answers what arrives on open connections for [`IDLE_GRACE`] with
/// `Connection: close`, lets each connection finish the request it is
/// serving (idle ones close), and returns when all are done or after
/// `drain`, whichever is first.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    drain: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let draining = Arc::new(AtomicBool::new(false));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, say: wait, do not spin.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let watch = Watch::new(limits);
        let io = TokioIo::new(Watched::new(stream, watch.clone()));
        // The router for this connection: the peer as `ConnectInfo` (as
        // `into_make_service_with_connect_info` gives it), each request
        // reported to the watch until it is answered.
        let (app, request_watch, draining) = (app.clone(), watch.clone(), draining.clone());
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let in_flight = request_watch.request();
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            let (app, draining) = (app.clone(), draining.clone());
            async move {
                let mut response = app.oneshot(request).await;
                if draining.load(Ordering::Relaxed) {
                    if let Ok(response) = &mut response {
                        // Hyper closes the connection after this answer.
                        let close = HeaderValue::from_static("close");
                        response.headers_mut().insert(header::CONNECTION, close);
                    }
                }
                drop(in_flight);
                response
            }
        });
        let conn = graceful.watch(
            builder
                .serve_connection_with_upgrades(io, service)
                .into_owned(),
        );
        tokio::spawn(async move {
            tokio::pin!(conn);
            loop {
                tokio::select! {
                    _ = conn.as_mut() => return,
                    () = tokio::time::sleep_until(watch.deadline()) => {
                        if watch.overdue() {
                            // Dropping the connection closes the socket.
                            return;
                        }
                    }
                }
            }
        });
    }
    tracing::info!("shutting down...");
    drop(listener);
    // A request already on its way over a kept-alive connection is served
    // (and its connection closed after the answer) during the grace; only
    // then are the connections still idle closed. Closing them at once
    // would drop a request the client sent just before it saw the close.
    draining.store(true, Ordering::Relaxed);
    let grace = IDLE_GRACE.min(drain);
    tokio::time::sleep(grace).await;
    if tokio::time::timeout(drain - grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {drain:?}; closing their connections");
    }
}

/// Ends the process `after` from now unless it has ended by then: the bound
/// on a shutdown whose queue worker still runs a job (Loco waits for it
/// without a limit). A job cut off this way stays `processing` in the queue
/// and the queue's reaper re-queues it (docs/deploy.md, "Stopping").
pub fn exit_after(after: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(after);
        tracing::warn!("still running {after:?} after the shutdown signal; exiting");
        std::process::exit(1);
    });
}
