//! Where a series ends: COUNT, UNTIL, year 9998, and rules that cannot advance.
use chrono_tz::{Europe::Berlin, Pacific::Honolulu, UTC};

use super::{at, instant, on, rule, series};
use taskforge::domain::recurrence::RepeatFrom;

#[test]
fn count_ends_the_series_at_its_last_occurrence() {
    let rule = rule("FREQ=DAILY;COUNT=3");
    let on_time = |due, done| {
        series(&rule, on(due), UTC, done)
            .advance(RepeatFrom::Due, instant(&format!("{due}T12:00:00Z")))
            .map(|advance| (advance.due, advance.done))
    };
    assert_eq!(on_time("2025-03-10", 0), Some((on("2025-03-11"), 1)));
    assert_eq!(on_time("2025-03-11", 1), Some((on("2025-03-12"), 2)));
    assert_eq!(on_time("2025-03-12", 2), None);
    assert_eq!(
        series(&rule, on("2025-03-10"), UTC, 0).upcoming(10),
        ["2025-03-10", "2025-03-11", "2025-03-12"].map(on)
    );
    assert_eq!(
        series(&rule, at("2025-03-11T09:00:00Z"), UTC, 1)
            .upcoming(10)
            .len(),
        2
    );
}

#[test]
fn skipped_occurrences_count_toward_count() {
    let rule = rule("FREQ=DAILY;COUNT=5");
    let late = |completed: &str| {
        series(&rule, on("2025-03-10"), UTC, 0)
            .advance(RepeatFrom::Due, instant(completed))
            .map(|advance| (advance.due, advance.done))
    };
    // The 11th and 12th are skipped: the 13th is the 4th occurrence.
    assert_eq!(late("2025-03-12T12:00:00Z"), Some((on("2025-03-13"), 3)));
    // The 15th would be the 6th.
    assert_eq!(late("2025-03-14T12:00:00Z"), None);
}

#[test]
fn a_restarted_series_occurrence_is_the_next_number_toward_count() {
    let rule = rule("FREQ=DAILY;COUNT=2");
    let restart = |done| {
        series(&rule, on("2025-03-10"), UTC, done)
            .advance(RepeatFrom::Completion, instant("2025-03-20T12:00:00Z"))
            .map(|advance| (advance.due, advance.done))
    };
    assert_eq!(restart(0), Some((on("2025-03-21"), 1)));
    assert_eq!(restart(1), None);
}

#[test]
fn until_as_a_date_a_utc_time_or_a_local_time_is_the_last_allowed_moment() {
    // 09:00 in Berlin is 08:00Z in March.
    let last = |rule_text: &str| {
        series(&rule(rule_text), at("2025-03-10T08:00:00Z"), Berlin, 0)
            .upcoming(10)
            .last()
            .copied()
    };
    assert_eq!(
        last("FREQ=DAILY;UNTIL=20250312"),
        Some(at("2025-03-12T08:00:00Z"))
    );
    assert_eq!(
        last("FREQ=DAILY;UNTIL=20250312T080000Z"),
        Some(at("2025-03-12T08:00:00Z"))
    );
    assert_eq!(
        last("FREQ=DAILY;UNTIL=20250312T075959Z"),
        Some(at("2025-03-11T08:00:00Z"))
    );
    assert_eq!(
        last("FREQ=DAILY;UNTIL=20250312T090000"),
        Some(at("2025-03-12T08:00:00Z"))
    );
    assert_eq!(
        last("FREQ=DAILY;UNTIL=20250312T085959"),
        Some(at("2025-03-11T08:00:00Z"))
    );
    // A date-only series compares local dates: 23:00Z is the 12th in Berlin.
    let dates =
        |rule_text: &str| series(&rule(rule_text), on("2025-03-10"), Berlin, 0).upcoming(10);
    assert_eq!(
        dates("FREQ=DAILY;UNTIL=20250311T230000Z").last(),
        Some(&on("2025-03-12"))
    );
    assert_eq!(
        dates("FREQ=DAILY;UNTIL=20250312T000000").last(),
        Some(&on("2025-03-12"))
    );
    assert_eq!(dates("FREQ=DAILY;UNTIL=20250312").len(), 3);
}

#[test]
fn until_ends_advancing_but_never_hides_the_current_occurrence() {
    let rule = rule("FREQ=DAILY;UNTIL=20250311");
    let completed = instant("2025-03-11T12:00:00Z");
    assert!(series(&rule, on("2025-03-11"), UTC, 1)
        .advance(RepeatFrom::Due, completed)
        .is_none());
    assert!(series(&rule, on("2025-03-11"), UTC, 1)
        .advance(RepeatFrom::Completion, completed)
        .is_none());
    assert_eq!(
        series(&rule, on("2025-03-20"), UTC, 0).upcoming(3),
        [on("2025-03-20")]
    );
}

#[test]
fn nothing_follows_year_9998() {
    let yearly = rule("FREQ=YEARLY");
    let last = series(&yearly, on("9998-06-01"), UTC, 0);
    assert!(last
        .advance(RepeatFrom::Due, instant("9998-06-01T12:00:00Z"))
        .is_none());
    assert_eq!(last.upcoming(3), [on("9998-06-01")]);
    assert!(!last.has_next_ignoring_bounds());
    // 20:00 on 9998-12-31 in Honolulu is 9999-01-01T06:00Z.
    let daily = rule("FREQ=DAILY");
    let evening = series(&daily, at("9998-12-31T06:00:00Z"), Honolulu, 0);
    assert_eq!(evening.upcoming(3), [at("9998-12-31T06:00:00Z")]);
    let completed = instant("9998-12-31T06:00:00Z");
    assert!(evening.advance(RepeatFrom::Completion, completed).is_none());
}

#[test]
fn has_next_ignoring_bounds_tells_whether_the_rule_can_advance_from_the_due_date() {
    let february = rule("FREQ=YEARLY;BYMONTH=2");
    // The day of the month comes from the due date: there is no February 30.
    assert!(!series(&february, on("2025-01-30"), UTC, 0).has_next_ignoring_bounds());
    assert!(series(&february, on("2025-01-28"), UTC, 0).has_next_ignoring_bounds());
    let once = rule("FREQ=DAILY;COUNT=1");
    let only = series(&once, on("2025-03-10"), UTC, 0);
    assert!(only.has_next_ignoring_bounds());
    assert!(only
        .advance(RepeatFrom::Due, instant("2025-03-10T12:00:00Z"))
        .is_none());
}
