//! Small value types with a `parse` constructor: once you hold one, it is
//! valid. Request input is parsed into these; models only ever see them.
//! A failed parse is a message (`String`) or [`crate::errors::FieldErrors`],
//! never an HTTP error: `errors/` turns those into a 422.
pub mod account;
pub mod body;
pub mod common_passwords;
pub mod cursor;
pub mod due;
pub mod etag;
pub mod filter;
pub mod listing;
pub mod organizing;
pub mod position;
pub mod recurrence;
mod schema;
pub mod task;
