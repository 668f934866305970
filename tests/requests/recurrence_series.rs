//! A series in time (contract, recurrence.md): `GET /tasks/{id}/occurrences`
//! across DST changes, month ends and leap days, `COUNT` and `UNTIL`; and
//! one reminder and one overdue notice per occurrence, also with several
//! reminder passes at once.
use chrono::{Duration, SecondsFormat, Utc};
use loco_rs::testing::prelude::request;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{
    app::App,
    db::Db,
    models::{_entities::notifications, reminders::run_pass},
};

use super::{
    helpers::*,
    recurrence::{day, recurring},
    subtasks::{ok, patch_task, task_path},
};

async fn occurrences(
    server: &axum_test::TestServer,
    token: &str,
    task: &Value,
    query: &str,
) -> Vec<Value> {
    let response = server
        .get(&format!("{}/occurrences?{query}", task_path(task)))
        .authorization_bearer(token)
        .await;
    ok(&response)["data"].as_array().unwrap().clone()
}

async fn in_berlin(server: &axum_test::TestServer, token: &str) {
    let response = server
        .patch("/auth/me")
        .authorization_bearer(token)
        .json(&json!({"timezone": "Europe/Berlin"}))
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
}

#[tokio::test]
#[serial]
async fn a_0900_berlin_daily_task_stays_0900_local_across_both_dst_changes() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        in_berlin(&server, t).await;
        let spring = recurring(&server, t, "2027-03-26T08:00:00Z", "FREQ=DAILY", "due").await;
        let autumn = recurring(&server, t, "2027-10-29T07:00:00Z", "FREQ=DAILY", "due").await;

        let spring_dates = occurrences(&server, t, &spring, "limit=4").await;
        let autumn_dates = occurrences(&server, t, &autumn, "limit=4").await;

        assert_eq!(
            spring_dates,
            [
                json!("2027-03-26T08:00:00Z"),
                json!("2027-03-27T08:00:00Z"),
                json!("2027-03-28T07:00:00Z"),
                json!("2027-03-29T07:00:00Z")
            ]
        );
        assert_eq!(
            autumn_dates,
            [
                json!("2027-10-29T07:00:00Z"),
                json!("2027-10-30T07:00:00Z"),
                json!("2027-10-31T08:00:00Z"),
                json!("2027-11-01T08:00:00Z")
            ]
        );
        let eve = recurring(&server, t, "2027-03-27T08:00:00Z", "FREQ=DAILY", "due").await;
        let advanced = ok(&patch_task(&server, t, &eve, json!({"status": "complete"})).await);
        assert_eq!(advanced["due_date"], "2027-03-28T07:00:00Z");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn month_ends_and_leap_days_follow_the_rule() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let cases = [
            (
                "2027-01-31",
                "FREQ=MONTHLY;BYMONTHDAY=31",
                ["2027-01-31", "2027-03-31", "2027-05-31"],
            ),
            (
                "2028-01-31",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
                ["2028-01-31", "2028-02-29", "2028-03-31"],
            ),
            (
                "2028-02-29",
                "FREQ=YEARLY",
                ["2028-02-29", "2032-02-29", "2036-02-29"],
            ),
            (
                "2027-01-29",
                "FREQ=MONTHLY;BYDAY=-1FR",
                ["2027-01-29", "2027-02-26", "2027-03-26"],
            ),
            (
                "2027-01-04",
                "FREQ=WEEKLY;BYDAY=MO,FR",
                ["2027-01-04", "2027-01-08", "2027-01-11"],
            ),
        ];
        for (due, rule, expected) in cases {
            let task = recurring(&server, t, due, rule, "due").await;
            assert_eq!(
                occurrences(&server, t, &task, "limit=3").await,
                expected.map(|d| json!(d)),
                "{rule}"
            );
        }
    })
    .await;
}

#[tokio::test]
#[serial]
async fn count_and_until_end_the_series_and_other_tasks_list_their_due_date_alone() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        let t = &ann.access_token;
        let counted = recurring(&server, t, &day(1), "FREQ=WEEKLY;COUNT=3", "due").await;
        let until = day(3).replace('-', "");
        let bounded = recurring(
            &server,
            t,
            &day(1),
            &format!("FREQ=DAILY;UNTIL={until}"),
            "due",
        )
        .await;
        let once = create_task(&server, t, json!({"title": "once", "due_date": day(5)})).await;
        let undated = create_task(&server, t, json!({"title": "undated"})).await;
        let last = recurring(&server, t, &day(1), "FREQ=DAILY;COUNT=1", "due").await;
        ok(&patch_task(&server, t, &last, json!({"status": "complete"})).await);

        assert_eq!(
            occurrences(&server, t, &counted, "").await,
            [json!(day(1)), json!(day(8)), json!(day(15))]
        );
        assert_eq!(
            occurrences(&server, t, &bounded, "").await,
            [json!(day(1)), json!(day(2)), json!(day(3))]
        );
        assert_eq!(occurrences(&server, t, &once, "").await, [json!(day(5))]);
        assert!(occurrences(&server, t, &undated, "").await.is_empty());
        assert!(
            occurrences(&server, t, &last, "").await.is_empty(),
            "a finished series"
        );
        let daily = recurring(&server, t, &day(1), "FREQ=DAILY", "due").await;
        assert_eq!(
            occurrences(&server, t, &daily, "").await.len(),
            10,
            "default limit"
        );
        assert_eq!(
            occurrences(&server, t, &daily, "limit=100").await.len(),
            100
        );
        let path = format!("{}/occurrences", task_path(&daily));
        for query in ["limit=0", "limit=101", "limit=x", "from=1"] {
            let response = server
                .get(&format!("{path}?{query}"))
                .authorization_bearer(t)
                .await;
            assert_problem(&response, 422, "/problems/validation-error");
        }
        let theirs = server
            .get(&path)
            .authorization_bearer(&bob.access_token)
            .await;
        assert_problem(&theirs, 404, "/problems/not-found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[serial]
async fn each_occurrence_gets_one_reminder_and_one_overdue_notice() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let t = &ann.access_token;
        let now = Utc::now();
        let due = (now - Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true);
        let task = recurring(&server, t, &due, "FREQ=DAILY", "due").await;
        let db = Db::from(ctx.db.clone());
        run_pass(&db, now.fixed_offset()).await.unwrap();

        let advanced = ok(&patch_task(&server, t, &task, json!({"status": "complete"})).await);
        let next = now - Duration::hours(2) + Duration::days(1);
        assert_eq!(
            advanced["due_date"],
            json!(next.to_rfc3339_opts(SecondsFormat::Secs, true))
        );
        for at in [next - Duration::minutes(30), next + Duration::minutes(1)] {
            let passes = (0..3).map(|_| run_pass(&db, at.fixed_offset()));
            for report in futures_util::future::join_all(passes).await {
                report.unwrap();
            }
        }

        let sent: Vec<(String, String)> = notifications::Entity::find()
            .order_by_asc(notifications::Column::Id)
            .all(&ctx.db)
            .await
            .unwrap()
            .into_iter()
            .map(|n| {
                (
                    n.kind,
                    n.due_at.to_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
                )
            })
            .collect();
        let first = due.clone();
        let second = next.to_rfc3339_opts(SecondsFormat::Secs, true);
        assert_eq!(
            sent,
            [
                ("overdue".into(), first),
                ("reminder".into(), second.clone()),
                ("overdue".into(), second)
            ]
        );
    })
    .await;
}
