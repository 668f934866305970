//! Recurring tasks: RFC 5545 recurrence rules and the series they expand.
//!
//! A task's due date is the first occurrence (DTSTART) of the series its rule
//! expands in the owner's timezone; completing the task moves its due date to
//! a later occurrence.
//!
//! The series is expanded by the `rrule` crate in floating local time: the
//! due date's wall-clock time in the owner's zone (midnight for a date-only
//! due date) is given to the crate as if in UTC, without COUNT and UNTIL,
//! which the series applies itself. Each local result is then turned into an
//! instant in the owner's zone, so a time of day stays the same across DST
//! changes. Dates past year 9998 end a series.
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

mod expand;
mod rule;
mod values;

pub use rule::Rule;

/// Where a completed series starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepeatFrom {
    /// The next occurrence after the due date (and after the completion).
    #[default]
    Due,
    /// The series starts again on the completion's date.
    Completion,
}

impl RepeatFrom {
    /// Accepts exactly `due` or `completion`.
    ///
    /// # Errors
    /// "must be due or completion" for anything else.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "due" => Ok(Self::Due),
            "completion" => Ok(Self::Completion),
            _ => Err("must be due or completion".to_string()),
        }
    }

    /// `due` or `completion`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Due => "due",
            Self::Completion => "completion",
        }
    }

    /// The stored number: 0 for `due`, 1 for `completion`.
    #[must_use]
    pub const fn rank(self) -> i16 {
        match self {
            Self::Due => 0,
            Self::Completion => 1,
        }
    }

    /// The value of a stored number: 1 is `completion`, anything else `due`.
    #[must_use]
    pub fn from_rank(rank: i16) -> Self {
        if rank == Self::Completion.rank() {
            Self::Completion
        } else {
            Self::Due
        }
    }
}

/// One due date of a series: the same two forms as a task's due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    /// A date-only occurrence (a date-only series).
    Date(NaiveDate),
    /// An occurrence at an instant (a series with a time of day).
    At(DateTime<Utc>),
}

/// A series at its current occurrence.
pub struct Series<'a> {
    /// The series' rule.
    pub rule: &'a Rule,
    /// The task's due date now (the anchor).
    pub current: Occurrence,
    /// The owner's zone.
    pub tz: chrono_tz::Tz,
    /// Occurrences of the series before the current one (toward COUNT).
    pub done: u32,
}

/// An advance: the new due date and the new `done`.
pub struct Advance {
    /// The new due date.
    pub due: Occurrence,
    /// Occurrences of the series before the new due date.
    pub done: u32,
}

impl Series<'_> {
    /// The advance for a completion at `completed` with `from`; None when the
    /// series has no further occurrence.
    ///
    /// `Due`: the first occurrence strictly later than both the current one
    /// and the completion (for a date-only series: than the completion's
    /// local date); the occurrences skipped count toward COUNT. `Completion`:
    /// the series starts again on the completion's local date at the current
    /// occurrence's local time of day, and the due date becomes its first
    /// occurrence after that start, numbered next after the current one.
    #[must_use]
    pub fn advance(&self, from: RepeatFrom, completed: DateTime<Utc>) -> Option<Advance> {
        let completed_on = completed.with_timezone(&self.tz).date_naive();
        match from {
            RepeatFrom::Due => self
                .following(self.anchor())
                .zip(1..)
                .map_while(|((local, due), index)| self.bounded(index, local, due))
                .find(|(_, due)| match (*due, self.current) {
                    (Occurrence::At(at), Occurrence::At(current)) => at > current.max(completed),
                    (due, _) => self.local(due).date() > completed_on,
                })
                .map(|(index, due)| Advance {
                    due,
                    done: self.done.saturating_add(index),
                }),
            RepeatFrom::Completion => {
                let start = completed_on.and_time(self.anchor().time());
                let (local, due) = self.following(start).next()?;
                let (_, due) = self.bounded(1, local, due)?;
                Some(Advance {
                    due,
                    done: self.done.saturating_add(1),
                })
            }
        }
    }

    /// The next `limit` due dates from the current one (inclusive), as if
    /// each were completed on time, within COUNT and UNTIL.
    #[must_use]
    pub fn upcoming(&self, limit: usize) -> Vec<Occurrence> {
        let later = self
            .following(self.anchor())
            .zip(1..)
            .map_while(|((local, due), index)| self.bounded(index, local, due))
            .map(|(_, due)| due);
        std::iter::once(self.current)
            .chain(later)
            .take(limit)
            .collect()
    }

    /// Whether the rule (without COUNT and UNTIL) has any occurrence after
    /// the current one, up to year 9998.
    #[must_use]
    pub fn has_next_ignoring_bounds(&self) -> bool {
        self.following(self.anchor()).next().is_some()
    }

    /// The current occurrence in local time: the series' DTSTART. After an
    /// occurrence a DST gap moved (02:30 read as 03:30), the series goes on
    /// at 03:30: the due date is the only record of the time of day.
    fn anchor(&self) -> NaiveDateTime {
        self.local(self.current)
    }

    /// An occurrence's wall-clock time in the owner's zone, to the second
    /// (midnight for a date).
    fn local(&self, occurrence: Occurrence) -> NaiveDateTime {
        match occurrence {
            Occurrence::Date(date) => date.and_time(NaiveTime::MIN),
            Occurrence::At(at) => {
                let local = at.with_timezone(&self.tz).naive_local();
                local.with_nanosecond(0).unwrap_or(local)
            }
        }
    }

    /// The occurrences of the series started at `start` (local), after it,
    /// each with its local time, in the current occurrence's form, up to year 9998.
    fn following(
        &self,
        start: NaiveDateTime,
    ) -> impl Iterator<Item = (NaiveDateTime, Occurrence)> + '_ {
        expand::after(self.rule, start).map_while(move |local| match self.current {
            Occurrence::Date(_) => Some((local, Occurrence::Date(local.date()))),
            Occurrence::At(_) => expand::instant(self.tz, local)
                .filter(|at| at.year() <= expand::MAX_YEAR)
                .map(|at| (local, Occurrence::At(at))),
        })
    }

    /// `(index, occurrence)` when the occurrence `index` places after the
    /// current one (number `done + 1 + index`) is within COUNT and UNTIL.
    fn bounded(
        &self,
        index: u32,
        local: NaiveDateTime,
        due: Occurrence,
    ) -> Option<(u32, Occurrence)> {
        let number = self.done.saturating_add(1).saturating_add(index);
        let within_count = self.rule.count().is_none_or(|count| number <= count);
        let within_until = self
            .rule
            .until()
            .is_none_or(|until| until.admits(local, due, self.tz));
        (within_count && within_until).then_some((index, due))
    }
}
