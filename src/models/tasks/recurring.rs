//! Recurring tasks: the `recurrence` of a task body, the checks a write
//! makes of it, and what completing one does (contract/recurrence.md).
//!
//! Completing a recurring task does not leave it complete: the write that
//! sets `status: complete` moves the same task to the next due date of its
//! series instead (`domain::recurrence` expands the rule), records the
//! completion and reopens the completed tasks of its subtree, all in one
//! transaction. Only when the series has no further occurrence does the
//! task complete as any task does.
use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::fields::Fields;
use crate::{
    domain::{
        body::{Body, Patch},
        recurrence::{Occurrence, RepeatFrom, Rule, Series},
        task::{DueDate, Status},
    },
    errors::{ApiError, FieldErrors},
    models::users,
};

/// `recurrence` of a task: how it repeats.
#[derive(Debug, Clone, PartialEq, Eq, ToSchema)]
pub struct Recurrence {
    /// An RFC 5545 RRULE value without the `RRULE:` prefix: `FREQ` DAILY,
    /// WEEKLY, MONTHLY or YEARLY; `INTERVAL` 1–1000; `BYDAY` (ordinals only
    /// with MONTHLY or YEARLY); `BYMONTHDAY`; `BYMONTH`; `BYSETPOS`; `WKST`;
    /// `COUNT` 1–1000 or `UNTIL`. Returned in upper case, parts in the
    /// order sent.
    #[schema(value_type = String, example = "FREQ=WEEKLY;BYDAY=MO,FR")]
    pub rule: Rule,
    /// `due` (default): the next due date follows the series; `completion`:
    /// the series starts again on the day the task is completed.
    #[schema(value_type = RepeatFromName, required = false)]
    pub from: RepeatFrom,
}

/// Where a completed series starts again.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = RecurrenceFrom)]
pub enum RepeatFromName {
    Due,
    Completion,
}

/// A recurrence as stored: the normalized rule text and where it repeats from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub rule: String,
    pub from: RepeatFrom,
}

impl From<&Recurrence> for Stored {
    fn from(recurrence: &Recurrence) -> Self {
        Self {
            rule: recurrence.rule.as_str().to_string(),
            from: recurrence.from,
        }
    }
}

impl Stored {
    /// The stored columns of a task, when it recurs.
    #[must_use]
    pub fn of(rule: Option<String>, from: Option<i16>) -> Option<Self> {
        Some(Self {
            rule: rule?,
            from: RepeatFrom::from_rank(from.unwrap_or_default()),
        })
    }
}

/// Reads `recurrence` of a task body: absent, `null` (no recurrence) or an
/// object `{rule, from}`; errors name `recurrence` or `recurrence.<key>`.
pub(super) fn read(body: &mut Body) -> Patch<Recurrence> {
    let parsed = match body.raw("recurrence") {
        Patch::Absent => return Patch::Absent,
        Patch::Null => return Patch::Null,
        Patch::Value(Value::Object(object)) => parse_object(object),
        Patch::Value(_) => Err(FieldErrors::one(
            "recurrence",
            "must be an object {\"rule\": …, \"from\": …} or null",
        )),
    };
    parsed.map_or_else(
        |errors| {
            for error in errors.as_slice() {
                body.errors.add(error.field.clone(), error.message.clone());
            }
            Patch::Absent
        },
        Patch::Value,
    )
}

fn parse_object(object: &Map<String, Value>) -> Result<Recurrence, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut unknown: Vec<&String> = object
        .keys()
        .filter(|k| !matches!(k.as_str(), "rule" | "from"))
        .collect();
    unknown.sort();
    for key in unknown {
        errors.add(format!("recurrence.{key}"), "is not a known field");
    }
    let rule = match object.get("rule") {
        None => Err("is required".to_string()),
        Some(Value::String(raw)) => Rule::parse(raw),
        Some(Value::Null) => Err("must not be null".to_string()),
        Some(_) => Err("must be a string".to_string()),
    };
    let rule = errors.take("recurrence.rule", rule);
    let from = match object.get("from") {
        None => Ok(RepeatFrom::Due),
        Some(Value::String(raw)) => RepeatFrom::parse(raw),
        Some(_) => Err("must be due or completion".to_string()),
    };
    let from = errors.take("recurrence.from", from);
    match (rule, from) {
        (Some(rule), Some(from)) if errors.is_empty() => Ok(Recurrence { rule, from }),
        // `take` recorded why a part is missing.
        _ => Err(errors),
    }
}

