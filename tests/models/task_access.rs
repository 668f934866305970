//! The session check and the task look-up asked in one statement.
use super::helpers::user;
use chrono::Duration;
use loco_rs::testing::prelude::*;
use sea_orm::{ColumnTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryTrait};
use serial_test::serial;
use taskforge::{
    app::App,
    db::{Db, Prepared},
    domain::task::{Priority, Status, TaskTitle},
    models::{
        sessions,
        tasks::{self, TaskInput},
        users,
    },
};
use uuid::Uuid;

async fn task(db: &Db, owner: &users::Model) -> tasks::Model {
    let draft = TaskInput {
        title: TaskTitle::parse("t").unwrap(),
        description: None,
        status: Status::Incomplete,
        priority: Priority::Medium,
        due_date: None,
        list_id: None,
        parent_id: Default::default(),
        labels: None,
        recurrence: None,
    };
    tasks::Model::create_for_owner(db, owner, draft, tasks::Limits::NONE)
        .await
        .unwrap()
        .task
}

#[tokio::test]
#[serial]
async fn a_live_token_finds_its_user_and_their_task_only() {
    let boot = boot_test::<App>().await.unwrap();
    let ctx = &boot.app_context;
    let db = &Db::from(ctx.db.clone());
    let ann = user(db, "ann@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let anns = task(db, &ann).await;
    let bobs = task(db, &bob).await;
    let login = sessions::Model::start(db, ann.id, Duration::days(1))
        .await
        .unwrap()
        .session;
    // Through the request path's handle, as the controllers ask it.
    let request_db = Db::of(ctx);

    let found = tasks::find_with_access(&request_db, login.access_jti, ann.pid, anns.pid)
        .await
        .unwrap();
    let (who, own) = found.expect("a live token finds its user");
    assert_eq!(who.id, ann.id);
    assert_eq!(own.map(|t| t.id), Some(anns.id));

    // Another user's task and an unknown id: the user, no task.
    for other in [bobs.pid, Uuid::new_v4()] {
        let (who, none) = tasks::find_with_access(&request_db, login.access_jti, ann.pid, other)
            .await
            .unwrap()
            .expect("a live token finds its user");
        assert_eq!(who.id, ann.id);
        assert!(none.is_none());
    }

    // The token's jti with another user's pid is no session at all.
    let forged = tasks::find_with_access(db, login.access_jti, bob.pid, bobs.pid)
        .await
        .unwrap();
    assert!(forged.is_none());
}

#[tokio::test]
#[serial]
async fn a_revoked_token_finds_nothing_even_with_a_task_id_of_its_user() {
    let boot = boot_test::<App>().await.unwrap();
    let db = &Db::from(boot.app_context.db.clone());
    let ann = user(db, "ann@example.com").await;
    let anns = task(db, &ann).await;
    let login = sessions::Model::start(db, ann.id, Duration::days(1))
        .await
        .unwrap()
        .session;
    sessions::Model::revoke_by_jti(db, login.access_jti)
        .await
        .unwrap();

    let found = tasks::find_with_access(db, login.access_jti, ann.pid, anns.pid)
        .await
        .unwrap();
    assert!(found.is_none());
    let unknown = tasks::find_with_access(db, Uuid::new_v4(), ann.pid, anns.pid)
        .await
        .unwrap();
    assert!(unknown.is_none());
}

/// The statements built once and filled with new ids are the ones SeaORM
/// builds for those ids, on both backends.
#[test]
fn the_statements_built_once_read_as_ones_built_per_request() {
    for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
        for _ in 0..3 {
            let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
            let with_task = tasks::ACCESS_STATEMENT.statement(backend, ids);
            assert_eq!(with_task, tasks::ACCESS_STATEMENT.built_now(backend, ids));
            let [jti, pid, _] = ids;
            let live = users::LIVE_ACCESS.statement(backend, [jti, pid]);
            assert_eq!(live, users::LIVE_ACCESS.built_now(backend, [jti, pid]));
            // Every id is among the values, each in its own place.
            let values = with_task.values.unwrap().0;
            for id in ids {
                assert_eq!(values.iter().filter(|v| **v == id.into()).count(), 1);
            }
        }
    }
}

/// A statement in which an id stands more than once cannot be filled in by
/// position: it is built per request, and still reads the same.
#[test]
fn a_statement_with_an_id_twice_is_built_per_request() {
    static TWICE: Prepared<1> = Prepared::new(|[pid]| {
        users::Entity::find()
            .filter(users::Column::Pid.eq(pid))
            .filter(users::Column::Pid.ne(pid))
            .into_query()
    });
    for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
        let id = [Uuid::new_v4()];
        let statement = TWICE.statement(backend, id);
        assert_eq!(statement, TWICE.built_now(backend, id));
        let values = statement.values.unwrap().0;
        assert_eq!(values.iter().filter(|v| **v == id[0].into()).count(), 2);
    }
}
