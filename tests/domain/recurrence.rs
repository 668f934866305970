//! Tests of `domain::recurrence` (the RRULE subset and its series), with the helpers they share.
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use taskforge::domain::recurrence::{Occurrence, Rule, Series};

mod bounds;
mod rules;
mod series;

/// A rule that must parse.
fn rule(raw: &str) -> Rule {
    Rule::parse(raw).unwrap_or_else(|message| panic!("{raw}: {message}"))
}

/// The message a rule is refused with.
fn refusal(raw: &str) -> String {
    Rule::parse(raw).expect_err(raw)
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect(text)
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect(text)
        .with_timezone(&Utc)
}

/// A date-only occurrence, `YYYY-MM-DD`.
fn on(text: &str) -> Occurrence {
    Occurrence::Date(date(text))
}

/// An occurrence at an RFC 3339 instant.
fn at(text: &str) -> Occurrence {
    Occurrence::At(instant(text))
}

/// The series of `rule` at `current`, in `tz`, `done` occurrences in.
fn series(rule: &Rule, current: Occurrence, tz: Tz, done: u32) -> Series<'_> {
    Series {
        rule,
        current,
        tz,
        done,
    }
}
