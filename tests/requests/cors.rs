//! CORS: off unless `CORS_ORIGINS` lists origins (contract, "Operations");
//! then only those origins, never with credentials.
use axum::http::Method;
use axum_test::{TestResponse, TestServer};
use loco_rs::testing::prelude::*;
use serde_json::json;
use serial_test::serial;
use taskforge::{app::App, server::cors::parse_origins};

use super::helpers::*;

const APP: &str = "https://app.example.com";

async fn with_origins(origins: &str) -> TestServer {
    server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["cors_origins"] = json!(origins);
    })
    .await
    .0
}

async fn preflight(server: &TestServer, origin: &str, method: &str) -> TestResponse {
    server
        .method(Method::OPTIONS, "/tasks")
        .add_header("origin", origin.to_string())
        .add_header("access-control-request-method", method.to_string())
        .add_header(
            "access-control-request-headers",
            "authorization, content-type, idempotency-key, if-match",
        )
        .await
}

fn header(response: &TestResponse, name: &str) -> Option<String> {
    response
        .maybe_header(name)
        .map(|v| v.to_str().unwrap_or_default().to_string())
}

#[tokio::test]
#[serial]
async fn without_cors_origins_no_response_carries_cors_headers() {
    request::<App, _, _>(|server, _ctx| async move {
        let answer = preflight(&server, APP, "POST").await;
        assert_eq!(header(&answer, "access-control-allow-origin"), None);
        assert_eq!(header(&answer, "access-control-allow-methods"), None);

        let get = server.get("/openapi.json").add_header("origin", APP).await;
        assert_eq!(get.status_code(), 200);
        assert_eq!(header(&get, "access-control-allow-origin"), None);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_listed_origin_gets_its_preflight_answered_without_credentials() {
    let server = with_origins(&format!("{APP}, http://localhost:5173")).await;

    let answer = preflight(&server, APP, "PATCH").await;

    assert!(
        answer.status_code().is_success(),
        "{}",
        answer.status_code()
    );
    assert_eq!(
        header(&answer, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    let methods = header(&answer, "access-control-allow-methods").unwrap();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = header(&answer, "access-control-allow-headers").unwrap();
    for name in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-match",
    ] {
        assert!(headers.contains(name), "{headers}");
    }
    assert_eq!(
        header(&answer, "access-control-max-age").as_deref(),
        Some("7200")
    );
    assert_eq!(header(&answer, "access-control-allow-credentials"), None);
    // The preflight is answered before authentication and still carries
    // the security headers.
    assert_eq!(
        header(&answer, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let other = preflight(&server, "http://localhost:5173", "GET").await;
    assert_eq!(
        header(&other, "access-control-allow-origin").as_deref(),
        Some("http://localhost:5173")
    );
}

#[tokio::test]
#[serial]
async fn a_listed_origin_may_read_the_etag_and_location_of_its_answers() {
    let server = with_origins(APP).await;
    let ann = login_as(&server, "ann@example.com").await;

    let created = server
        .post("/tasks")
        .authorization_bearer(&ann.access_token)
        .add_header("origin", APP)
        .json(&json!({"title": "from the browser"}))
        .await;

    assert_eq!(created.status_code(), 201);
    assert_eq!(
        header(&created, "access-control-allow-origin").as_deref(),
        Some(APP)
    );
    let exposed = header(&created, "access-control-expose-headers").unwrap();
    for name in ["etag", "location", "retry-after", "ratelimit-remaining"] {
        assert!(exposed.contains(name), "{exposed}");
    }
}

#[tokio::test]
#[serial]
async fn an_unlisted_origin_gets_no_cors_headers() {
    let server = with_origins(APP).await;

    let answer = preflight(&server, "https://evil.example.net", "DELETE").await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);

    let get = server
        .get("/openapi.json")
        .add_header("origin", "https://evil.example.net")
        .await;
    assert_eq!(header(&get, "access-control-allow-origin"), None);
}

#[tokio::test]
#[serial]
async fn a_star_allows_any_origin() {
    let server = with_origins("*").await;

    let answer = preflight(&server, "https://anywhere.example.org", "POST").await;

    assert_eq!(
        header(&answer, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(header(&answer, "access-control-allow-credentials"), None);
}

#[test]
fn cors_origins_accepts_bare_origins_and_refuses_the_rest() {
    assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
    assert_eq!(parse_origins(" , ").unwrap(), Vec::<String>::new());
    assert_eq!(
        parse_origins("https://app.example.com/, http://localhost:5173").unwrap(),
        ["https://app.example.com", "http://localhost:5173"]
    );
    assert_eq!(parse_origins("*").unwrap(), ["*"]);
    for bad in [
        "app.example.com",
        "ftp://app.example.com",
        "https://app.example.com/path",
        "https://",
        "*, https://app.example.com",
        "https://app.example.com?x=1",
    ] {
        assert!(parse_origins(bad).is_err(), "{bad} was accepted");
    }
}

#[tokio::test]
#[serial]
async fn an_invalid_cors_origins_stops_the_boot() {
    let mut config =
        <App as loco_rs::app::Hooks>::load_config(&loco_rs::environment::Environment::Test)
            .await
            .unwrap();
    config.settings.get_or_insert_with(|| json!({}))["cors_origins"] = json!("app.example.com");
    let boot = <App as loco_rs::app::Hooks>::boot(
        loco_rs::boot::StartMode::ServerOnly,
        &loco_rs::environment::Environment::Test,
        config,
    )
    .await;
    let err = boot
        .err()
        .expect("the boot refuses a bad CORS_ORIGINS")
        .to_string();
    assert!(err.contains("CORS_ORIGINS"), "{err}");
}
