mod reminders;
mod sessions;
mod task_listing;
mod tasks;
mod users;
mod write_turn;
