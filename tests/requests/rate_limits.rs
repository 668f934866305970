//! Rate limits over HTTP: 429 problems with `Retry-After` and `RateLimit-*`,
//! per client IP and email on login, per user elsewhere, and `RATE_LIMIT=off`.
//! Each test boots the app with its own small `settings.rate_limit`; every
//! limit counts per hour, so nothing refills while a test runs.

use axum_test::{TestResponse, TestServer};
use serde_json::{json, Value};
use serial_test::serial;

use super::helpers::*;

/// `settings.rate_limit` with these requests per hour, trusting one proxy so
/// that `X-Forwarded-For` stands for the client address.
fn limits(auth_ip: u32, auth_ip_email: u32, auth_email: u32, per_user: u32) -> Value {
    let hourly = |requests: u32| json!({"requests": requests, "per_seconds": 3600});
    json!({
        "enabled": true,
        "trusted_proxies": 1,
        "auth_per_ip": hourly(auth_ip),
        "auth_per_ip_email": hourly(auth_ip_email),
        "auth_per_email": hourly(auth_email),
        "refresh_per_ip": hourly(auth_ip),
        "per_user": hourly(per_user),
    })
}

/// Boots the test app with `rate_limit` as its `settings.rate_limit`.
async fn with_limits<F, Fut>(rate_limit: Value, test: F)
where
    F: FnOnce(TestServer) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (server, _ctx) = server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["rate_limit"] = rate_limit;
    })
    .await;
    test(server).await;
}

async fn login_from(server: &TestServer, client: &str, email: &str) -> TestResponse {
    server
        .post("/auth/login")
        .add_header("x-forwarded-for", client.to_string())
        .json(&json!({"email": email, "password": "wrong password"}))
        .await
}

async fn list_as(server: &TestServer, token: &str) -> TestResponse {
    server.get("/tasks").authorization_bearer(token).await
}

fn header(response: &TestResponse, name: &str) -> Option<String> {
    response
        .maybe_header(name)
        .map(|v| v.to_str().unwrap_or_default().to_string())
}

