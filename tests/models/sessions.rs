//! Login model: refresh-token rotation, reuse detection, revocation.
use super::helpers::user;
use chrono::Duration;
use loco_rs::testing::prelude::*;
use sea_orm::{ActiveModelTrait, ActiveValue, EntityTrait};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    errors::ApiError,
    models::{sessions, users},
    security,
};

fn ttl() -> Duration {
    Duration::days(30)
}

async fn reload(db: &Db, session: &sessions::Model) -> sessions::Model {
    sessions::Entity::find_by_id(session.id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
#[serial]
async fn start_stores_only_a_hash_of_the_refresh_token() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;

    let issued = sessions::Model::start(db, ann.id, ttl()).await.unwrap();

    let stored = reload(db, &issued.session).await;
    assert_eq!(stored.user_id, ann.id);
    assert!(stored.revoked_at.is_none());
    assert_ne!(stored.refresh_hash, issued.refresh_token);
    assert_eq!(
        stored.refresh_hash,
        security::token_hash(&issued.refresh_token)
    );
}

#[tokio::test]
#[serial]
async fn rotate_issues_a_new_refresh_token_and_access_id() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let first = sessions::Model::start(db, ann.id, ttl()).await.unwrap();

    let second = sessions::Model::rotate(db, &first.refresh_token, ttl())
        .await
        .unwrap();

    assert_eq!(second.session.id, first.session.id);
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.session.access_jti, first.session.access_jti);
    assert!(second.session.revoked_at.is_none());
}

#[tokio::test]
#[serial]
async fn rotating_an_already_rotated_token_fails_and_revokes_the_login() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let first = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    let second = sessions::Model::rotate(db, &first.refresh_token, ttl())
        .await
        .unwrap();

    let replay = sessions::Model::rotate(db, &first.refresh_token, ttl()).await;

    assert!(matches!(replay, Err(ApiError::InvalidRefreshToken)));
    assert!(reload(db, &second.session).await.revoked_at.is_some());
    let newest = sessions::Model::rotate(db, &second.refresh_token, ttl()).await;
    assert!(matches!(newest, Err(ApiError::InvalidRefreshToken)));
}

#[tokio::test]
#[serial]
async fn reuse_in_one_login_leaves_other_logins_alive() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let phone = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    let laptop = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    sessions::Model::rotate(db, &phone.refresh_token, ttl())
        .await
        .unwrap();

    let _ = sessions::Model::rotate(db, &phone.refresh_token, ttl()).await;

    assert!(reload(db, &laptop.session).await.revoked_at.is_none());
    assert!(sessions::Model::rotate(db, &laptop.refresh_token, ttl())
        .await
        .is_ok());
}

#[tokio::test]
#[serial]
async fn rotate_refuses_garbage_without_revoking_anything() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, ttl()).await.unwrap();

    for garbage in ["", "garbage", "not-a-uuid.secret", "."] {
        let result = sessions::Model::rotate(db, garbage, ttl()).await;
        assert!(
            matches!(result, Err(ApiError::InvalidRefreshToken)),
            "{garbage:?}"
        );
    }

    assert!(reload(db, &issued.session).await.revoked_at.is_none());
}

#[tokio::test]
#[serial]
async fn rotate_refuses_an_expired_login() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    let mut expired: sessions::ActiveModel = issued.session.clone().into();
    expired.expires_at = ActiveValue::Set(users::now() - Duration::seconds(1));
    expired.update(db).await.unwrap();

    let result = sessions::Model::rotate(db, &issued.refresh_token, ttl()).await;

    assert!(matches!(result, Err(ApiError::InvalidRefreshToken)));
}

#[tokio::test]
#[serial]
async fn rotate_refuses_a_revoked_login() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    sessions::Model::revoke_by_jti(db, issued.session.access_jti)
        .await
        .unwrap();

    let result = sessions::Model::rotate(db, &issued.refresh_token, ttl()).await;

    assert!(matches!(result, Err(ApiError::InvalidRefreshToken)));
}

#[tokio::test]
#[serial]
async fn revoke_by_jti_ends_only_that_login() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let phone = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    let laptop = sessions::Model::start(db, ann.id, ttl()).await.unwrap();

    sessions::Model::revoke_by_jti(db, phone.session.access_jti)
        .await
        .unwrap();

    assert!(reload(db, &phone.session).await.revoked_at.is_some());
    assert!(reload(db, &laptop.session).await.revoked_at.is_none());
}

#[tokio::test]
#[serial]
async fn revoke_all_ends_every_login_of_that_user_only() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let phone = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    let laptop = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    let bobs = sessions::Model::start(db, bob.id, ttl()).await.unwrap();

    sessions::Model::revoke_all(db, ann.id).await.unwrap();

    assert!(reload(db, &phone.session).await.revoked_at.is_some());
    assert!(reload(db, &laptop.session).await.revoked_at.is_some());
    assert!(reload(db, &bobs.session).await.revoked_at.is_none());
}

#[tokio::test]
#[serial]
async fn revoking_twice_keeps_the_first_revocation_time() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, ttl()).await.unwrap();
    sessions::Model::revoke_by_jti(db, issued.session.access_jti)
        .await
        .unwrap();
    let first = reload(db, &issued.session).await.revoked_at;
    std::thread::sleep(std::time::Duration::from_millis(20));

    sessions::Model::revoke_all(db, ann.id).await.unwrap();

    assert_eq!(reload(db, &issued.session).await.revoked_at, first);
}

#[tokio::test]
#[serial]
async fn of_two_concurrent_rotations_of_one_token_only_one_succeeds() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, ttl()).await.unwrap();

    let (a, b) = tokio::join!(
        sessions::Model::rotate(db, &issued.refresh_token, ttl()),
        sessions::Model::rotate(db, &issued.refresh_token, ttl()),
    );

    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{:?} {:?}",
        a.as_ref().err(),
        b.as_ref().err()
    );
}
