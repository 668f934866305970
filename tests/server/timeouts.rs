//! Connection timeouts of `src/server/` (contract, "Operations"), with short
//! limits: headers that trickle in are cut off, an idle kept-alive connection
//! is closed after the idle limit but not before, and a slow handler gets a
//! 503 problem.
use std::time::{Duration, Instant};

use axum::{routing::get, Router};
use taskforge::server::{self, watch::Limits};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

const DRAIN: Duration = Duration::from_secs(5);

const LIMITS: Limits = Limits {
    header: Duration::from_millis(700),
    idle: Duration::from_millis(2000),
};

/// A server with `app` and [`LIMITS`] on a free port; dropping the sender stops it.
async fn start(app: Router) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server::serve_on(listener, app, LIMITS, DRAIN, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

fn hello() -> Router {
    Router::new().route("/", get(|| async { "hello" }))
}

/// Reads until the peer closes; the time it took, or `None` after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + within).into(), stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// One complete request on `stream` and the start of its answer.
async fn get_root(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[tokio::test]
async fn headers_that_trickle_in_are_cut_off_at_the_header_timeout() {
    let (addr, _stop) = start(hello()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let slow = tokio::spawn(async move {
        // One header byte every 200 ms: never a whole head in time.
        for byte in b"GET / HTTP/1.1\r\nhost: test\r\nx-slow: " {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        stream
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut stream = slow.await.unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(3)).await;
    assert!(closed.is_some(), "the trickling connection is still open");
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_at_the_header_timeout() {
    let (addr, _stop) = start(hello()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();

    let closed = closed_within(&mut stream, Duration::from_secs(3)).await;

    let after = closed.expect("a silent connection stays open");
    assert!(
        after >= Duration::from_millis(500),
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_lives_until_the_idle_timeout() {
    let (addr, _stop) = start(hello()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    assert!(get_root(&mut stream).await.starts_with("HTTP/1.1 200"));

    // Idle for longer than the header timeout: still usable.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(get_root(&mut stream).await.starts_with("HTTP/1.1 200"));

    let closed = closed_within(&mut stream, Duration::from_secs(4)).await;
    let after = closed.expect("an idle connection stays open past the idle timeout");
    assert!(
        after >= Duration::from_millis(1800),
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn a_handler_slower_than_the_request_timeout_gets_503_problem() {
    let app = Router::new()
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/auth/me/export",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "streamed"
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            Duration::from_millis(300),
            server::timeout::enforce,
        ));
    let server = axum_test::TestServer::new(app).unwrap();

    let slow = server.get("/slow").await;
    let exempt = server.get("/auth/me/export").await;

    assert_eq!(slow.status_code(), 503);
    assert_eq!(
        slow.header("content-type").to_str().unwrap(),
        "application/problem+json"
    );
    let body: serde_json::Value = slow.json();
    assert_eq!(body["type"], "/problems/timeout");
    assert_eq!(exempt.status_code(), 200);
    assert_eq!(exempt.text(), "streamed");
}