/// The 422 of a recurrence without a due date.
pub(super) fn needs_due_date() -> ApiError {
    ApiError::field(
        "recurrence",
        "needs a due_date: a series starts at the task's due date",
    )
}

/// The series of `fields` for `owner`, at its current due date.
fn series<'a>(rule: &'a Rule, fields: &Fields, owner: &users::Model) -> Option<Series<'a>> {
    Some(Series {
        rule,
        current: occurrence(fields.due?),
        tz: owner.timezone().tz(),
        done: u32::try_from(fields.done).unwrap_or(0),
    })
}

/// Checks the recurrence a write leaves on a task: a `recurrence` the patch
/// sets needs a due date, and a rule must be able to advance from the due
/// date it starts at (`FREQ=YEARLY;BYMONTH=2` from January 30 never can).
///
/// # Errors
/// A 422 naming `recurrence` or `recurrence.rule`.
pub(super) fn check(
    fields: &Fields,
    sets_recurrence: bool,
    moves_due: bool,
    owner: &users::Model,
) -> Result<(), ApiError> {
    if sets_recurrence && fields.due.is_none() {
        return Err(needs_due_date());
    }
    let Some(stored) = fields
        .recurrence
        .as_ref()
        .filter(|_| sets_recurrence || moves_due)
    else {
        return Ok(());
    };
    let Some(rule) = Rule::from_stored(&stored.rule) else {
        return Ok(());
    };
    if series(&rule, fields, owner).is_some_and(|s| !s.has_next_ignoring_bounds()) {
        return Err(ApiError::field(
            "recurrence.rule",
            "matches no date after the due date: the series could never advance",
        ));
    }
    Ok(())
}

/// A completion recorded by a write: the due date it was for, and whether
/// the task moved on to a next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Completed {
    pub due_at: DateTime<FixedOffset>,
    pub due_on: Option<chrono::NaiveDate>,
    pub advanced: bool,
}

/// Whether writing `fields` over a task whose status was `before` completes
/// a recurring task.
pub(super) fn completes(fields: &Fields, before: Status) -> bool {
    fields.recurrence.is_some()
        && fields.due.is_some()
        && fields.status == Status::Complete
        && before != Status::Complete
}

/// Completes the recurring task of `fields` at `at`: moves it to the next
/// due date of its series (back to `incomplete`), or leaves it complete
/// when the series has no further occurrence. `None` when `fields` does not
/// complete a recurring task.
pub(super) fn advance(
    fields: &mut Fields,
    owner: &users::Model,
    at: DateTime<Utc>,
) -> Option<Completed> {
    let due = fields.due?;
    let stored = fields.recurrence.clone()?;
    let rule = Rule::from_stored(&stored.rule)?;
    let next = series(&rule, fields, owner)?.advance(stored.from, at);
    let completed = Completed {
        due_at: due.due_at(owner.timezone()).fixed_offset(),
        due_on: due.date(),
        advanced: next.is_some(),
    };
    if let Some(next) = next {
        fields.due = Some(due_date(next.due));
        fields.done = i32::try_from(next.done).unwrap_or(i32::MAX);
        fields.status = Status::Incomplete;
    }
    Some(completed)
}

/// The next `limit` due dates of a task's series from its current one.
#[must_use]
pub fn upcoming(task: &super::Model, owner: &users::Model, limit: usize) -> Vec<DueDate> {
    let fields = Fields::from(task);
    let Some(due) = fields.due else {
        return Vec::new();
    };
    let Some(stored) = fields.recurrence.as_ref() else {
        return vec![due];
    };
    if fields.status == Status::Complete {
        // A recurring task stays complete only at the end of its series.
        return Vec::new();
    }
    let Some(rule) = Rule::from_stored(&stored.rule) else {
        return vec![due];
    };
    series(&rule, &fields, owner).map_or_else(Vec::new, |s| {
        s.upcoming(limit).into_iter().map(due_date).collect()
    })
}

fn occurrence(due: DueDate) -> Occurrence {
    match due {
        DueDate::Date(date) => Occurrence::Date(date),
        DueDate::At(at) => Occurrence::At(at),
    }
}

fn due_date(occurrence: Occurrence) -> DueDate {
    match occurrence {
        Occurrence::Date(date) => DueDate::Date(date),
        Occurrence::At(at) => DueDate::At(at),
    }
}
