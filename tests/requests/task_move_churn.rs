//! Many moves to one spot and concurrent moves (contract, organizing.md,
//! "Manual order" and "New task fields"): the order stays right and the
//! keys bounded however often one gap is split, two moves that would
//! together make a cycle never both pass, and concurrent moves into one
//! place end with distinct positions.
use std::future::IntoFuture;

use axum_test::TestServer;
use futures_util::future::join_all;
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    lists::create_list,
    subtasks::{id, keyed_order, move_task, ok, snapshot, subtask},
};

/// The longest key a sibling may keep (`Position::MAX_LEN`): longer ones
/// are respaced.
const MAX_KEY_LEN: usize = 64;

/// The siblings of `list` under `parent` in manual order: titles and keys.
async fn siblings(
    server: &TestServer,
    t: &str,
    (list, parent): (&Value, &str),
) -> (Vec<String>, Vec<String>) {
    keyed_order(server, t, list, parent)
        .await
        .into_iter()
        .unzip()
}

/// Moves the task at `from` of `expected` to `to` (after removing it),
/// `times` times, with the body `spot` gives for the new neighbours;
/// checks the order and the keys every few moves and at the end.
async fn churn(
    server: &TestServer,
    t: &str,
    place: (&Value, &str),
    tasks: &[Value],
    times: usize,
    (from, to): (usize, usize),
    spot: impl Fn(&[String]) -> Value,
) {
    let by_title = |title: &str| tasks.iter().find(|t| t["title"] == json!(title)).unwrap();
    let mut expected: Vec<String> = tasks
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    for n in 1..=times {
        let body = spot(&expected);
        let title = expected.remove(from);
        let moved = ok(&move_task(server, t, by_title(&title), body.clone()).await);
        assert!(
            moved["position"].as_str().unwrap().len() <= MAX_KEY_LEN,
            "{moved}"
        );
        expected.insert(to, title);
        if n % 25 == 0 || n == times {
            let (titles, keys) = siblings(server, t, place).await;
            assert_eq!(titles, expected, "after {n} moves ({body})");
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
            assert!(keys.iter().all(|k| k.len() <= MAX_KEY_LEN), "{keys:?}");
        }
    }
}

