//! Shared request-test helpers: accounts, tokens, tasks, snapshot redactions.
//! Requests carry a login with axum-test's own `.authorization_bearer(token)`.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum_test::{TestResponse, TestServer};
use loco_rs::{
    app::{AppContext, Hooks},
    boot::StartMode,
    config::Config,
    environment::Environment,
    testing::prelude::RequestConfig,
};
use serde_json::{json, Value};
use taskforge::app::App;

pub const PASSWORD: &str = "correct horse battery";

/// A logged-in user as the tests see it.
pub struct Login {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: String,
    pub email: String,
}

/// The test configuration, changed by `change`, booted as a server: for
/// tests of settings `config/test.yaml` does not have.
pub async fn server_with(change: impl FnOnce(&mut Config)) -> (TestServer, AppContext) {
    let mut config = App::load_config(&Environment::Test).await.unwrap();
    change(&mut config);
    let boot = App::boot(StartMode::ServerOnly, &Environment::Test, config)
        .await
        .unwrap();
    let service = boot
        .router
        .unwrap()
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = TestServer::new_with_config(service, RequestConfig::default()).unwrap();
    (server, boot.app_context)
}

pub async fn register(server: &TestServer, name: &str, email: &str) -> TestResponse {
    server
        .post("/auth/register")
        .json(&json!({"name": name, "email": email, "password": PASSWORD}))
        .await
}

pub async fn login(server: &TestServer, email: &str, password: &str) -> TestResponse {
    server
        .post("/auth/login")
        .json(&json!({"email": email, "password": password}))
        .await
}

/// Registers `email` (name taken from its local part) and logs in.
pub async fn login_as(server: &TestServer, email: &str) -> Login {
    let name = email.split('@').next().unwrap_or("user");
    let registered = register(server, name, email).await;
    assert_eq!(
        registered.status_code(),
        201,
        "register {email}: {}",
        registered.text()
    );
    new_login(server, email).await
}

/// A second (third, …) login of an existing user.
pub async fn new_login(server: &TestServer, email: &str) -> Login {
    let response = login(server, email, PASSWORD).await;
    assert_eq!(
        response.status_code(),
        200,
        "login {email}: {}",
        response.text()
    );
    let body: Value = response.json();
    Login {
        access_token: body["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        refresh_token: body["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        user_id: body["user"]["id"].as_str().unwrap_or_default().to_string(),
        email: email.to_string(),
    }
}

/// Creates a task and returns its JSON.
pub async fn create_task(server: &TestServer, token: &str, body: Value) -> Value {
    let response = server
        .post("/tasks")
        .authorization_bearer(token)
        .json(&body)
        .await;
    assert_eq!(
        response.status_code(),
        201,
        "create task: {}",
        response.text()
    );
    response.json()
}

/// `GET /tasks?<query>`, asserting 200.
pub async fn list_tasks(server: &TestServer, token: &str, query: &str) -> Value {
    let response = server
        .get(&format!("/tasks?{query}"))
        .authorization_bearer(token)
        .await;
    assert_eq!(response.status_code(), 200, "{query}: {}", response.text());
    response.json()
}

/// The titles of a page of tasks, in order.
pub fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts a problem+json response with this status and `type`, and returns its body.
pub fn assert_problem(response: &TestResponse, status: u16, kind: &str) -> Value {
    assert_eq!(response.status_code(), status, "body: {}", response.text());
    assert_eq!(
        response
            .maybe_header("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_string()),
        Some("application/problem+json".to_string()),
    );
    let body: Value = response.json();
    assert_eq!(body["status"], json!(status));
    assert_eq!(body["type"], json!(kind));
    body
}

/// The fields named in a validation problem, in order.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// insta filters that hide ids, timestamps and tokens.
pub fn redactions() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[UUID]",
        ),
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z",
            "[TIMESTAMP]",
        ),
        (
            r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+",
            "[JWT]",
        ),
        (r"[0-9a-f]{32}\.[A-Za-z0-9]{43}", "[REFRESH_TOKEN]"),
        // A new task's key ends with digits of its random id.
        (
            r#""position": "[0-9A-Za-z]+""#,
            r#""position": "[POSITION]""#,
        ),
    ]
}

/// Snapshots a JSON body with [`redactions`] applied.
#[macro_export]
macro_rules! assert_body_snapshot {
    ($name:expr, $body:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_prepend_module_to_snapshot(false);
        for (pattern, replacement) in $crate::requests::helpers::redactions() {
            settings.add_filter(pattern, replacement);
        }
        settings.bind(|| {
            insta::assert_snapshot!(
                $name,
                serde_json::to_string_pretty(&$body).unwrap_or_default()
            );
        });
    }};
}

/// The SQLite file of the test queue (`queue.uri` of config/test.yaml).
pub async fn test_queue(ctx: &AppContext) -> sea_orm::DatabaseConnection {
    let Some(loco_rs::config::QueueConfig::Sqlite(queue)) = &ctx.config.queue else {
        panic!("the test queue is SQLite");
    };
    sea_orm::Database::connect(queue.uri.as_str())
        .await
        .unwrap()
}

/// The column `v` of every row `sql` selects from the test queue, as text.
pub async fn queue_strings(ctx: &AppContext, sql: &str) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let db = test_queue(ctx).await;
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    let rows = db.query_all_raw(statement).await.unwrap();
    rows.iter()
        .map(|row| row.try_get::<String>("", "v").unwrap())
        .collect()
}
