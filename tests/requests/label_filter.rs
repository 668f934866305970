//! `GET /tasks?labels=a,b` (contract, organizing.md, "Listing"): the tasks
//! that carry every listed label, names ignoring case; an unknown name
//! matches nothing (not an error); it combines with every other filter,
//! sort and cursor. More than 20 names or a bad name is 422 naming
//! `labels`; a cursor of one `labels=` value is refused for another.
use axum_test::TestServer;
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    labels::create_label,
    listing_filters::{sorted, walk},
    lists::create_list,
};

/// Ann's tasks, oldest first, with their labels: every combination of
/// `a` and `b`, some in her list "Work", due dates and priorities mixed.
const TASKS: [(&str, &[&str]); 10] = [
    ("alpha", &["a"]),
    ("bravo", &["b"]),
    ("charlie", &["a", "b"]),
    ("delta", &[]),
    ("echo", &["A", "c"]),
    ("foxtrot", &["b", "a"]),
    ("golf", &["a"]),
    ("hotel", &["c"]),
    ("india", &["a", "B", "c"]),
    ("juliet", &["a"]),
];

async fn seed(server: &TestServer, token: &str) {
    let work = create_list(server, token, json!({"name": "Work"})).await;
    for (n, (title, labels)) in TASKS.iter().enumerate() {
        let priority = ["low", "high", "urgent"][n % 3];
        let mut body = json!({"title": title, "labels": labels, "priority": priority});
        if n % 2 == 0 {
            body["due_date"] = json!(format!("2030-01-{:02}", 20 - n));
        }
        if n % 3 == 0 {
            body["list_id"] = work["id"].clone();
            body["status"] = json!("complete");
        }
        create_task(server, token, body).await;
    }
}

/// The titles of `TASKS` carrying every one of `labels` (ignoring case), in
/// the order `GET /tasks?<sort>` lists every task.
async fn expected(server: &TestServer, token: &str, sort: &str, labels: &[&str]) -> Vec<String> {
    let carries = |title: &str| {
        let (_, own) = TASKS.iter().find(|(t, _)| *t == title).unwrap();
        labels
            .iter()
            .all(|l| own.iter().any(|o| o.eq_ignore_ascii_case(l)))
    };
    titles(&list_tasks(server, token, &format!("{sort}&limit=100")).await)
        .into_iter()
        .filter(|title| carries(title))
        .collect()
}

