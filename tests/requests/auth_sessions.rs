//! `POST /auth/refresh` and `POST /auth/logout`: rotation, reuse detection, revocation.
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;
use uuid::Uuid;

use super::{auth::*, helpers::*};
use crate::assert_body_snapshot;

// ---------------------------------------------------------------------------
// POST /auth/refresh
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn refresh_returns_a_new_working_pair() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = refresh(&server, &ann.refresh_token).await;

        assert_eq!(response.status_code(), 200);
        let session: Value = response.json();
        let access = session["access_token"].as_str().unwrap();
        assert_ne!(access, ann.access_token);
        assert_ne!(session["refresh_token"], ann.refresh_token.as_str());
        assert_eq!(session["user"]["id"], ann.user_id.as_str());
        assert_eq!(get_me(&server, access).await.status_code(), 200);
        assert_body_snapshot!("auth_refresh_session", session);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn refresh_kills_the_access_token_issued_before_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = refresh(&server, &ann.refresh_token).await;

        assert_eq!(response.status_code(), 200);
        assert_access_refused(&server, &ann.access_token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_used_refresh_token_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        refresh(&server, &ann.refresh_token).await;

        let again = refresh(&server, &ann.refresh_token).await;

        let problem = assert_unauthorized(&again, "/problems/invalid-refresh-token");
        assert_body_snapshot!("auth_refresh_invalid", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reusing_a_refresh_token_revokes_the_whole_login() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let newest: Value = refresh(&server, &ann.refresh_token).await.json();

        let replay = refresh(&server, &ann.refresh_token).await;

        assert_eq!(replay.status_code(), 401);
        assert_access_refused(&server, newest["access_token"].as_str().unwrap()).await;
        let with_newest = refresh(&server, newest["refresh_token"].as_str().unwrap()).await;
        assert_unauthorized(&with_newest, "/problems/invalid-refresh-token");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reuse_in_one_login_leaves_other_logins_working() {
    request::<App, _, _>(|server, _ctx| async move {
        let phone = login_as(&server, "ann@example.com").await;
        let laptop = new_login(&server, "ann@example.com").await;
        refresh(&server, &phone.refresh_token).await;

        refresh(&server, &phone.refresh_token).await;

        assert_eq!(
            get_me(&server, &laptop.access_token).await.status_code(),
            200
        );
        assert_eq!(
            refresh(&server, &laptop.refresh_token).await.status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unknown_or_garbage_refresh_tokens_are_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let (session_pid, _) = ann.refresh_token.split_once('.').unwrap();

        for token in [
            String::new(),
            "garbage".to_string(),
            format!("{}.{}", Uuid::new_v4().simple(), "a".repeat(43)),
            ann.access_token.clone(),
            format!("{session_pid}.{}", "a".repeat(43)),
        ] {
            let response = refresh(&server, &token).await;
            assert_unauthorized(&response, "/problems/invalid-refresh-token");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn refresh_without_a_token_field_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let missing = server.post("/auth/refresh").json(&json!({})).await;
        let wrong_type = server
            .post("/auth/refresh")
            .json(&json!({"refresh_token": 12}))
            .await;

        let problem = assert_problem(&missing, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["refresh_token"]);
        let problem = assert_problem(&wrong_type, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["refresh_token"]);
    })
    .await;
}

// ---------------------------------------------------------------------------
// POST /auth/logout
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn logout_without_a_body_is_204_and_ends_that_login_at_once() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = logout(&server, &ann.access_token).await;

        assert_eq!(response.status_code(), 204);
        assert!(response.text().is_empty());
        assert_access_refused(&server, &ann.access_token).await;
        let refreshed = refresh(&server, &ann.refresh_token).await;
        assert_unauthorized(&refreshed, "/problems/invalid-refresh-token");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn logout_leaves_other_logins_working() {
    request::<App, _, _>(|server, _ctx| async move {
        let phone = login_as(&server, "ann@example.com").await;
        let laptop = new_login(&server, "ann@example.com").await;

        logout(&server, &phone.access_token).await;

        assert_eq!(
            get_me(&server, &laptop.access_token).await.status_code(),
            200
        );
        assert_eq!(
            refresh(&server, &laptop.refresh_token).await.status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn logout_all_ends_every_login_of_the_user_only() {
    request::<App, _, _>(|server, _ctx| async move {
        let phone = login_as(&server, "ann@example.com").await;
        let laptop = new_login(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;

        let response = server
            .post("/auth/logout")
            .authorization_bearer(&phone.access_token)
            .json(&json!({"all": true}))
            .await;

        assert_eq!(response.status_code(), 204);
        assert_access_refused(&server, &phone.access_token).await;
        assert_access_refused(&server, &laptop.access_token).await;
        assert_eq!(
            refresh(&server, &laptop.refresh_token).await.status_code(),
            401
        );
        assert_eq!(get_me(&server, &bob.access_token).await.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn logout_with_all_false_ends_only_that_login() {
    request::<App, _, _>(|server, _ctx| async move {
        let phone = login_as(&server, "ann@example.com").await;
        let laptop = new_login(&server, "ann@example.com").await;

        let response = server
            .post("/auth/logout")
            .authorization_bearer(&phone.access_token)
            .json(&json!({"all": false}))
            .await;

        assert_eq!(response.status_code(), 204);
        assert_access_refused(&server, &phone.access_token).await;
        assert_eq!(
            get_me(&server, &laptop.access_token).await.status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn logout_with_a_non_boolean_all_is_422_and_ends_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/auth/logout")
            .authorization_bearer(&ann.access_token)
            .json(&json!({"all": "yes"}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["all"]);
        assert_eq!(get_me(&server, &ann.access_token).await.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn logout_without_a_token_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.post("/auth/logout").await;

        assert_unauthorized(&response, "/problems/unauthorized");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_second_logout_with_the_same_token_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        logout(&server, &ann.access_token).await;

        let again = logout(&server, &ann.access_token).await;

        assert_unauthorized(&again, "/problems/unauthorized");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn logout_with_a_body_that_is_not_json_is_415_and_ends_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .post("/auth/logout")
            .authorization_bearer(&ann.access_token)
            .content_type("text/plain")
            .bytes(r#"{"all": true}"#.into())
            .await;

        assert_problem(&response, 415, "/problems/unsupported-media-type");
        assert_eq!(get_me(&server, &ann.access_token).await.status_code(), 200);
    })
    .await;
}
