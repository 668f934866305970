//! Account model: registration, look-ups, profile changes, password resets,
//! the live-access check behind every bearer token.
use chrono::Duration;
use loco_rs::testing::prelude::*;
use sea_orm::{ActiveModelTrait, ActiveValue, EntityTrait};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    domain::account::{Email, PersonName, ReminderLead, Timezone},
    errors::ApiError,
    models::{sessions, users},
};
use uuid::Uuid;

const HOUR: i64 = 3600;

fn new_user(email: &str) -> users::NewUser {
    users::NewUser {
        name: PersonName::parse("Ann Lee").unwrap(),
        email: Email::parse(email).unwrap(),
        password_hash: "old-hash".into(),
    }
}

async fn user(db: &Db, email: &str) -> users::Model {
    users::Model::register(db, new_user(email)).await.unwrap()
}

async fn reload(db: &Db, user: &users::Model) -> users::Model {
    users::Entity::find_by_id(user.id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

#[tokio::test]
#[serial]
async fn register_stores_the_email_as_typed_with_defaults() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());

    let ann = user(db, "Ann.Lee@Example.com").await;

    assert_eq!(ann.email, "Ann.Lee@Example.com");
    assert_eq!(ann.name, "Ann Lee");
    assert_eq!(ann.timezone, "UTC");
    assert_eq!(ann.reminder_lead_minutes, 60);
    assert!(ann.reset_token_hash.is_none());
}

#[tokio::test]
#[serial]
async fn register_of_an_email_in_another_letter_case_is_email_taken() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    user(db, "ann@example.com").await;

    let again = users::Model::register(db, new_user("ANN@Example.COM")).await;

    assert!(matches!(again, Err(ApiError::EmailTaken)), "{again:?}");
}

#[tokio::test]
#[serial]
async fn find_by_email_ignores_letter_case() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "Ann@Example.com").await;

    let found = users::Model::find_by_email(db, &email("aNN@eXAMPLE.COM"))
        .await
        .unwrap();

    assert_eq!(found.map(|u| u.id), Some(ann.id));
}

#[tokio::test]
#[serial]
async fn find_by_email_finds_an_address_with_upper_case_non_ascii_letters() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@BÜCHER.example").await;

    let same = users::Model::find_by_email(db, &email("ann@BÜCHER.example"))
        .await
        .unwrap();
    let other_ascii_case = users::Model::find_by_email(db, &email("ANN@BÜCHER.EXAMPLE"))
        .await
        .unwrap();

    assert_eq!(same.map(|u| u.id), Some(ann.id));
    assert_eq!(other_ascii_case.map(|u| u.id), Some(ann.id));
}

#[tokio::test]
#[serial]
async fn find_by_email_of_an_unknown_address_is_none() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    user(db, "ann@example.com").await;

    let found = users::Model::find_by_email(db, &email("bob@example.com"))
        .await
        .unwrap();

    assert!(found.is_none());
}

#[tokio::test]
#[serial]
async fn update_profile_changes_only_the_given_fields() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;

    let changed = ann
        .update_profile(
            db,
            users::ProfilePatch {
                timezone: Some(Timezone::parse("Europe/Berlin").unwrap()),
                reminder_lead_minutes: Some(ReminderLead::parse(0).unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    assert_eq!(changed.name, "Ann Lee");
    assert_eq!(changed.timezone, "Europe/Berlin");
    assert_eq!(changed.reminder_lead_minutes, 0);
    assert_eq!(reload(db, &changed).await, changed);
}

#[tokio::test]
#[serial]
async fn password_reset_stores_only_a_hash_of_the_token() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;

    let token = ann.start_password_reset(db).await.unwrap();

    let stored = reload(db, &ann).await;
    assert_eq!(token.len(), 43);
    let hash = stored.reset_token_hash.unwrap();
    assert!(!hash.contains(&token));
    assert_eq!(hash, taskforge::security::token_hash(&token));
    assert!(stored.reset_sent_at.is_some());
}

#[tokio::test]
#[serial]
async fn reset_password_sets_the_new_hash_and_works_only_once() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let token = ann.start_password_reset(db).await.unwrap();

    let first =
        users::Model::reset_password(db, &token, "new-hash".into(), Duration::seconds(HOUR)).await;
    let second =
        users::Model::reset_password(db, &token, "newer-hash".into(), Duration::seconds(HOUR))
            .await;

    assert_eq!(first.unwrap().id, ann.id);
    assert!(matches!(second, Err(ApiError::InvalidResetToken)));
    let stored = reload(db, &ann).await;
    assert_eq!(stored.password, "new-hash");
    assert!(stored.reset_token_hash.is_none());
    assert!(stored.reset_sent_at.is_none());
}

