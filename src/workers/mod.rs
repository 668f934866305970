//! Background workers.
pub mod notification_email;
