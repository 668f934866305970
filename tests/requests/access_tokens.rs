//! Access tokens verified lately are remembered (src/security.rs): a
//! remembered token is refused once it expires, a changed one is verified
//! afresh, and the memory is bounded.
use chrono::Utc;
use loco_rs::testing::prelude::*;
use serde_json::json;
use serial_test::serial;
use taskforge::{
    app::App,
    security::{AccessTokens, TokenError, MAX_REMEMBERED},
};
use uuid::Uuid;

use super::auth::{assert_access_refused, claims_with, get_me, server_secret, sign_hs512};
use super::helpers::*;

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
