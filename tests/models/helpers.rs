//! Set-up shared by the model tests.

use sea_orm::{ActiveValue::Set, EntityTrait};
use taskforge::{
    db::Db,
    domain::account::{Email, PersonName},
    models::{_entities::tasks, lists, users},
};
use uuid::Uuid;

/// A registered user named "Someone" (the password hash is not a real one).
pub async fn user(db: &Db, email: &str) -> users::Model {
    users::Model::register(
        db,
        users::NewUser {
            name: PersonName::parse("Someone").unwrap(),
            email: Email::parse(email).unwrap(),
            password_hash: "not-a-real-hash".into(),
        },
    )
    .await
    .unwrap()
}

/// `count` plain tasks for `owner` written straight to the table in a few
/// statements (titles `t0`, `t1`, …), all created now at the precision the
/// app writes (`users::now`), so keyset pages must break ties by id.
pub async fn bulk_tasks(db: &Db, owner: i32, count: usize) {
    let at = users::now();
    let inbox = lists::Model::inbox_of(db, owner).await.unwrap().pid;
    let rows: Vec<tasks::ActiveModel> = (0..count)
        .map(|n| tasks::ActiveModel {
            pid: Set(Uuid::new_v4()),
            user_id: Set(owner),
            title: Set(format!("t{n}")),
            description: Set(None),
            status: Set(0),
            priority: Set(1),
            version: Set(1),
            created_at: Set(at),
            updated_at: Set(at),
            search_text: Set(format!("t{n}")),
            list_pid: Set(inbox),
            position: Set(format!("{n:06}V")),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        tasks::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
}

/// `count` tasks written with the columns of the first schema only (no
/// list), for tests that roll migrations back and write in between.
pub async fn v1_tasks(db: &Db, owner: i32, count: usize) {
    use sea_orm::{
        sea_query::{Alias, Query},
        ConnectionTrait,
    };
    let at = users::now();
    let mut insert = Query::insert();
    insert.into_table(Alias::new("tasks")).columns(
        [
            "pid",
            "user_id",
            "title",
            "search_text",
            "created_at",
            "updated_at",
        ]
        .map(Alias::new),
    );
    for n in 0..count {
        insert.values_panic([
            Uuid::new_v4().into(),
            owner.into(),
            format!("t{n}").into(),
            format!("t{n}").into(),
            at.into(),
            at.into(),
        ]);
    }
    db.execute(&insert).await.unwrap();
}

/// Rolls the schema back to just before the migration `name`.
pub async fn migrate_down_to_before(conn: &sea_orm::DatabaseConnection, name: &str) {
    use migration::{Migrator, MigratorTrait};
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    let at = names
        .iter()
        .position(|n| n == name)
        .expect("a known migration");
    let steps = u32::try_from(names.len() - at).unwrap();
    Migrator::down(conn, Some(steps)).await.unwrap();
}
