//! The values of a rule's parts: FREQ, numbers, lists, weekdays and UNTIL.
use chrono::{DateTime, Datelike, Month, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use rrule::{Frequency, NWeekday};

use super::Occurrence;
use crate::domain::due::{MAX_YEAR, MIN_YEAR};

/// An UNTIL in one of its three forms (RFC 5545 3.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Until {
    /// `YYYYMMDD`: occurrences through that local date.
    Date(NaiveDate),
    /// `YYYYMMDDTHHMMSSZ`: occurrences through that instant.
    Utc(DateTime<Utc>),
    /// `YYYYMMDDTHHMMSS`: occurrences through that wall-clock time in the owner's zone.
    Floating(NaiveDateTime),
}

impl Until {
    /// Reads `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ` (upper case), years 1000–9998.
    pub(super) fn parse(value: &str) -> Result<Self, String> {
        let bad = || {
            "UNTIL must be a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSS, or YYYYMMDDTHHMMSSZ in UTC)"
                .to_string()
        };
        let date = value.get(..8).and_then(date).ok_or_else(bad)?;
        let until = match value.get(8..).ok_or_else(bad)? {
            "" => Self::Date(date),
            rest => {
                let (time, utc) = rest
                    .strip_suffix('Z')
                    .map_or((rest, false), |time| (time, true));
                let time = time
                    .strip_prefix('T')
                    .and_then(time_of_day)
                    .ok_or_else(bad)?;
                if utc {
                    Self::Utc(date.and_time(time).and_utc())
                } else {
                    Self::Floating(date.and_time(time))
                }
            }
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
            return Err(format!(
                "UNTIL must be between the years {MIN_YEAR} and {MAX_YEAR}"
            ));
        }
        Ok(until)
    }

    /// Whether the occurrence at wall-clock time `local` (`at` in `tz`) is not later than this UNTIL.
    pub(super) fn admits(self, local: NaiveDateTime, at: Occurrence, tz: chrono_tz::Tz) -> bool {
        match (self, at) {
            (Self::Date(until), _) => local.date() <= until,
            (Self::Utc(until), Occurrence::At(at)) => at <= until,
            (Self::Utc(until), Occurrence::Date(date)) => {
                date <= until.with_timezone(&tz).date_naive()
            }
            (Self::Floating(until), Occurrence::At(_)) => local <= until,
            (Self::Floating(until), Occurrence::Date(date)) => date <= until.date(),
        }
    }
}

/// `YYYYMMDD` as a calendar date.
fn date(text: &str) -> Option<NaiveDate> {
    let field = |from: usize, to: usize| integer(text.get(from..to)?, false, to - from);
    if text.len() != 8 {
        return None;
    }
    let month = u32::try_from(field(4, 6)?).ok()?;
    let day = u32::try_from(field(6, 8)?).ok()?;
    NaiveDate::from_ymd_opt(field(0, 4)?, month, day)
}

/// `HHMMSS` as a time of day (no leap second).
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let field = |from: usize| u32::try_from(integer(text.get(from..from + 2)?, false, 2)?).ok();
    if text.len() != 6 {
        return None;
    }
    NaiveTime::from_hms_opt(field(0)?, field(2)?, field(4)?)
}

/// FREQ: DAILY, WEEKLY, MONTHLY or YEARLY.
pub(super) fn frequency(value: &str) -> Result<Frequency, String> {
    Ok(match value {
        "DAILY" => Frequency::Daily,
        "WEEKLY" => Frequency::Weekly,
        "MONTHLY" => Frequency::Monthly,
        "YEARLY" => Frequency::Yearly,
        _ => return Err("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY".to_string()),
    })
}

/// INTERVAL or COUNT: a whole number from 1 to 1000.
pub(super) fn up_to_1000(value: &str, name: &str) -> Result<u16, String> {
    integer(value, false, 9)
        .and_then(|number| u16::try_from(number).ok())
        .filter(|number| (1..=1000).contains(number))
        .ok_or_else(|| format!("{name} must be a whole number from 1 to 1000"))
}

