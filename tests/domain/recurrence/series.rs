//! Advancing a series and listing its occurrences: dates, times across DST,
//! month ends, weekdays, and where a completed series starts again.
use chrono_tz::{Europe::Berlin, Tz, UTC};

use super::{at, instant, on, rule, series};
use taskforge::domain::recurrence::{Occurrence, RepeatFrom};

/// The new due date and `done` of a completion at `completed` (RFC 3339).
fn advanced(
    rule_text: &str,
    current: Occurrence,
    tz: Tz,
    from: RepeatFrom,
    completed: &str,
) -> Option<(Occurrence, u32)> {
    let rule = rule(rule_text);
    let advance = series(&rule, current, tz, 0).advance(from, instant(completed))?;
    Some((advance.due, advance.done))
}

fn upcoming(rule_text: &str, current: Occurrence, tz: Tz, limit: usize) -> Vec<Occurrence> {
    series(&rule(rule_text), current, tz, 0).upcoming(limit)
}

#[test]
fn a_date_only_daily_task_done_on_time_late_or_early_is_next_due_after_the_completion() {
    let due = on("2025-03-10");
    let done = |completed| advanced("FREQ=DAILY", due, Berlin, RepeatFrom::Due, completed);
    assert_eq!(done("2025-03-10T15:00:00Z"), Some((on("2025-03-11"), 1)));
    // Late: the four missed days are skipped and counted.
    assert_eq!(done("2025-03-14T15:00:00Z"), Some((on("2025-03-15"), 5)));
    // Early: still after the current due date.
    assert_eq!(done("2025-03-08T15:00:00Z"), Some((on("2025-03-11"), 1)));
    // 23:30Z is already the 11th in Berlin.
    assert_eq!(done("2025-03-10T23:30:00Z"), Some((on("2025-03-12"), 2)));
}

#[test]
fn a_daily_0900_berlin_task_stays_0900_across_both_dst_changes() {
    let next = |due| advanced("FREQ=DAILY", at(due), Berlin, RepeatFrom::Due, due);
    assert_eq!(
        next("2025-03-29T08:00:00Z"),
        Some((at("2025-03-30T07:00:00Z"), 1))
    );
    assert_eq!(
        next("2025-10-25T07:00:00Z"),
        Some((at("2025-10-26T08:00:00Z"), 1))
    );
    assert_eq!(
        upcoming("FREQ=DAILY", at("2025-03-29T08:00:00Z"), Berlin, 3),
        [
            at("2025-03-29T08:00:00Z"),
            at("2025-03-30T07:00:00Z"),
            at("2025-03-31T07:00:00Z")
        ]
    );
}

#[test]
fn a_0230_daily_task_is_at_0330_on_the_day_the_clocks_skip_0230() {
    assert_eq!(
        upcoming("FREQ=DAILY", at("2025-03-29T01:30:00Z"), Berlin, 3),
        // 02:30 CET; 02:30 does not exist, read as +01:00 (03:30 CEST); 02:30 CEST.
        [
            at("2025-03-29T01:30:00Z"),
            at("2025-03-30T01:30:00Z"),
            at("2025-03-31T00:30:00Z")
        ]
    );
}

#[test]
fn a_0230_daily_task_is_at_the_first_0230_on_the_day_the_clocks_repeat_it() {
    assert_eq!(
        upcoming("FREQ=DAILY", at("2025-10-25T00:30:00Z"), Berlin, 3),
        [
            at("2025-10-25T00:30:00Z"),
            at("2025-10-26T00:30:00Z"),
            at("2025-10-27T01:30:00Z")
        ]
    );
}

#[test]
fn bymonthday_31_skips_the_months_without_a_31st() {
    let days = [
        "2025-01-31",
        "2025-03-31",
        "2025-05-31",
        "2025-07-31",
        "2025-08-31",
    ];
    assert_eq!(
        upcoming("FREQ=MONTHLY;BYMONTHDAY=31", on(days[0]), UTC, 5),
        days.map(on)
    );
}

#[test]
fn bymonthday_minus_1_is_each_months_last_day_including_february() {
    let leap = ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"];
    assert_eq!(
        upcoming("FREQ=MONTHLY;BYMONTHDAY=-1", on(leap[0]), UTC, 4),
        leap.map(on)
    );
    let common = ["2025-01-31", "2025-02-28"];
    assert_eq!(
        upcoming("FREQ=MONTHLY;BYMONTHDAY=-1", on(common[0]), UTC, 2),
        common.map(on)
    );
}

#[test]
fn a_yearly_task_on_february_29_is_next_due_in_the_next_leap_year() {
    let next = |due| {
        advanced(
            "FREQ=YEARLY",
            on(due),
            UTC,
            RepeatFrom::Due,
            "2000-01-01T00:00:00Z",
        )
    };
    assert_eq!(next("2024-02-29"), Some((on("2028-02-29"), 1)));
    // 2100 is not a leap year.
    assert_eq!(next("2096-02-29"), Some((on("2104-02-29"), 1)));
}

