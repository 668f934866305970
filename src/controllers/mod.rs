pub mod auth;
pub mod docs;
pub mod labels;
pub mod lists;
pub mod notifications;
pub mod passwords;
pub mod tasks;
