pub mod helpers;
mod lists_migration;
mod organized_listing;
mod rearm;
mod recurring;
mod reminders;
mod reminders_delivery;
mod retention;
mod sessions;
mod task_access;
mod task_count;
mod task_listing;
mod task_search;
mod task_tree;
mod tasks;
mod users;

mod labels;
