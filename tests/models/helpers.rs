//! Set-up shared by the model tests.

use taskforge::{
    db::Db,
    domain::account::{Email, PersonName},
    models::users,
};

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
