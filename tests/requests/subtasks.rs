//! Subtasks on create and the order of new tasks (contract, organizing.md,
//! "New task fields"): `parent_id` makes a subtask in its parent's list, at
//! most four levels, and a new task goes last among its siblings. The
//! helpers here serve every tree and move test.
use axum_test::{TestResponse, TestServer};
use chrono::{DateTime, FixedOffset};
use loco_rs::{app::AppContext, testing::prelude::request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{app::App, models::tasks};

use super::{helpers::*, lists::create_list};

pub fn task_path(task: &Value) -> String {
    format!("/tasks/{}", task["id"].as_str().unwrap())
}

/// A subtask of `parent` titled `title`.
pub async fn subtask(server: &TestServer, token: &str, title: &str, parent: &Value) -> Value {
    create_task(
        server,
        token,
        json!({"title": title, "parent_id": parent["id"]}),
    )
    .await
}

/// A chain of `levels` tasks in `list`, each under the one before.
pub async fn chain(server: &TestServer, token: &str, list: &Value, levels: usize) -> Vec<Value> {
    let mut tasks =
        vec![create_task(server, token, json!({"title": "L1", "list_id": list["id"]})).await];
    for level in 2..=levels {
        let parent = tasks.last().unwrap().clone();
        tasks.push(subtask(server, token, &format!("L{level}"), &parent).await);
    }
    tasks
}

/// `GET /tasks/{id}`: the status, the task (or problem) and its ETag.
pub async fn fetch(server: &TestServer, token: &str, task: &Value) -> (u16, Value, String) {
    let response = server
        .get(&task_path(task))
        .authorization_bearer(token)
        .await;
    let etag = response
        .maybe_header("etag")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    (response.status_code().as_u16(), response.json(), etag)
}

/// The task as it is now, asserting it exists.
pub async fn now(server: &TestServer, token: &str, task: &Value) -> Value {
    let (status, body, _) = fetch(server, token, task).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Every task of `tasks` as it is now: what a refused write must not change.
pub async fn snapshot(server: &TestServer, token: &str, tasks: &[&Value]) -> Vec<(Value, String)> {
    let mut all = Vec::new();
    for task in tasks {
        let (status, body, etag) = fetch(server, token, task).await;
        assert_eq!(status, 200, "{body}");
        all.push((body, etag));
    }
    all
}

pub async fn patch_task(
    server: &TestServer,
    token: &str,
    task: &Value,
    body: Value,
) -> TestResponse {
    server
        .patch(&task_path(task))
        .authorization_bearer(token)
        .json(&body)
        .await
}

pub async fn put_task(server: &TestServer, token: &str, task: &Value, body: Value) -> TestResponse {
    server
        .put(&task_path(task))
        .authorization_bearer(token)
        .json(&body)
        .await
}

pub async fn move_task(
    server: &TestServer,
    token: &str,
    task: &Value,
    body: Value,
) -> TestResponse {
    server
        .post(&format!("{}/move", task_path(task)))
        .authorization_bearer(token)
        .json(&body)
        .await
}

/// The body of a 200, asserting it.
pub fn ok(response: &TestResponse) -> Value {
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.json()
}

/// Asserts a 422 naming exactly `fields`.
pub fn refused(response: &TestResponse, fields: &[&str], case: &str) {
    assert_eq!(response.status_code(), 422, "{case}: {}", response.text());
    let problem = assert_problem(response, 422, "/problems/validation-error");
    assert_eq!(error_fields(&problem), fields, "{case}");
}

/// The titles of the siblings in `list` under `parent` (`none`: top level)
/// in manual order, from one page.
pub async fn order(server: &TestServer, token: &str, list: &Value, parent: &str) -> Vec<String> {
    keyed_order(server, token, list, parent)
        .await
        .into_iter()
        .map(|(title, _)| title)
        .collect()
}

/// [`order`] with each sibling's `position`: `sort=position` for the top
/// level; a parent's subtasks sorted here by their `position` (byte order),
/// since `list_id` with `parent_id=<id>` lists nothing on SQLite (the
/// ignored test `subtask_listing::a_parents_subtasks_in_one_list_are_listed`).
pub async fn keyed_order(
    server: &TestServer,
    token: &str,
    list: &Value,
    parent: &str,
) -> Vec<(String, String)> {
    let list = list.as_str().unwrap();
    let query = if parent == "none" {
        format!("list_id={list}&parent_id=none&sort=position&limit=100")
    } else {
        format!("parent_id={parent}&limit=100")
    };
    let page = list_tasks(server, token, &query).await;
    let mut keyed: Vec<(String, String)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["list_id"], json!(list), "{t}");
            let title = t["title"].as_str().unwrap().to_string();
            (title, t["position"].as_str().unwrap().to_string())
        })
        .collect();
    if parent != "none" {
        keyed.sort_by(|a, b| a.1.cmp(&b.1));
    }
    keyed
}

/// The stored `updated_at` of `task`, at the precision the database keeps
/// (responses show whole seconds).
pub async fn updated_at(ctx: &AppContext, task: &Value) -> DateTime<FixedOffset> {
    let pid = uuid::Uuid::parse_str(id(task)).unwrap();
    tasks::Entity::find()
        .filter(tasks::Column::Pid.eq(pid))
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
        .updated_at
}

