//! The headers every response carries (contract, "Operations"): nosniff, no
//! referrer, a CSP (none for the API, the docs page's own files for it), no
//! `X-Powered-By`, `no-store` on tokens, HSTS only when `HSTS=on`, no CORS.

use axum_test::TestResponse;
use loco_rs::testing::prelude::*;
use serde_json::json;
use serial_test::serial;
use taskforge::app::App;

use super::{auth::refresh, helpers::*};

fn header(response: &TestResponse, name: &str) -> Option<String> {
    response
        .maybe_header(name)
        .map(|v| v.to_str().unwrap_or_default().to_string())
}

fn assert_secure(response: &TestResponse, csp: &str) {
    assert_eq!(
        header(response, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        header(response, "referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(
        header(response, "content-security-policy").as_deref(),
        Some(csp)
    );
    assert_eq!(header(response, "x-powered-by"), None);
    assert_eq!(header(response, "strict-transport-security"), None);
}

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

#[tokio::test]
#[serial]
async fn json_answers_and_problems_carry_the_security_headers() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let ok = server
            .get("/tasks")
            .authorization_bearer(&ann.access_token)
            .await;
        let problem = server.get("/tasks").await;
        let unknown = server.get("/no/such/path").await;
        let spec = server.get("/openapi.json").await;

        for response in [&ok, &problem, &unknown, &spec] {
            assert_secure(response, API_CSP);
        }
        assert_eq!(problem.status_code(), 401);
        assert_eq!(header(&ok, "cache-control"), None);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_docs_page_may_load_only_its_own_scripts_and_styles() {
    request::<App, _, _>(|server, _ctx| async move {
        let page = server.get("/docs").await;

        let csp = header(&page, "content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("style-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_secure(&page, &csp);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_docs_page_does_not_keep_the_token_in_local_storage() {
    request::<App, _, _>(|server, _ctx| async move {
        let script = server.get("/docs/swagger-initializer.js").await.text();

        assert!(
            !script.contains("\"persistAuthorization\":true"),
            "{script}"
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn token_answers_are_not_stored_by_caches() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let logged_in = login(&server, "ann@example.com", PASSWORD).await;
        let token = logged_in.json::<serde_json::Value>()["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        let refreshed = refresh(&server, &token).await;

        for response in [&logged_in, &refreshed] {
            assert_eq!(response.status_code(), 200);
            assert_eq!(
                header(response, "cache-control").as_deref(),
                Some("no-store")
            );
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn cors_is_off_by_default() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .get("/openapi.json")
            .add_header("origin", "https://elsewhere.example")
            .await;

        assert_eq!(header(&response, "access-control-allow-origin"), None);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn hsts_on_adds_strict_transport_security_to_every_answer() {
    let (server, _ctx) = server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["hsts"] = json!("on");
    })
    .await;

    for path in ["/openapi.json", "/tasks", "/docs"] {
        let response = server.get(path).await;
        let hsts = header(&response, "strict-transport-security").unwrap_or_default();
        assert!(hsts.starts_with("max-age="), "{path}: {hsts:?}");
    }
}
