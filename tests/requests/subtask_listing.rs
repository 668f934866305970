//! `GET /tasks` by parent and in manual order (contract, organizing.md,
//! "Listing"): `parent_id=none|<id>`, `sort=position|-position` only with
//! `list_id` and `parent_id`, keyset pages in that order, and the
//! combination with the v1 filters.
use axum_test::TestServer;
use loco_rs::testing::prelude::request;
use serde_json::json;
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    lists::create_list,
    subtasks::{id, move_task, ok, subtask},
};

/// Every title of `query`, page after page of `limit`, following the cursors.
async fn all_pages(server: &TestServer, t: &str, query: &str, limit: u32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut next = format!("{query}&limit={limit}");
    loop {
        let page = list_tasks(server, t, &next).await;
        pages += 1;
        assert!(pages < 100, "the cursors never end");
        seen.extend(titles(&page));
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        next = format!("{query}&limit={limit}&cursor={cursor}");
    }
    seen
}

#[tokio::test]
#[serial]
async fn parent_id_lists_top_level_tasks_or_direct_subtasks_only() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let a = create_task(&server, t, json!({"title": "A", "list_id": work["id"]})).await;
        let a1 = subtask(&server, t, "a1", &a).await;
        subtask(&server, t, "a2", &a).await;
        subtask(&server, t, "a1x", &a1).await;
        create_task(&server, t, json!({"title": "B", "list_id": work["id"]})).await;
        let inbox_task = create_task(&server, t, json!({"title": "I"})).await;
        subtask(&server, t, "i1", &inbox_task).await;

        let top = list_tasks(&server, t, "parent_id=none&sort=title").await;
        let children = list_tasks(&server, t, &format!("parent_id={}&sort=title", id(&a))).await;
        let in_work = list_tasks(
            &server,
            t,
            &format!("parent_id=none&list_id={}&sort=title", id(&work)),
        )
        .await;

        assert_eq!(titles(&top), ["A", "B", "I"]);
        assert_eq!(titles(&children), ["a1", "a2"]);
        assert_eq!(titles(&in_work), ["A", "B"]);
        let leaf = list_tasks(&server, t, &format!("parent_id={}", id(&a1))).await;
        assert_eq!(titles(&leaf), ["a1x"]);
        let other_list = list_tasks(
            &server,
            t,
            &format!("parent_id={}&list_id={}", id(&inbox_task), id(&work)),
        )
        .await;
        assert_eq!(other_list["data"], json!([]));
        let everything = list_tasks(&server, t, "limit=100").await;
        assert_eq!(everything["data"].as_array().unwrap().len(), 7);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn parent_id_must_be_none_or_a_task_of_the_caller() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        create_task(&server, t, json!({"title": "mine"})).await;
        let bobs = create_task(&server, &bob.access_token, json!({"title": "bob's"})).await;
        subtask(&server, &bob.access_token, "bob's child", &bobs).await;

        for bad in [
            id(&bobs),
            "6f1c1f8e-4b8e-4a52-9d1e-2b7c2a9d0c11",
            "not-a-uuid",
            "null",
            "",
            "nonee",
        ] {
            let response = server
                .get(&format!("/tasks?parent_id={bad}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["parent_id"], "{bad:?}");
        }
    })
    .await;
}

