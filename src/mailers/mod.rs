pub mod auth;
pub mod notifications;
