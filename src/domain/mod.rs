//! Small value types with a `parse` constructor: once you hold one, it is valid.
//! Controllers parse request input into these; models only ever see them.
pub mod account;
pub mod body;
pub mod cursor;
pub mod listing;
pub mod task;
