//! `POST /auth/password` and the password rules every new password meets
//! (register, reset, change): 8–128 characters, not on the common-password
//! list (ignoring case), not the account's email or its local part.
use axum_test::{TestResponse, TestServer};
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{app::App, domain::common_passwords};

use super::{auth::*, helpers::*};

async fn change(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .post("/auth/password")
        .authorization_bearer(token)
        .json(&body)
        .await
}

const NEW: &str = "a brand new passphrase";

#[test]
fn the_common_password_list_has_at_least_10000_entries() {
    assert!(
        common_passwords::len() >= 10_000,
        "{}",
        common_passwords::len()
    );
    assert!(common_passwords::is_common("password1"));
    assert!(common_passwords::is_common("PassWord1"), "ignores case");
    assert!(!common_passwords::is_common(PASSWORD));
}

#[tokio::test]
#[serial]
async fn a_password_change_keeps_this_login_and_ends_the_others() {
    request::<App, _, _>(|server, _ctx| async move {
        let this = login_as(&server, "ann@example.com").await;
        let other = new_login(&server, "ann@example.com").await;

        let response = change(
            &server,
            &this.access_token,
            json!({"current_password": PASSWORD, "new_password": NEW}),
        )
        .await;

        assert_eq!(response.status_code(), 204, "{}", response.text());
        assert_eq!(get_me(&server, &this.access_token).await.status_code(), 200);
        assert_access_refused(&server, &other.access_token).await;
        assert_eq!(
            refresh(&server, &other.refresh_token).await.status_code(),
            401
        );
        assert_eq!(
            login(&server, "ann@example.com", PASSWORD)
                .await
                .status_code(),
            401
        );
        assert_eq!(
            login(&server, "ann@example.com", NEW).await.status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_wrong_current_password_is_the_401_of_a_failed_login_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let other = new_login(&server, "ann@example.com").await;

        let response = change(
            &server,
            &ann.access_token,
            json!({"current_password": "not the password", "new_password": NEW}),
        )
        .await;

        assert_problem(&response, 401, "/problems/invalid-credentials");
        assert_eq!(
            login(&server, "ann@example.com", PASSWORD)
                .await
                .status_code(),
            200
        );
        assert_eq!(
            get_me(&server, &other.access_token).await.status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_weak_or_missing_new_password_is_422_naming_it() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for body in [
            json!({"current_password": PASSWORD, "new_password": "short"}),
            json!({"current_password": PASSWORD, "new_password": "Password123"}),
            json!({"current_password": PASSWORD, "new_password": "ANN@example.com"}),
            json!({"current_password": PASSWORD, "new_password": "Ann"}),
            json!({"current_password": PASSWORD}),
        ] {
            let response = change(&server, &ann.access_token, body.clone()).await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), vec!["new_password"], "{body}");
        }
        assert_eq!(
            login(&server, "ann@example.com", PASSWORD)
                .await
                .status_code(),
            200
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_password_change_needs_a_token() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/password")
            .json(&json!({"current_password": PASSWORD, "new_password": NEW}))
            .await;

        assert_problem(&response, 401, "/problems/unauthorized");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_refuses_common_passwords_and_the_email_in_any_letter_case() {
    request::<App, _, _>(|server, _ctx| async move {
        for password in [
            "iloveyou123",
            "ILoveYou123",
            "qwertyuiop",
            "annabelle.lee@example.com",
            "Annabelle.Lee",
        ] {
            let response = server
                .post("/auth/register")
                .json(&json!({"name": "Ann", "email": "annabelle.lee@example.com", "password": password}))
                .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), vec!["password"], "{password}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reset_refuses_a_common_password_or_the_email_and_keeps_the_token() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "annabelle.lee@example.com").await;
        let token = reset_token_for(&server, &ctx, "annabelle.lee@example.com").await;

        for password in ["password123", "annabelle.lee"] {
            let refused = reset(&server, &token, password).await;
            let problem = assert_problem(&refused, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), vec!["password"], "{password}");
        }

        assert_eq!(reset(&server, &token, NEW).await.status_code(), 204);
    })
    .await;
}
