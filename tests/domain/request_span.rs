//! The span of each request (src/request_span.rs): what a request logs
//! carries its request id, method and path, and never its query string.
use axum::{routing::get, Router};
use axum_test::TestServer;
use loco_rs::controller::middleware::request_id::request_id_middleware;
use tower_http::trace::TraceLayer;

use crate::logs::Lines;

async fn fails() -> &'static str {
    tracing::error!("internal error");
    "logged"
}

#[tokio::test(flavor = "current_thread")]
async fn what_a_request_logs_names_its_request_id_method_and_path() {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let app = Router::new()
        .route("/tasks", get(fails))
        .layer(TraceLayer::new_for_http().make_span_with(taskforge::request_span::span))
        .layer(axum::middleware::from_fn(request_id_middleware));
    let server = TestServer::new(app).unwrap();

    let response = server
        .get("/tasks")
        .add_query_param("q", "secret-term")
        .add_header("x-request-id", "req-42")
        .await;

    response.assert_text("logged");
    let logged = lines.text();
    let line: serde_json::Value = serde_json::from_str(logged.lines().next().unwrap()).unwrap();
    assert_eq!(line["fields"]["message"], "internal error");
    let span = &line["span"];
    assert_eq!(span["name"], "http-request");
    assert_eq!(span["request_id"], "req-42");
    assert_eq!(span["http.method"], "GET");
    assert_eq!(span["http.path"], "/tasks");
    assert!(!logged.contains("secret-term"), "{logged}");
}

/// The app's own stack (`App::middlewares`) runs requests in this span, not
/// in Loco's, which would log the full URI and the user agent.
#[tokio::test]
#[serial_test::serial]
async fn the_apps_requests_run_in_this_span() {
    use loco_rs::testing::prelude::request;
    use taskforge::app::App;

    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);

    request::<App, _, _>(|server, _ctx| async move {
        server
            .get("/tasks")
            .add_query_param("q", "secret-term")
            .add_header("x-request-id", "req-43")
            .add_header("user-agent", "agent-007")
            .await
            .assert_status(axum::http::StatusCode::UNAUTHORIZED);
    })
    .await;

    let logged = lines.text();
    let spans: Vec<serde_json::Value> = logged
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == "req-43")
        .map(|line| line["span"].clone())
        .collect();
    assert!(!spans.is_empty(), "{logged}");
    for span in spans {
        assert_eq!(
            span,
            serde_json::json!({
                "name": "http-request",
                "request_id": "req-43",
                "http.method": "GET",
                "http.path": "/tasks",
            })
        );
    }
    assert!(!logged.contains("secret-term"), "{logged}");
    assert!(!logged.contains("agent-007"), "{logged}");
}