/// Each item of a comma-separated list, or `message` when one is not valid.
fn list<T>(value: &str, message: &str, item: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    value
        .split(',')
        .map(|text| item(text).ok_or_else(|| message.to_string()))
        .collect()
}

/// BYDAY: weekdays, with ordinals (`1MO`, `-1FR`) only in MONTHLY and
/// YEARLY rules (RFC 5545 3.3.10), in the ranges the crate accepts.
pub(super) fn by_day(value: &str, freq: Frequency) -> Result<Vec<NWeekday>, String> {
    let (lowest, highest) = if freq == Frequency::Monthly {
        (-4, 5)
    } else {
        (-52, 53)
    };
    let bad = || {
        "BYDAY must list weekdays (MO, TU, WE, TH, FR, SA, SU), each with an optional ordinal like 1MO or -1FR"
            .to_string()
    };
    let item = |item: &str| {
        let at = item.len().checked_sub(2).ok_or_else(bad)?;
        let day = item.get(at..).and_then(weekday).ok_or_else(bad)?;
        let ordinal = item.get(..at).ok_or_else(bad)?;
        if ordinal.is_empty() {
            return Ok(NWeekday::Every(day));
        }
        let number = integer(ordinal, true, 2)
            .filter(|n| *n != 0)
            .ok_or_else(bad)?;
        if matches!(freq, Frequency::Daily | Frequency::Weekly) {
            return Err(
                "BYDAY ordinals like 1MO are only allowed with FREQ=MONTHLY or YEARLY".to_string(),
            );
        }
        i16::try_from(number)
            .ok()
            .filter(|n| (lowest..=highest).contains(n))
            .map(|n| NWeekday::Nth(n, day))
            .ok_or_else(|| {
                format!(
                    "BYDAY ordinals with FREQ={freq} must be from {lowest} to -1 or 1 to {highest}"
                )
            })
    };
    value.split(',').map(item).collect()
}

/// BYMONTHDAY: days 1 to 31 or -31 to -1 (from the month's end), not in a
/// WEEKLY rule (RFC 5545 3.3.10).
pub(super) fn by_month_day(value: &str, freq: Frequency) -> Result<Vec<i8>, String> {
    if freq == Frequency::Weekly {
        return Err("BYMONTHDAY is not allowed with FREQ=WEEKLY".to_string());
    }
    list(
        value,
        "BYMONTHDAY must list days of the month from 1 to 31 or -31 to -1",
        |item| {
            integer(item, true, 2)
                .filter(|n| *n != 0 && n.abs() <= 31)
                .and_then(|n| i8::try_from(n).ok())
        },
    )
}

/// BYMONTH: months 1 to 12.
pub(super) fn by_month(value: &str) -> Result<Vec<Month>, String> {
    list(value, "BYMONTH must list months from 1 to 12", |item| {
        integer(item, false, 2)
            .and_then(|n| u8::try_from(n).ok())
            .and_then(|n| Month::try_from(n).ok())
    })
}

/// BYSETPOS: positions within each period, in the ranges the crate accepts.
pub(super) fn by_set_pos(value: &str, freq: Frequency) -> Result<Vec<i32>, String> {
    let limit = match freq {
        Frequency::Monthly => 31,
        Frequency::Weekly => 53,
        _ => 366,
    };
    let message = format!(
        "BYSETPOS with FREQ={freq} must list positions from 1 to {limit} or -{limit} to -1"
    );
    list(value, &message, |item| {
        integer(item, true, 3).filter(|n| *n != 0 && n.abs() <= limit)
    })
}

/// A whole number of 1 to `max_digits` ASCII digits, with an optional `+`
/// or `-` sign when `signed`.
fn integer(text: &str, signed: bool, max_digits: usize) -> Option<i32> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) if signed => (true, digits),
        _ => match text.strip_prefix('+') {
            Some(digits) if signed => (false, digits),
            _ => (false, text),
        },
    };
    if digits.is_empty() || digits.len() > max_digits || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let number: i32 = digits.parse().ok()?;
    Some(if negative { -number } else { number })
}

/// A two-letter weekday, `MO` to `SU`.
pub(super) fn weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}
