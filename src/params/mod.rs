//! Request input → the request shapes the OpenAPI document shows: each
//! function reads one request body or query, reports every offending field
//! at once, and returns checked domain values.
pub mod auth;
pub mod labels;
pub mod lists;
pub mod notifications;
pub mod query;
pub mod tasks;
