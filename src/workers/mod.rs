//! Background workers.
pub mod notification_email;
pub mod password_reset;
