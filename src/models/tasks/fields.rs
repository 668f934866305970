//! The one mapping of a task's writable fields onto its columns, whatever
//! the write (create, PATCH, PUT), and the rule that keeps `completed_at` in
//! step with `status`.
use chrono::{DateTime, FixedOffset};
use sea_orm::{ActiveModelTrait, ActiveValue, Iterable, ModelTrait};

use super::{changes::TaskPatch, recurring::Stored, ActiveModel, Column, Model};
use crate::{
    domain::{
        account::ReminderLead,
        body::Patch,
        listing::search_text,
        task::{DueDate, Priority, Status},
    },
    models::users,
};

/// The values of the writable columns, whatever the write.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    pub title: String,
    pub description: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub due: Option<DueDate>,
    /// How the task repeats; never without a due date.
    pub recurrence: Option<Stored>,
    /// Occurrences of the series before the current one (toward `COUNT`).
    pub done: i32,
}

impl From<&Model> for Fields {
    fn from(task: &Model) -> Self {
        let due = match (task.due_on, task.due_at) {
            (Some(date), _) => Some(DueDate::Date(date)),
            (None, Some(at)) => Some(DueDate::At(at.to_utc())),
            (None, None) => None,
        };
        Self {
            title: task.title.clone(),
            description: task.description.clone(),
            status: Status::from_rank(task.status),
            priority: Priority::from_rank(task.priority),
            due,
            recurrence: Stored::of(task.recurrence_rule.clone(), task.recurrence_from),
            done: task.recurrence_done,
        }
    }
}

impl Fields {
    /// These values with `patch` applied: what it sets changes, the rest stays.
    pub(super) fn patched(mut self, patch: &TaskPatch) -> Self {
        if let Some(title) = &patch.title {
            self.title = title.as_str().to_string();
        }
        patch
            .description
            .apply_to(&mut self.description, |d| d.as_str().to_string());
        if let Some(status) = patch.status {
            self.status = status;
        }
        if let Some(priority) = patch.priority {
            self.priority = priority;
        }
        patch.due_date.apply_to(&mut self.due, |due| *due);
        match &patch.recurrence {
            Patch::Absent => {}
            Patch::Null => self.recurrence = None,
            Patch::Value(recurrence) => {
                let stored = Stored::from(recurrence);
                // Another rule (or another `from`) is another series.
                if self.recurrence.as_ref() != Some(&stored) {
                    self.done = 0;
                }
                self.recurrence = Some(stored);
            }
        }
        // Clearing the due date clears the recurrence (contract).
        if self.due.is_none() {
            self.recurrence = None;
        }
        if self.recurrence.is_none() {
            self.done = 0;
        }
        self
    }

    /// Writes these values into `task` for `owner`. `rearm` (a new task, or a
    /// changed due instant) clears both notice markers, so the reminder and
    /// the overdue notice are sent again for the new due date.
    pub(super) fn write(
        self,
        task: &mut ActiveModel,
        owner: &users::Model,
        at: DateTime<FixedOffset>,
        rearm: bool,
    ) {
        let due_at = self.due_at(owner);
        task.search_text = ActiveValue::Set(search_text(&self.title, self.description.as_deref()));
        task.title = ActiveValue::Set(self.title);
        task.description = ActiveValue::Set(self.description);
        task.status = ActiveValue::Set(self.status.rank());
        task.priority = ActiveValue::Set(self.priority.rank());
        task.due_at = ActiveValue::Set(due_at);
        task.due_on = ActiveValue::Set(self.due.and_then(DueDate::date));
        task.remind_at = ActiveValue::Set(remind_at(due_at, owner.reminder_lead()));
        task.recurrence_rule = ActiveValue::Set(self.recurrence.as_ref().map(|r| r.rule.clone()));
        task.recurrence_from = ActiveValue::Set(self.recurrence.as_ref().map(|r| r.from.rank()));
        task.recurrence_done = ActiveValue::Set(self.done);
        if rearm {
            task.reminder_sent_at = ActiveValue::Set(None);
            task.overdue_sent_at = ActiveValue::Set(None);
        }
        task.updated_at = ActiveValue::Set(at);
    }

    /// The due instant these values give for `owner`.
    pub(super) fn due_at(&self, owner: &users::Model) -> Option<DateTime<FixedOffset>> {
        self.due.map(|d| d.due_at(owner.timezone()).fixed_offset())
    }
}

/// `completed_at` follows `status`: set when a task becomes complete, kept
/// while it stays complete, cleared when it leaves.
pub(super) fn completed_at_after(
    before: Option<(Status, Option<DateTime<FixedOffset>>)>,
    status: Status,
    at: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    match (before, status) {
        (_, Status::Incomplete | Status::InProgress) => None,
        (Some((Status::Complete, Some(done))), Status::Complete) => Some(done),
        (_, Status::Complete) => Some(at),
    }
}

/// Leaves out of `task` every column whose new value is the one `current`
/// holds, but the version and `updated_at`, which every write changes.
///
/// The update is conditioned on `current`'s version, so those columns hold
/// exactly these values when it runs: leaving them out changes nothing in
/// the row. It spares the indexes: SQLite rewrites the entry of every index
/// on a column the `SET` names, changed or not, so a PATCH of the priority
/// that named every writable column rewrote eight index entries instead of
/// two (docs/performance.md, change 21).
pub(super) fn keep_changes_only(task: &mut ActiveModel, current: &Model) {
    for column in Column::iter() {
        if matches!(column, Column::Version | Column::UpdatedAt) {
            continue;
        }
        if let ActiveValue::Set(value) = task.get(column) {
            if value == <Model as ModelTrait>::get(current, column) {
                task.not_set(column);
            }
        }
    }
}

/// When the reminder of a task due at `due_at` goes out: `lead` before it;
/// never with a lead of 0 (reminders off) or without a due date.
#[must_use]
pub fn remind_at(
    due_at: Option<DateTime<FixedOffset>>,
    lead: ReminderLead,
) -> Option<DateTime<FixedOffset>> {
    let minutes = lead.minutes();
    (minutes > 0)
        .then_some(due_at?)
        .map(|due| due - chrono::Duration::minutes(i64::from(minutes)))
}
