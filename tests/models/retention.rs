//! Retention (`models::retention::purge`): each rule at its edge, rows of
//! any age that a rule keeps, deletes across several primary-key ranges,
//! and two purges at once.
use chrono::{DateTime, Duration, FixedOffset, Utc};
use loco_rs::testing::prelude::*;
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    models::{
        _entities::{idempotency_keys, notifications, sessions},
        retention::{self, Purged, Rules},
    },
};
use uuid::Uuid;

use super::helpers::user;

fn rules() -> Rules {
    Rules {
        notifications_read: Duration::days(90),
    }
}

fn now() -> DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

async fn session(
    db: &Db,
    owner: i32,
    expires_at: DateTime<FixedOffset>,
    revoked: Option<DateTime<FixedOffset>>,
) -> i32 {
    let row = sessions::ActiveModel {
        pid: Set(Uuid::new_v4()),
        user_id: Set(owner),
        refresh_hash: Set(Uuid::new_v4().to_string()),
        access_jti: Set(Uuid::new_v4()),
        expires_at: Set(expires_at),
        revoked_at: Set(revoked),
        created_at: Set(expires_at - Duration::days(30)),
        updated_at: Set(expires_at - Duration::days(30)),
        ..Default::default()
    };
    sessions::Entity::insert(row)
        .exec(db)
        .await
        .unwrap()
        .last_insert_id
}

async fn idempotency_key(db: &Db, owner: i32, created_at: DateTime<FixedOffset>) -> i32 {
    let row = idempotency_keys::ActiveModel {
        user_id: Set(owner),
        key: Set(Uuid::new_v4().to_string()),
        request_hash: Set("hash".into()),
        response_status: Set(201),
        response_body: Set("{}".into()),
        task_pid: Set(Uuid::new_v4()),
        created_at: Set(created_at),
        ..Default::default()
    };
    idempotency_keys::Entity::insert(row)
        .exec(db)
        .await
        .unwrap()
        .last_insert_id
}

fn notification(
    owner: i32,
    created_at: DateTime<FixedOffset>,
    read_at: Option<DateTime<FixedOffset>>,
) -> notifications::ActiveModel {
    notifications::ActiveModel {
        pid: Set(Uuid::new_v4()),
        user_id: Set(owner),
        task_pid: Set(Uuid::new_v4()),
        kind: Set("reminder".into()),
        title: Set("t".into()),
        due_at: Set(created_at),
        due_on: Set(None),
        created_at: Set(created_at),
        read_at: Set(read_at),
        emailed_at: Set(None),
        email_attempts: Set(0),
        email_next_at: Set(None),
        ..Default::default()
    }
}

async fn notice(
    db: &Db,
    owner: i32,
    created_at: DateTime<FixedOffset>,
    read_at: Option<DateTime<FixedOffset>>,
) -> i32 {
    notifications::Entity::insert(notification(owner, created_at, read_at))
        .exec(db)
        .await
        .unwrap()
        .last_insert_id
}

/// The primary keys of `E`, lowest first.
async fn ids<E: EntityTrait>(db: &Db, id: E::Column) -> Vec<i32> {
    E::find()
        .select_only()
        .column(id)
        .order_by_asc(id)
        .into_tuple()
        .all(db)
        .await
        .unwrap()
}

#[tokio::test]
#[serial]
async fn sessions_go_seven_days_after_they_expire_or_are_revoked() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let now = now();
    let week = Duration::days(7);
    let second = Duration::seconds(1);

    let expired_long_ago = session(db, ann.id, now - week - second, None).await;
    let expired_a_week_ago = session(db, ann.id, now - week + second, None).await;
    let revoked_long_ago = session(db, ann.id, now + week, Some(now - week - second)).await;
    let revoked_lately = session(db, ann.id, now + week, Some(now - week + second)).await;
    let live = session(db, ann.id, now + week, None).await;

    let purged = retention::purge(db, now, rules()).await.unwrap();

    assert_eq!(purged.sessions, 2);
    assert_eq!(
        ids::<sessions::Entity>(db, sessions::Column::Id).await,
        vec![expired_a_week_ago, revoked_lately, live]
    );
    let _ = (expired_long_ago, revoked_long_ago);
}

#[tokio::test]
#[serial]
async fn idempotency_keys_go_after_twenty_four_hours() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let now = now();
    let day = Duration::hours(24);

    idempotency_key(db, ann.id, now - day - Duration::seconds(1)).await;
    let fresh = idempotency_key(db, ann.id, now - day + Duration::seconds(1)).await;

    let purged = retention::purge(db, now, rules()).await.unwrap();

    assert_eq!(purged.idempotency_keys, 1);
    assert_eq!(
        ids::<idempotency_keys::Entity>(db, idempotency_keys::Column::Id).await,
        vec![fresh]
    );
}

#[tokio::test]
#[serial]
async fn read_notifications_go_after_the_retention_days_and_unread_ones_stay() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let now = now();
    let kept = Duration::days(90);
    let ancient = now - Duration::days(400);

    notice(db, ann.id, ancient, Some(now - kept - Duration::seconds(1))).await;
    let read_lately = notice(db, ann.id, ancient, Some(now - kept + Duration::seconds(1))).await;
    let unread = notice(db, ann.id, ancient, None).await;

    let purged = retention::purge(db, now, rules()).await.unwrap();
    assert_eq!(purged.notifications, 1);
    assert_eq!(
        ids::<notifications::Entity>(db, notifications::Column::Id).await,
        vec![read_lately, unread]
    );

    // A shorter setting reaches further.
    let short = Rules {
        notifications_read: Duration::days(1),
    };
    assert_eq!(
        retention::purge(db, now, short)
            .await
            .unwrap()
            .notifications,
        1
    );
    assert_eq!(
        ids::<notifications::Entity>(db, notifications::Column::Id).await,
        vec![unread]
    );
}

#[tokio::test]
#[serial]
async fn a_purge_reaches_rows_across_many_primary_key_ranges() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let now = now();
    let old = Some(now - Duration::days(100));
    // 2,500 rows, then rows with ids far beyond: several ranges of ids to
    // walk, with gaps in between.
    let rows: Vec<_> = (0..2_500).map(|_| notification(ann.id, now, old)).collect();
    for chunk in rows.chunks(500) {
        notifications::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    for id in [60_000, 85_001, 85_002] {
        let mut row = notification(ann.id, now, old);
        row.id = Set(id);
        notifications::Entity::insert(row).exec(db).await.unwrap();
    }
    let unread = notice(db, ann.id, now, None).await;

    let purged = retention::purge(db, now, rules()).await.unwrap();

    assert_eq!(purged.notifications, 2_503);
    assert_eq!(
        ids::<notifications::Entity>(db, notifications::Column::Id).await,
        vec![unread]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[serial]
async fn two_purges_at_once_delete_each_row_once_and_fail_neither() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let now = now();
    let rows: Vec<_> = (0..3_000)
        .map(|_| notification(ann.id, now, Some(now - Duration::days(100))))
        .collect();
    for chunk in rows.chunks(500) {
        notifications::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    session(db, ann.id, now - Duration::days(8), None).await;

    let (a, b) = tokio::join!(
        retention::purge(db, now, rules()),
        retention::purge(db, now, rules())
    );
    let (a, b): (Purged, Purged) = (a.unwrap(), b.unwrap());

    assert_eq!(a.notifications + b.notifications, 3_000);
    assert_eq!(a.sessions + b.sessions, 1);
    assert_eq!(notifications::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(sessions::Entity::find().count(db).await.unwrap(), 0);
}
