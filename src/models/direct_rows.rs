//! The rows of the hot reads, decoded straight into the models when they
//! are read on the request's thread ([`crate::direct_read`]). Each field is
//! read by column name, as SeaORM reads it (`A_`/`B_` prefixes for the two
//! models of a joined row); `tests/models/direct_read.rs` checks that each
//! decodes as SeaORM decodes the same row.
use super::{
    _entities::{tasks, users},
    task_listing::ListedTask,
};
use crate::direct_read::{DirectError, FromDirectRow, Row};

fn user(row: &Row<'_>, p: &str) -> Result<users::Model, DirectError> {
    Ok(users::Model {
        id: row.get(p, "id")?,
        pid: row.get(p, "pid")?,
        email: row.get(p, "email")?,
        password: row.get(p, "password")?,
        name: row.get(p, "name")?,
        timezone: row.get(p, "timezone")?,
        reminder_lead_minutes: row.get(p, "reminder_lead_minutes")?,
        reset_token_hash: row.get(p, "reset_token_hash")?,
        reset_sent_at: row.get(p, "reset_sent_at")?,
        created_at: row.get(p, "created_at")?,
        updated_at: row.get(p, "updated_at")?,
    })
}

fn task(row: &Row<'_>, p: &str) -> Result<tasks::Model, DirectError> {
    Ok(tasks::Model {
        id: row.get(p, "id")?,
        pid: row.get(p, "pid")?,
        user_id: row.get(p, "user_id")?,
        title: row.get(p, "title")?,
        description: row.get(p, "description")?,
        status: row.get(p, "status")?,
        priority: row.get(p, "priority")?,
        due_at: row.get(p, "due_at")?,
        due_on: row.get(p, "due_on")?,
        completed_at: row.get(p, "completed_at")?,
        version: row.get(p, "version")?,
        created_at: row.get(p, "created_at")?,
        updated_at: row.get(p, "updated_at")?,
        search_text: row.get(p, "search_text")?,
        remind_at: row.get(p, "remind_at")?,
        reminder_sent_at: row.get(p, "reminder_sent_at")?,
        overdue_sent_at: row.get(p, "overdue_sent_at")?,
    })
}

impl FromDirectRow for users::Model {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        user(row, "")
    }
}

impl FromDirectRow for ListedTask {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        Ok(Self {
            pid: row.get("", "pid")?,
            title: row.get("", "title")?,
            description: row.get("", "description")?,
            status: row.get("", "status")?,
            priority: row.get("", "priority")?,
            due_at: row.get("", "due_at")?,
            due_on: row.get("", "due_on")?,
            completed_at: row.get("", "completed_at")?,
            created_at: row.get("", "created_at")?,
            updated_at: row.get("", "updated_at")?,
        })
    }
}

/// A row of [`super::task_access`]'s statement: the caller, and their task
/// when the left join found one.
pub struct UserWithTask(pub users::Model, pub Option<tasks::Model>);

impl FromDirectRow for UserWithTask {
    fn from_row(row: &Row<'_>) -> Result<Self, DirectError> {
        let found = row.get::<Option<i32>>("B_", "id")?.is_some();
        let task = if found { Some(task(row, "B_")?) } else { None };
        Ok(Self(user(row, "A_")?, task))
    }
}
