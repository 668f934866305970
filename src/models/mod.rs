pub mod _entities;
pub mod sessions;
pub mod tasks;
pub mod users;
