//! The filters of `GET /tasks`, and the canonical identity of a listing that
//! its cursors carry.
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{
    listing::Sort,
    task::{Priority, Status},
};

/// `parent_id=`: the direct subtasks of one task, or the top-level tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentFilter {
    /// `parent_id=none`.
    TopLevel,
    /// `parent_id=<id>` (the caller's task, checked).
    Of(Uuid),
}

impl ParentFilter {
    /// `none` or a task id.
    ///
    /// # Errors
    /// A message when it is neither.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw == "none" {
            return Ok(Self::TopLevel);
        }
        Uuid::try_parse(raw)
            .map(Self::Of)
            .map_err(|_| "must be `none` or the id of one of your tasks".to_string())
    }
}

/// The filters of a listing; every field narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskFilter {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub due_after: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
    /// `Some(true)`: due in the past and not complete; `Some(false)`: the rest.
    pub overdue: Option<bool>,
    /// Lowercased words that must all appear in the title or description.
    pub terms: Vec<String>,
    /// Only the tasks of this list (its id; the caller's, checked).
    pub list: Option<Uuid>,
    /// Only the subtasks of one task, or only top-level tasks.
    pub parent: Option<ParentFilter>,
    /// Only tasks carrying every one of these labels: their names'
    /// comparison keys (lowercased), sorted, without repeats.
    pub labels: Vec<String>,
}

impl TaskFilter {
    /// Whether no filter is set (every task of the owner is listed).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty()
            && self.priorities.is_empty()
            && self.due_after.is_none()
            && self.due_before.is_none()
            && self.overdue.is_none()
            && self.terms.is_empty()
            && self.list.is_none()
            && self.parent.is_none()
            && self.labels.is_empty()
    }
}

/// The canonical identity of a listing (sort and filters), which a cursor
/// carries so that it is only accepted for the query it was made for.
#[must_use]
pub fn scope(sort: &Sort, filter: &TaskFilter) -> String {
    #[derive(Serialize)]
    struct Scope<'a> {
        sort: String,
        status: Vec<i16>,
        priority: Vec<i16>,
        due_after: Option<i64>,
        due_before: Option<i64>,
        overdue: Option<bool>,
        q: &'a [String],
        // Left out when unset, so cursors of unfiltered listings read the
        // same as before lists, subtasks and labels existed.
        #[serde(skip_serializing_if = "Option::is_none")]
        list: Option<Uuid>,
        #[serde(skip_serializing_if = "Option::is_none")]
        parent: Option<String>,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        labels: &'a [String],
    }
    let mut status: Vec<i16> = filter.statuses.iter().map(|s| s.rank()).collect();
    status.sort_unstable();
    let mut priority: Vec<i16> = filter.priorities.iter().map(|p| p.rank()).collect();
    priority.sort_unstable();
    serde_json::to_string(&Scope {
        sort: sort.canonical(),
        status,
        priority,
        due_after: filter.due_after.map(|t| t.timestamp_micros()),
        due_before: filter.due_before.map(|t| t.timestamp_micros()),
        overdue: filter.overdue,
        q: &filter.terms,
        list: filter.list,
        parent: filter.parent.map(|p| match p {
            ParentFilter::TopLevel => "none".to_string(),
            ParentFilter::Of(id) => id.to_string(),
        }),
        labels: &filter.labels,
    })
    .unwrap_or_default()
}