#[test]
fn the_last_friday_of_each_month() {
    let days = [
        "2025-01-31",
        "2025-02-28",
        "2025-03-28",
        "2025-04-25",
        "2025-05-30",
    ];
    assert_eq!(
        upcoming("FREQ=MONTHLY;BYDAY=-1FR", on(days[0]), UTC, 5),
        days.map(on)
    );
}

#[test]
fn mondays_and_fridays() {
    let days = ["2025-03-03", "2025-03-07", "2025-03-10", "2025-03-14"];
    assert_eq!(
        upcoming("FREQ=WEEKLY;BYDAY=MO,FR", on(days[0]), UTC, 4),
        days.map(on)
    );
}

#[test]
fn a_due_date_off_the_rule_is_still_the_first_occurrence() {
    // A Wednesday, then Mondays (RFC 5545 3.8.5.3: DTSTART is the first instance).
    let days = ["2025-03-05", "2025-03-10", "2025-03-17"];
    assert_eq!(
        upcoming("FREQ=WEEKLY;BYDAY=MO", on(days[0]), UTC, 3),
        days.map(on)
    );
    // Every other week, counted from the due date's week.
    let days = ["2025-03-05", "2025-03-17", "2025-03-31"];
    assert_eq!(
        upcoming("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", on(days[0]), UTC, 3),
        days.map(on)
    );
}

#[test]
fn upcoming_lists_both_forms_and_nothing_for_a_limit_of_0() {
    assert_eq!(
        upcoming("FREQ=WEEKLY", at("2025-03-03T17:45:00Z"), Berlin, 2),
        [at("2025-03-03T17:45:00Z"), at("2025-03-10T17:45:00Z")]
    );
    assert_eq!(
        upcoming("FREQ=DAILY", on("2025-03-03"), Berlin, 2),
        [on("2025-03-03"), on("2025-03-04")]
    );
    assert!(upcoming("FREQ=DAILY", on("2025-03-03"), Berlin, 0).is_empty());
}

#[test]
fn repeating_from_completion_starts_again_on_the_completion_date() {
    let from_completion = |rule_text, due, completed| {
        advanced(rule_text, due, Berlin, RepeatFrom::Completion, completed)
    };
    // Early: due Thursday the 20th, done Wednesday the 5th: due two weeks
    // after the 5th, a Wednesday, earlier than before.
    assert_eq!(
        from_completion(
            "FREQ=WEEKLY;INTERVAL=2",
            on("2025-03-20"),
            "2025-03-05T12:00:00Z"
        ),
        Some((on("2025-03-19"), 1))
    );
    // Late, date-only.
    assert_eq!(
        from_completion(
            "FREQ=DAILY;INTERVAL=2",
            on("2025-03-10"),
            "2025-03-15T12:00:00Z"
        ),
        Some((on("2025-03-17"), 1))
    );
    // Late, 09:00 local kept, across the March change.
    assert_eq!(
        from_completion(
            "FREQ=DAILY;INTERVAL=2",
            at("2025-03-10T08:00:00Z"),
            "2025-03-29T20:00:00Z"
        ),
        Some((at("2025-03-31T07:00:00Z"), 1))
    );
    // Early, date-time: done the evening before, at 00:30 local on the 15th.
    assert_eq!(
        from_completion(
            "FREQ=DAILY",
            at("2025-03-20T08:00:00Z"),
            "2025-03-14T23:30:00Z"
        ),
        Some((at("2025-03-16T08:00:00Z"), 1))
    );
    // A monthly task restarts on the completion's day of the month.
    assert_eq!(
        from_completion("FREQ=MONTHLY", on("2025-03-31"), "2025-03-01T12:00:00Z"),
        Some((on("2025-04-01"), 1))
    );
}

#[test]
fn a_timed_task_done_late_or_early_is_next_due_after_both_due_date_and_completion() {
    let due = at("2025-03-10T08:00:00Z");
    let done = |completed| advanced("FREQ=DAILY", due, Berlin, RepeatFrom::Due, completed);
    // 11:00 on the 12th: the 11th and 12th at 09:00 are missed.
    assert_eq!(
        done("2025-03-12T10:00:00Z"),
        Some((at("2025-03-13T08:00:00Z"), 3))
    );
    // 08:59 on the 12th: the 12th at 09:00 is still ahead.
    assert_eq!(
        done("2025-03-12T07:59:00Z"),
        Some((at("2025-03-12T08:00:00Z"), 2))
    );
    assert_eq!(
        done("2025-03-01T10:00:00Z"),
        Some((at("2025-03-11T08:00:00Z"), 1))
    );
}

#[test]
fn wkst_decides_which_weeks_an_every_other_week_rule_keeps() {
    // RFC 5545 3.8.5.3, the WKST example.
    let monday = ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"];
    let sunday = ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"];
    let rule = "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=";
    assert_eq!(
        upcoming(&format!("{rule}MO"), on(monday[0]), UTC, 9),
        monday.map(on)
    );
    assert_eq!(
        upcoming(&format!("{rule}SU"), on(sunday[0]), UTC, 9),
        sunday.map(on)
    );
}

#[test]
fn bysetpos_picks_the_last_weekday_of_each_month() {
    let days = ["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"];
    let rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1";
    assert_eq!(upcoming(rule, on(days[0]), UTC, 4), days.map(on));
}
