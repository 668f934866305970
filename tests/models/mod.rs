pub mod helpers;
mod rearm;
mod reminders;
mod reminders_delivery;
mod sessions;
mod task_access;
mod task_listing;
mod tasks;
mod users;
