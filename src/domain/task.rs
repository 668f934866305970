//! Task values: title, description, status, priority, due date.
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, SubsecRound, TimeZone, Utc};

use super::account::Timezone;

/// A task title: 1–200 characters after trimming; stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub const MAX: usize = 200;

    /// # Errors
    /// A message when blank or longer than 200 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be blank".into());
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(format!("must be at most {} characters", Self::MAX));
        }
        Ok(Self(trimmed.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A task description: up to 10,000 characters, stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDescription(String);

impl TaskDescription {
    pub const MAX: usize = 10_000;

    /// # Errors
    /// A message when longer than 10,000 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() > Self::MAX {
            return Err(format!("must be at most {} characters", Self::MAX));
        }
        Ok(Self(raw.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Workflow status. Stored as its rank so that sorting follows the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Status {
    #[default]
    Incomplete,
    InProgress,
    Complete,
}

impl Status {
    pub const ALL: [Self; 3] = [Self::Incomplete, Self::InProgress, Self::Complete];

    /// # Errors
    /// A message listing the allowed values.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| "must be one of incomplete, in_progress, complete".to_string())
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::InProgress => "in_progress",
            Self::Complete => "complete",
        }
    }

    #[must_use]
    pub const fn rank(self) -> i16 {
        self as i16
    }

    #[must_use]
    pub fn from_rank(rank: i16) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.rank() == rank)
            .unwrap_or_default()
    }
}

/// Priority. Stored as its urgency rank: low 0 → urgent 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Urgent];

    /// # Errors
    /// A message listing the allowed values.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| "must be one of low, medium, high, urgent".to_string())
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    #[must_use]
    pub const fn rank(self) -> i16 {
        self as i16
    }

    #[must_use]
    pub fn from_rank(rank: i16) -> Self {
        Self::ALL
            .into_iter()
            .find(|p| p.rank() == rank)
            .unwrap_or_default()
    }
}

/// Due dates are kept clear of the sentinels that sort "no due date" last.
pub const MIN_YEAR: i32 = 1000;
pub const MAX_YEAR: i32 = 9998;

/// A due date as the client gave it: a calendar date, or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueDate {
    /// Due at the end of that day in the owner's timezone; returned as a date.
    Date(NaiveDate),
    /// Due at that instant (second precision); returned in UTC.
    At(DateTime<Utc>),
}

impl DueDate {
    /// Accepts `YYYY-MM-DD` or an RFC 3339 date-time with any offset.
    ///
    /// # Errors
    /// A message when the text is neither, or the year is outside 1000–9998.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let due = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(date) if raw.len() == 10 => Self::Date(date),
            _ => DateTime::parse_from_rfc3339(raw)
                .map(|dt| Self::At(dt.with_timezone(&Utc).trunc_subsecs(0)))
                .map_err(|_| "must be a date (YYYY-MM-DD) or an RFC 3339 date-time".to_string())?,
        };
        let year = match due {
            Self::Date(d) => d.year(),
            Self::At(at) => at.year(),
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(format!(
                "must be between the years {MIN_YEAR} and {MAX_YEAR}"
            ));
        }
        Ok(due)
    }

    /// The instant the task falls due: for a date, the last second of that
    /// day in `timezone` (so `due_before=<next day>` includes it).
    #[must_use]
    pub fn due_at(self, timezone: Timezone) -> DateTime<Utc> {
        match self {
            Self::At(at) => at,
            Self::Date(date) => end_of_day(date, timezone),
        }
    }

    /// The calendar date for a date-only due date.
    #[must_use]
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Self::Date(d) => Some(d),
            Self::At(_) => None,
        }
    }
}

/// The last second (23:59:59) of `date` in `timezone`. Where a DST jump removes
/// that wall-clock time, the instant just before the next day starts.
#[must_use]
pub fn end_of_day(date: NaiveDate, timezone: Timezone) -> DateTime<Utc> {
    let tz = timezone.tz();
    let last_second = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    if let Some(at) = tz.from_local_datetime(&last_second).latest() {
        return at.with_timezone(&Utc);
    }
    let next_day = date.succ_opt().unwrap_or(date).and_time(NaiveTime::MIN);
    tz.from_local_datetime(&next_day).earliest().map_or_else(
        || Utc.from_utc_datetime(&last_second),
        |at| at.with_timezone(&Utc) - Duration::seconds(1),
    )
}
