//! The API describing itself: `GET /openapi.json`, an OpenAPI 3.1 document
//! generated from the handlers' `#[utoipa::path]` attributes and the schemas
//! derived on the request shapes, the domain values, the views and `errors/`; and `GET /docs`, Swagger UI served
//! from the crate itself (no CDN). `docs/api.md` has the details.
use std::sync::{Arc, LazyLock};

use axum::{
    extract::Path,
    http::header,
    response::{Html, IntoResponse, Response},
    routing::get,
};
use loco_rs::controller::Routes;
use utoipa::{OpenApi, ToSchema};
use utoipa_swagger_ui::Config;

use crate::{
    controllers::{auth, labels, lists, notifications, passwords, tasks},
    domain::listing::SearchTerms,
    errors::{ApiError, FieldError, Problem},
    views::openapi::{self, Conventions},
};

/// The path of the document, which the docs page loads.
pub const SPEC_PATH: &str = "/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "taskforge",
        description = "A task-management REST API: accounts with short-lived access tokens and \
            rotating refresh tokens, private tasks organised in lists, labels, subtasks and a \
            manual order, with filters, search, sorting and keyset pagination, reminders and \
            overdue notices. Every 4xx and 5xx response is an RFC 9457 \
            `application/problem+json` document; every response carries `X-Request-Id`."
    ),
    paths(
        auth::register, auth::login, auth::refresh, auth::logout,
        passwords::forgot, passwords::reset, passwords::change,
        auth::me, auth::update_me, auth::delete_me, auth::export_me,
        tasks::list, tasks::create, tasks::show, tasks::replace, tasks::patch, tasks::remove,
        tasks::moves::move_task, tasks::series::completions, tasks::series::occurrences,
        lists::list, lists::create, lists::show, lists::patch, lists::remove, lists::move_list,
        labels::list, labels::create, labels::show, labels::patch, labels::remove,
        notifications::list, notifications::mark_read,
        ping, health, readiness, openapi_json, docs_page, docs_file,
    ),
    components(schemas(Problem, FieldError, DocsFile, SearchTerms)),
    modifiers(&Conventions),
    tags(
        (name = "auth", description = "Accounts, logins and tokens"),
        (name = "tasks", description = "The caller's tasks"),
        (name = "lists", description = "The caller's lists; every task is in one"),
        (name = "labels", description = "The caller's labels; a task carries up to 20"),
        (name = "notifications", description = "Reminders and overdue notices"),
        (name = "operations", description = "Health checks and this documentation"),
    )
)]
pub struct ApiDoc;

/// The document, built once.
static SPEC: LazyLock<String> = LazyLock::new(|| openapi::to_json(&ApiDoc::openapi()).to_string());

/// The document as served, as JSON.
#[must_use]
pub fn spec() -> serde_json::Value {
    serde_json::from_str(&SPEC).unwrap_or_default()
}

// Loco serves the health checks; these functions only carry their docs.
/// Liveness: the process answers.
#[utoipa::path(get, path = "/_ping", tag = "operations",
    responses((status = 200, description = "Alive", body = Object,
        example = json!({"ok": true}))))]
#[allow(dead_code)]
fn ping() {}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/_health", tag = "operations",
    responses((status = 200, description = "Alive", body = Object,
        example = json!({"ok": true}))))]
#[allow(dead_code)]
fn health() {}

/// Readiness: the database (and the queue) can be reached.
#[utoipa::path(get, path = "/_readiness", tag = "operations",
    extensions(("x-problems" = json!({"503": "Unavailable"}))),
    responses((status = 200, description = "Ready", body = Object,
        example = json!({"ok": true}))))]
#[allow(dead_code)]
fn readiness() {}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document",
        content_type = "application/json", body = Object)))]
async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], SPEC.as_str()).into_response()
}

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>taskforge API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/index.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
"#;

/// The interactive documentation (Swagger UI) of this document.
#[utoipa::path(get, path = "/docs", tag = "operations",
    responses((status = 200, description = "An HTML page",
        content_type = "text/html", body = String)))]
async fn docs_page() -> Html<&'static str> {
    Html(PAGE)
}

static UI_CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::new([SPEC_PATH])
            // Not kept in localStorage, where any script of the origin
            // could read it: a reload asks for the token again.
            .persist_authorization(false)
            .display_request_duration(true),
    )
});

/// A file of the docs page (Swagger UI's scripts, styles and icons).
#[utoipa::path(get, path = "/docs/{file}", tag = "operations",
    params(("file" = DocsFile, Path, description = "A file of the docs page")),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/css"), (String = "text/javascript"),
            (String = "application/javascript"), ([u8] = "image/png"),
        )),
    ))]
async fn docs_file(Path(file): Path<String>) -> Result<Response, ApiError> {
    let file = DocsFile::parse(&file).ok_or(ApiError::NotFound)?;
    let served = utoipa_swagger_ui::serve(file.name(), UI_CONFIG.clone())
        .map_err(|e| ApiError::internal(e.to_string()))?
        .ok_or(ApiError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, served.content_type)],
        served.bytes.into_owned(),
    )
        .into_response())
}

/// A file of the docs page: the only names `/docs/{file}` serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
pub enum DocsFile {
    #[schema(rename = "swagger-ui.css")]
    SwaggerUiCss,
    #[schema(rename = "index.css")]
    IndexCss,
    #[schema(rename = "swagger-ui-bundle.js")]
    Bundle,
    #[schema(rename = "swagger-ui-standalone-preset.js")]
    StandalonePreset,
    #[schema(rename = "swagger-initializer.js")]
    Initializer,
    #[schema(rename = "favicon-32x32.png")]
    Favicon32,
    #[schema(rename = "favicon-16x16.png")]
    Favicon16,
}

impl DocsFile {
    const ALL: [Self; 7] = [
        Self::SwaggerUiCss,
        Self::IndexCss,
        Self::Bundle,
        Self::StandalonePreset,
        Self::Initializer,
        Self::Favicon32,
        Self::Favicon16,
    ];

    /// Every file name, as in the path.
    pub const NAMES: [&'static str; 7] = [
        Self::SwaggerUiCss.name(),
        Self::IndexCss.name(),
        Self::Bundle.name(),
        Self::StandalonePreset.name(),
        Self::Initializer.name(),
        Self::Favicon32.name(),
        Self::Favicon16.name(),
    ];

    /// The file name, as in the path.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SwaggerUiCss => "swagger-ui.css",
            Self::IndexCss => "index.css",
            Self::Bundle => "swagger-ui-bundle.js",
            Self::StandalonePreset => "swagger-ui-standalone-preset.js",
            Self::Initializer => "swagger-initializer.js",
            Self::Favicon32 => "favicon-32x32.png",
            Self::Favicon16 => "favicon-16x16.png",
        }
    }

    /// The file `name` names, if it is one of the page's.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .add(SPEC_PATH, get(openapi_json))
        .add("/docs", get(docs_page))
        .add("/docs/{file}", get(docs_file))
}
