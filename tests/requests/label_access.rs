//! Who may reach a label (contract, organizing.md: "Another user's list or
//! label is 404 everywhere, as for tasks"): another user's, an unknown or a
//! malformed label id is 404; no token or a bad one is 401; a wrong method
//! is 405. None of them changes anything.
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    labels::{create_label, label_names, patch_label, path},
};

#[tokio::test]
#[serial]
async fn another_users_label_is_404_everywhere_and_unchanged() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let label = create_label(&server, &ann.access_token, json!({"name": "Ann's"})).await;
        let t = &bob.access_token;

        let got = server.get(&path(&label)).authorization_bearer(t).await;
        let patched = patch_label(&server, t, &label, json!({"name": "Bob's"})).await;
        let deleted = server.delete(&path(&label)).authorization_bearer(t).await;

        for response in [&got, &patched, &deleted] {
            assert_problem(response, 404, "/problems/not-found");
        }
        assert_eq!(label_names(&server, t).await, Vec::<String>::new());
        let still = server
            .get(&path(&label))
            .authorization_bearer(&ann.access_token)
            .await;
        assert_eq!(still.header("etag"), "\"1\"");
        assert_eq!(still.json::<Value>(), label);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unknown_and_malformed_ids_are_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        create_label(&server, t, json!({"name": "Errand"})).await;

        for id in [
            "6f1c1c1e-8d1a-4b55-9f0e-2d7c1a9b0c3d",
            "not-a-uuid",
            "1",
            "6f1c1c1e-8d1a-4b55-9f0e",
        ] {
            let p = format!("/labels/{id}");
            let got = server.get(&p).authorization_bearer(t).await;
            let patched = server
                .patch(&p)
                .authorization_bearer(t)
                .json(&json!({"name": "x"}))
                .await;
            let deleted = server.delete(&p).authorization_bearer(t).await;
            for response in [&got, &patched, &deleted] {
                assert_problem(response, 404, "/problems/not-found");
            }
        }
        assert_eq!(label_names(&server, t).await, ["Errand"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn every_label_route_needs_a_valid_token() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let label = create_label(&server, &ann.access_token, json!({"name": "Errand"})).await;
        let p = path(&label);

        for token in [None, Some("not-a-token")] {
            let with = |request: axum_test::TestRequest| match token {
                Some(token) => request.authorization_bearer(token),
                None => request,
            };
            let responses = [
                with(server.get("/labels")).await,
                with(server.post("/labels"))
                    .json(&json!({"name": "Sneaky"}))
                    .await,
                with(server.get(&p)).await,
                with(server.patch(&p))
                    .json(&json!({"name": "Sneaky"}))
                    .await,
                with(server.delete(&p)).await,
            ];
            for response in &responses {
                assert_problem(response, 401, "/problems/unauthorized");
            }
        }
        assert_eq!(label_names(&server, &ann.access_token).await, ["Errand"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_wrong_method_is_405_with_allow() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let label = create_label(&server, &ann.access_token, json!({"name": "Errand"})).await;

        let put = server
            .put(&path(&label))
            .authorization_bearer(&ann.access_token)
            .json(&json!({"name": "Chores"}))
            .await;
        let delete_all = server
            .delete("/labels")
            .authorization_bearer(&ann.access_token)
            .await;

        assert_problem(&put, 405, "/problems/method-not-allowed");
        let allow = put.header("allow").to_str().unwrap().to_string();
        assert!(
            allow.contains("GET") && allow.contains("PATCH") && allow.contains("DELETE"),
            "{allow}"
        );
        assert_problem(&delete_all, 405, "/problems/method-not-allowed");
        assert_eq!(label_names(&server, &ann.access_token).await, ["Errand"]);
    })
    .await;
}
