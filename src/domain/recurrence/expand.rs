//! The series' dates from the `rrule` crate, expanded in floating local time,
//! and the instants those local times stand for in the owner's zone.
use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use rrule::RRuleSet;

use super::Rule;

/// The last year of a series: a due date's last year.
pub(super) use crate::domain::due::MAX_YEAR;

/// The rule's dates strictly after `anchor`, ascending, in floating local
/// time, up to the end of [`MAX_YEAR`]; `anchor` is the series' DTSTART.
///
/// The crate expands in `rrule::Tz::UTC` (so no zone shifts a wall-clock
/// time), without COUNT and UNTIL, with its iteration limit on: after
/// 100,000 loops without a date it logs a warning and stops, as it does at
/// its year limit, so a rule that never matches again ends the dates.
pub(super) fn after(rule: &Rule, anchor: NaiveDateTime) -> impl Iterator<Item = NaiveDateTime> {
    let start = rrule::Tz::UTC.from_utc_datetime(&anchor);
    let dates = rule
        .template()
        .clone()
        .validate(start)
        .ok()
        .map(|validated| (&RRuleSet::new(start).rrule(validated).limit()).into_iter());
    dates
        .into_iter()
        .flatten()
        .map(|date| date.naive_utc())
        // RFC 5545 3.8.5.3: DTSTART is the first instance whether or not it
        // matches the rule; the crate yields it only when it matches.
        .skip_while(move |local| *local <= anchor)
        .take_while(|local| local.year() <= MAX_YEAR)
}

/// The instant of the wall-clock time `local` in `tz`: the earlier one when
/// the time occurs twice, and, when it does not occur (a gap), the time read
/// with the UTC offset in effect before the gap. None only past chrono's range.
pub(super) fn instant(tz: chrono_tz::Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    // RFC 5545 3.3.5: an ambiguous local time is the first of its two
    // instants; a nonexistent one is read with the offset before the gap
    // (02:30 in a 02:00–03:00 gap is 03:30 after it).
    if let Some(at) = tz.from_local_datetime(&local).earliest() {
        return Some(at.with_timezone(&Utc));
    }
    // `local` less a day, read as UTC, is an instant before the transition
    // that opened the gap (no UTC offset reaches a day), so its offset is the
    // one before the gap.
    let before = tz.offset_from_utc_datetime(&local.checked_sub_signed(TimeDelta::days(1))?);
    local
        .checked_sub_offset(before.fix())
        .map(|utc| utc.and_utc())
}
