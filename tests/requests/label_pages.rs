//! `GET /labels` (contract, organizing.md, "Labels"): every label of the
//! caller by name ignoring case, in keyset pages of 1–100 (default 100);
//! bad parameters are 422 naming them, a cursor not issued for the query 400.
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    labels::{create_label, label_names, labels, names, path},
};

/// Every page of `GET /labels?limit=<limit>`, following the cursors; the
/// names of each page.
async fn walk(server: &axum_test::TestServer, token: &str, limit: u32) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut query = format!("limit={limit}");
    loop {
        let page = labels(server, token, &query).await;
        pages.push(names(&page));
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        query = format!("limit={limit}&cursor={cursor}");
    }
    pages
}

#[tokio::test]
#[serial]
async fn labels_are_listed_by_name_ignoring_case() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        // In byte order the capitals would come first.
        for name in ["cherry", "Banana", "apple", "Apricot", "banana split", "B"] {
            create_label(&server, t, json!({"name": name})).await;
        }
        create_label(&server, &bob.access_token, json!({"name": "Avocado"})).await;

        let page = labels(&server, t, "").await;

        assert_eq!(
            names(&page),
            ["apple", "Apricot", "B", "Banana", "banana split", "cherry"]
        );
        assert_eq!(page["next_cursor"], json!(null));
        assert_eq!(page.as_object().unwrap().len(), 2, "{page}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn pages_follow_the_cursor_to_the_end() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for name in ["g", "C", "a", "E", "b", "F", "d"] {
            create_label(&server, t, json!({"name": name})).await;
        }

        let by_three = walk(&server, t, 3).await;
        let by_seven = walk(&server, t, 7).await;
        let by_one = walk(&server, t, 1).await;

        assert_eq!(
            by_three,
            [vec!["a", "b", "C"], vec!["d", "E", "F"], vec!["g"]]
        );
        // A page that ends exactly at the last label has no cursor.
        assert_eq!(by_seven, [vec!["a", "b", "C", "d", "E", "F", "g"]]);
        assert_eq!(by_one.concat(), ["a", "b", "C", "d", "E", "F", "g"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_cursor_continues_after_its_label_while_labels_come_and_go() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let mut made = Vec::new();
        for name in ["b", "d", "f", "h"] {
            made.push(create_label(&server, t, json!({"name": name})).await);
        }
        let first = labels(&server, t, "limit=2").await;
        assert_eq!(names(&first), ["b", "d"]);
        let cursor = first["next_cursor"].as_str().unwrap().to_string();

        // Before the cursor (not shown), after it (shown), and the cursor's
        // own label deleted: the next page starts right after "d" anyway.
        create_label(&server, t, json!({"name": "A"})).await;
        create_label(&server, t, json!({"name": "E"})).await;
        let deleted = server.delete(&path(&made[1])).authorization_bearer(t).await;
        assert_eq!(deleted.status_code(), 204);
        let next = labels(&server, t, &format!("limit=2&cursor={cursor}")).await;

        assert_eq!(names(&next), ["E", "f"]);
        let cursor = next["next_cursor"].as_str().unwrap();
        let last = labels(&server, t, &format!("limit=2&cursor={cursor}")).await;
        assert_eq!(names(&last), ["h"]);
        assert_eq!(last["next_cursor"], json!(null));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_limit_defaults_to_100_and_must_be_1_to_100() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for n in 0..101 {
            create_label(&server, t, json!({"name": format!("l{n:03}")})).await;
        }

        let default = labels(&server, t, "").await;
        let hundred = labels(&server, t, "limit=100").await;

        assert_eq!(names(&default).len(), 100);
        assert_eq!(names(&default).last().unwrap(), "l099");
        assert_eq!(names(&hundred), names(&default));
        let cursor = default["next_cursor"].as_str().unwrap();
        let rest = labels(&server, t, &format!("cursor={cursor}")).await;
        assert_eq!(names(&rest), ["l100"]);
        assert_eq!(rest["next_cursor"], json!(null));
        for query in [
            "limit=0",
            "limit=101",
            "limit=-1",
            "limit=ten",
            "limit=",
            "limit=1.5",
            "limit=1&limit=2",
        ] {
            let response = server
                .get(&format!("/labels?{query}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["limit"], "{query}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unknown_parameters_are_422_naming_each() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        create_label(&server, t, json!({"name": "Errand"})).await;

        for (query, fields) in [
            ("sort=name", vec!["sort"]),
            ("q=err", vec!["q"]),
            ("name=Errand&limit=0", vec!["limit", "name"]),
        ] {
            let response = server
                .get(&format!("/labels?{query}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            let mut named = error_fields(&problem);
            named.sort();
            assert_eq!(named, fields, "{query}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_cursor_not_issued_for_labels_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        for name in ["a", "b", "c"] {
            create_label(&server, t, json!({"name": name})).await;
            create_task(&server, t, json!({"title": name})).await;
        }
        let label_cursor = labels(&server, t, "limit=1").await["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
        let task_cursor = list_tasks(&server, t, "limit=1").await["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
        let mut tampered = label_cursor.clone().into_bytes();
        let middle = tampered.len() / 2;
        tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();

        for cursor in ["garbage", "", task_cursor.as_str(), tampered.as_str()] {
            let response = server
                .get("/labels")
                .add_query_param("cursor", cursor)
                .authorization_bearer(t)
                .await;
            assert_problem(&response, 400, "/problems/invalid-cursor");
        }
        let on_tasks = server
            .get("/tasks")
            .add_query_param("cursor", &label_cursor)
            .authorization_bearer(t)
            .await;
        assert_problem(&on_tasks, 400, "/problems/invalid-cursor");
        // Another user's page from that cursor holds only their own labels.
        create_label(&server, &bob.access_token, json!({"name": "z"})).await;
        let bobs: Value = server
            .get("/labels")
            .add_query_param("cursor", &label_cursor)
            .authorization_bearer(&bob.access_token)
            .await
            .json();
        assert_eq!(names(&bobs), ["z"]);
        assert_eq!(label_names(&server, t).await, ["a", "b", "c"]);
    })
    .await;
}
