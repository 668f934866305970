//! Behaviour and queries, always scoped to the owner. Each takes the one
//! connection type, [`crate::db::Db`].
pub mod _entities;
pub mod export;
pub mod idempotency_keys;
pub mod labels;
pub mod lists;
pub mod notifications;
pub mod owner;
pub mod reminders;
pub mod retention;
pub mod sessions;
pub mod tasks;
pub mod users;
