//! Subtrees deleted and completed with their root (contract, organizing.md,
//! "New task fields"): deleting a task or a list deletes its subtasks;
//! completing a task completes its open descendants, reopening it reopens
//! nothing else.
use chrono::{Duration, SecondsFormat, Utc};
use loco_rs::testing::prelude::request;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{
    app::App, models::_entities::notifications, tasks::send_reminders::send_reminders,
};

use super::{
    helpers::*,
    lists::create_list,
    subtasks::{chain, fetch, ok, patch_task, put_task, snapshot, subtask, task_path, updated_at},
};

#[tokio::test]
#[serial]
async fn deleting_a_task_deletes_its_subtree_and_only_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        // l1 > l2 > l3 > l4, l2 > twin, l1 > uncle; a top-level neighbour.
        let levels = chain(&server, t, &work, 4).await;
        let twin = subtask(&server, t, "twin", &levels[1]).await;
        let uncle = subtask(&server, t, "uncle", &levels[0]).await;
        let neighbour = create_task(&server, t, json!({"title": "n", "list_id": work["id"]})).await;
        let kept = [&levels[0], &uncle, &neighbour];
        let before = snapshot(&server, t, &kept).await;

        let deleted = server
            .delete(&task_path(&levels[1]))
            .authorization_bearer(t)
            .await;

        assert_eq!(deleted.status_code(), 204, "{}", deleted.text());
        for gone in [&levels[1], &levels[2], &levels[3], &twin] {
            let (status, body, _) = fetch(&server, t, gone).await;
            assert_eq!(status, 404, "{} is still there: {body}", gone["title"]);
        }
        assert_eq!(snapshot(&server, t, &kept).await, before);
        let left = list_tasks(&server, t, "limit=100&sort=title").await;
        assert_eq!(titles(&left), ["L1", "n", "uncle"]);
        let again = server
            .delete(&task_path(&levels[2]))
            .authorization_bearer(t)
            .await;
        assert_problem(&again, 404, "/problems/not-found");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn deleting_a_list_deletes_its_subtasks_and_their_notifications() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let levels = chain(&server, t, &work, 3).await;
        let due = (Utc::now() + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let due_sub = create_task(
            &server,
            t,
            json!({"title": "due", "parent_id": levels[2]["id"], "due_date": due}),
        )
        .await;
        let kept = create_task(&server, t, json!({"title": "kept", "due_date": due})).await;
        send_reminders(&ctx).await.unwrap();
        let notices = || async {
            notifications::Entity::find()
                .filter(notifications::Column::TaskPid.is_not_null())
                .count(&ctx.db)
                .await
                .unwrap()
        };
        assert_eq!(notices().await, 2);

        let deleted = server
            .delete(&format!("/lists/{}", work["id"].as_str().unwrap()))
            .authorization_bearer(t)
            .await;

        assert_eq!(deleted.status_code(), 204, "{}", deleted.text());
        for gone in levels.iter().chain([&due_sub]) {
            assert_eq!(fetch(&server, t, gone).await.0, 404, "{}", gone["title"]);
        }
        assert_eq!(fetch(&server, t, &kept).await.0, 200);
        assert_eq!(notices().await, 1);
        assert_eq!(titles(&list_tasks(&server, t, "limit=100").await), ["kept"]);
    })
    .await;
}

/// A tree under `root`: an incomplete child, an in-progress grandchild
/// under it, an incomplete great-grandchild, and a child completed before.
async fn mixed_tree(server: &axum_test::TestServer, t: &str) -> [Value; 5] {
    let root = create_task(server, t, json!({"title": "root"})).await;
    let child = subtask(server, t, "child", &root).await;
    let grandchild = create_task(
        server,
        t,
        json!({"title": "grandchild", "parent_id": child["id"], "status": "in_progress"}),
    )
    .await;
    let great = subtask(server, t, "great", &grandchild).await;
    let done = create_task(
        server,
        t,
        json!({"title": "done", "parent_id": root["id"], "status": "complete"}),
    )
    .await;
    assert!(done["completed_at"].is_string());
    [root, child, grandchild, great, done]
}

