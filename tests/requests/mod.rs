mod auth;
mod concurrency;
mod errors;
pub mod helpers;
mod listing;
mod listing_filters;
mod notifications;
mod smoke;
mod tasks;
