mod concurrency;
mod errors;
pub mod helpers;
mod listing;
mod smoke;
mod tasks;