/// Completes `root` (by PATCH or PUT), then checks its open descendants
/// completed with it and the complete one kept its `completed_at` and ETag.
async fn assert_completes_open_descendants(put: bool) {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let [root, child, grandchild, great, done] = mixed_tree(&server, t).await;
        let bystander = create_task(&server, t, json!({"title": "bystander"})).await;
        let open = [&child, &grandchild, &great];
        let open_before = snapshot(&server, t, &open).await;
        let mut stamps = Vec::new();
        for task in open {
            stamps.push(updated_at(&ctx, task).await);
        }
        let kept = [&done, &bystander];
        let kept_before = snapshot(&server, t, &kept).await;

        let response = if put {
            put_task(
                &server,
                t,
                &root,
                json!({"title": "root", "status": "complete"}),
            )
            .await
        } else {
            patch_task(&server, t, &root, json!({"status": "complete"})).await
        };

        let root_now = ok(&response);
        assert!(root_now["completed_at"].is_string(), "{root_now}");
        for (((old, old_etag), task), stamp) in open_before.iter().zip(open).zip(stamps) {
            let (status, current, etag) = fetch(&server, t, task).await;
            assert_eq!(status, 200);
            assert_eq!(current["status"], json!("complete"), "{}", old["title"]);
            assert!(current["completed_at"].is_string(), "{current}");
            assert_ne!(&etag, old_etag, "{}", old["title"]);
            assert!(updated_at(&ctx, task).await > stamp, "{}", old["title"]);
        }
        assert_eq!(snapshot(&server, t, &kept).await, kept_before);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn completing_by_patch_completes_every_open_descendant() {
    assert_completes_open_descendants(false).await;
}

#[tokio::test]
#[serial]
async fn completing_by_put_completes_every_open_descendant() {
    assert_completes_open_descendants(true).await;
}

#[tokio::test]
#[serial]
async fn reopening_reopens_nothing_else_and_a_subtask_completes_only_its_own_subtree() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let [root, child, grandchild, great, done] = mixed_tree(&server, t).await;

        ok(&patch_task(&server, t, &grandchild, json!({"status": "complete"})).await);

        assert_eq!(
            fetch(&server, t, &great).await.1["status"],
            json!("complete")
        );
        for above in [&root, &child] {
            assert_eq!(fetch(&server, t, above).await.1["status"], above["status"]);
        }
        ok(&patch_task(&server, t, &root, json!({"status": "complete"})).await);
        let all = [&child, &grandchild, &great, &done];
        let before = snapshot(&server, t, &all).await;
        let reopened = ok(&patch_task(&server, t, &root, json!({"status": "in_progress"})).await);
        assert_eq!(reopened["completed_at"], json!(null));
        assert_eq!(snapshot(&server, t, &all).await, before);
        // Completing it again: its descendants are complete already.
        ok(&patch_task(&server, t, &root, json!({"status": "complete"})).await);
        assert_eq!(snapshot(&server, t, &all).await, before);
        let replaced = ok(&put_task(&server, t, &root, json!({"title": "root"})).await);
        assert_eq!(replaced["status"], json!("incomplete"));
        assert_eq!(snapshot(&server, t, &all).await, before);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_subtask_completed_with_its_parent_gets_no_reminder() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let due = (Utc::now() + Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let parent = create_task(&server, t, json!({"title": "parent"})).await;
        create_task(
            &server,
            t,
            json!({"title": "due", "parent_id": parent["id"], "due_date": due}),
        )
        .await;
        create_task(&server, t, json!({"title": "other", "due_date": due})).await;

        ok(&patch_task(&server, t, &parent, json!({"status": "complete"})).await);
        send_reminders(&ctx).await.unwrap();

        let titles: Vec<String> = notifications::Entity::find()
            .all(&ctx.db)
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.title)
            .collect();
        assert_eq!(titles, ["other"]);
    })
    .await;
}
