//! `/auth/*`: login, with every failure row of the contract; the helpers of
//! the auth test files (`auth_register.rs`: registration; `auth_sessions.rs`:
//! refresh and logout; `auth_account.rs`: password reset and the profile;
//! `access_tokens.rs`: the bearer token).
use axum_test::{TestResponse, TestServer};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use loco_rs::{app::AppContext, testing::prelude::*};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use sha2::Sha512;
use taskforge::{app::App, models::users};

use super::helpers::*;
use crate::assert_body_snapshot;

// ---------------------------------------------------------------------------
// Helpers of this file
// ---------------------------------------------------------------------------

pub(super) async fn get_me(server: &TestServer, token: &str) -> TestResponse {
    server.get("/auth/me").authorization_bearer(token).await
}

pub(super) async fn patch_me(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .patch("/auth/me")
        .authorization_bearer(token)
        .json(&body)
        .await
}

pub(super) async fn refresh(server: &TestServer, refresh_token: &str) -> TestResponse {
    server
        .post("/auth/refresh")
        .json(&json!({ "refresh_token": refresh_token }))
        .await
}

/// `POST /auth/logout` with no body at all.
pub(super) async fn logout(server: &TestServer, token: &str) -> TestResponse {
    server
        .post("/auth/logout")
        .authorization_bearer(token)
        .await
}

pub(super) async fn forgot(server: &TestServer, email: &str) -> TestResponse {
    server
        .post("/auth/forgot")
        .json(&json!({ "email": email }))
        .await
}

pub(super) async fn reset(server: &TestServer, token: &str, password: &str) -> TestResponse {
    server
        .post("/auth/reset")
        .json(&json!({ "token": token, "password": password }))
        .await
}

/// A 401 problem of `kind` that carries a `Bearer` challenge.
pub(super) fn assert_unauthorized(response: &TestResponse, kind: &str) -> Value {
    let problem = assert_problem(response, 401, kind);
    let challenge = response
        .maybe_header("www-authenticate")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "challenge: {challenge:?}");
    problem
}

/// The access token no longer opens `/auth/me`.
pub(super) async fn assert_access_refused(server: &TestServer, token: &str) {
    assert_unauthorized(&get_me(server, token).await, "/problems/unauthorized");
}

/// One JSON part of a JWT (0: header, 1: claims).
pub(super) fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub(super) fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// An HS512 JWT signed with `secret` (base64, as in `auth.jwt.secret`).
pub(super) fn sign_hs512(claims: &Value, secret: &str) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret)
        .unwrap();
    let signing_input = format!(
        "{}.{}",
        b64(&json!({"alg": "HS512", "typ": "JWT"})),
        b64(claims)
    );
    let mut mac = Hmac::<Sha512>::new_from_slice(&key).unwrap();
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

pub(super) fn server_secret(ctx: &AppContext) -> String {
    ctx.config.get_jwt_config().unwrap().secret.clone()
}

/// The claims of `token` with `changes` merged in.
pub(super) fn claims_with(token: &str, changes: Value) -> Value {
    let mut claims = jwt_part(token, 1);
    for (key, value) in changes.as_object().unwrap() {
        claims[key] = value.clone();
    }
    claims
}

pub(super) async fn stored_user(ctx: &AppContext, email: &str) -> users::Model {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
}

/// The raw mails recorded by the stub mailer.
pub(super) fn deliveries(ctx: &AppContext) -> Vec<String> {
    ctx.mailer
        .as_ref()
        .map(|m| m.deliveries().messages)
        .unwrap_or_default()
}

/// The reset token in a raw mail: the one line (quoted-printable soft breaks
/// undone) that is exactly 43 letters and digits.
pub(super) fn reset_token_in(mail: &str) -> Option<String> {
    let unwrapped = mail.replace("=\r\n", "").replace("=\n", "");
    unwrapped
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 43 && line.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
}

/// Asks for a reset of `email` and returns the token from the mail.
pub(super) async fn reset_token_for(server: &TestServer, ctx: &AppContext, email: &str) -> String {
    let response = forgot(server, email).await;
    assert_eq!(response.status_code(), 202);
    let mails = deliveries(ctx);
    let mail = mails.last().expect("a reset mail");
    reset_token_in(mail).expect("a token in the reset mail")
}

// ---------------------------------------------------------------------------
// POST /auth/login
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn login_returns_a_bearer_session() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = login(&server, "ann@example.com", PASSWORD).await;

        assert_eq!(response.status_code(), 200);
        let session: Value = response.json();
        assert_eq!(session["token_type"], "Bearer");
        assert_eq!(session["expires_in"], 900);
        assert_eq!(session["user"]["email"], "ann@example.com");
        assert_body_snapshot!("auth_login_session", session);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_with_unknown_email_or_wrong_password_gives_the_same_401() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let wrong_password = login(&server, "ann@example.com", "not the password").await;
        let unknown_email = login(&server, "bob@example.com", PASSWORD).await;

        let problem = assert_unauthorized(&wrong_password, "/problems/invalid-credentials");
        assert_unauthorized(&unknown_email, "/problems/invalid-credentials");
        assert_eq!(wrong_password.text(), unknown_email.text());
        assert_eq!(
            wrong_password.header("www-authenticate"),
            unknown_email.header("www-authenticate")
        );
        assert_body_snapshot!("auth_login_invalid_credentials", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_with_a_malformed_email_is_the_same_401() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = login(&server, "not-an-email", PASSWORD).await;

        assert_unauthorized(&response, "/problems/invalid-credentials");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_ignores_the_letter_case_of_the_email() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "Ann@Example.com").await;

        let response = login(&server, "aNN@EXAMPLE.COM", PASSWORD).await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        assert_eq!(response.json::<Value>()["user"]["email"], "Ann@Example.com");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_works_for_an_email_with_upper_case_non_ascii_letters() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@BÜCHER.example").await;

        let response = login(&server, "ann@BÜCHER.example", PASSWORD).await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_with_missing_fields_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/login")
            .json(&json!({"email": "ann@example.com"}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn login_ignores_read_only_fields_but_rejects_other_unknown_ones() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let with_id = server
            .post("/auth/login")
            .json(&json!({"email": "ann@example.com", "password": PASSWORD, "id": "x"}))
            .await;
        let with_unknown = server
            .post("/auth/login")
            .json(&json!({"email": "ann@example.com", "password": PASSWORD,
                          "remember_me": true}))
            .await;

        assert_eq!(with_id.status_code(), 200, "{}", with_id.text());
        let problem = assert_problem(&with_unknown, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["remember_me"]);
    })
    .await;
}
