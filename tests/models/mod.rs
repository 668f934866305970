pub mod helpers;
mod reminders;
mod request_db;
mod sessions;
mod task_access;
mod task_listing;
mod tasks;
mod users;
mod write_turn;