/// 45 siblings (top-level in a list, or subtasks of one task) among noise
/// in the other place, every third moved to the front, then read page
/// after page of 20 by `sort=position` and `-position`: each once, in order.
async fn pages_follow_the_manual_order(under_parent: bool) {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "P", "list_id": work["id"]})).await;
        let mut expected = if under_parent {
            Vec::new()
        } else {
            vec!["P".to_string()]
        };
        let mut siblings = Vec::new();
        for n in 0..45 {
            let title = format!("s{n:02}");
            let top = json!({"title": title, "list_id": work["id"]});
            let sibling = if under_parent {
                create_task(
                    &server,
                    t,
                    json!({"title": format!("top{n}"), "list_id": work["id"]}),
                )
                .await;
                subtask(&server, t, &title, &parent).await
            } else {
                subtask(&server, t, &format!("under{n}"), &parent).await;
                create_task(&server, t, top).await
            };
            create_task(&server, t, json!({"title": format!("inbox{n}")})).await;
            expected.push(title);
            siblings.push(sibling);
        }
        for sibling in siblings.iter().step_by(3) {
            ok(&move_task(&server, t, sibling, json!({"after": null})).await);
            let title = sibling["title"].as_str().unwrap().to_string();
            expected.retain(|t| *t != title);
            expected.insert(0, title);
        }
        let place = if under_parent { id(&parent) } else { "none" };
        let query = format!("list_id={}&parent_id={place}", id(&work));

        let forwards = all_pages(&server, t, &format!("{query}&sort=position"), 20).await;
        let backwards = all_pages(&server, t, &format!("{query}&sort=-position"), 20).await;

        assert_eq!(forwards, expected);
        expected.reverse();
        assert_eq!(backwards, expected);
        // A cursor of one place is not one of another.
        let page = list_tasks(&server, t, &format!("{query}&sort=position&limit=5")).await;
        let cursor = page["next_cursor"].as_str().unwrap();
        let other = if under_parent {
            "none".to_string()
        } else {
            id(&parent).to_string()
        };
        let mixed = server
            .get(&format!(
                "/tasks?list_id={}&parent_id={other}&sort=position&limit=5&cursor={cursor}",
                id(&work)
            ))
            .authorization_bearer(t)
            .await;
        assert_problem(&mixed, 400, "/problems/invalid-cursor");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn position_pages_a_lists_top_level_tasks_once_each_in_order() {
    pages_follow_the_manual_order(false).await;
}

#[tokio::test]
#[serial]
async fn position_pages_a_tasks_subtasks_once_each_in_order() {
    pages_follow_the_manual_order(true).await;
}

/// `list_id` and `parent_id=<id>` together: the parent's subtasks, in any
/// sort (`sort=position` needs both).
#[tokio::test]
#[serial]
async fn a_parents_subtasks_in_one_list_are_listed() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "P", "list_id": work["id"]})).await;
        subtask(&server, t, "b", &parent).await;
        subtask(&server, t, "a", &parent).await;
        let both = format!("list_id={}&parent_id={}", id(&work), id(&parent));

        for (sort, want) in [
            ("", ["a", "b"]),
            ("&sort=title", ["a", "b"]),
            ("&sort=position", ["b", "a"]),
            ("&sort=-position", ["a", "b"]),
        ] {
            let page = list_tasks(&server, t, &format!("{both}{sort}")).await;
            assert_eq!(titles(&page), want, "{sort}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn sort_by_position_needs_both_list_id_and_parent_id() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let list = id(&work).to_string();
        for query in [
            "sort=position".to_string(),
            "sort=-position".to_string(),
            format!("sort=position&list_id={list}"),
            "sort=position&parent_id=none".to_string(),
            format!("sort=title,-position&list_id={list}"),
        ] {
            let response = server
                .get(&format!("/tasks?{query}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["sort"], "{query}");
        }
        let fine = list_tasks(
            &server,
            t,
            &format!("sort=position&list_id={list}&parent_id=none"),
        )
        .await;
        assert_eq!(fine["data"], json!([]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn position_order_combines_with_the_status_filter() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let mut tasks = Vec::new();
        for n in 0..24 {
            let status = ["incomplete", "complete", "in_progress"][n % 3];
            let body =
                json!({"title": format!("t{n:02}"), "list_id": work["id"], "status": status});
            tasks.push(create_task(&server, t, body).await);
        }
        // t23 (in progress) and t22 (complete) to the front.
        ok(&move_task(&server, t, &tasks[23], json!({"after": null})).await);
        ok(&move_task(&server, t, &tasks[22], json!({"after": null})).await);
        let query = format!(
            "list_id={}&parent_id=none&status=complete,in_progress",
            id(&work)
        );

        let open_or_done = all_pages(&server, t, &format!("{query}&sort=position"), 5).await;
        let done_backwards = all_pages(
            &server,
            t,
            &format!(
                "list_id={}&parent_id=none&status=complete&sort=-position",
                id(&work)
            ),
            3,
        )
        .await;

        let mut expected = vec!["t22".to_string(), "t23".to_string()];
        expected.extend((0..22).filter(|n| n % 3 != 0).map(|n| format!("t{n:02}")));
        assert_eq!(open_or_done, expected);
        let mut done: Vec<String> = (0..22)
            .filter(|n| n % 3 == 1)
            .map(|n| format!("t{n:02}"))
            .collect();
        done.insert(0, "t22".to_string());
        done.reverse();
        assert_eq!(done_backwards, done);
    })
    .await;
}
