//! Boot-time wiring that the framework's defaults do not cover.
pub mod database;
pub mod memory;
