//! Per-user quotas (contract, "Resource limits"): the task limit at its
//! boundary, for plain, idempotent and concurrent creates. Going over is 403
//! `/problems/quota-exceeded` naming the limit, and writes nothing.
use std::future::IntoFuture;

use axum_test::{TestResponse, TestServer};
use futures_util::future::join_all;
use loco_rs::app::AppContext;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::models::_entities::{idempotency_keys, tasks};

use super::{auth::stored_user, helpers::*};

const QUOTA: u32 = 3;

async fn server_with_task_quota(limit: u32) -> (TestServer, AppContext) {
    server_with(|config| {
        config.settings.get_or_insert_with(|| json!({}))["quotas"] = json!({"tasks": limit});
    })
    .await
}

async fn post(server: &TestServer, token: &str, title: &str) -> TestResponse {
    server
        .post("/tasks")
        .authorization_bearer(token)
        .json(&json!({"title": title}))
        .await
}

async fn task_rows(ctx: &AppContext) -> u64 {
    tasks::Entity::find().count(&ctx.db).await.unwrap()
}

/// `users.task_count` of `email`, the counter the quota reads.
async fn counter(ctx: &AppContext, email: &str) -> i32 {
    stored_user(ctx, email).await.task_count
}

fn assert_quota_exceeded(response: &TestResponse) {
    let problem = assert_problem(response, 403, "/problems/quota-exceeded");
    assert_eq!(problem["title"], json!("Quota exceeded"));
    assert_eq!(
        problem["detail"],
        json!("the limit of 3 tasks per user is reached; delete some to make room")
    );
}

#[tokio::test]
#[serial]
async fn the_task_at_the_limit_is_created_and_the_next_one_is_refused() {
    let (server, ctx) = server_with_task_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    for n in 0..QUOTA {
        let created = post(&server, &ann.access_token, &format!("t{n}")).await;
        assert_eq!(created.status_code(), 201, "{}", created.text());
    }

    let over = post(&server, &ann.access_token, "one too many").await;

    assert_quota_exceeded(&over);
    assert_eq!(task_rows(&ctx).await, u64::from(QUOTA));
    assert_eq!(counter(&ctx, "ann@example.com").await, 3);
    let page = list_tasks(&server, &ann.access_token, "limit=10").await;
    assert!(!titles(&page).contains(&"one too many".to_string()));
}

#[tokio::test]
#[serial]
async fn deleting_a_task_makes_room_for_one_more() {
    let (server, ctx) = server_with_task_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let mut ids = Vec::new();
    for n in 0..QUOTA {
        ids.push(
            create_task(
                &server,
                &ann.access_token,
                json!({"title": format!("t{n}")}),
            )
            .await,
        );
    }
    assert_quota_exceeded(&post(&server, &ann.access_token, "full").await);

    let deleted = server
        .delete(&format!("/tasks/{}", ids[0]["id"].as_str().unwrap()))
        .authorization_bearer(&ann.access_token)
        .await;
    assert_eq!(deleted.status_code(), 204);
    assert_eq!(counter(&ctx, "ann@example.com").await, 2);

    assert_eq!(
        post(&server, &ann.access_token, "room").await.status_code(),
        201
    );
    assert_quota_exceeded(&post(&server, &ann.access_token, "full again").await);
}

#[tokio::test]
#[serial]
async fn the_quota_is_per_user() {
    let (server, ctx) = server_with_task_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    let bob = login_as(&server, "bob@example.com").await;
    for n in 0..QUOTA {
        post(&server, &ann.access_token, &format!("t{n}")).await;
    }

    assert_quota_exceeded(&post(&server, &ann.access_token, "ann's fourth").await);
    assert_eq!(
        post(&server, &bob.access_token, "bob's first")
            .await
            .status_code(),
        201
    );
    assert_eq!(counter(&ctx, "bob@example.com").await, 1);
}

#[tokio::test]
#[serial]
async fn an_idempotent_create_over_the_limit_is_refused_and_stores_no_key() {
    let (server, ctx) = server_with_task_quota(QUOTA).await;
    let ann = login_as(&server, "ann@example.com").await;
    for n in 0..QUOTA {
        post(&server, &ann.access_token, &format!("t{n}")).await;
    }
    let keyed = || {
        server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .add_header("idempotency-key", "over-the-limit")
            .json(&json!({"title": "keyed"}))
    };

    assert_quota_exceeded(&keyed().await);
    assert_eq!(
        idempotency_keys::Entity::find()
            .count(&ctx.db)
            .await
            .unwrap(),
        0
    );
    // Once there is room, the same key creates the task: the refusal was
    // not remembered as the key's answer.
    let first = list_tasks(&server, &ann.access_token, "limit=1").await;
    server
        .delete(&format!(
            "/tasks/{}",
            first["data"][0]["id"].as_str().unwrap()
        ))
        .authorization_bearer(&ann.access_token)
        .await;
    let created = keyed().await;
    assert_eq!(created.status_code(), 201, "{}", created.text());
    assert_eq!(keyed().await.json::<Value>(), created.json::<Value>());
    assert_eq!(task_rows(&ctx).await, u64::from(QUOTA));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_creates_at_the_limit_create_exactly_the_limit() {
    let (server, ctx) = server_with_task_quota(10).await;
    let ann = login_as(&server, "ann@example.com").await;
    for n in 0..7 {
        post(&server, &ann.access_token, &format!("before {n}")).await;
    }

    let racing = (0..12).map(|n| {
        server
            .post("/tasks")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"title": format!("race {n}")}))
            .into_future()
    });
    let statuses: Vec<u16> = join_all(racing)
        .await
        .iter()
        .map(|r| r.status_code().as_u16())
        .collect();

    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 403).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(task_rows(&ctx).await, 10);
    assert_eq!(counter(&ctx, "ann@example.com").await, 10);
}
