//! `/lists` (contract, organizing.md): every account's inbox, create, read,
//! rename, archive, delete with its tasks, move, pages, and the errors of
//! each, including another user's lists (404) and the inbox's rules (409).
use axum_test::{TestResponse, TestServer};
use serde_json::{json, Value};
use serial_test::serial;

use super::helpers::*;
use loco_rs::testing::prelude::request;
use taskforge::app::App;

pub async fn create_list(server: &TestServer, token: &str, body: Value) -> Value {
    let response = post_list(server, token, body).await;
    assert_eq!(response.status_code(), 201, "{}", response.text());
    response.json()
}

pub async fn post_list(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .post("/lists")
        .authorization_bearer(token)
        .json(&body)
        .await
}

/// `GET /lists?<query>`, asserting 200.
pub async fn lists(server: &TestServer, token: &str, query: &str) -> Value {
    let response = server
        .get(&format!("/lists?{query}"))
        .authorization_bearer(token)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.json()
}

pub fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect()
}

pub async fn move_list(server: &TestServer, token: &str, id: &Value, body: Value) -> TestResponse {
    server
        .post(&format!("/lists/{}/move", id.as_str().unwrap()))
        .authorization_bearer(token)
        .json(&body)
        .await
}

pub fn path(list: &Value) -> String {
    format!("/lists/{}", list["id"].as_str().unwrap())
}