#[tokio::test]
#[serial]
async fn five_hundred_moves_right_after_the_first_subtask_keep_the_order() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let parent = create_task(&server, t, json!({"title": "P", "list_id": work["id"]})).await;
        let mut subs = Vec::new();
        for title in ["A", "B", "C", "D", "E", "F"] {
            subs.push(subtask(&server, t, title, &parent).await);
        }
        let bystander =
            create_task(&server, t, json!({"title": "top", "list_id": work["id"]})).await;
        let cousin = subtask(&server, t, "cousin", &bystander).await;
        let place = (&work["id"], id(&parent));
        let first = subs[0]["id"].clone();

        // The last one goes right after A, every time: one gap split again
        // and again (about one digit per six moves), until it is respaced.
        churn(
            &server,
            t,
            place,
            &subs,
            500,
            (5, 1),
            |_| json!({"after": first}),
        )
        .await;

        assert_eq!(
            snapshot(&server, t, &[&bystander, &cousin]).await,
            [
                (bystander.clone(), "\"1\"".into()),
                (cousin.clone(), "\"1\"".into())
            ]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn three_hundred_moves_to_the_front_and_before_the_last_keep_the_order() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let mut tasks = Vec::new();
        for title in ["A", "B", "C", "D", "E"] {
            tasks.push(
                create_task(&server, t, json!({"title": title, "list_id": work["id"]})).await,
            );
        }
        let place = (&work["id"], "none");
        let by_title =
            |title: &str| tasks.iter().find(|t| t["title"] == json!(title)).unwrap()["id"].clone();

        churn(
            &server,
            t,
            place,
            &tasks,
            300,
            (4, 0),
            |_| json!({"after": null}),
        )
        .await;
        // The one before the last goes right before the last, every time.
        churn(
            &server,
            t,
            place,
            &tasks,
            300,
            (2, 3),
            |order| json!({"before": by_title(&order[4])}),
        )
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn two_moves_that_together_would_make_a_cycle_never_both_pass() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for round in 0..20 {
            let a = create_task(&server, t, json!({"title": format!("a{round}")})).await;
            let b = create_task(&server, t, json!({"title": format!("b{round}")})).await;
            let under = |task: &Value, parent: &Value| {
                let body = json!({"parent_id": parent["id"]});
                // Half the rounds race a PATCH against a move.
                if round % 2 == 1 && task == &b {
                    server
                        .patch(&format!("/tasks/{}", id(task)))
                        .authorization_bearer(t)
                        .json(&body)
                } else {
                    server
                        .post(&format!("/tasks/{}/move", id(task)))
                        .authorization_bearer(t)
                        .json(&body)
                }
            };

            let (first, second) =
                tokio::join!(under(&a, &b).into_future(), under(&b, &a).into_future());

            let mut statuses = [first.status_code().as_u16(), second.status_code().as_u16()];
            statuses.sort_unstable();
            assert_eq!(
                statuses,
                [200, 422],
                "round {round}: {} / {}",
                first.text(),
                second.text()
            );
            let loser = if first.status_code() == 422 {
                &first
            } else {
                &second
            };
            let problem = assert_problem(loser, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["parent_id"]);
            let a_now: Value = server
                .get(&format!("/tasks/{}", id(&a)))
                .authorization_bearer(t)
                .await
                .json();
            let b_now: Value = server
                .get(&format!("/tasks/{}", id(&b)))
                .authorization_bearer(t)
                .await
                .json();
            let a_under_b = a_now["parent_id"] == b["id"];
            let b_under_a = b_now["parent_id"] == a["id"];
            assert!(a_under_b != b_under_a, "round {round}: {a_now} {b_now}");
            let top = if a_under_b { &b_now } else { &a_now };
            assert_eq!(top["parent_id"], json!(null), "round {round}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn concurrent_moves_and_creates_in_one_place_get_distinct_positions() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let work = create_list(&server, t, json!({"name": "Work"})).await;
        let mut tasks = Vec::new();
        for n in 0..12 {
            tasks.push(create_task(&server, t, json!({"title": format!("t{n}")})).await);
        }
        let parent = create_task(&server, t, json!({"title": "P", "list_id": work["id"]})).await;

        let moves = tasks.iter().enumerate().map(|(n, task)| {
            // Half go last, half first.
            let body = if n % 2 == 0 {
                json!({"list_id": work["id"]})
            } else {
                json!({"list_id": work["id"], "after": null})
            };
            server
                .post(&format!("/tasks/{}/move", id(task)))
                .authorization_bearer(t)
                .json(&body)
                .into_future()
        });
        let creates = (0..12).map(|n| {
            server
                .post("/tasks")
                .authorization_bearer(t)
                .json(&json!({"title": format!("s{n}"), "parent_id": parent["id"]}))
                .into_future()
        });
        let (moved, created) = tokio::join!(join_all(moves), join_all(creates));

        assert!(
            moved.iter().all(|r| r.status_code() == 200),
            "{:?}",
            moved.iter().map(|r| r.text()).collect::<Vec<_>>()
        );
        assert!(created.iter().all(|r| r.status_code() == 201));
        for (parent, count) in [("none", 13), (id(&parent), 12)] {
            let (_, keys) = siblings(&server, t, (&work["id"], parent)).await;
            assert_eq!(keys.len(), count);
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        }
        let top = titles(
            &list_tasks(
                &server,
                t,
                &format!("list_id={}&parent_id=none&sort=position", id(&work)),
            )
            .await,
        );
        let p_at = top.iter().position(|title| title == "P").unwrap();
        let sorted = |titles: &[String]| {
            let mut titles = titles.to_vec();
            titles.sort();
            titles
        };
        assert_eq!(
            sorted(&top[..p_at]),
            ["t1", "t11", "t3", "t5", "t7", "t9"],
            "{top:?}"
        );
        assert_eq!(
            sorted(&top[p_at + 1..]),
            ["t0", "t10", "t2", "t4", "t6", "t8"],
            "{top:?}"
        );
    })
    .await;
}
