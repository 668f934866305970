use chrono::{NaiveDate, TimeZone, Utc};
use taskforge::domain::{
    account::Timezone,
    task::{end_of_day, DueDate, Priority, Status, TaskDescription, TaskTitle},
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn title_is_trimmed() {
    assert_eq!(
        TaskTitle::parse("  Write report \n").unwrap().into_inner(),
        "Write report"
    );
}

#[test]
fn title_must_not_be_blank() {
    assert!(TaskTitle::parse("").is_err());
    assert!(TaskTitle::parse(" \t\n ").is_err());
}

#[test]
fn title_counts_characters_not_bytes() {
    assert!(TaskTitle::parse(&"ü".repeat(200)).is_ok());
    assert!(TaskTitle::parse(&"ü".repeat(201)).is_err());
    assert!(TaskTitle::parse(&format!("  {}  ", "a".repeat(200))).is_ok());
}

#[test]
fn description_allows_up_to_10000_characters_and_empty() {
    assert!(TaskDescription::parse("").is_ok());
    assert!(TaskDescription::parse(&"é".repeat(10_000)).is_ok());
    assert!(TaskDescription::parse(&"a".repeat(10_001)).is_err());
}

#[test]
fn status_parses_exact_names_only() {
    assert_eq!(Status::parse("in_progress"), Ok(Status::InProgress));
    assert!(Status::parse("Complete").is_err());
    assert!(Status::parse("done").is_err());
}

#[test]
fn status_ranks_follow_the_workflow() {
    let ranks: Vec<i16> = Status::ALL.iter().map(|s| s.rank()).collect();
    assert_eq!(ranks, vec![0, 1, 2]);
    for status in Status::ALL {
        assert_eq!(Status::from_rank(status.rank()), status);
        assert_eq!(Status::parse(status.as_str()), Ok(status));
    }
}

#[test]
fn priority_ranks_follow_urgency_and_default_is_medium() {
    assert!(Priority::Low.rank() < Priority::Medium.rank());
    assert!(Priority::High.rank() < Priority::Urgent.rank());
    assert_eq!(Priority::default(), Priority::Medium);
    for priority in Priority::ALL {
        assert_eq!(Priority::from_rank(priority.rank()), priority);
        assert_eq!(Priority::parse(priority.as_str()), Ok(priority));
    }
    assert!(Priority::parse("critical").is_err());
}

#[test]
fn due_date_accepts_a_calendar_date() {
    assert_eq!(
        DueDate::parse("2026-12-01"),
        Ok(DueDate::Date(date(2026, 12, 1)))
    );
}

#[test]
fn due_date_normalises_offsets_to_utc() {
    let due = DueDate::parse("2026-12-01T18:30:00+01:30").unwrap();
    assert_eq!(
        due,
        DueDate::At(Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap())
    );
}

#[test]
fn due_date_rejects_impossible_and_partial_values() {
    for bad in [
        "2026-02-30",
        "2026-12-01T25:00:00Z",
        "2026-12-01T10:00:00",
        "tomorrow",
        "",
        "2026-1-1",
    ] {
        assert!(DueDate::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn date_only_due_is_the_last_second_of_the_day_in_the_owner_timezone() {
    let berlin = Timezone::parse("Europe/Berlin").unwrap();
    let winter = DueDate::Date(date(2026, 12, 1)).due_at(berlin);
    assert_eq!(
        winter,
        Utc.with_ymd_and_hms(2026, 12, 1, 22, 59, 59).unwrap()
    );
    let utc = Timezone::parse("UTC").unwrap();
    assert_eq!(
        DueDate::Date(date(2026, 12, 1)).due_at(utc),
        Utc.with_ymd_and_hms(2026, 12, 1, 23, 59, 59).unwrap()
    );
}

#[test]
fn end_of_day_follows_daylight_saving_time() {
    let new_york = Timezone::parse("America/New_York").unwrap();
    // 8 March 2026: clocks go forward at 02:00 (EST -5 → EDT -4).
    assert_eq!(
        end_of_day(date(2026, 3, 8), new_york),
        Utc.with_ymd_and_hms(2026, 3, 9, 3, 59, 59).unwrap()
    );
    assert_eq!(
        end_of_day(date(2026, 3, 7), new_york),
        Utc.with_ymd_and_hms(2026, 3, 8, 4, 59, 59).unwrap()
    );
}

#[test]
fn date_time_due_ignores_the_timezone() {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap();
    let tokyo = Timezone::parse("Asia/Tokyo").unwrap();
    assert_eq!(DueDate::At(at).due_at(tokyo), at);
    assert_eq!(DueDate::At(at).date(), None);
}

#[test]
fn due_dates_stay_clear_of_the_no_due_date_sentinels() {
    assert!(DueDate::parse("9999-12-31T23:59:59Z").is_err());
    assert!(DueDate::parse("0001-01-01").is_err());
    assert!(DueDate::parse("9998-12-31").is_ok());
    assert!(DueDate::parse("1000-01-01T00:00:00Z").is_ok());
}
