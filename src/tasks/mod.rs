//! Operator tasks (`cargo loco task <name>`).
pub mod explain_listing;
pub mod purge;
pub mod seed_data;
pub mod seed_organizing;
pub mod seed_tasks;
pub mod send_reminders;
