//! The drain at shutdown (`server::serve_on`): requests already received
//! finish with their answer, new connections are refused, a request arriving
//! on a kept-alive connection during the grace is answered (and its
//! connection closed), idle connections close after the grace, and a request
//! slower than the drain is cut off when it ends, so the server always
//! returns within it.
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::{routing::get, Router};
use futures_util::future::join_all;
use taskforge::server::{self, watch::Limits};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

const LIMITS: Limits = Limits {
    header: Duration::from_secs(10),
    idle: Duration::from_secs(60),
};

/// A server whose `/slow` answers after `handler`; stopped by the sender,
/// draining for at most `drain`. The handle ends when `serve_on` returns.
async fn start(
    handler: Duration,
    drain: Duration,
) -> (SocketAddr, oneshot::Sender<()>, JoinHandle<()>) {
    let app = Router::new()
        .route(
            "/slow",
            get(move || async move {
                tokio::time::sleep(handler).await;
                "done"
            }),
        )
        .route("/", get(|| async { "hello" }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(server::serve_on(listener, app, LIMITS, drain, async {
        let _ = stopped.await;
    }));
    (addr, stop, served)
}

/// Sends `GET path` (keep-alive, as HTTP/1.1 clients do) on a new
/// connection.
async fn send(addr: SocketAddr, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: test\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// A connection that has had one answer and is kept alive, idle.
async fn kept_alive(addr: SocketAddr) -> TcpStream {
    let mut stream = send(addr, "/").await;
    let mut buf = [0u8; 1024];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    stream
}

/// Everything the server writes on `stream` until it closes it.
async fn read_to_close(mut stream: TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_finish_and_new_connections_are_refused() {
    let (addr, stop, served) = start(Duration::from_millis(600), Duration::from_secs(5)).await;
    let mut in_flight = Vec::new();
    for _ in 0..8 {
        in_flight.push(send(addr, "/slow").await);
    }
    // Every request is in its handler before the signal.
    tokio::time::sleep(Duration::from_millis(150)).await;

    let signalled = Instant::now();
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let refused = TcpStream::connect(addr).await;
    let answers = join_all(in_flight.into_iter().map(read_to_close)).await;
    served.await.unwrap();

    assert!(
        refused.is_err(),
        "a new connection was accepted while draining"
    );
    for answer in &answers {
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
        assert!(answer.ends_with("done"), "{answer:?}");
        assert!(
            answer.to_ascii_lowercase().contains("connection: close"),
            "{answer:?}"
        );
    }
    let took = signalled.elapsed();
    assert!(
        took < Duration::from_millis(2500),
        "the drain took {took:?}"
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_grace() {
    let (addr, stop, served) = start(Duration::ZERO, Duration::from_secs(5)).await;
    let mut idle = kept_alive(addr).await;
    let mut buf = [0u8; 1024];

    let signalled = Instant::now();
    stop.send(()).unwrap();
    let rest = tokio::time::timeout(Duration::from_secs(3), idle.read(&mut buf)).await;
    served.await.unwrap();

    assert!(matches!(rest, Ok(Ok(0) | Err(_))), "{rest:?}");
    let closed = signalled.elapsed();
    assert!(
        closed >= Duration::from_millis(900) && closed < Duration::from_secs(2),
        "{closed:?}"
    );
}

#[tokio::test]
async fn a_request_sent_on_a_kept_alive_connection_at_the_signal_is_answered() {
    let (addr, stop, served) = start(Duration::ZERO, Duration::from_secs(5)).await;
    let mut kept = kept_alive(addr).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    kept.write_all(b"GET / HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(kept).await;
    served.await.unwrap();

    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(
        answer.to_ascii_lowercase().contains("connection: close"),
        "{answer:?}"
    );
    assert!(answer.ends_with("hello"), "{answer:?}");
}

#[tokio::test]
async fn a_request_slower_than_the_drain_is_cut_off_at_the_drain() {
    let drain = Duration::from_millis(400);
    let (addr, stop, served) = start(Duration::from_secs(30), drain).await;
    let stream = send(addr, "/slow").await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let signalled = Instant::now();
    stop.send(()).unwrap();
    served.await.unwrap();
    let returned = signalled.elapsed();

    assert!(
        returned >= drain && returned < drain * 3,
        "returned after {returned:?}"
    );
    drop(stream);
}
