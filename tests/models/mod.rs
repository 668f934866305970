mod sessions;
mod tasks;
mod users;
