//! `/labels` (contract, organizing.md, "Labels"): create, read, rename,
//! recolour and delete a label, with ETags and preconditions, and the errors
//! of each: bad bodies (422), names taken ignoring case (409), another
//! user's, an unknown or a malformed label id (404), no token (401).
use axum_test::{TestResponse, TestServer};
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::helpers::*;

pub async fn post_label(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .post("/labels")
        .authorization_bearer(token)
        .json(&body)
        .await
}

/// Creates a label, asserting 201, and returns its JSON.
pub async fn create_label(server: &TestServer, token: &str, body: Value) -> Value {
    let response = post_label(server, token, body).await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    response.json()
}

/// `GET /labels?<query>`, asserting 200.
pub async fn labels(server: &TestServer, token: &str, query: &str) -> Value {
    let response = server
        .get(&format!("/labels?{query}"))
        .authorization_bearer(token)
        .await;
    assert_eq!(response.status_code(), 200, "{query}: {}", response.text());
    response.json()
}

/// The names of a page of labels (or of tasks' `labels`), in order.
pub fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect()
}

/// The names of every label of the caller (one page holds up to 100).
pub async fn label_names(server: &TestServer, token: &str) -> Vec<String> {
    names(&labels(server, token, "").await)
}

pub fn path(label: &Value) -> String {
    format!("/labels/{}", label["id"].as_str().unwrap())
}

pub async fn patch_label(
    server: &TestServer,
    token: &str,
    label: &Value,
    body: Value,
) -> TestResponse {
    server
        .patch(&path(label))
        .authorization_bearer(token)
        .json(&body)
        .await
}

/// Asserts a 422 naming exactly `fields` (in any order).
pub fn assert_invalid(response: &TestResponse, fields: &[&str], what: &str) {
    let problem = assert_problem(response, 422, "/problems/validation-error");
    let mut named = error_fields(&problem);
    named.sort();
    let mut expected: Vec<String> = fields.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(named, expected, "{what}: {problem}");
}