fn number(response: &TestResponse, name: &str) -> u64 {
    header(response, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing or not a number"))
}

/// A 429 `rate-limited` problem with its headers; returns `Retry-After`.
fn assert_rate_limited(response: &TestResponse, limit: u64) -> u64 {
    let body = assert_problem(response, 429, "/problems/rate-limited");
    assert_eq!(body["title"], "Too Many Requests");
    assert!(body["detail"].as_str().unwrap().contains("retry in"));
    assert!(body.get("errors").is_none());
    let retry_after = number(response, "retry-after");
    assert!(retry_after >= 1);
    assert_eq!(number(response, "ratelimit-limit"), limit);
    assert_eq!(number(response, "ratelimit-remaining"), 0);
    assert!(number(response, "ratelimit-reset") >= retry_after);
    assert_eq!(
        header(response, "ratelimit-policy"),
        Some(format!("{limit};w=3600"))
    );
    retry_after
}

#[tokio::test]
#[serial]
async fn login_is_429_after_the_per_ip_limit_and_other_ips_are_not_affected() {
    with_limits(limits(3, 100, 100, 100), |server| async move {
        for (i, remaining) in [2, 1, 0].into_iter().enumerate() {
            let email = format!("nobody{i}@example.com");
            let response = login_from(&server, "203.0.113.1", &email).await;
            assert_eq!(response.status_code(), 401);
            assert_eq!(number(&response, "ratelimit-remaining"), remaining);
        }

        let limited = login_from(&server, "203.0.113.1", "other@example.com").await;
        let elsewhere = login_from(&server, "203.0.113.2", "other@example.com").await;

        assert!(assert_rate_limited(&limited, 3) >= 1);
        assert_eq!(elsewhere.status_code(), 401);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn refresh_is_429_after_the_per_ip_limit() {
    with_limits(limits(3, 100, 100, 100), |server| async move {
        for _ in 0..3 {
            let response = server
                .post("/auth/refresh")
                .add_header("x-forwarded-for", "203.0.113.9")
                .json(&json!({"refresh_token": "guessed"}))
                .await;
            assert_eq!(response.status_code(), 401);
        }

        let limited = server
            .post("/auth/refresh")
            .add_header("x-forwarded-for", "203.0.113.9")
            .json(&json!({"refresh_token": "guessed"}))
            .await;

        assert_rate_limited(&limited, 3);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_is_429_for_one_email_from_one_ip_but_the_owner_elsewhere_still_logs_in() {
    with_limits(limits(100, 2, 100, 100), |server| async move {
        login_as(&server, "ann@example.com").await;
        for _ in 0..2 {
            login_from(&server, "198.51.100.9", "ann@example.com").await;
        }

        let guessing = login_from(&server, "198.51.100.9", "ANN@example.com").await;
        let other_email = login_from(&server, "198.51.100.9", "bob@example.com").await;
        let owner = new_login(&server, "ann@example.com").await;

        assert_rate_limited(&guessing, 2);
        assert_eq!(other_email.status_code(), 401);
        assert!(!owner.access_token.is_empty());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_is_429_for_one_email_guessed_from_many_ips() {
    with_limits(limits(100, 100, 3, 100), |server| async move {
        for i in 1..=3 {
            let client = format!("192.0.2.{i}");
            let response = login_from(&server, &client, "ann@example.com").await;
            assert_eq!(response.status_code(), 401);
        }

        let fourth_ip = login_from(&server, "192.0.2.4", "ann@example.com").await;
        let other_email = login_from(&server, "192.0.2.4", "bob@example.com").await;

        assert_rate_limited(&fourth_ip, 3);
        assert_eq!(other_email.status_code(), 401);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn forgot_counts_per_email_too() {
    with_limits(limits(100, 1, 100, 100), |server| async move {
        let forgot = || {
            server
                .post("/auth/forgot")
                .add_header("x-forwarded-for", "192.0.2.1")
                .json(&json!({"email": "ann@example.com"}))
        };
        assert_eq!(forgot().await.status_code(), 202);

        assert_rate_limited(&forgot().await, 1);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_forged_forwarded_for_does_not_escape_the_limit_without_trusted_proxies() {
    let mut settings = limits(1, 100, 100, 100);
    settings["trusted_proxies"] = json!(0);
    with_limits(settings, |server| async move {
        login_from(&server, "203.0.113.1", "a@example.com").await;

        let forged = login_from(&server, "203.0.113.2", "b@example.com").await;

        assert_rate_limited(&forged, 1);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn tasks_are_429_after_the_per_user_limit_and_another_user_is_not_affected() {
    with_limits(limits(100, 100, 100, 3), |server| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        for remaining in [2, 1, 0] {
            let response = list_as(&server, &ann.access_token).await;
            assert_eq!(response.status_code(), 200);
            assert_eq!(number(&response, "ratelimit-remaining"), remaining);
            assert_eq!(number(&response, "ratelimit-limit"), 3);
        }

        let limited = list_as(&server, &ann.access_token).await;
        let other = list_as(&server, &bob.access_token).await;

        assert_rate_limited(&limited, 3);
        assert_eq!(other.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_request_without_a_valid_token_is_401_not_429() {
    with_limits(limits(100, 100, 100, 1), |server| async move {
        let ann = login_as(&server, "ann@example.com").await;
        assert_eq!(list_as(&server, &ann.access_token).await.status_code(), 200);
        assert_eq!(list_as(&server, &ann.access_token).await.status_code(), 429);

        let anonymous = server.get("/tasks").await;
        let bad_token = list_as(&server, "not-a-token").await;

        assert_problem(&anonymous, 401, "/problems/unauthorized");
        assert_problem(&bad_token, 401, "/problems/unauthorized");
        assert!(header(&anonymous, "ratelimit-limit").is_none());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn rate_limit_off_switches_every_limit_off() {
    let mut settings = limits(1, 1, 1, 1);
    settings["enabled"] = json!("off");
    with_limits(settings, |server| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for _ in 0..3 {
            let login = login_from(&server, "203.0.113.1", "ann@example.com").await;
            let tasks = list_as(&server, &ann.access_token).await;
            assert_eq!(login.status_code(), 401);
            assert_eq!(tasks.status_code(), 200);
            assert!(header(&tasks, "ratelimit-limit").is_none());
        }
    })
    .await;
}
