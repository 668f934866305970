//! `recurrence` on tasks (contract, recurrence.md): the rule as sent,
//! normalized; what is refused, naming `recurrence.rule`, `recurrence.from`
//! or `recurrence.<key>`, and changes nothing; the due date it needs.
use axum_test::TestServer;
use chrono::{Duration, Utc};
use loco_rs::testing::prelude::request;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::app::App;

use super::{
    helpers::*,
    subtasks::{fetch, ok, patch_task, put_task, refused},
};

/// A date `days` from today (UTC, the default timezone).
pub fn day(days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A recurring task due `due`, repeating by `rule` from `from`.
pub async fn recurring(
    server: &TestServer,
    token: &str,
    due: &str,
    rule: &str,
    from: &str,
) -> Value {
    create_task(
        server,
        token,
        json!({"title": "series", "due_date": due, "recurrence": {"rule": rule, "from": from}}),
    )
    .await
}

#[tokio::test]
#[serial]
async fn a_rule_is_returned_in_upper_case_with_its_parts_in_the_order_sent() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let body = json!({"title": "gym", "due_date": day(1),
            "recurrence": {"rule": "byday=mo,fr;freq=weekly;wkst=su"}});

        let task = create_task(&server, &ann.access_token, body).await;

        assert_eq!(
            task["recurrence"],
            json!({"rule": "BYDAY=MO,FR;FREQ=WEEKLY;WKST=SU", "from": "due"})
        );
        let (_, read, _) = fetch(&server, &ann.access_token, &task).await;
        assert_eq!(read["recurrence"], task["recurrence"]);
        let page = list_tasks(&server, &ann.access_token, "").await;
        assert_eq!(page["data"][0]["recurrence"], task["recurrence"]);
        let plain = create_task(&server, &ann.access_token, json!({"title": "once"})).await;
        assert_eq!(plain["recurrence"], Value::Null);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn rules_outside_the_contract_are_refused_naming_the_rule_and_create_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        for rule in [
            "RRULE:FREQ=DAILY",
            "INTERVAL=2",
            "FREQ=HOURLY",
            "FREQ=DAILY;BYHOUR=9",
            "FREQ=WEEKLY;BYDAY=1MO",
            "FREQ=DAILY;BYDAY=-1FR",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=DAILY;COUNT=3;UNTIL=20270101",
            "FREQ=DAILY;INTERVAL=0",
            "FREQ=DAILY;INTERVAL=1001",
            "FREQ=DAILY;COUNT=1001",
            "FREQ=DAILY;FREQ=WEEKLY",
            "FREQ=MONTHLY;BYMONTHDAY=32",
            "",
        ] {
            let body = json!({"title": "x", "due_date": day(1), "recurrence": {"rule": rule}});
            let response = server
                .post("/tasks")
                .authorization_bearer(t)
                .json(&body)
                .await;
            refused(&response, &["recurrence.rule"], rule);
            let problem: Value = response.json();
            let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.len() > 10, "{rule}: say what is wrong: {message:?}");
        }
        assert_eq!(list_tasks(&server, t, "").await["data"], json!([]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_bad_from_an_unknown_key_or_a_non_object_is_named() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let cases = [
            (
                json!({"rule": "FREQ=DAILY", "from": "start"}),
                "recurrence.from",
            ),
            (
                json!({"rule": "FREQ=DAILY", "every": 2}),
                "recurrence.every",
            ),
            (json!({"from": "due"}), "recurrence.rule"),
            (json!({"rule": 5}), "recurrence.rule"),
            (json!("FREQ=DAILY"), "recurrence"),
        ];
        for (recurrence, field) in cases {
            let body = json!({"title": "x", "due_date": day(1), "recurrence": recurrence});
            let response = server
                .post("/tasks")
                .authorization_bearer(t)
                .json(&body)
                .await;
            refused(&response, &[field], &recurrence.to_string());
        }
        let no_due = json!({"title": "x", "recurrence": {"rule": "FREQ=DAILY"}});
        let response = server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&no_due)
            .await;
        refused(&response, &["recurrence"], "no due date");
        assert_eq!(list_tasks(&server, t, "").await["data"], json!([]));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_patch_that_leaves_a_recurrence_without_a_due_date_is_refused_and_changes_nothing() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let plain = create_task(&server, t, json!({"title": "undated"})).await;
        let (_, _, tag) = fetch(&server, t, &plain).await;

        let response = patch_task(
            &server,
            t,
            &plain,
            json!({"recurrence": {"rule": "FREQ=DAILY"}}),
        )
        .await;
        refused(&response, &["recurrence"], "undated task");
        let both = json!({"due_date": null, "recurrence": {"rule": "FREQ=DAILY"}});
        let response = patch_task(&server, t, &plain, both).await;
        refused(&response, &["recurrence"], "due date cleared");

        let (_, after, after_tag) = fetch(&server, t, &plain).await;
        assert_eq!((after, after_tag), (plain, tag));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn clearing_the_due_date_clears_the_recurrence_and_null_clears_it_alone() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let first = recurring(&server, t, &day(2), "FREQ=DAILY", "due").await;
        let second = recurring(&server, t, &day(2), "FREQ=DAILY", "completion").await;

        let undated = ok(&patch_task(&server, t, &first, json!({"due_date": null})).await);
        let plain = ok(&patch_task(&server, t, &second, json!({"recurrence": null})).await);

        assert_eq!(undated["recurrence"], Value::Null);
        assert_eq!(undated["due_date"], Value::Null);
        assert_eq!(plain["recurrence"], Value::Null);
        assert_eq!(plain["due_date"], json!(day(2)));
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_put_without_recurrence_clears_it_and_a_put_with_it_keeps_the_series() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let task = recurring(&server, t, &day(2), "FREQ=WEEKLY", "completion").await;

        let kept = put_task(
            &server,
            t,
            &task,
            json!({"title": "again", "due_date": day(3),
            "recurrence": {"rule": "freq=weekly", "from": "completion"}}),
        )
        .await;
        let kept = ok(&kept);
        let cleared = ok(&put_task(
            &server,
            t,
            &task,
            json!({"title": "once", "due_date": day(3)}),
        )
        .await);

        assert_eq!(
            kept["recurrence"],
            json!({"rule": "FREQ=WEEKLY", "from": "completion"})
        );
        assert_eq!(cleared["recurrence"], Value::Null);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_due_date_the_rule_can_never_advance_from_is_refused() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        // February has no 30th: taking the day from January 30 never matches.
        let body = json!({"title": "x", "due_date": "2027-01-30",
            "recurrence": {"rule": "FREQ=YEARLY;BYMONTH=2"}});
        let response = server
            .post("/tasks")
            .authorization_bearer(t)
            .json(&body)
            .await;
        refused(
            &response,
            &["recurrence.rule"],
            "January 30, every February",
        );

        let fine = recurring(&server, t, "2027-01-28", "FREQ=YEARLY;BYMONTH=2", "due").await;
        let response = patch_task(&server, t, &fine, json!({"due_date": "2027-01-30"})).await;
        refused(&response, &["recurrence.rule"], "moved to January 30");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn an_idempotent_create_of_a_recurring_task_replays_it_and_makes_one() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let body = json!({"title": "rent", "due_date": day(3),
            "recurrence": {"rule": "FREQ=MONTHLY;BYMONTHDAY=-1", "from": "due"}});
        let send = || {
            server
                .post("/tasks")
                .authorization_bearer(t)
                .add_header("idempotency-key", "rent-1")
                .json(&body)
        };

        let first = send().await;
        let again = send().await;

        assert_eq!(first.status_code(), 201, "{}", first.text());
        assert_eq!(again.status_code(), 201);
        assert_eq!(again.header("idempotent-replayed"), "true");
        assert_eq!(again.json::<Value>(), first.json::<Value>());
        assert_eq!(
            first.json::<Value>()["recurrence"]["rule"],
            "FREQ=MONTHLY;BYMONTHDAY=-1"
        );
        assert_eq!(
            list_tasks(&server, t, "").await["data"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}
