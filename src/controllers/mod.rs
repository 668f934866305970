pub mod auth;
pub mod tasks;