#[tokio::test]
#[serial]
async fn every_account_starts_with_its_inbox() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let page = lists(&server, &ann.access_token, "").await;

        let inbox = &page["data"][0];
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
        assert_eq!(inbox["name"], json!("Inbox"));
        assert_eq!(inbox["inbox"], json!(true));
        assert_eq!(inbox["archived"], json!(false));
        assert_eq!(inbox["color"], json!(null));
        assert!(inbox["position"].is_string());
        assert_eq!(page["next_cursor"], json!(null));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn create_is_201_with_location_and_etag_and_goes_last() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let response = post_list(
            &server,
            &ann.access_token,
            // Read-only fields are ignored, as a task's are.
            json!({"name": "  Errands ", "color": "#1E90fF", "id": "x", "inbox": true,
                   "position": "0", "created_at": "then"}),
        )
        .await;

        assert_eq!(response.status_code(), 201, "{}", response.text());
        let list: Value = response.json();
        assert_eq!(response.header("location"), path(&list).as_str());
        assert_eq!(response.header("etag"), "\"1\"");
        assert_eq!(list["name"], json!("Errands"));
        assert_eq!(list["color"], json!("#1e90ff"));
        assert_eq!(list["inbox"], json!(false));
        create_list(
            &server,
            &ann.access_token,
            json!({"name": "Work", "archived": true}),
        )
        .await;
        let page = lists(&server, &ann.access_token, "").await;
        assert_eq!(names(&page), ["Inbox", "Errands", "Work"]);
        let positions: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["position"].as_str().unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
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
            (json!({"name": "  "}), vec!["name"]),
            (json!({"name": "x".repeat(101)}), vec!["name"]),
            (json!({"name": "a", "color": "blue"}), vec!["color"]),
            (json!({"name": "a", "archived": "yes"}), vec!["archived"]),
            (json!({"name": 3, "owner": 1}), vec!["owner", "name"]),
        ];
        for (body, fields) in cases {
            let problem = assert_problem(
                &post_list(&server, t, body.clone()).await,
                422,
                "/problems/validation-error",
            );
            let mut named = error_fields(&problem);
            named.sort();
            let mut expected: Vec<String> = fields.iter().map(ToString::to_string).collect();
            expected.sort();
            assert_eq!(named, expected, "{body}");
        }
        assert_eq!(names(&lists(&server, t, "").await), ["Inbox"]);
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
        let errands = create_list(&server, t, json!({"name": "Errands"})).await;
        let work = create_list(&server, t, json!({"name": "Work"})).await;

        for taken in ["errands", "ERRANDS", "inbox"] {
            let response = post_list(&server, t, json!({"name": taken})).await;
            let problem = assert_problem(&response, 409, "/problems/name-taken");
            assert!(problem["detail"].as_str().unwrap().contains("list"));
        }
        let renamed = server
            .patch(&path(&work))
            .authorization_bearer(t)
            .json(&json!({"name": "Errands"}))
            .await;
        assert_problem(&renamed, 409, "/problems/name-taken");
        // A list may change the case of its own name; another user may use it.
        let recased = server
            .patch(&path(&errands))
            .authorization_bearer(t)
            .json(&json!({"name": "ERRANDS"}))
            .await;
        assert_eq!(recased.status_code(), 200, "{}", recased.text());
        create_list(&server, &bob.access_token, json!({"name": "errands"})).await;
        assert_eq!(
            names(&lists(&server, t, "").await),
            ["Inbox", "ERRANDS", "Work"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn get_has_an_etag_and_answers_304_to_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let list = create_list(&server, &ann.access_token, json!({"name": "Errands"})).await;

        let response = server
            .get(&path(&list))
            .authorization_bearer(&ann.access_token)
            .await;
        assert_eq!(response.status_code(), 200);
        assert_eq!(response.json::<Value>(), list);
        let etag = response.header("etag");
        let again = server
            .get(&path(&list))
            .authorization_bearer(&ann.access_token)
            .add_header("if-none-match", etag.clone())
            .await;
        assert_eq!(again.status_code(), 304);
        assert_eq!(again.header("etag"), etag);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_changes_only_what_it_sends_and_honours_if_match() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let list = create_list(&server, t, json!({"name": "Errands", "color": "#aa0000"})).await;

        let stale = server
            .patch(&path(&list))
            .authorization_bearer(t)
            .add_header("if-match", "\"7\"")
            .json(&json!({"name": "Chores"}))
            .await;
        assert_problem(&stale, 412, "/problems/precondition-failed");
        let response = server
            .patch(&path(&list))
            .authorization_bearer(t)
            .add_header("if-match", "\"1\"")
            .json(&json!({"color": null, "archived": true}))
            .await;
        assert_eq!(response.status_code(), 200, "{}", response.text());
        assert_eq!(response.header("etag"), "\"2\"");
        let patched: Value = response.json();
        assert_eq!(patched["name"], json!("Errands"));
        assert_eq!(patched["color"], json!(null));
        assert_eq!(patched["archived"], json!(true));
        let bad = server
            .patch(&path(&list))
            .authorization_bearer(t)
            .json(&json!({"name": null, "inbox": false, "archived": null}))
            .await;
        let problem = assert_problem(&bad, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name", "archived"]);
        assert_eq!(
            names(&lists(&server, t, "archived=true").await),
            ["Errands"]
        );
        assert_eq!(names(&lists(&server, t, "archived=false").await), ["Inbox"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_inbox_can_be_renamed_and_moved_but_not_archived_or_deleted() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let inbox = lists(&server, t, "").await["data"][0].clone();
        let work = create_list(&server, t, json!({"name": "Work"})).await;

        let archived = server
            .patch(&path(&inbox))
            .authorization_bearer(t)
            .json(&json!({"archived": true}))
            .await;
        assert_problem(&archived, 409, "/problems/inbox-list");
        let deleted = server.delete(&path(&inbox)).authorization_bearer(t).await;
        assert_problem(&deleted, 409, "/problems/inbox-list");
        let renamed = server
            .patch(&path(&inbox))
            .authorization_bearer(t)
            .json(&json!({"name": "Later"}))
            .await;
        assert_eq!(renamed.status_code(), 200);
        let moved = move_list(&server, t, &inbox["id"], json!({"after": work["id"]})).await;
        assert_eq!(moved.status_code(), 200, "{}", moved.text());
        assert_eq!(moved.json::<Value>()["inbox"], json!(true));
        assert_eq!(names(&lists(&server, t, "").await), ["Work", "Later"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn another_users_list_is_404_everywhere() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let list = create_list(&server, &ann.access_token, json!({"name": "Ann's"})).await;
        let t = &bob.access_token;
        let p = path(&list);

        assert_problem(
            &server.get(&p).authorization_bearer(t).await,
            404,
            "/problems/not-found",
        );
        let patched = server
            .patch(&p)
            .authorization_bearer(t)
            .json(&json!({"name": "x"}))
            .await;
        assert_problem(&patched, 404, "/problems/not-found");
        assert_problem(
            &server.delete(&p).authorization_bearer(t).await,
            404,
            "/problems/not-found",
        );
        let moved = move_list(&server, t, &list["id"], json!({})).await;
        assert_problem(&moved, 404, "/problems/not-found");
        let malformed = server
            .get("/lists/not-a-uuid")
            .authorization_bearer(t)
            .await;
        assert_problem(&malformed, 404, "/problems/not-found");
        let still: Value = server
            .get(&p)
            .authorization_bearer(&ann.access_token)
            .await
            .json();
        assert_eq!(still, list);
    })
    .await;
}
