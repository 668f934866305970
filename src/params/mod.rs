//! Request input → domain values: each function reads one request body or
//! query, reports every offending field at once, and returns checked types.
pub mod auth;
pub mod notifications;
pub mod schema;
pub mod tasks;
