//! Operator tasks (`cargo loco task <name>`).
pub mod purge;
pub mod seed_data;
pub mod seed_tasks;
pub mod send_reminders;
