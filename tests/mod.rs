//! The one test binary: domain rules, models, and HTTP requests.
mod config;
mod db;
mod domain;
mod logs;
mod models;
mod rate_limit;
mod requests;
mod server;
mod workers;
