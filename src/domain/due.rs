//! A task's due date: a calendar date, or an instant, with its OpenAPI schema.
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, SubsecRound, TimeZone, Utc};
use utoipa::{
    openapi::{
        schema::{OneOfBuilder, Schema},
        KnownFormat, RefOr,
    },
    PartialSchema,
};

use super::{
    account::Timezone,
    schema::{component, dated},
};

/// Years 1000–9998 (`DueDate::parse`): the years outside are the sort sentinels.
const DATE_YEARS: &str = r"^(1\d{3}|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-";
/// Years 1001–9997 for a date-time: whatever its offset, its UTC year is in 1000–9998.
const DATE_TIME_YEARS: &str =
    r"^(100[1-9]|10[1-9]\d|1[1-9]\d{2}|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-7])-";

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

impl PartialSchema for DueDate {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(dated(
                KnownFormat::Date,
                DATE_YEARS,
                "a date, YYYY-MM-DD: due at the end of that day in the owner's timezone",
            ))
            .item(dated(
                KnownFormat::DateTime,
                DATE_TIME_YEARS,
                "an RFC 3339 date-time with an offset; returned normalized to UTC",
            ))
            .description(Some(
                "A date or a date-time, years 1000 to 9998. A date is returned as a date.",
            ))
            .into()
    }
}
component!(DueDate, "DueDate");
