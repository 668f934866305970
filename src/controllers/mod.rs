pub mod auth;
pub mod notifications;
pub mod tasks;