#[tokio::test]
#[serial]
async fn reset_password_with_an_unknown_token_changes_nothing() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    ann.start_password_reset(db).await.unwrap();

    let result =
        users::Model::reset_password(db, "no-such-token", "x".into(), Duration::seconds(HOUR))
            .await;

    assert!(matches!(result, Err(ApiError::InvalidResetToken)));
    assert_eq!(reload(db, &ann).await.password, "old-hash");
}

#[tokio::test]
#[serial]
async fn reset_password_with_an_expired_token_fails() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let token = ann.start_password_reset(db).await.unwrap();
    let mut aged: users::ActiveModel = reload(db, &ann).await.into();
    aged.reset_sent_at = ActiveValue::Set(Some(users::now() - Duration::seconds(HOUR + 60)));
    aged.update(db).await.unwrap();

    let result =
        users::Model::reset_password(db, &token, "x".into(), Duration::seconds(HOUR)).await;

    assert!(matches!(result, Err(ApiError::InvalidResetToken)));
    assert_eq!(reload(db, &ann).await.password, "old-hash");
}

#[tokio::test]
#[serial]
async fn reset_password_within_the_hour_works() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let token = ann.start_password_reset(db).await.unwrap();
    let mut aged: users::ActiveModel = reload(db, &ann).await.into();
    aged.reset_sent_at = ActiveValue::Set(Some(users::now() - Duration::seconds(HOUR - 60)));
    aged.update(db).await.unwrap();

    let result =
        users::Model::reset_password(db, &token, "x".into(), Duration::seconds(HOUR)).await;

    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
#[serial]
async fn a_new_reset_token_replaces_the_earlier_one() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let first = ann.start_password_reset(db).await.unwrap();
    let second = ann.start_password_reset(db).await.unwrap();

    let with_first =
        users::Model::reset_password(db, &first, "x".into(), Duration::seconds(HOUR)).await;
    let with_second =
        users::Model::reset_password(db, &second, "y".into(), Duration::seconds(HOUR)).await;

    assert!(matches!(with_first, Err(ApiError::InvalidResetToken)));
    assert!(with_second.is_ok());
}

#[tokio::test]
#[serial]
async fn reset_token_of_one_user_does_not_reset_another() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let token = ann.start_password_reset(db).await.unwrap();

    let reset = users::Model::reset_password(db, &token, "x".into(), Duration::seconds(HOUR))
        .await
        .unwrap();

    assert_eq!(reset.id, ann.id);
    assert_eq!(reload(db, &bob).await.password, "old-hash");
}

#[tokio::test]
#[serial]
async fn find_by_live_access_finds_the_user_of_a_live_login() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, Duration::days(30))
        .await
        .unwrap();

    let found = users::Model::find_by_live_access(db, issued.session.access_jti, ann.pid)
        .await
        .unwrap();

    assert_eq!(found.map(|u| u.id), Some(ann.id));
}

#[tokio::test]
#[serial]
async fn find_by_live_access_refuses_a_revoked_login() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let issued = sessions::Model::start(db, ann.id, Duration::days(30))
        .await
        .unwrap();
    sessions::Model::revoke_by_jti(db, issued.session.access_jti)
        .await
        .unwrap();

    let found = users::Model::find_by_live_access(db, issued.session.access_jti, ann.pid)
        .await
        .unwrap();

    assert!(found.is_none());
}

#[tokio::test]
#[serial]
async fn find_by_live_access_refuses_a_jti_of_another_user() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let bobs = sessions::Model::start(db, bob.id, Duration::days(30))
        .await
        .unwrap();

    let found = users::Model::find_by_live_access(db, bobs.session.access_jti, ann.pid)
        .await
        .unwrap();

    assert!(found.is_none());
}

#[tokio::test]
#[serial]
async fn find_by_live_access_refuses_an_unknown_jti() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    sessions::Model::start(db, ann.id, Duration::days(30))
        .await
        .unwrap();

    let found = users::Model::find_by_live_access(db, Uuid::new_v4(), ann.pid)
        .await
        .unwrap();

    assert!(found.is_none());
}

#[tokio::test]
#[serial]
async fn of_two_concurrent_resets_with_one_token_only_one_succeeds() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let token = ann.start_password_reset(db).await.unwrap();

    let (a, b) = tokio::join!(
        users::Model::reset_password(db, &token, "a".into(), Duration::seconds(HOUR)),
        users::Model::reset_password(db, &token, "b".into(), Duration::seconds(HOUR)),
    );

    let winner = match (a, b) {
        (Ok(_), Err(ApiError::InvalidResetToken)) => "a",
        (Err(ApiError::InvalidResetToken), Ok(_)) => "b",
        other => panic!("expected exactly one success: {other:?}"),
    };
    assert_eq!(reload(db, &ann).await.password, winner);
}
