//! What a label's rename or deletion does to its tasks (contract,
//! organizing.md, "Labels"): every task that carries it shows the new name,
//! or loses the label, with a new `updated_at` and ETag; tasks that do not
//! carry it, and other users' tasks, keep theirs. A refused change (409,
//! 412, 422) changes no task.
use axum_test::TestServer;
use loco_rs::{app::AppContext, testing::prelude::request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{app::App, models::_entities::tasks};
use uuid::Uuid;

use super::{
    helpers::*,
    labels::{label_names, labels, patch_label, path},
    task_labels::{get_task, task_path},
};

/// A task as stored: its version and `updated_at` to the microsecond.
async fn stored(ctx: &AppContext, task: &Value) -> tasks::Model {
    let pid = Uuid::try_parse(task["id"].as_str().unwrap()).unwrap();
    tasks::Entity::find()
        .filter(tasks::Column::Pid.eq(pid))
        .one(&ctx.db)
        .await
        .unwrap()
        .expect("the task exists")
}

/// The label named `name` of the caller.
async fn label_named(server: &TestServer, token: &str, name: &str) -> Value {
    labels(server, token, "").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == json!(name))
        .cloned()
        .unwrap_or_else(|| panic!("no label {name}"))
}

/// Ann's tasks: "both" (errand, home), "errand", "home", "none"; and Bob's
/// "bob's" (his own errand).
struct Tagged {
    both: Value,
    errand: Value,
    home: Value,
    none: Value,
    bobs: Value,
    ann: Login,
    bob: Login,
}

async fn tagged(server: &TestServer) -> Tagged {
    let ann = login_as(server, "ann@example.com").await;
    let bob = login_as(server, "bob@example.com").await;
    let t = &ann.access_token;
    Tagged {
        both: create_task(
            server,
            t,
            json!({"title": "both", "labels": ["errand", "home"]}),
        )
        .await,
        errand: create_task(server, t, json!({"title": "errand", "labels": ["errand"]})).await,
        home: create_task(server, t, json!({"title": "home", "labels": ["home"]})).await,
        none: create_task(server, t, json!({"title": "none"})).await,
        bobs: create_task(
            server,
            &bob.access_token,
            json!({"title": "bob's", "labels": ["errand"]}),
        )
        .await,
        ann,
        bob,
    }
}

/// Asserts that each task is as it was: same body, same version and
/// `updated_at` as stored, and `If-None-Match` with its ETag still 304.
async fn assert_unchanged(server: &TestServer, ctx: &AppContext, token: &str, before: &[&Value]) {
    for task in before {
        let now = stored(ctx, task).await;
        assert_eq!(now.version, 1, "{}", task["title"]);
        let read = get_task(server, token, task).await;
        assert_eq!(read.json::<Value>(), **task);
        let cached = server
            .get(&task_path(task))
            .authorization_bearer(token)
            .add_header("if-none-match", "\"1\"")
            .await;
        assert_eq!(cached.status_code(), 304, "{}", task["title"]);
    }
}

