//! `POST /tasks/{id}/move` (contract, organizing.md, "Manual order"): the
//! spot among the siblings, the destination list and parent, `If-Match`,
//! and that only the moved task (with its subtree when it changes list)
//! gets a new position, `updated_at` and ETag.
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    lists::create_list,
    subtasks::{chain, fetch, id, move_task, now, ok, order, snapshot, subtask, updated_at},
};

#[tokio::test]
#[serial]
async fn moves_put_the_task_where_asked_and_change_only_its_etag() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let mut tasks = Vec::new();
        for title in ["A", "B", "C", "D"] {
            tasks.push(
                create_task(&server, t, json!({"title": title, "list_id": work["id"]})).await,
            );
        }
        let [a, b, c, d] = [&tasks[0], &tasks[1], &tasks[2], &tasks[3]];
        let top = || async { order(&server, t, &work["id"], "none").await };

        let d_stamp = updated_at(&ctx, d).await;

        let first = move_task(&server, t, d, json!({"after": null})).await;
        assert_eq!(first.header("etag"), "\"2\"");
        let moved = ok(&first);
        assert!(moved["position"].as_str().unwrap() < a["position"].as_str().unwrap());
        assert!(updated_at(&ctx, d).await > d_stamp);
        assert_eq!(top().await, ["D", "A", "B", "C"]);
        ok(&move_task(&server, t, d, json!({"before": c["id"]})).await);
        assert_eq!(top().await, ["A", "B", "D", "C"]);
        ok(&move_task(&server, t, a, json!({})).await);
        assert_eq!(top().await, ["B", "D", "C", "A"]);
        ok(&move_task(&server, t, a, json!({"after": b["id"]})).await);
        assert_eq!(top().await, ["B", "A", "D", "C"]);
        ok(&move_task(
            &server,
            t,
            c,
            json!({"before": b["id"], "list_id": work["id"], "parent_id": null}),
        )
        .await);
        assert_eq!(top().await, ["C", "B", "A", "D"]);

        // B never moved: as created.
        let (_, b_now, b_etag) = fetch(&server, t, b).await;
        assert_eq!(b_now, *b);
        assert_eq!(b_etag, "\"1\"");
        let backwards = list_tasks(
            &server,
            t,
            &format!("list_id={}&parent_id=none&sort=-position", id(&work)),
        )
        .await;
        assert_eq!(titles(&backwards), ["D", "A", "B", "C"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_move_changes_no_sibling_and_no_subtask_within_its_list() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "P", "list_id": work["id"]})).await;
        let mut subs = Vec::new();
        for title in ["s1", "s2", "s3", "s4"] {
            subs.push(subtask(&server, t, title, &parent).await);
        }
        let grandchild = subtask(&server, t, "g", &subs[3]).await;
        let others: Vec<&Value> = [&parent, &subs[0], &subs[1], &subs[2], &grandchild].to_vec();
        let before = snapshot(&server, t, &others).await;

        let moved = ok(&move_task(&server, t, &subs[3], json!({"after": subs[0]["id"]})).await);

        assert_eq!(moved["parent_id"], parent["id"]);
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            ["s1", "s4", "s2", "s3"]
        );
        assert_eq!(snapshot(&server, t, &others).await, before);
        // To the top level of its own list: its subtree stays as it is.
        let top = ok(&move_task(
            &server,
            t,
            &subs[3],
            json!({"parent_id": null, "after": null}),
        )
        .await);
        assert_eq!(top["parent_id"], json!(null));
        assert_eq!(order(&server, t, &work["id"], "none").await, ["s4", "P"]);
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            ["s1", "s2", "s3"]
        );
        assert_eq!(snapshot(&server, t, &others).await, before);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_move_to_another_list_or_parent_takes_the_subtree_along() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let home = create_list(&server, t, json!({"name": "Home"})).await;
        let x = create_task(&server, t, json!({"title": "X", "list_id": home["id"]})).await;
        let y = create_task(&server, t, json!({"title": "Y", "list_id": home["id"]})).await;
        let y1 = subtask(&server, t, "Y1", &y).await;
        // L1 > L2 > L3 in Work; L2 moves with L3.
        let levels = chain(&server, t, &work, 3).await;
        let bystanders = [&x, &y, &y1, &levels[0]];
        let bystanders_before = snapshot(&server, t, &bystanders).await;

        let l3_before = snapshot(&server, t, &[&levels[2]]).await;
        let l3_stamp = updated_at(&ctx, &levels[2]).await;
        let moved = ok(&move_task(
            &server,
            t,
            &levels[1],
            json!({"list_id": home["id"], "after": x["id"]}),
        )
        .await);

        assert_eq!(moved["list_id"], home["id"]);
        assert_eq!(moved["parent_id"], json!(null));
        assert_eq!(
            order(&server, t, &home["id"], "none").await,
            ["X", "L2", "Y"]
        );
        let (_, l3, l3_etag) = fetch(&server, t, &levels[2]).await;
        assert_eq!(l3["list_id"], home["id"]);
        assert_eq!(l3["parent_id"], levels[1]["id"]);
        assert_ne!(l3_etag, l3_before[0].1);
        assert!(updated_at(&ctx, &levels[2]).await > l3_stamp);
        assert_eq!(snapshot(&server, t, &bystanders).await, bystanders_before);

        // Under a parent in the same list, before one of its subtasks: the
        // subtree stays as it is.
        let l3_before = snapshot(&server, t, &[&levels[2]]).await;
        let l3_stamp = updated_at(&ctx, &levels[2]).await;
        let under = ok(&move_task(
            &server,
            t,
            &levels[1],
            json!({"parent_id": y["id"], "before": y1["id"]}),
        )
        .await);
        assert_eq!(under["list_id"], home["id"]);
        assert_eq!(under["parent_id"], y["id"]);
        assert_eq!(order(&server, t, &home["id"], id(&y)).await, ["L2", "Y1"]);
        assert_eq!(
            snapshot(&server, t, &[&levels[2]]).await,
            l3_before,
            "same list"
        );
        let back = ok(&move_task(
            &server,
            t,
            &levels[1],
            json!({"parent_id": levels[0]["id"], "list_id": work["id"]}),
        )
        .await);
        assert_eq!(back["list_id"], work["id"]);
        let l3 = now(&server, t, &levels[2]).await;
        assert_eq!(l3["list_id"], work["id"]);
        assert_ne!(fetch(&server, t, &levels[2]).await.2, l3_before[0].1);
        assert!(updated_at(&ctx, &levels[2]).await > l3_stamp);
        assert_eq!(order(&server, t, &work["id"], id(&levels[0])).await, ["L2"]);
        assert_eq!(order(&server, t, &home["id"], id(&y)).await, ["Y1"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_move_honours_if_match() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let a = create_task(&server, t, json!({"title": "A"})).await;
        let b = create_task(&server, t, json!({"title": "B"})).await;
        let inbox = a["list_id"].clone();
        let path = format!("/tasks/{}/move", id(&b));

        let stale = server
            .post(&path)
            .authorization_bearer(t)
            .add_header("if-match", "\"7\"")
            .json(&json!({"after": null}))
            .await;

        assert_problem(&stale, 412, "/problems/precondition-failed");
        assert_eq!(now(&server, t, &b).await, b);
        assert_eq!(order(&server, t, &inbox, "none").await, ["A", "B"]);
        let current = server
            .post(&path)
            .authorization_bearer(t)
            .add_header("if-match", "\"1\"")
            .json(&json!({"after": null}))
            .await;
        assert_eq!(current.status_code(), 200, "{}", current.text());
        assert_eq!(current.header("etag"), "\"2\"");
        assert_eq!(order(&server, t, &inbox, "none").await, ["B", "A"]);
        let (_, _, etag) = fetch(&server, t, &b).await;
        assert_eq!(etag, "\"2\"");
        let again = server
            .post(&path)
            .authorization_bearer(t)
            .add_header("if-match", "\"1\"")
            .json(&json!({}))
            .await;
        assert_problem(&again, 412, "/problems/precondition-failed");
        assert_eq!(order(&server, t, &inbox, "none").await, ["B", "A"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_move_naming_its_own_list_keeps_a_subtask_under_its_parent() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "P", "list_id": work["id"]})).await;
        let s1 = subtask(&server, t, "s1", &parent).await;
        let s2 = subtask(&server, t, "s2", &parent).await;

        let moved = ok(&move_task(
            &server,
            t,
            &s2,
            json!({"list_id": work["id"], "after": null}),
        )
        .await);

        assert_eq!(moved["parent_id"], parent["id"]);
        assert_eq!(moved["list_id"], work["id"]);
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            ["s2", "s1"]
        );
        assert_eq!(order(&server, t, &work["id"], "none").await, ["P"]);
        assert_eq!(now(&server, t, &s1).await, s1);
    })
    .await;
}
