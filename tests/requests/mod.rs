mod auth;
mod concurrency;
mod errors;
pub mod helpers;
mod listing;
mod listing_filters;
mod smoke;
mod tasks;
