//! Set-up shared by the model tests.

use sea_orm::{ActiveValue::Set, EntityTrait};
use taskforge::{
    db::Db,
    domain::account::{Email, PersonName},
    models::{_entities::tasks, users},
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
