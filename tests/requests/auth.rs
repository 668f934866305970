//! `/auth/*`: registration, login, access tokens, refresh, logout, password
//! reset and the profile, with every failure row of the contract.
use axum_test::{TestResponse, TestServer};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::Utc;
use hmac::{Hmac, Mac};
use loco_rs::{app::AppContext, testing::prelude::*};
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use serial_test::serial;
use sha2::Sha512;
use taskforge::{app::App, models::users};
use uuid::Uuid;

use super::helpers::*;
use crate::assert_body_snapshot;

// ---------------------------------------------------------------------------
// Helpers of this file
// ---------------------------------------------------------------------------

async fn get_me(server: &TestServer, token: &str) -> TestResponse {
    server
        .get("/auth/me")
        .add_header("authorization", bearer(token))
        .await
}

async fn patch_me(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .patch("/auth/me")
        .add_header("authorization", bearer(token))
        .json(&body)
        .await
}

async fn refresh(server: &TestServer, refresh_token: &str) -> TestResponse {
    server
        .post("/auth/refresh")
        .json(&json!({ "refresh_token": refresh_token }))
        .await
}

/// `POST /auth/logout` with no body at all.
async fn logout(server: &TestServer, token: &str) -> TestResponse {
    server
        .post("/auth/logout")
        .add_header("authorization", bearer(token))
        .await
}

async fn forgot(server: &TestServer, email: &str) -> TestResponse {
    server
        .post("/auth/forgot")
        .json(&json!({ "email": email }))
        .await
}

async fn reset(server: &TestServer, token: &str, password: &str) -> TestResponse {
    server
        .post("/auth/reset")
        .json(&json!({ "token": token, "password": password }))
        .await
}

/// A 401 problem of `kind` that carries a `Bearer` challenge.
fn assert_unauthorized(response: &TestResponse, kind: &str) -> Value {
    let problem = assert_problem(response, 401, kind);
    let challenge = response
        .maybe_header("www-authenticate")
        .map(|v| v.to_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "challenge: {challenge:?}");
    problem
}

/// The access token no longer opens `/auth/me`.
async fn assert_access_refused(server: &TestServer, token: &str) {
    assert_unauthorized(&get_me(server, token).await, "/problems/unauthorized");
}

