mod sessions;
mod tasks;
mod users;
mod task_listing;