#[tokio::test]
#[serial]
async fn one_label_lists_the_tasks_that_carry_it_newest_first() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;

        let a = list_tasks(&server, t, "labels=a").await;
        let c = list_tasks(&server, t, "labels=c").await;

        assert_eq!(
            titles(&a),
            ["juliet", "india", "golf", "foxtrot", "echo", "charlie", "alpha"]
        );
        assert_eq!(a["next_cursor"], json!(null));
        assert_eq!(titles(&c), ["india", "hotel", "echo"]);
        // Each task shows all its labels, not only the filtered one.
        assert_eq!(c["data"][0]["labels"], json!(["a", "b", "c"]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn several_labels_list_the_tasks_that_carry_all_of_them_ignoring_case() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;

        for query in [
            "labels=a,b",
            "labels=B,A",
            "labels=%20a%20,b",
            "labels=a,B,A",
        ] {
            let page = list_tasks(&server, t, query).await;
            assert_eq!(titles(&page), ["india", "foxtrot", "charlie"], "{query}");
        }
        let three = list_tasks(&server, t, "labels=c,b,a").await;
        assert_eq!(titles(&three), ["india"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_unknown_name_is_an_empty_page_not_an_error() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;
        // A label Ann has that no task carries, and one only Bob has.
        create_label(&server, t, json!({"name": "unused"})).await;
        create_task(
            &server,
            &bob.access_token,
            json!({"title": "bob's", "labels": ["bobs", "a"]}),
        )
        .await;

        for query in [
            "labels=nope",
            "labels=a,nope",
            "labels=unused",
            "labels=bobs",
            "labels=a,bobs",
        ] {
            let page = list_tasks(&server, t, query).await;
            assert_eq!(page["data"], json!([]), "{query}");
            assert_eq!(page["next_cursor"], json!(null), "{query}");
        }
        // Bob's tasks never show in Ann's pages, and his filter sees only his.
        assert!(!titles(&list_tasks(&server, t, "labels=a").await).contains(&"bob's".to_string()));
        assert_eq!(
            titles(&list_tasks(&server, &bob.access_token, "labels=a").await),
            ["bob's"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn labels_combine_with_the_other_filters() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;

        for (query, want) in [
            ("labels=a&status=complete", vec!["alpha", "golf", "juliet"]),
            (
                "labels=a&status=incomplete",
                vec!["charlie", "echo", "foxtrot", "india"],
            ),
            (
                "labels=a&priority=urgent",
                vec!["charlie", "foxtrot", "india"],
            ),
            ("labels=a,b&due_after=2030-01-01", vec!["charlie", "india"]),
            ("labels=b&q=fox", vec!["foxtrot"]),
            (
                "labels=c&parent_id=none&overdue=false",
                vec!["echo", "hotel", "india"],
            ),
            ("labels=a&status=complete&priority=high", vec![]),
        ] {
            let page = list_tasks(&server, t, query).await;
            assert_eq!(sorted(titles(&page)), want, "{query}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn labels_combine_with_list_id() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;
        let lists: Value = server.get("/lists").authorization_bearer(t).await.json();
        let inbox = lists["data"][0]["id"].as_str().unwrap().to_string();
        let work = lists["data"][1]["id"].as_str().unwrap().to_string();

        for (query, want) in [
            (
                format!("labels=a&list_id={work}"),
                vec!["juliet", "golf", "alpha"],
            ),
            (
                format!("labels=A,b&list_id={inbox}"),
                vec!["india", "foxtrot", "charlie"],
            ),
            (
                format!("labels=c&list_id={inbox}&sort=title"),
                vec!["echo", "hotel", "india"],
            ),
            (format!("labels=c&list_id={work}&parent_id=none"), vec![]),
        ] {
            let page = list_tasks(&server, t, &query).await;
            assert_eq!(titles(&page), want, "{query}");
        }
        let by_one = walk(&server, t, &format!("labels=a&list_id={inbox}"), 1).await;
        assert_eq!(by_one, ["india", "foxtrot", "echo", "charlie"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn pages_by_label_follow_the_cursor_in_every_order() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;

        for sort in [
            "sort=-created_at",
            "sort=created_at",
            "sort=title",
            "sort=-title",
            "sort=due_date",
            "sort=-priority,title",
            "sort=status,-created_at",
        ] {
            for labels in [&["a"][..], &["A", "b"], &["c"]] {
                let want = expected(&server, t, sort, labels).await;
                let query = format!("{sort}&labels={}", labels.join(","));
                for limit in [1, 2, 3] {
                    assert_eq!(
                        walk(&server, t, &query, limit).await,
                        want,
                        "{query} by {limit}"
                    );
                }
            }
        }
        // The default order is newest first.
        let default = walk(&server, t, "labels=a", 2).await;
        assert_eq!(
            default,
            expected(&server, t, "sort=-created_at", &["a"]).await
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_cursor_is_refused_for_another_labels_value() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        seed(&server, t).await;
        let first = list_tasks(&server, t, "labels=a&limit=2").await;
        let cursor = first["next_cursor"].as_str().unwrap();

        for other in [
            "labels=b",
            "labels=a,b",
            "labels=a&status=complete",
            "sort=title&labels=a",
            "",
        ] {
            let response = server
                .get(&format!("/tasks?{other}&cursor={cursor}"))
                .authorization_bearer(t)
                .await;
            assert_problem(&response, 400, "/problems/invalid-cursor");
        }
        // The same set of names, spelled otherwise, is the same query.
        let next = list_tasks(&server, t, &format!("labels=A&limit=2&cursor={cursor}")).await;
        assert_eq!(titles(&next), ["golf", "foxtrot"]);
        let untagged = list_tasks(&server, t, "limit=2").await;
        let cursor = untagged["next_cursor"].as_str().unwrap();
        let response = server
            .get(&format!("/tasks?labels=a&cursor={cursor}"))
            .authorization_bearer(t)
            .await;
        assert_problem(&response, 400, "/problems/invalid-cursor");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_bad_labels_filter_is_422_naming_labels() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        create_task(&server, t, json!({"title": "t", "labels": ["a"]})).await;
        let names = |n: usize| {
            (0..n)
                .map(|i| format!("n{i}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let long = "x".repeat(61);

        for query in [
            "labels=".to_string(),
            "labels=a,,b".to_string(),
            "labels=a,".to_string(),
            "labels=%20".to_string(),
            format!("labels={long}"),
            format!("labels={}", names(21)),
            "labels=a&labels=b".to_string(),
        ] {
            let response = server
                .get(&format!("/tasks?{query}"))
                .authorization_bearer(t)
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["labels"], "{query}");
        }
        let twenty = list_tasks(&server, t, &format!("labels={}", names(20))).await;
        assert_eq!(twenty["data"], json!([]));
        let with_a = list_tasks(&server, t, &format!("labels=a,{}", names(19))).await;
        assert_eq!(with_a["data"], json!([]));
        let sixty = list_tasks(&server, t, &format!("labels={}", "x".repeat(60))).await;
        assert_eq!(sixty["data"], json!([]));
    })
    .await;
}
