//! `/auth/*`: registration, login and access tokens, with every failure row
//! of the contract; the helpers of the auth test files (`auth_sessions.rs`:
//! refresh and logout; `auth_account.rs`: password reset and the profile).
use axum_test::{TestResponse, TestServer};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::Utc;
use hmac::{Hmac, Mac};
use loco_rs::{app::AppContext, testing::prelude::*};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
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

pub(super) async fn get_me(server: &TestServer, token: &str) -> TestResponse {
    server
        .get("/auth/me")
        .add_header("authorization", bearer(token))
        .await
}

pub(super) async fn patch_me(server: &TestServer, token: &str, body: Value) -> TestResponse {
    server
        .patch("/auth/me")
        .add_header("authorization", bearer(token))
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
        .add_header("authorization", bearer(token))
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
