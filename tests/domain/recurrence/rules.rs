//! Parsing and normalizing rules, and `RepeatFrom`.
use super::{refusal, rule};
use taskforge::domain::recurrence::{RepeatFrom, Rule};

#[test]
fn names_and_values_are_upper_cased_with_parts_and_items_in_the_order_sent() {
    assert_eq!(
        rule("freq=weekly;byday=mo,fr").as_str(),
        "FREQ=WEEKLY;BYDAY=MO,FR"
    );
    assert_eq!(
        rule("byday=fr,Mo;Interval=2;wkst=su;Freq=Weekly").as_str(),
        "BYDAY=FR,MO;INTERVAL=2;WKST=SU;FREQ=WEEKLY"
    );
    assert_eq!(
        rule("freq=daily;until=20250101t090000z").as_str(),
        "FREQ=DAILY;UNTIL=20250101T090000Z"
    );
}

#[test]
fn the_contracts_examples_and_every_allowed_part_are_accepted() {
    for raw in [
        "FREQ=WEEKLY;BYDAY=MO,FR",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=DAILY;INTERVAL=3;COUNT=10",
        "FREQ=YEARLY;BYMONTH=1,7;BYDAY=1MO,+2TU,-52SU",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1,15,-1",
        "FREQ=WEEKLY;INTERVAL=1000;WKST=SU;UNTIL=20301231",
        "FREQ=DAILY;UNTIL=20301231T235959",
        "FREQ=DAILY;UNTIL=99981231T235959Z",
        "FREQ=DAILY;UNTIL=10000101",
    ] {
        assert_eq!(rule(raw).as_str(), raw);
    }
    assert_eq!(rule("FREQ=DAILY;INTERVAL=3;COUNT=10").count(), Some(10));
    assert_eq!(rule("FREQ=DAILY").count(), None);
}

/// Asserts each rule is refused with its message.
fn assert_refused(cases: &[(&str, &str)]) {
    for (raw, message) in cases {
        assert_eq!(refusal(raw), *message, "{raw}");
    }
}

#[test]
fn a_rule_with_a_bad_shape_is_refused_with_what_is_wrong() {
    let prefix = "must be the rule value without the RRULE: prefix";
    assert_refused(&[
        ("", "must not be empty"),
        ("RRULE:FREQ=DAILY", prefix),
        ("rrule:FREQ=DAILY", prefix),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given more than once"),
        (
            "FREQ=DAILY;BYDAY=MO;byday=TU",
            "BYDAY is given more than once",
        ),
        ("FREQ=DAILY;", "has an empty part (a stray ;)"),
        ("FREQ=DAILY;;COUNT=2", "has an empty part (a stray ;)"),
        ("FREQ=", "FREQ has no value"),
        ("FREQ=DAILY;COUNT", "COUNT is not a NAME=VALUE part"),
        ("=DAILY", "=DAILY is not a NAME=VALUE part"),
        (
            "FREQ=DAILY;COUNT=2;UNTIL=20300101",
            "COUNT and UNTIL cannot be used together",
        ),
    ]);
}

#[test]
fn a_rule_outside_the_subset_is_refused_with_what_is_wrong() {
    let supported =
        "(use FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST, COUNT or UNTIL)";
    let freq = "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY";
    let ordinal = "BYDAY ordinals like 1MO are only allowed with FREQ=MONTHLY or YEARLY";
    assert_refused(&[
        ("INTERVAL=2", "FREQ is required"),
        ("FREQ=HOURLY", freq),
        ("FREQ=SOMETIMES", freq),
        (
            "FREQ=DAILY;BYHOUR=9",
            &format!("BYHOUR is not supported {supported}"),
        ),
        (
            "FREQ=YEARLY;BYYEARDAY=1",
            &format!("BYYEARDAY is not supported {supported}"),
        ),
        (
            "FREQ=YEARLY;BYWEEKNO=1",
            &format!("BYWEEKNO is not supported {supported}"),
        ),
        ("FREQ=DAILY;BYDAY=1MO", ordinal),
        ("FREQ=WEEKLY;BYDAY=MO,-1FR", ordinal),
        (
            "FREQ=WEEKLY;BYMONTHDAY=1",
            "BYMONTHDAY is not allowed with FREQ=WEEKLY",
        ),
        (
            "FREQ=MONTHLY;BYSETPOS=1",
            "BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH in the rule too",
        ),
    ]);
}