/// One JSON part of a JWT (0: header, 1: claims).
fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(part).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// An HS512 JWT signed with `secret` (base64, as in `auth.jwt.secret`).
fn sign_hs512(claims: &Value, secret: &str) -> String {
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

fn server_secret(ctx: &AppContext) -> String {
    ctx.config.get_jwt_config().unwrap().secret.clone()
}

/// The claims of `token` with `changes` merged in.
fn claims_with(token: &str, changes: Value) -> Value {
    let mut claims = jwt_part(token, 1);
    for (key, value) in changes.as_object().unwrap() {
        claims[key] = value.clone();
    }
    claims
}

async fn stored_user(ctx: &AppContext, email: &str) -> users::Model {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(&ctx.db)
        .await
        .unwrap()
        .unwrap()
}

/// The raw mails recorded by the stub mailer.
fn deliveries(ctx: &AppContext) -> Vec<String> {
    ctx.mailer
        .as_ref()
        .map(|m| m.deliveries().messages)
        .unwrap_or_default()
}

/// The reset token in a raw mail: the one line (quoted-printable soft breaks
/// undone) that is exactly 43 letters and digits.
fn reset_token_in(mail: &str) -> Option<String> {
    let unwrapped = mail.replace("=\r\n", "").replace("=\n", "");
    unwrapped
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 43 && line.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
}

/// Asks for a reset of `email` and returns the token from the mail.
async fn reset_token_for(server: &TestServer, ctx: &AppContext, email: &str) -> String {
    let response = forgot(server, email).await;
    assert_eq!(response.status_code(), 202);
    let mails = deliveries(ctx);
    let mail = mails.last().expect("a reset mail");
    reset_token_in(mail).expect("a token in the reset mail")
}

// ---------------------------------------------------------------------------
// POST /auth/register
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn register_returns_201_and_the_user_with_the_email_as_typed() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = register(&server, "Ann Lee", "Ann.Lee@Example.com").await;

        assert_eq!(response.status_code(), 201);
        let user: Value = response.json();
        assert_eq!(user["email"], "Ann.Lee@Example.com");
        assert_eq!(user["timezone"], "UTC");
        assert_eq!(user["reminder_lead_minutes"], 60);
        assert!(Uuid::try_parse(user["id"].as_str().unwrap()).is_ok());
        assert_body_snapshot!("auth_register_created", user);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_stores_an_argon2id_hash_not_the_password() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let stored = stored_user(&ctx, "ann@example.com").await;

        assert!(
            stored.password.starts_with("$argon2id$"),
            "{}",
            stored.password
        );
        assert!(!stored.password.contains(PASSWORD));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_taken_email_in_another_case_is_409() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = register(&server, "Other Ann", "ANN@Example.COM").await;

        let problem = assert_problem(&response, 409, "/problems/email-taken");
        assert_body_snapshot!("auth_register_email_taken", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_validation_names_every_offending_field() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": "   ", "email": "not-an-email",
                          "password": "1234567", "role": "admin"}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(
            error_fields(&problem),
            ["role", "name", "email", "password"]
        );
        assert_body_snapshot!("auth_register_validation", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_password_of_129_characters_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": "Ann", "email": "ann@example.com",
                          "password": "a".repeat(129)}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_name_of_101_characters_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": "n".repeat(101), "email": "ann@example.com",
                          "password": PASSWORD}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_accepts_the_boundary_lengths() {
    request::<App, _, _>(|server, _ctx| async move {
        let shortest = server
            .post("/auth/register")
            .json(&json!({"name": "A", "email": "a@example.com", "password": "p".repeat(8)}))
            .await;
        let longest = server
            .post("/auth/register")
            .json(&json!({"name": "ü".repeat(100), "email": "b@example.com",
                          "password": "é".repeat(128)}))
            .await;

        assert_eq!(shortest.status_code(), 201, "{}", shortest.text());
        assert_eq!(longest.status_code(), 201, "{}", longest.text());
        assert_eq!(longest.json::<Value>()["name"], "ü".repeat(100));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_missing_fields_names_each() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.post("/auth/register").json(&json!({})).await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name", "email", "password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_wrong_json_types_names_each() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!({"name": 42, "email": ["ann@example.com"], "password": null}))
            .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["name", "email", "password"]);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_ignores_read_only_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let sent_id = Uuid::new_v4().to_string();

        let response = server
            .post("/auth/register")
            .json(
                &json!({"name": "Ann", "email": "ann@example.com", "password": PASSWORD,
                          "id": sent_id, "created_at": "2000-01-01T00:00:00Z"}),
            )
            .await;

        assert_eq!(response.status_code(), 201, "{}", response.text());
        let user: Value = response.json();
        assert_ne!(user["id"], sent_id.as_str());
        assert_ne!(user["created_at"], "2000-01-01T00:00:00Z");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_body_over_64_kib_is_413() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(
                &json!({"name": "n".repeat(70_000), "email": "ann@example.com",
                          "password": PASSWORD}),
            )
            .await;

        assert_problem(&response, 413, "/problems/payload-too-large");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_wrong_method_on_an_auth_route_is_405_with_allow() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/auth/login").await;

        assert_problem(&response, 405, "/problems/method-not-allowed");
        let allow = response.header("allow");
        assert!(allow.to_str().unwrap().contains("POST"), "{allow:?}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_a_body_that_is_not_an_object_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .json(&json!(["Ann", "ann@example.com", PASSWORD]))
            .await;

        assert_problem(&response, 422, "/problems/validation-error");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_with_malformed_json_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .content_type("application/json")
            .bytes(r#"{"name": "Ann", "#.into())
            .await;

        assert_problem(&response, 400, "/problems/malformed-request");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn register_without_a_json_content_type_is_415() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server
            .post("/auth/register")
            .content_type("text/plain")
            .bytes(
                json!({"name": "Ann", "email": "ann@example.com", "password": PASSWORD})
                    .to_string()
                    .into(),
            )
            .await;

        assert_problem(&response, 415, "/problems/unsupported-media-type");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_password_is_never_in_a_response() {
    request::<App, _, _>(|server, _ctx| async move {
        let registered = register(&server, "Ann", "ann@example.com").await;
        let logged_in = login(&server, "ann@example.com", PASSWORD).await;
        let session: Value = logged_in.json();
        let token = session["access_token"].as_str().unwrap();
        let me = get_me(&server, token).await;
        let patched = patch_me(&server, token, json!({"name": "Ann B"})).await;
        let refreshed = refresh(&server, session["refresh_token"].as_str().unwrap()).await;

        for response in [&registered, &logged_in, &me, &patched, &refreshed] {
            assert!(response.status_code().is_success(), "{}", response.text());
            assert!(!response.text().contains(PASSWORD), "{}", response.text());
            assert!(!response.text().contains("argon2"), "{}", response.text());
            assert!(!response.text().contains("password"), "{}", response.text());
        }
    })
    .await;
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

// ---------------------------------------------------------------------------
// Access tokens
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn access_token_is_an_hs512_jwt_with_pid_exp_iat_and_jti() {
    request::<App, _, _>(|server, _ctx| async move {
        let before = Utc::now().timestamp();
        let ann = login_as(&server, "ann@example.com").await;

        let header = jwt_part(&ann.access_token, 0);
        let claims = jwt_part(&ann.access_token, 1);

        assert_eq!(header["alg"], "HS512");
        assert_eq!(claims["pid"], ann.user_id.as_str());
        let iat = claims["iat"].as_i64().unwrap();
        let exp = claims["exp"].as_i64().unwrap();
        assert!(iat >= before && iat <= Utc::now().timestamp(), "iat {iat}");
        assert_eq!(exp - iat, 900);
        assert!(Uuid::try_parse(claims["jti"].as_str().unwrap()).is_ok());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn each_login_gets_its_own_jti() {
    request::<App, _, _>(|server, _ctx| async move {
        let first = login_as(&server, "ann@example.com").await;
        let second = new_login(&server, "ann@example.com").await;

        assert_ne!(
            jwt_part(&first.access_token, 1)["jti"],
            jwt_part(&second.access_token, 1)["jti"]
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_token_signed_with_the_server_key_for_a_live_login_is_accepted() {
    // The control for the forged-token tests below: `sign_hs512` makes
    // tokens the server accepts, so their 401s come from what they change.
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let claims = claims_with(&ann.access_token, json!({}));

        let token = sign_hs512(&claims, &server_secret(&ctx));

        assert_eq!(get_me(&server, &token).await.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_token_signed_with_another_key_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let other_key = base64::engine::general_purpose::STANDARD.encode([7u8; 48]);

        let token = sign_hs512(&jwt_part(&ann.access_token, 1), &other_key);

        assert_access_refused(&server, &token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_alg_none_token_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let header = b64(&json!({"alg": "none", "typ": "JWT"}));
        let claims = b64(&jwt_part(&ann.access_token, 1));

        let token = format!("{header}.{claims}.");

        assert_access_refused(&server, &token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_expired_token_is_401() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let now = Utc::now().timestamp();
        let claims = claims_with(
            &ann.access_token,
            json!({"iat": now - 1000, "exp": now - 100}),
        );

        let token = sign_hs512(&claims, &server_secret(&ctx));

        assert_access_refused(&server, &token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_token_whose_payload_was_changed_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let parts: Vec<&str> = ann.access_token.split('.').collect();
        let claims = claims_with(&ann.access_token, json!({"pid": bob.user_id}));

        let token = format!("{}.{}.{}", parts[0], b64(&claims), parts[2]);

        assert_access_refused(&server, &token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_validly_signed_token_naming_another_users_login_is_401() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let claims = claims_with(&ann.access_token, json!({"pid": bob.user_id}));

        let token = sign_hs512(&claims, &server_secret(&ctx));

        assert_access_refused(&server, &token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_validly_signed_token_without_a_jti_is_401() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let mut claims = jwt_part(&ann.access_token, 1);
        claims.as_object_mut().unwrap().remove("jti");

        let token = sign_hs512(&claims, &server_secret(&ctx));

        assert_access_refused(&server, &token).await;
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_token_of_a_deleted_user_is_401() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let stored = stored_user(&ctx, "ann@example.com").await;

        users::Entity::delete_by_id(stored.id)
            .exec(&ctx.db)
            .await
            .unwrap();

        assert_access_refused(&server, &ann.access_token).await;
        let refreshed = refresh(&server, &ann.refresh_token).await;
        assert_unauthorized(&refreshed, "/problems/invalid-refresh-token");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_request_without_authorization_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/auth/me").await;

        let problem = assert_unauthorized(&response, "/problems/unauthorized");
        assert_body_snapshot!("auth_missing_token", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn malformed_authorization_headers_are_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        for header in [
            "Bearer ".to_string(),
            "Bearer".to_string(),
            "Basic YW5uOnBhc3N3b3Jk".to_string(),
            format!("Basic {}", ann.access_token),
            format!("Token {}", ann.access_token),
            ann.access_token.clone(),
            "Bearer not.a.jwt".to_string(),
            "Bearer garbage".to_string(),
        ] {
            let response = server
                .get("/auth/me")
                .add_header("authorization", header.as_str())
                .await;
            assert_unauthorized(&response, "/problems/unauthorized");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn the_bearer_scheme_is_case_insensitive() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .get("/auth/me")
            .add_header("authorization", format!("bearer {}", ann.access_token))
            .await;

        assert_eq!(response.status_code(), 200);
    })
    .await;
}

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
            .add_header("authorization", bearer(&phone.access_token))
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
            .add_header("authorization", bearer(&phone.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
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
            .add_header("authorization", bearer(&ann.access_token))
            .content_type("text/plain")
            .bytes(r#"{"all": true}"#.into())
            .await;

        assert_problem(&response, 415, "/problems/unsupported-media-type");
        assert_eq!(get_me(&server, &ann.access_token).await.status_code(), 200);
    })
    .await;
}

// ---------------------------------------------------------------------------
// POST /auth/forgot and POST /auth/reset
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn forgot_for_an_account_is_202_and_mails_it_a_token() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "Ann@Example.com").await;

        let response = forgot(&server, "ann@example.com").await;

        assert_eq!(response.status_code(), 202);
        assert!(response.text().is_empty());
        let mails = deliveries(&ctx);
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].lines().any(|l| l == "To: Ann@Example.com"),
            "{}",
            mails[0]
        );
        let token = reset_token_in(&mails[0]).expect("a token in the mail");
        let stored = stored_user(&ctx, "Ann@Example.com").await;
        assert_eq!(
            stored.reset_token_hash,
            Some(taskforge::security::token_hash(&token))
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn forgot_for_an_unknown_email_is_202_and_mails_nothing() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = forgot(&server, "nobody@example.com").await;

        assert_eq!(response.status_code(), 202);
        assert!(deliveries(&ctx).is_empty());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn forgot_with_a_malformed_email_is_422() {
    request::<App, _, _>(|server, ctx| async move {
        let malformed = forgot(&server, "not-an-email").await;
        let missing = server.post("/auth/forgot").json(&json!({})).await;

        let problem = assert_problem(&malformed, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["email"]);
        assert_problem(&missing, 422, "/problems/validation-error");
        assert!(deliveries(&ctx).is_empty());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reset_sets_the_new_password() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;

        let response = reset(&server, &token, "a brand new password").await;

        assert_eq!(response.status_code(), 204);
        assert!(response.text().is_empty());
        let with_new = login(&server, "ann@example.com", "a brand new password").await;
        assert_eq!(with_new.status_code(), 200);
        let with_old = login(&server, "ann@example.com", PASSWORD).await;
        assert_unauthorized(&with_old, "/problems/invalid-credentials");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn reset_revokes_every_existing_login() {
    request::<App, _, _>(|server, ctx| async move {
        let phone = login_as(&server, "ann@example.com").await;
        let laptop = new_login(&server, "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;

        let response = reset(&server, &token, "a brand new password").await;

        assert_eq!(response.status_code(), 204);
        for login in [&phone, &laptop] {
            assert_access_refused(&server, &login.access_token).await;
            assert_eq!(
                refresh(&server, &login.refresh_token).await.status_code(),
                401
            );
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_reset_token_works_only_once() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;
        reset(&server, &token, "a brand new password").await;

        let second = reset(&server, &token, "yet another password").await;

        let problem = assert_problem(&second, 400, "/problems/invalid-reset-token");
        assert_body_snapshot!("auth_reset_invalid_token", problem);
        let with_first = login(&server, "ann@example.com", "a brand new password").await;
        assert_eq!(with_first.status_code(), 200);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_unknown_reset_token_is_400() {
    request::<App, _, _>(|server, _ctx| async move {
        register(&server, "Ann", "ann@example.com").await;

        let response = reset(&server, &"a".repeat(43), "a brand new password").await;

        assert_problem(&response, 400, "/problems/invalid-reset-token");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_expired_reset_token_is_400() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;
        users::Entity::update_many()
            .col_expr(
                users::Column::ResetSentAt,
                Expr::value(users::now() - chrono::Duration::hours(2)),
            )
            .filter(users::Column::Email.eq("ann@example.com"))
            .exec(&ctx.db)
            .await
            .unwrap();

        let response = reset(&server, &token, "a brand new password").await;

        assert_problem(&response, 400, "/problems/invalid-reset-token");
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
async fn reset_with_a_weak_password_is_422_and_keeps_the_token() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, "Ann", "ann@example.com").await;
        let token = reset_token_for(&server, &ctx, "ann@example.com").await;

        let weak = reset(&server, &token, "short").await;

        let problem = assert_problem(&weak, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["password"]);
        assert_eq!(
            reset(&server, &token, "a brand new password")
                .await
                .status_code(),
            204
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// GET and PATCH /auth/me
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn me_returns_the_callers_user() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        login_as(&server, "bob@example.com").await;

        let response = get_me(&server, &ann.access_token).await;

        assert_eq!(response.status_code(), 200);
        let user: Value = response.json();
        assert_eq!(user["id"], ann.user_id.as_str());
        assert_eq!(user["email"], "ann@example.com");
        assert_body_snapshot!("auth_me", user);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_changes_the_name() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(&server, &ann.access_token, json!({"name": "  Ann Lee "})).await;

        assert_eq!(response.status_code(), 200);
        let user: Value = response.json();
        assert_eq!(user["name"], "Ann Lee");
        assert_eq!(user["timezone"], "UTC");
        assert_eq!(user["reminder_lead_minutes"], 60);
        assert_eq!(
            get_me(&server, &ann.access_token).await.json::<Value>(),
            user
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_changes_the_timezone() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"timezone": "America/Argentina/Buenos_Aires"}),
        )
        .await;

        assert_eq!(response.status_code(), 200);
        let user: Value = response.json();
        assert_eq!(user["timezone"], "America/Argentina/Buenos_Aires");
        assert_eq!(user["name"], "ann");
        assert_body_snapshot!("auth_me_patched", user);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_changes_the_reminder_lead_within_0_to_10080() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let off = patch_me(
            &server,
            &ann.access_token,
            json!({"reminder_lead_minutes": 0}),
        )
        .await;
        let week = patch_me(
            &server,
            &ann.access_token,
            json!({"reminder_lead_minutes": 10080}),
        )
        .await;

        assert_eq!(off.status_code(), 200);
        assert_eq!(off.json::<Value>()["reminder_lead_minutes"], 0);
        assert_eq!(week.status_code(), 200);
        assert_eq!(week.json::<Value>()["reminder_lead_minutes"], 10080);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_accepts_merge_patch_content_type() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = server
            .patch("/auth/me")
            .add_header("authorization", bearer(&ann.access_token))
            .content_type("application/merge-patch+json")
            .bytes(json!({"name": "Ann Lee"}).to_string().into())
            .await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        assert_eq!(response.json::<Value>()["name"], "Ann Lee");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_with_an_unknown_timezone_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"timezone": "Mars/Olympus"}),
        )
        .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["timezone"]);
        assert_eq!(
            get_me(&server, &ann.access_token).await.json::<Value>()["timezone"],
            "UTC"
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_with_a_reminder_lead_outside_0_to_10080_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        for lead in [
            json!(-1),
            json!(10081),
            json!(1.5),
            json!("60"),
            Value::Null,
        ] {
            let response = patch_me(
                &server,
                &ann.access_token,
                json!({"reminder_lead_minutes": lead}),
            )
            .await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["reminder_lead_minutes"], "{lead}");
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_with_a_blank_or_null_name_is_422() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        for name in [json!("  "), Value::Null, json!("n".repeat(101))] {
            let response = patch_me(&server, &ann.access_token, json!({ "name": name })).await;
            let problem = assert_problem(&response, 422, "/problems/validation-error");
            assert_eq!(error_fields(&problem), ["name"], "{name}");
        }
        assert_eq!(
            get_me(&server, &ann.access_token).await.json::<Value>()["name"],
            "ann"
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_cannot_change_the_email_or_unknown_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"email": "evil@example.com", "password": "x", "name": "Ann"}),
        )
        .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_eq!(error_fields(&problem), ["email", "password"]);
        let me: Value = get_me(&server, &ann.access_token).await.json();
        assert_eq!(me["email"], "ann@example.com");
        assert_eq!(me["name"], "ann");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_names_every_offending_field() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"name": "", "timezone": "Nowhere", "reminder_lead_minutes": -1, "role": 1}),
        )
        .await;

        let problem = assert_problem(&response, 422, "/problems/validation-error");
        assert_body_snapshot!("auth_me_validation", problem);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_ignores_read_only_fields() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let before: Value = get_me(&server, &ann.access_token).await.json();

        let response = patch_me(
            &server,
            &ann.access_token,
            json!({"id": Uuid::new_v4(), "created_at": "2000-01-01T00:00:00Z", "name": "Ann"}),
        )
        .await;

        assert_eq!(response.status_code(), 200, "{}", response.text());
        let after: Value = response.json();
        assert_eq!(after["id"], before["id"]);
        assert_eq!(after["created_at"], before["created_at"]);
        assert_eq!(after["name"], "Ann");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn patch_me_without_a_token_is_401() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.patch("/auth/me").json(&json!({"name": "Ann"})).await;

        assert_unauthorized(&response, "/problems/unauthorized");
    })
    .await;
}

// ---------------------------------------------------------------------------
// The generated starter's endpoints are gone
// ---------------------------------------------------------------------------

#[tokio::test]
#[serial]
async fn starter_auth_endpoints_are_404() {
    request::<App, _, _>(|server, _ctx| async move {
        let body = json!({"name": "Ann", "email": "ann@example.com", "password": PASSWORD});

        let responses = [
            server.post("/api/auth/register").json(&body).await,
            server.post("/api/auth/login").json(&body).await,
            server.get("/auth/verify/x").await,
            server
                .post("/auth/verify")
                .json(&json!({"token": "x"}))
                .await,
            server
                .post("/auth/magic-link")
                .json(&json!({"email": "a@example.com"}))
                .await,
            server.get("/auth/magic-link/x").await,
            server.get("/auth/current").await,
            server
                .post("/auth/resend-verification-mail")
                .json(&body)
                .await,
        ];

        for response in &responses {
            assert_problem(response, 404, "/problems/not-found");
        }
    })
    .await;
}
