//! The one test binary: domain rules, models, and HTTP requests.
mod config;
mod db;
mod domain;
mod models;
mod rate_limit;
mod requests;
mod server;
mod workers;
