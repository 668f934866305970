pub mod _entities;
pub mod notifications;
pub mod reminders;
pub mod sessions;
pub mod task_changes;
pub mod task_listing;
pub mod tasks;
pub mod users;