/// The id of a task as a `parent_id=` value.
pub fn id(task: &Value) -> &str {
    task["id"].as_str().unwrap()
}

#[tokio::test]
#[serial]
async fn a_parent_id_makes_a_subtask_in_the_parents_list() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "p", "list_id": work["id"]})).await;

        let sub = subtask(&server, t, "s", &parent).await;
        let same_list = create_task(
            &server,
            t,
            json!({"title": "s2", "parent_id": parent["id"], "list_id": work["id"]}),
        )
        .await;

        for task in [&sub, &same_list] {
            assert_eq!(task["list_id"], work["id"]);
            assert_eq!(task["parent_id"], parent["id"]);
        }
        assert_eq!(parent["parent_id"], json!(null));
        let top = create_task(&server, t, json!({"title": "top", "parent_id": null})).await;
        assert_eq!(top["parent_id"], json!(null));
        assert_ne!(top["list_id"], work["id"], "the inbox");
        let elsewhere = server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&json!({"title": "x", "parent_id": parent["id"], "list_id": top["list_id"]}))
            .await;
        refused(&elsewhere, &["list_id"], "a list other than the parent's");
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            ["s", "s2"]
        );
        assert_eq!(
            list_tasks(&server, t, "").await["data"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn create_refuses_an_unknown_foreign_or_malformed_parent() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let bobs = create_task(&server, &bob.access_token, json!({"title": "bob's"})).await;
        let cases = [
            json!("6f1c1f8e-4b8e-4a52-9d1e-2b7c2a9d0c11"),
            bobs["id"].clone(),
            json!("not-a-uuid"),
            json!(7),
            json!({"id": bobs["id"]}),
        ];

        for parent in cases {
            let response = server
                .post("/tasks")
                .authorization_bearer(t)
                .json(&json!({"title": "x", "parent_id": parent}))
                .await;
            refused(&response, &["parent_id"], &parent.to_string());
        }
        assert_eq!(list_tasks(&server, t, "").await["data"], json!([]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn create_allows_four_levels_and_refuses_a_fifth() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;

        let levels = chain(&server, t, &work, 4).await;

        for pair in levels.windows(2) {
            assert_eq!(pair[1]["parent_id"], pair[0]["id"]);
            assert_eq!(pair[1]["list_id"], work["id"]);
        }
        let fifth = server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&json!({"title": "L5", "parent_id": levels[3]["id"]}))
            .await;
        let problem = assert_problem(&fifth, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["parent_id"]);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains('4'),
            "{problem}"
        );
        // With labels (a transaction under the owner's lock): the label it
        // would have made is not made either.
        let labelled = server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&json!({"title": "L5", "parent_id": levels[3]["id"], "labels": ["fresh"]}))
            .await;
        refused(&labelled, &["parent_id"], "a fifth level with labels");
        let all = list_tasks(&server, t, "limit=100").await;
        assert_eq!(all["data"].as_array().unwrap().len(), 4);
        assert_eq!(
            order(&server, t, &work["id"], id(&levels[3])).await,
            Vec::<String>::new()
        );
        let labels: Value = server.get("/labels").authorization_bearer(t).await.json();
        assert_eq!(labels["data"], json!([]), "{labels}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn new_tasks_go_last_among_their_siblings_in_byte_order() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(
            &server,
            t,
            json!({"title": "parent", "list_id": work["id"]}),
        )
        .await;
        let mut top = vec![parent.clone()];
        let mut under = Vec::new();

        // Interleaved: siblings in other places do not disturb the order.
        for n in 0..70 {
            top.push(
                create_task(
                    &server,
                    t,
                    json!({"title": format!("t{n:02}"), "list_id": work["id"]}),
                )
                .await,
            );
            under.push(subtask(&server, t, &format!("s{n:02}"), &parent).await);
            create_task(&server, t, json!({"title": format!("inbox{n}")})).await;
        }

        for group in [&top, &under] {
            let keys: Vec<&str> = group
                .iter()
                .map(|t| t["position"].as_str().unwrap())
                .collect();
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        }
        let want_top: Vec<&str> = top.iter().map(|t| t["title"].as_str().unwrap()).collect();
        let want_under: Vec<&str> = under.iter().map(|t| t["title"].as_str().unwrap()).collect();
        assert_eq!(order(&server, t, &work["id"], "none").await, want_top);
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            want_under
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_position_in_a_body_is_ignored() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let first = create_task(&server, t, json!({"title": "first"})).await;

        let second = create_task(&server, t, json!({"title": "second", "position": "0"})).await;
        let patched = ok(&patch_task(&server, t, &first, json!({"position": "zzzz"})).await);
        let replaced = ok(&put_task(
            &server,
            t,
            &second,
            json!({"title": "second", "position": "1"}),
        )
        .await);

        assert!(second["position"].as_str().unwrap() > first["position"].as_str().unwrap());
        assert_eq!(patched["position"], first["position"]);
        assert_eq!(replaced["position"], second["position"]);
        let inbox = first["list_id"].clone();
        assert_eq!(order(&server, t, &inbox, "none").await, ["first", "second"]);
    })
    .await;
}
