//! Access tokens: what a login's JWT holds, which tokens and `Authorization`
//! headers are refused, and the memory of tokens verified lately
//! (src/security.rs): a remembered token is refused once it expires, a changed
//! one is verified afresh, and the memory is bounded.
use base64::Engine;
use chrono::Utc;
use loco_rs::testing::prelude::*;
use sea_orm::EntityTrait;
use serde_json::json;
use serial_test::serial;
use taskforge::{
    app::App,
    models::users,
    security::{AccessTokens, TokenError, MAX_REMEMBERED},
};
use uuid::Uuid;

use super::{auth::*, helpers::*};
use crate::assert_body_snapshot;

const SECRET: &str = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";

fn token(pid: &str, jti: Option<&str>, exp: i64) -> String {
    let mut claims = json!({"pid": pid, "exp": exp});
    if let Some(jti) = jti {
        claims["jti"] = json!(jti);
    }
    sign_hs512(&claims, SECRET)
}

#[test]
fn a_verified_token_is_remembered_and_a_changed_one_is_not() {
    let tokens = AccessTokens::new(SECRET).unwrap();
    let (pid, jti) = (Uuid::new_v4(), Uuid::new_v4());
    let exp = Utc::now().timestamp() + 600;
    let good = token(&pid.to_string(), Some(&jti.to_string()), exp);
    let first = tokens.verify(&good).unwrap();
    assert_eq!((first.user_pid, first.jti), (pid, jti));
    assert_eq!(tokens.verify(&good).unwrap(), first);
    assert_eq!(tokens.remembered_count(), 1);

    // The same claims under a changed signature: verified afresh, refused.
    let at = good.len() - 10;
    let swapped = if &good[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &good[..at], &good[at + 1..]);
    assert_eq!(tokens.verify(&forged), Err(TokenError::Invalid));
    assert_eq!(
        tokens.remembered_count(),
        1,
        "refused tokens are not remembered"
    );

    assert_eq!(
        tokens.verify(&token("not-a-uuid", Some(&jti.to_string()), exp)),
        Err(TokenError::Claims)
    );
    assert_eq!(
        tokens.verify(&token(&pid.to_string(), None, exp)),
        Err(TokenError::Claims)
    );
    let expired = token(&pid.to_string(), Some(&jti.to_string()), exp - 1200);
    assert_eq!(tokens.verify(&expired), Err(TokenError::Invalid));
}

#[test]
fn the_memory_is_bounded() {
    let tokens = AccessTokens::new(SECRET).unwrap();
    let exp = Utc::now().timestamp() + 600;
    for _ in 0..=MAX_REMEMBERED {
        let t = token(
            &Uuid::new_v4().to_string(),
            Some(&Uuid::new_v4().to_string()),
            exp,
        );
        tokens.verify(&t).unwrap();
        assert!(tokens.remembered_count() <= MAX_REMEMBERED);
    }
    assert_eq!(tokens.remembered_count(), 1, "full: it started over");
}

/// A token that worked a moment ago is 401 once its `exp` has passed.
#[tokio::test]
#[serial]
async fn a_remembered_token_is_refused_once_it_expires() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let exp = Utc::now().timestamp() + 1;
        let claims = claims_with(&ann.access_token, json!({ "exp": exp }));
        let short = sign_hs512(&claims, &server_secret(&ctx));
        get_me(&server, &short).await.assert_status_ok();
        get_me(&server, &short).await.assert_status_ok();
        while Utc::now().timestamp() <= exp {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_access_refused(&server, &short).await;
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