#[tokio::test]
#[serial]
async fn create_is_201_with_location_and_etag_a_trimmed_name_and_a_lower_case_colour() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = post_label(
            &server,
            &ann.access_token,
            // Read-only fields are ignored, as a task's are.
            json!({"name": "  Errand \t", "color": "#1E90fF", "id": "mine",
                   "created_at": "then", "updated_at": "now"}),
        )
        .await;

        assert_eq!(response.status_code(), 201, "{}", response.text());
        let label: Value = response.json();
        assert_eq!(response.header("location"), path(&label).as_str());
        assert_eq!(response.header("etag"), "\"1\"");
        assert_ne!(label["id"], json!("mine"));
        assert_eq!(label["name"], json!("Errand"));
        assert_eq!(label["color"], json!("#1e90ff"));
        assert_eq!(label["created_at"], label["updated_at"]);
        let mut keys: Vec<&String> = label.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["color", "created_at", "id", "name", "updated_at"]);
        let plain = create_label(&server, &ann.access_token, json!({"name": "Home"})).await;
        assert_eq!(plain["color"], json!(null));
        let cleared = create_label(
            &server,
            &ann.access_token,
            json!({"name": "Work", "color": null}),
        )
        .await;
        assert_eq!(cleared["color"], json!(null));
        let page = labels(&server, &ann.access_token, "").await;
        assert_eq!(page["data"][0], label);
        assert_eq!(names(&page), ["Errand", "Home", "Work"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_name_is_1_to_60_characters_after_trimming() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        // Characters, not bytes: 60 two-byte letters fit.
        let longest = "é".repeat(60);

        let padded = create_label(&server, t, json!({"name": format!("  {longest} ")})).await;
        let short = create_label(&server, t, json!({"name": "x"})).await;

        assert_eq!(padded["name"], json!(longest));
        assert_eq!(short["name"], json!("x"));
        let over = post_label(&server, t, json!({"name": "é".repeat(61)})).await;
        assert_invalid(&over, &["name"], "61 characters");
        assert_eq!(label_names(&server, t).await, ["x", longest.as_str()]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn bad_bodies_are_422_naming_each_field_and_create_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let cases = [
            (json!({}), vec!["name"]),
            (json!({"name": null}), vec!["name"]),
            (json!({"name": ""}), vec!["name"]),
            (json!({"name": " \t "}), vec!["name"]),
            (json!({"name": "a,b"}), vec!["name"]),
            (json!({"name": ","}), vec!["name"]),
            (json!({"name": 7}), vec!["name"]),
            (json!({"name": ["a"]}), vec!["name"]),
            (json!({"name": "a", "color": "blue"}), vec!["color"]),
            (json!({"name": "a", "color": "#12345"}), vec!["color"]),
            (json!({"name": "a", "color": "#1234567"}), vec!["color"]),
            (json!({"name": "a", "color": "#12345g"}), vec!["color"]),
            (json!({"name": "a", "color": "123456"}), vec!["color"]),
            (json!({"name": "a", "color": 123_456}), vec!["color"]),
            (json!({"name": "a", "tasks": []}), vec!["tasks"]),
            (
                json!({"name": "a,b", "color": "red", "owner": 1}),
                vec!["name", "color", "owner"],
            ),
        ];
        for (body, fields) in cases {
            let response = post_label(&server, t, body.clone()).await;
            assert_invalid(&response, &fields, &body.to_string());
        }
        assert_eq!(label_names(&server, t).await, Vec::<String>::new());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn names_are_unique_per_user_ignoring_case() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let errand = create_label(&server, t, json!({"name": "Errand"})).await;
        let home = create_label(&server, t, json!({"name": "Home"})).await;
        create_label(&server, t, json!({"name": "Été"})).await;

        // Case folding is Unicode's, not ASCII's: "ÉTÉ" is "Été".
        for taken in ["errand", "ERRAND", "  eRRand ", "été", "ÉTÉ"] {
            let response = post_label(&server, t, json!({"name": taken})).await;
            let problem = assert_problem(&response, 409, "/problems/name-taken");
            assert!(
                problem["detail"].as_str().unwrap().contains("label"),
                "{problem}"
            );
        }
        let renamed = patch_label(&server, t, &home, json!({"name": "errand"})).await;
        assert_problem(&renamed, 409, "/problems/name-taken");
        // A label may change the case of its own name; another user may use it.
        let recased = patch_label(&server, t, &errand, json!({"name": "ERRAND"})).await;
        assert_eq!(recased.status_code(), 200, "{}", recased.text());
        assert_eq!(recased.json::<Value>()["name"], json!("ERRAND"));
        create_label(&server, &bob.access_token, json!({"name": "errand"})).await;
        assert_eq!(label_names(&server, t).await, ["ERRAND", "Home", "Été"]);
        assert_eq!(label_names(&server, &bob.access_token).await, ["errand"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn get_has_an_etag_and_answers_304_to_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let label = create_label(&server, t, json!({"name": "Errand"})).await;
        let get = |tag: Option<&str>| {
            let mut get = server.get(&path(&label)).authorization_bearer(t);
            if let Some(tag) = tag {
                get = get.add_header("if-none-match", tag.to_string());
            }
            get
        };

        let response = get(None).await;
        assert_eq!(response.status_code(), 200);
        assert_eq!(response.json::<Value>(), label);
        assert_eq!(response.header("etag"), "\"1\"");
        let same = get(Some("\"1\"")).await;
        assert_eq!(same.status_code(), 304);
        assert!(same.text().is_empty());
        assert_eq!(same.header("etag"), "\"1\"");

        patch_label(&server, t, &label, json!({"color": "#000000"})).await;
        let stale = get(Some("\"1\"")).await;
        assert_eq!(stale.status_code(), 200);
        assert_eq!(stale.header("etag"), "\"2\"");
        assert_eq!(stale.json::<Value>()["color"], json!("#000000"));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_changes_only_what_it_sends() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let label = create_label(&server, t, json!({"name": "Errand", "color": "#AA0000"})).await;

        let renamed = patch_label(&server, t, &label, json!({"name": " Chores "})).await;
        assert_eq!(renamed.status_code(), 200, "{}", renamed.text());
        assert_eq!(renamed.header("etag"), "\"2\"");
        let renamed: Value = renamed.json();
        assert_eq!(renamed["name"], json!("Chores"));
        assert_eq!(renamed["color"], json!("#aa0000"));
        assert_eq!(renamed["id"], label["id"]);
        assert_eq!(renamed["created_at"], label["created_at"]);
        let recoloured = server
            .patch(&path(&label))
            .authorization_bearer(t)
            .content_type("application/merge-patch+json")
            .bytes(r##"{"color": "#00FF00", "id": "x", "updated_at": "y"}"##.into())
            .await;
        assert_eq!(recoloured.status_code(), 200, "{}", recoloured.text());
        assert_eq!(recoloured.json::<Value>()["color"], json!("#00ff00"));
        assert_eq!(recoloured.json::<Value>()["name"], json!("Chores"));
        let cleared = patch_label(&server, t, &label, json!({"color": null})).await;
        assert_eq!(cleared.json::<Value>()["color"], json!(null));
        assert_eq!(cleared.json::<Value>()["name"], json!("Chores"));
        let now: Value = server
            .get(&path(&label))
            .authorization_bearer(t)
            .await
            .json();
        assert_eq!(now, cleared.json::<Value>());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_bad_patch_is_422_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let label = create_label(&server, t, json!({"name": "Errand", "color": "#aa0000"})).await;
        let cases = [
            (json!({"name": null}), vec!["name"]),
            (json!({"name": "  "}), vec!["name"]),
            (json!({"name": "x".repeat(61)}), vec!["name"]),
            (json!({"name": "a,b"}), vec!["name"]),
            (json!({"color": "#abc"}), vec!["color"]),
            (json!({"color": false}), vec!["color"]),
            (json!({"name": "Fine", "inbox": true}), vec!["inbox"]),
            (
                json!({"name": 1, "color": "red", "tasks": []}),
                vec!["name", "color", "tasks"],
            ),
        ];
        for (body, fields) in cases {
            let response = patch_label(&server, t, &label, body.clone()).await;
            assert_invalid(&response, &fields, &body.to_string());
        }
        let now = server.get(&path(&label)).authorization_bearer(t).await;
        assert_eq!(now.header("etag"), "\"1\"");
        assert_eq!(now.json::<Value>(), label);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let label = create_label(&server, t, json!({"name": "Errand"})).await;
        patch_label(&server, t, &label, json!({"color": "#123456"})).await;
        let conditional = |method: &str, tag: &str| {
            let request = match method {
                "PATCH" => server
                    .patch(&path(&label))
                    .json(&json!({"name": "Lost update"})),
                _ => server.delete(&path(&label)),
            };
            request
                .authorization_bearer(t)
                .add_header("if-match", tag.to_string())
        };

        for (method, tag) in [
            ("PATCH", "\"1\""),
            ("PATCH", "W/\"2\""),
            ("DELETE", "\"1\""),
        ] {
            let response = conditional(method, tag).await;
            assert_problem(&response, 412, "/problems/precondition-failed");
        }
        let now = server.get(&path(&label)).authorization_bearer(t).await;
        assert_eq!(now.header("etag"), "\"2\"");
        assert_eq!(now.json::<Value>()["name"], json!("Errand"));
        let current = conditional("PATCH", "\"2\"").await;
        assert_eq!(current.status_code(), 200, "{}", current.text());
        assert_eq!(current.header("etag"), "\"3\"");
        assert_eq!(conditional("DELETE", "\"3\"").await.status_code(), 204);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn delete_is_204_then_the_label_is_gone_and_its_name_free() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let label = create_label(&server, t, json!({"name": "Errand"})).await;
        create_label(&server, t, json!({"name": "Home"})).await;

        let deleted = server.delete(&path(&label)).authorization_bearer(t).await;

        assert_eq!(deleted.status_code(), 204);
        assert!(deleted.text().is_empty());
        let gone = server.get(&path(&label)).authorization_bearer(t).await;
        assert_problem(&gone, 404, "/problems/not-found");
        let again = server.delete(&path(&label)).authorization_bearer(t).await;
        assert_problem(&again, 404, "/problems/not-found");
        let patched = patch_label(&server, t, &label, json!({"name": "x"})).await;
        assert_problem(&patched, 404, "/problems/not-found");
        assert_eq!(label_names(&server, t).await, ["Home"]);
        let remade = create_label(&server, t, json!({"name": "errand"})).await;
        assert_ne!(remade["id"], label["id"]);
    })
    .await;
}
