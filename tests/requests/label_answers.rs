//! Where a task's labels show beyond its own answers, and in which order
//! (contract, organizing.md: "returned sorted ignoring case"): the export
//! (accounts-and-operations.md) holds the labels and each task's labels;
//! a task's labels and `GET /labels` keep one order whatever the
//! database's collation.
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    labels::{create_label, label_names, labels},
    task_labels::get_task,
};

#[tokio::test]
#[serial]
async fn the_export_holds_the_labels_and_each_tasks_labels() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        create_label(&server, t, json!({"name": "Unused", "color": "#ABCDEF"})).await;
        let tagged =
            create_task(&server, t, json!({"title": "tagged", "labels": ["b", "A"]})).await;
        let plain = create_task(&server, t, json!({"title": "plain"})).await;
        create_task(
            &server,
            &bob.access_token,
            json!({"title": "x", "labels": ["bobs"]}),
        )
        .await;

        let response = server.get("/auth/me/export").authorization_bearer(t).await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        let export: Value = response.json();
        assert_eq!(export["labels"], labels(&server, t, "").await["data"]);
        assert_eq!(export["labels"].as_array().unwrap().len(), 3);
        let exported = |task: &Value| {
            export["tasks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["id"] == task["id"])
                .cloned()
                .unwrap()
        };
        assert_eq!(exported(&tagged)["labels"], json!(["A", "b"]));
        assert_eq!(exported(&tagged), tagged);
        assert_eq!(exported(&plain)["labels"], json!([]));
        assert!(!response.text().contains("bobs"));
        let unused = &export["labels"][2];
        assert_eq!(unused["name"], json!("Unused"));
        assert_eq!(unused["color"], json!("#abcdef"));
    })
    .await;
}

/// One order everywhere, whatever the database's collation: names compared
/// lower-cased, character by character (so "Zeta" before "éclair", as
/// SQLite and PostgreSQL's "C" collation compare, where a linguistic
/// collation would put "éclair" first).
#[tokio::test]
#[serial]
async fn a_tasks_labels_keep_one_order_in_every_answer() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let order = json!(["Eagle", "Zeta", "~x", "éclair"]);

        let task = create_task(
            &server,
            t,
            json!({"title": "t", "labels": ["éclair", "Zeta", "~x", "Eagle"]}),
        )
        .await;

        assert_eq!(task["labels"], order);
        assert_eq!(
            get_task(&server, t, &task).await.json::<Value>()["labels"],
            order
        );
        assert_eq!(list_tasks(&server, t, "").await["data"][0]["labels"], order);
        assert_eq!(json!(label_names(&server, t).await), order);
        let export: Value = server
            .get("/auth/me/export")
            .authorization_bearer(t)
            .await
            .json();
        assert_eq!(export["tasks"][0]["labels"], order);
        let mut paged = Vec::new();
        let mut query = "limit=1".to_string();
        loop {
            let page = labels(&server, t, &query).await;
            paged.push(page["data"][0]["name"].clone());
            let Some(cursor) = page["next_cursor"].as_str() else {
                break;
            };
            query = format!("limit=1&cursor={cursor}");
        }
        assert_eq!(json!(paged), order);
    })
    .await;
}

/// The export's labels as `GET /labels` lists them, in the order of the
/// test above. Only a PostgreSQL database with a linguistic collation tells
/// the orders apart (CI's is "C"): run these two tests against one created
/// with `LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0`.
#[tokio::test]
#[serial]
async fn the_export_lists_the_labels_in_the_order_of_get_labels() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for name in ["éclair", "Zeta", "~x", "Eagle"] {
            create_label(&server, t, json!({"name": name})).await;
        }

        let export: Value = server
            .get("/auth/me/export")
            .authorization_bearer(t)
            .await
            .json();

        let exported: Vec<&Value> = export["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["name"])
            .collect();
        assert_eq!(json!(exported), json!(["Eagle", "Zeta", "~x", "éclair"]));
        assert_eq!(json!(label_names(&server, t).await), json!(exported));
    })
    .await;
}
