//! The benchmark's "limit" server: taskforge's task routes, status codes and
//! JSON, answered from memory behind the same JWT check (HS512 with the
//! base64-decoded `JWT_SECRET`, `exp` validated with no leeway). No database,
//! no sessions, no middleware: what a bare axum handler manages on this
//! machine, the ceiling taskforge's figures are divided by.
//!
//! Environment: `PORT` (default 5160), `JWT_SECRET` (required),
//! `LIMIT_TASKS` (a JSON array of `Task`s to serve, as taskforge returned
//! them), `LIMIT_POOL` / `LIMIT_POOL_IDS` (generate that many extra tasks and
//! write their ids to that file, one a line: the delete benchmark's supply).
use std::{
    cmp::Reverse,
    collections::{BTreeSet, HashMap},
    io::Write,
    sync::{Arc, RwLock},
};

use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use chrono::{SecondsFormat, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Task {
    id: Uuid,
    title: String,
    description: Option<String>,
    status: String,
    priority: String,
    due_date: Option<String>,
    completed_at: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct Page<'a> {
    data: Vec<&'a Task>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    #[allow(dead_code)]
    pid: String,
}

#[derive(Default)]
struct Store {
    tasks: HashMap<Uuid, Task>,
    /// Default listing order: newest first, ties by id.
    order: BTreeSet<(Reverse<String>, Uuid)>,
}

impl Store {
    fn insert(&mut self, task: Task) {
        self.order.insert((Reverse(task.created_at.clone()), task.id));
        self.tasks.insert(task.id, task);
    }

    fn remove(&mut self, id: Uuid) -> bool {
        match self.tasks.remove(&id) {
            Some(task) => {
                self.order.remove(&(Reverse(task.created_at), id));
                true
            }
            None => false,
        }
    }
}

struct AppState {
    key: DecodingKey,
    validation: Validation,
    store: RwLock<Store>,
}

type Shared = Arc<AppState>;

fn problem(status: StatusCode, title: &str) -> Response {
    let body = serde_json::json!({
        "type": format!("/problems/{}", status.as_u16()),
        "title": title,
        "status": status.as_u16(),
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let unauthorized = || problem(StatusCode::UNAUTHORIZED, "Unauthorized");
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(unauthorized)?;
    jsonwebtoken::decode::<Claims>(token.trim(), &state.key, &state.validation)
        .map(|_| ())
        .map_err(|_| unauthorized())
}

fn json_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/merge-patch+json"));
    if !is_json {
        return Err(problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(problem(StatusCode::BAD_REQUEST, "Malformed JSON")),
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

const STATUSES: [&str; 3] = ["incomplete", "in_progress", "complete"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "urgent"];

/// Applies the writable fields present in `body` (the checks a client error
/// would trip in taskforge, in miniature).
fn apply(task: &mut Task, body: &Map<String, Value>) -> Result<(), Response> {
    let invalid = || problem(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed");
    for (field, value) in body {
        match (field.as_str(), value) {
            ("title", Value::String(t)) if !t.trim().is_empty() && t.chars().count() <= 200 => {
                task.title = t.trim().to_string();
            }
            ("description", Value::String(d)) => task.description = Some(d.clone()),
            ("description", Value::Null) => task.description = None,
            ("status", Value::String(s)) if STATUSES.contains(&s.as_str()) => {
                task.completed_at = match (s.as_str(), task.completed_at.take()) {
                    ("complete", Some(done)) => Some(done),
                    ("complete", None) => Some(now()),
                    _ => None,
                };
                task.status = s.clone();
            }
            ("priority", Value::String(p)) if PRIORITIES.contains(&p.as_str()) => {
                task.priority = p.clone();
            }
            ("due_date", Value::String(d)) => task.due_date = Some(d.clone()),
            ("due_date", Value::Null) => task.due_date = None,
            ("id" | "created_at" | "updated_at" | "completed_at", _) => {}
            _ => return Err(invalid()),
        }
    }
    task.updated_at = now();
    Ok(())
}

fn task_id(raw: &str) -> Result<Uuid, Response> {
    Uuid::try_parse(raw).map_err(|_| problem(StatusCode::NOT_FOUND, "Not found"))
}

async fn show(State(state): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let id = match task_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let store = state.store.read().unwrap();
    match store.tasks.get(&id) {
        Some(task) => Json(task).into_response(),
        None => problem(StatusCode::NOT_FOUND, "Not found"),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<usize>,
}

async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let store = state.store.read().unwrap();
    let data: Vec<&Task> = store
        .order
        .iter()
        .take(limit)
        .filter_map(|(_, id)| store.tasks.get(id))
        .collect();
    let next_cursor = (store.tasks.len() > limit)
        .then(|| data.last().map(|t| format!("{}.{}", t.created_at, t.id)))
        .flatten();
    Json(Page { data, next_cursor }).into_response()
}

async fn create(State(state): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let body = match json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !matches!(body.get("title"), Some(Value::String(_))) {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, "Validation failed");
    }
    let at = now();
    let mut task = Task {
        id: Uuid::new_v4(),
        title: String::new(),
        description: None,
        status: "incomplete".into(),
        priority: "medium".into(),
        due_date: None,
        completed_at: None,
        created_at: at.clone(),
        updated_at: at,
    };
    if let Err(r) = apply(&mut task, &body) {
        return r;
    }
    let response = (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/tasks/{}", task.id))],
        Json(&task),
    )
        .into_response();
    state.store.write().unwrap().insert(task);
    response
}

async fn patch(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let id = match task_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let body = match json_object(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut store = state.store.write().unwrap();
    let Some(task) = store.tasks.get_mut(&id) else {
        return problem(StatusCode::NOT_FOUND, "Not found");
    };
    let mut changed = task.clone();
    if let Err(r) = apply(&mut changed, &body) {
        return r;
    }
    *task = changed;
    Json(&*task).into_response()
}

async fn remove(State(state): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let id = match task_id(&id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    if state.store.write().unwrap().remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        problem(StatusCode::NOT_FOUND, "Not found")
    }
}

fn load(store: &mut Store) -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(path) = std::env::var("LIMIT_TASKS") {
        let tasks: Vec<Task> = serde_json::from_slice(&std::fs::read(&path)?)?;
        for task in tasks {
            store.insert(task);
        }
    }
    let pool: usize = std::env::var("LIMIT_POOL").ok().map_or(Ok(0), |n| n.parse())?;
    if pool > 0 {
        let path = std::env::var("LIMIT_POOL_IDS")?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        let at = "2020-01-01T00:00:00Z".to_string();
        for i in 0..pool {
            let task = Task {
                id: Uuid::new_v4(),
                title: format!("Pool task {i}"),
                description: None,
                status: "incomplete".into(),
                priority: "medium".into(),
                due_date: None,
                completed_at: None,
                created_at: at.clone(),
                updated_at: at.clone(),
            };
            writeln!(out, "{}", task.id)?;
            store.insert(task);
        }
        out.flush()?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("JWT_SECRET").map_err(|_| "JWT_SECRET is required")?;
    let port: u16 = std::env::var("PORT").map_or(Ok(5160), |p| p.parse())?;
    let mut validation = Validation::new(Algorithm::HS512);
    validation.leeway = 0;
    let mut store = Store::default();
    load(&mut store)?;
    let loaded = store.tasks.len();
    let state = Arc::new(AppState {
        key: DecodingKey::from_base64_secret(&secret)?,
        validation,
        store: RwLock::new(store),
    });
    let app = Router::new()
        .route("/tasks", get(list).post(create))
        .route("/tasks/{id}", get(show).patch(patch).delete(remove))
        .route("/_ping", get(|| async { Json(serde_json::json!({"ok": true})) }))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("limit-server: {loaded} tasks, listening on 127.0.0.1:{port}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
