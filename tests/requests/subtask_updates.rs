//! Subtasks on PATCH and PUT (contract, organizing.md, "New task fields"):
//! `parent_id` nests a task (and its subtree) in its parent's list, `null`
//! makes it top-level, a new `list_id` makes it top-level there with its
//! whole subtree, and PUT keeps the placement it does not name.
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    lists::create_list,
    subtasks::{
        chain, fetch, id, now, ok, order, patch_task, put_task, refused, snapshot, subtask,
        updated_at,
    },
};

/// A PATCH that must succeed: the task it answers.
async fn ok_patch(server: &axum_test::TestServer, t: &str, task: &Value, body: Value) -> Value {
    ok(&patch_task(server, t, task, body).await)
}

#[tokio::test]
#[serial]
async fn patch_parent_id_nests_a_task_with_its_subtree_and_null_unnests_it() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let host = create_task(&server, t, json!({"title": "host", "list_id": work["id"]})).await;
        let older = subtask(&server, t, "older", &host).await;
        let task = create_task(&server, t, json!({"title": "task"})).await;
        let child = subtask(&server, t, "child", &task).await;
        let inbox = task["list_id"].clone();
        let child_stamp = updated_at(&ctx, &child).await;

        let nested = ok_patch(&server, t, &task, json!({"parent_id": host["id"]})).await;

        assert_eq!(nested["parent_id"], host["id"]);
        assert_eq!(nested["list_id"], work["id"]);
        assert!(nested["position"].as_str().unwrap() > older["position"].as_str().unwrap());
        assert_eq!(
            order(&server, t, &work["id"], id(&host)).await,
            ["older", "task"]
        );
        let child_now = now(&server, t, &child).await;
        assert_eq!(child_now["list_id"], work["id"]);
        assert_eq!(child_now["parent_id"], task["id"]);
        assert!(updated_at(&ctx, &child).await > child_stamp);
        assert_eq!(
            order(&server, t, &inbox, "none").await,
            Vec::<String>::new()
        );

        let top = ok_patch(&server, t, &task, json!({"parent_id": null})).await;

        assert_eq!(top["parent_id"], json!(null));
        assert_eq!(top["list_id"], work["id"], "top level in the parent's list");
        assert_eq!(
            order(&server, t, &work["id"], "none").await,
            ["host", "task"]
        );
        assert_eq!(order(&server, t, &work["id"], id(&host)).await, ["older"]);
        assert_eq!(order(&server, t, &work["id"], id(&task)).await, ["child"]);
        let back = ok_patch(
            &server,
            t,
            &task,
            json!({"parent_id": null, "list_id": inbox}),
        )
        .await;
        assert_eq!(back["list_id"], inbox);
        assert_eq!(now(&server, t, &child).await["list_id"], inbox);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_list_id_other_than_the_parents_is_422_naming_list_id_and_equal_is_fine() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let host = create_task(&server, t, json!({"title": "host", "list_id": work["id"]})).await;
        let task = create_task(&server, t, json!({"title": "task"})).await;
        let before = snapshot(&server, t, &[&task, &host]).await;

        let response = patch_task(
            &server,
            t,
            &task,
            json!({"parent_id": host["id"], "list_id": task["list_id"]}),
        )
        .await;
        refused(&response, &["list_id"], "PATCH");
        let response = put_task(
            &server,
            t,
            &task,
            json!({"title": "task", "parent_id": host["id"], "list_id": task["list_id"]}),
        )
        .await;
        refused(&response, &["list_id"], "PUT");

        assert_eq!(snapshot(&server, t, &[&task, &host]).await, before);
        let nested = ok_patch(
            &server,
            t,
            &task,
            json!({"parent_id": host["id"], "list_id": work["id"]}),
        )
        .await;
        assert_eq!(nested["parent_id"], host["id"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_unknown_foreign_or_malformed_parent_is_422_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let task = create_task(&server, t, json!({"title": "task"})).await;
        let bobs = create_task(&server, &bob.access_token, json!({"title": "bob's"})).await;
        let before = snapshot(&server, t, &[&task]).await;

        for parent in [
            json!("6f1c1f8e-4b8e-4a52-9d1e-2b7c2a9d0c11"),
            bobs["id"].clone(),
            json!("nope"),
            json!(false),
        ] {
            let patched = patch_task(&server, t, &task, json!({"parent_id": parent})).await;
            refused(&patched, &["parent_id"], &format!("PATCH {parent}"));
            let replaced = put_task(
                &server,
                t,
                &task,
                json!({"title": "new", "parent_id": parent}),
            )
            .await;
            refused(&replaced, &["parent_id"], &format!("PUT {parent}"));
        }

        assert_eq!(snapshot(&server, t, &[&task]).await, before);
        let (_, bobs_now, _) = fetch(&server, &bob.access_token, &bobs).await;
        assert_eq!(bobs_now, bobs);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn itself_a_cycle_or_a_fifth_level_is_422_naming_parent_id_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        // l1 > l2 > l3 > l4, and a two-level subtree (pair > pair_child)
        // that fits under l2 but not under l3.
        let levels = chain(&server, t, &work, 4).await;
        let pair = create_task(&server, t, json!({"title": "pair", "list_id": work["id"]})).await;
        let pair_child = subtask(&server, t, "pair child", &pair).await;
        let lone = create_task(&server, t, json!({"title": "lone", "list_id": work["id"]})).await;
        let all: Vec<&Value> = levels.iter().chain([&pair, &pair_child, &lone]).collect();
        let before = snapshot(&server, t, &all).await;
        let cases = [
            (&levels[0], &levels[0], "itself"),
            (&levels[1], &levels[1], "a subtask itself"),
            (&levels[0], &levels[1], "under its child"),
            (&levels[0], &levels[2], "under its grandchild"),
            (&levels[0], &levels[3], "under its great-grandchild"),
            (&levels[1], &levels[3], "a subtask under its grandchild"),
            (&lone, &levels[3], "a fifth level"),
            (&pair, &levels[2], "a subtree ending on a fifth level"),
            (
                &levels[1],
                &pair_child,
                "a three-level subtree under a second level",
            ),
        ];

        for (task, parent, case) in cases {
            let patched = patch_task(&server, t, task, json!({"parent_id": parent["id"]})).await;
            refused(&patched, &["parent_id"], &format!("PATCH {case}"));
            let title = task["title"].clone();
            let replaced = put_task(
                &server,
                t,
                task,
                json!({"title": title, "parent_id": parent["id"]}),
            )
            .await;
            refused(&replaced, &["parent_id"], &format!("PUT {case}"));
        }

        assert_eq!(snapshot(&server, t, &all).await, before);
        // The deepest subtree that fits: pair (two levels) under l2.
        let fits = ok_patch(&server, t, &pair, json!({"parent_id": levels[1]["id"]})).await;
        assert_eq!(fits["parent_id"], levels[1]["id"]);
        let moved_child = now(&server, t, &pair_child).await;
        assert_eq!(moved_child["parent_id"], pair["id"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_new_list_id_makes_it_top_level_there_and_takes_the_subtree_along() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let home = create_list(&server, t, json!({"name": "Home"})).await;
        let resident = create_task(
            &server,
            t,
            json!({"title": "resident", "list_id": home["id"]}),
        )
        .await;
        // l1 > l2 > l3 > l4, and a sibling of l2 that stays.
        let levels = chain(&server, t, &work, 4).await;
        let stays = subtask(&server, t, "stays", &levels[0]).await;
        let unmoved: Vec<&Value> = vec![&levels[0], &stays, &resident];
        let before = snapshot(&server, t, &unmoved).await;
        let below = snapshot(&server, t, &[&levels[2], &levels[3]]).await;
        let stamps = [
            updated_at(&ctx, &levels[2]).await,
            updated_at(&ctx, &levels[3]).await,
        ];

        let moved = ok_patch(&server, t, &levels[1], json!({"list_id": home["id"]})).await;

        assert_eq!(moved["list_id"], home["id"]);
        assert_eq!(moved["parent_id"], json!(null));
        assert_eq!(
            order(&server, t, &home["id"], "none").await,
            ["resident", "L2"]
        );
        for (((old, old_etag), task), stamp) in
            below.iter().zip([&levels[2], &levels[3]]).zip(stamps)
        {
            let (status, current, etag) = fetch(&server, t, task).await;
            assert_eq!(status, 200);
            assert_eq!(current["list_id"], home["id"]);
            assert_eq!(
                current["parent_id"], old["parent_id"],
                "still under its parent"
            );
            assert_eq!(current["position"], old["position"]);
            assert_ne!(&etag, old_etag, "{}", current["title"]);
            assert!(updated_at(&ctx, task).await > stamp, "{}", current["title"]);
        }
        assert_eq!(snapshot(&server, t, &unmoved).await, before);
        assert_eq!(
            order(&server, t, &work["id"], id(&levels[0])).await,
            ["stays"]
        );
        let by_list = list_tasks(&server, t, &format!("list_id={}&limit=100", id(&home))).await;
        assert_eq!(by_list["data"].as_array().unwrap().len(), 4);

        // By PUT: the whole subtree goes back to Work.
        let replaced = put_task(
            &server,
            t,
            &levels[1],
            json!({"title": "L2", "list_id": work["id"]}),
        )
        .await;
        assert_eq!(ok(&replaced)["parent_id"], json!(null));
        assert_eq!(now(&server, t, &levels[3]).await["list_id"], work["id"]);
        assert_eq!(order(&server, t, &work["id"], "none").await, ["L1", "L2"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn its_own_list_id_changes_nothing_and_a_subtask_stays_a_subtask() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "p", "list_id": work["id"]})).await;
        let sub = subtask(&server, t, "s", &parent).await;
        let later = subtask(&server, t, "later", &parent).await;

        let patched = ok_patch(
            &server,
            t,
            &sub,
            json!({"list_id": work["id"], "priority": "high"}),
        )
        .await;
        let replaced = ok(&put_task(
            &server,
            t,
            &sub,
            json!({"title": "s!", "list_id": work["id"]}),
        )
        .await);

        for task in [&patched, &replaced] {
            assert_eq!(task["parent_id"], parent["id"]);
            assert_eq!(task["list_id"], work["id"]);
            assert_eq!(task["position"], sub["position"]);
        }
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            ["s!", "later"]
        );
        assert_eq!(now(&server, t, &later).await, later);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn put_without_placement_keeps_list_parent_and_position() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "p", "list_id": work["id"]})).await;
        let first = subtask(&server, t, "first", &parent).await;
        subtask(&server, t, "second", &parent).await;

        let replaced = ok(&put_task(
            &server,
            t,
            &first,
            json!({"title": "first v2", "status": "in_progress"}),
        )
        .await);

        assert_eq!(replaced["list_id"], work["id"]);
        assert_eq!(replaced["parent_id"], parent["id"]);
        assert_eq!(replaced["position"], first["position"]);
        assert_eq!(replaced["status"], json!("in_progress"));
        assert_eq!(
            order(&server, t, &work["id"], id(&parent)).await,
            ["first v2", "second"]
        );
        let top = ok(&put_task(
            &server,
            t,
            &first,
            json!({"title": "first v3", "parent_id": null}),
        )
        .await);
        assert_eq!(top["parent_id"], json!(null));
        assert_eq!(top["list_id"], work["id"]);
        assert_eq!(
            order(&server, t, &work["id"], "none").await,
            ["p", "first v3"]
        );
    })
    .await;
}
