//! Boot-time wiring that the framework's defaults do not cover (the SQLite
//! tuning lives with the rest of the database's engine room, `db::sqlite`).
pub mod memory;