#[tokio::test]
#[serial]
async fn a_rename_changes_every_task_that_carries_the_label() {
    request::<App, _, _>(|server, ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let before_both = stored(&ctx, &s.both).await;
        let before_errand = stored(&ctx, &s.errand).await;
        let errand = label_named(&server, t, "errand").await;

        let renamed = patch_label(&server, t, &errand, json!({"name": "Chores"})).await;

        assert_eq!(renamed.status_code(), 200, "{}", renamed.text());
        for (task, before, labels) in [
            (&s.both, &before_both, json!(["Chores", "home"])),
            (&s.errand, &before_errand, json!(["Chores"])),
        ] {
            let read = get_task(&server, t, task).await;
            assert_eq!(read.header("etag"), "\"2\"", "{}", task["title"]);
            assert_eq!(read.json::<Value>()["labels"], labels);
            let now = stored(&ctx, task).await;
            assert!(now.updated_at > before.updated_at, "{}", task["title"]);
            let stale = server
                .get(&task_path(task))
                .authorization_bearer(t)
                .add_header("if-none-match", "\"1\"")
                .await;
            assert_eq!(stale.status_code(), 200);
        }
        // Most recently updated first: the two carriers lead.
        let recent = titles(&list_tasks(&server, t, "sort=-updated_at&limit=2").await);
        assert_eq!(recent.len(), 2);
        assert!(recent.contains(&"both".to_string()) && recent.contains(&"errand".to_string()));
        assert_unchanged(&server, &ctx, t, &[&s.home, &s.none]).await;
        assert_unchanged(&server, &ctx, &s.bob.access_token, &[&s.bobs]).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_rename_can_reorder_a_tasks_labels_and_change_their_case() {
    request::<App, _, _>(|server, _ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let home = label_named(&server, t, "home").await;

        patch_label(&server, t, &home, json!({"name": "Away"})).await;
        let away: Value = get_task(&server, t, &s.both).await.json();
        assert_eq!(away["labels"], json!(["Away", "errand"]));
        let recased = patch_label(&server, t, &home, json!({"name": "AWAY"})).await;
        assert_eq!(recased.status_code(), 200, "{}", recased.text());

        let read = get_task(&server, t, &s.home).await;
        assert_eq!(read.header("etag"), "\"3\"");
        assert_eq!(read.json::<Value>()["labels"], json!(["AWAY"]));
        let page = list_tasks(&server, t, "sort=title").await;
        assert_eq!(page["data"][0]["labels"], json!(["AWAY", "errand"]));
        assert_eq!(label_names(&server, t).await, ["AWAY", "errand"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_recolour_or_a_rename_to_the_same_name_changes_no_task() {
    request::<App, _, _>(|server, ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let errand = label_named(&server, t, "errand").await;

        let recoloured = patch_label(&server, t, &errand, json!({"color": "#abcdef"})).await;
        let same = patch_label(&server, t, &errand, json!({"name": " errand "})).await;

        assert_eq!(recoloured.status_code(), 200, "{}", recoloured.text());
        assert_eq!(same.status_code(), 200, "{}", same.text());
        assert_eq!(same.header("etag"), "\"3\"");
        assert_unchanged(&server, &ctx, t, &[&s.both, &s.errand, &s.home]).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_refused_rename_changes_no_task() {
    request::<App, _, _>(|server, ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let errand = label_named(&server, t, "errand").await;

        let taken = patch_label(&server, t, &errand, json!({"name": "HOME"})).await;
        let stale = server
            .patch(&path(&errand))
            .authorization_bearer(t)
            .add_header("if-match", "\"7\"")
            .json(&json!({"name": "Chores"}))
            .await;
        let invalid = patch_label(&server, t, &errand, json!({"name": "Chores", "x": 1})).await;
        let foreign =
            patch_label(&server, &s.bob.access_token, &errand, json!({"name": "B"})).await;

        assert_problem(&taken, 409, "/problems/name-taken");
        assert_problem(&stale, 412, "/problems/precondition-failed");
        assert_problem(&invalid, 422, "/problems/validation-error");
        assert_problem(&foreign, 404, "/problems/not-found");
        assert_unchanged(&server, &ctx, t, &[&s.both, &s.errand, &s.home, &s.none]).await;
        assert_eq!(label_names(&server, t).await, ["errand", "home"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn deleting_a_label_takes_it_off_every_task_and_keeps_the_tasks() {
    request::<App, _, _>(|server, ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let before_both = stored(&ctx, &s.both).await;
        let before_errand = stored(&ctx, &s.errand).await;
        let errand = label_named(&server, t, "errand").await;

        let deleted = server.delete(&path(&errand)).authorization_bearer(t).await;

        assert_eq!(deleted.status_code(), 204, "{}", deleted.text());
        for (task, before, labels) in [
            (&s.both, &before_both, json!(["home"])),
            (&s.errand, &before_errand, json!([])),
        ] {
            let read = get_task(&server, t, task).await;
            assert_eq!(read.header("etag"), "\"2\"", "{}", task["title"]);
            assert_eq!(read.json::<Value>()["labels"], labels);
            assert!(stored(&ctx, task).await.updated_at > before.updated_at);
        }
        assert_eq!(
            titles(&list_tasks(&server, t, "sort=title").await),
            ["both", "errand", "home", "none"]
        );
        let page = list_tasks(&server, t, "sort=title").await;
        assert_eq!(page["data"][1]["labels"], json!([]));
        assert_unchanged(&server, &ctx, t, &[&s.home, &s.none]).await;
        assert_unchanged(&server, &ctx, &s.bob.access_token, &[&s.bobs]).await;
        assert_eq!(label_names(&server, &s.bob.access_token).await, ["errand"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_deleted_labels_name_makes_a_new_label_that_no_old_task_carries() {
    request::<App, _, _>(|server, _ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let errand = label_named(&server, t, "errand").await;
        server.delete(&path(&errand)).authorization_bearer(t).await;

        let again = create_task(&server, t, json!({"title": "again", "labels": ["Errand"]})).await;

        assert_eq!(again["labels"], json!(["Errand"]));
        let remade = label_named(&server, t, "Errand").await;
        assert_ne!(remade["id"], errand["id"]);
        let carriers = list_tasks(&server, t, "labels=errand").await;
        assert_eq!(titles(&carriers), ["again"]);
        let both: Value = get_task(&server, t, &s.both).await.json();
        assert_eq!(both["labels"], json!(["home"]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_refused_delete_changes_no_task() {
    request::<App, _, _>(|server, ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;
        let errand = label_named(&server, t, "errand").await;

        let stale = server
            .delete(&path(&errand))
            .authorization_bearer(t)
            .add_header("if-match", "\"2\"")
            .await;
        let foreign = server
            .delete(&path(&errand))
            .authorization_bearer(&s.bob.access_token)
            .await;

        assert_problem(&stale, 412, "/problems/precondition-failed");
        assert_problem(&foreign, 404, "/problems/not-found");
        assert_unchanged(&server, &ctx, t, &[&s.both, &s.errand]).await;
        assert_eq!(label_names(&server, t).await, ["errand", "home"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn deleting_a_task_leaves_its_labels() {
    request::<App, _, _>(|server, _ctx| async move {
        let s = tagged(&server).await;
        let t = &s.ann.access_token;

        for task in [&s.both, &s.errand, &s.home] {
            let deleted = server
                .delete(&task_path(task))
                .authorization_bearer(t)
                .await;
            assert_eq!(deleted.status_code(), 204);
        }

        assert_eq!(label_names(&server, t).await, ["errand", "home"]);
        assert_eq!(
            titles(&list_tasks(&server, t, "labels=errand").await),
            Vec::<String>::new()
        );
        let home = label_named(&server, t, "home").await;
        let gone = server.delete(&path(&home)).authorization_bearer(t).await;
        assert_eq!(gone.status_code(), 204);
        assert_eq!(titles(&list_tasks(&server, t, "").await), ["none"]);
    })
    .await;
}