#[test]
fn a_rule_with_a_bad_value_is_refused_with_what_is_wrong() {
    let interval = "INTERVAL must be a whole number from 1 to 1000";
    let count = "COUNT must be a whole number from 1 to 1000";
    let byday = "BYDAY must list weekdays (MO, TU, WE, TH, FR, SA, SU), \
                 each with an optional ordinal like 1MO or -1FR";
    let month_day = "BYMONTHDAY must list days of the month from 1 to 31 or -31 to -1";
    let month = "BYMONTH must list months from 1 to 12";
    assert_refused(&[
        ("FREQ=DAILY;INTERVAL=0", interval),
        ("FREQ=DAILY;INTERVAL=1001", interval),
        ("FREQ=DAILY;INTERVAL=+5", interval),
        ("FREQ=DAILY;COUNT=0", count),
        ("FREQ=DAILY;COUNT=1001", count),
        ("FREQ=DAILY;BYDAY=XX", byday),
        ("FREQ=DAILY;BYDAY=MO,,FR", byday),
        ("FREQ=MONTHLY;BYDAY=0MO", byday),
        ("FREQ=MONTHLY;BYDAY=1", byday),
        (
            "FREQ=MONTHLY;BYDAY=6MO",
            "BYDAY ordinals with FREQ=MONTHLY must be from -4 to -1 or 1 to 5",
        ),
        (
            "FREQ=YEARLY;BYDAY=54MO",
            "BYDAY ordinals with FREQ=YEARLY must be from -52 to -1 or 1 to 53",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=0", month_day),
        ("FREQ=MONTHLY;BYMONTHDAY=32", month_day),
        ("FREQ=MONTHLY;BYMONTHDAY=-32", month_day),
        ("FREQ=MONTHLY;BYMONTHDAY=1.5", month_day),
        ("FREQ=YEARLY;BYMONTH=13", month),
        ("FREQ=YEARLY;BYMONTH=0", month),
        (
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0",
            "BYSETPOS with FREQ=MONTHLY must list positions from 1 to 31 or -31 to -1",
        ),
        (
            "FREQ=WEEKLY;WKST=1MO",
            "WKST must be one weekday: MO, TU, WE, TH, FR, SA or SU",
        ),
    ]);
}

#[test]
fn a_bad_until_is_refused_with_its_three_forms_or_its_years() {
    let until = "UNTIL must be a date (YYYYMMDD) or a date-time \
                 (YYYYMMDDTHHMMSS, or YYYYMMDDTHHMMSSZ in UTC)";
    let years = "UNTIL must be between the years 1000 and 9998";
    assert_refused(&[
        ("FREQ=DAILY;UNTIL=2030", until),
        ("FREQ=DAILY;UNTIL=20301301", until),
        ("FREQ=DAILY;UNTIL=20300101T240000", until),
        ("FREQ=DAILY;UNTIL=20300101T1200Z", until),
        ("FREQ=DAILY;UNTIL=20300101 120000", until),
        ("FREQ=DAILY;UNTIL=99990101", years),
        ("FREQ=DAILY;UNTIL=09991231T000000Z", years),
    ]);
}

#[test]
fn a_rule_whose_parts_never_coincide_is_refused() {
    for raw in [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=DAILY;INTERVAL=5;BYMONTH=2;BYMONTHDAY=-30",
        "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=3",
    ] {
        assert_eq!(
            refusal(raw),
            "matches no date at all (its BY parts never coincide)",
            "{raw}"
        );
    }
}

#[test]
fn a_rule_that_matches_rarely_is_accepted() {
    for raw in [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=FR",
        "FREQ=MONTHLY;BYMONTH=2;BYDAY=5MO",
        "FREQ=YEARLY;BYDAY=53MO",
    ] {
        assert_eq!(rule(raw).as_str(), raw);
    }
}

#[test]
fn a_stored_rule_is_read_back_with_the_same_checks_but_no_search() {
    assert_eq!(
        Rule::from_stored("FREQ=WEEKLY;BYDAY=MO,FR"),
        Some(rule("FREQ=WEEKLY;BYDAY=MO,FR"))
    );
    assert_eq!(Rule::from_stored("FREQ=HOURLY"), None);
    assert!(Rule::from_stored("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").is_some());
}

#[test]
fn repeat_from_reads_only_due_or_completion_and_round_trips_its_rank() {
    assert_eq!(RepeatFrom::parse("due"), Ok(RepeatFrom::Due));
    assert_eq!(RepeatFrom::parse("completion"), Ok(RepeatFrom::Completion));
    for raw in ["Due", "COMPLETION", "", "done"] {
        assert_eq!(
            RepeatFrom::parse(raw),
            Err("must be due or completion".to_string())
        );
    }
    assert_eq!(RepeatFrom::default(), RepeatFrom::Due);
    for from in [RepeatFrom::Due, RepeatFrom::Completion] {
        assert_eq!(RepeatFrom::from_rank(from.rank()), from);
        assert_eq!(RepeatFrom::parse(from.as_str()), Ok(from));
    }
    assert_eq!(
        (RepeatFrom::Due.rank(), RepeatFrom::Completion.rank()),
        (0, 1)
    );
    assert_eq!(RepeatFrom::from_rank(7), RepeatFrom::Due);
}
