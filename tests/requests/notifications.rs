//! `/notifications`: the owner's inbox, the reminder task and its emails.
use chrono::{Duration, SecondsFormat, Utc};
use loco_rs::testing::prelude::*;
use serde_json::{json, Value};
use serial_test::serial;
use taskforge::{app::App, tasks::send_reminders::send_reminders};

use super::helpers::*;
use crate::assert_body_snapshot;

/// A task of `token`'s user due in `minutes` (inside the default 60-minute lead).
async fn due_soon(server: &axum_test::TestServer, token: &str, title: &str, minutes: i64) -> Value {
    let due = (Utc::now() + Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true);
    create_task(server, token, json!({ "title": title, "due_date": due })).await
}

async fn inbox(server: &axum_test::TestServer, token: &str, query: &str) -> Value {
    let response = server
        .get(&format!("/notifications{query}"))
        .authorization_bearer(token)
        .await;
    assert_eq!(response.status_code(), 200, "{}", response.text());
    response.json()
}

#[tokio::test]
#[serial]
async fn the_pass_creates_notifications_and_emails_them() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let task = due_soon(&server, &ann.access_token, "Write report", 30).await;
        let mails_before = ctx.mailer.as_ref().unwrap().deliveries().count;

        let report = send_reminders(&ctx).await.unwrap();

        assert_eq!((report.reminders, report.overdue), (1, 0));
        let page = inbox(&server, &ann.access_token, "").await;
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
        assert_eq!(page["data"][0]["task_id"], task["id"]);
        assert_eq!(page["data"][0]["kind"], "reminder");
        assert_body_snapshot!("notifications_page", page);
        let deliveries = ctx.mailer.as_ref().unwrap().deliveries();
        assert_eq!(deliveries.count, mails_before + 1);
        let mail = deliveries.messages.last().unwrap();
        assert!(mail.contains("To: ann@example.com"), "{mail}");
        assert!(
            mail.contains("From: taskforge <noreply@localhost>"),
            "{mail}"
        );
        assert!(mail.contains("Write report"), "{mail}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_second_pass_sends_nothing_new() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        due_soon(&server, &ann.access_token, "t", 30).await;
        send_reminders(&ctx).await.unwrap();
        let mails = ctx.mailer.as_ref().unwrap().deliveries().count;

        let again = send_reminders(&ctx).await.unwrap();

        assert_eq!(again.reminders + again.overdue, 0);
        assert_eq!(ctx.mailer.as_ref().unwrap().deliveries().count, mails);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn unread_filter_and_mark_read() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        due_soon(&server, &ann.access_token, "a", 30).await;
        due_soon(&server, &ann.access_token, "b", 40).await;
        send_reminders(&ctx).await.unwrap();
        let first = inbox(&server, &ann.access_token, "").await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();

        let read = server
            .post(&format!("/notifications/{first}/read"))
            .authorization_bearer(&ann.access_token)
            .await;
        let again = server
            .post(&format!("/notifications/{first}/read"))
            .authorization_bearer(&ann.access_token)
            .await;

        assert_eq!(read.status_code(), 204);
        assert_eq!(again.status_code(), 204);
        let all = inbox(&server, &ann.access_token, "").await;
        let unread = inbox(&server, &ann.access_token, "?unread=true").await;
        assert_eq!(all["data"].as_array().unwrap().len(), 2);
        assert_eq!(unread["data"].as_array().unwrap().len(), 1);
        assert_ne!(unread["data"][0]["id"], json!(first));
        let read_one = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == json!(first))
            .unwrap();
        assert!(read_one["read_at"].is_string());
    })
    .await;
}

#[tokio::test]
#[serial]
async fn notifications_page_with_a_cursor() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for i in 0..5 {
            due_soon(&server, &ann.access_token, &format!("t{i}"), 30).await;
        }
        send_reminders(&ctx).await.unwrap();

        let mut seen = Vec::new();
        let mut query = "?limit=2".to_string();
        loop {
            let page = inbox(&server, &ann.access_token, &query).await;
            for n in page["data"].as_array().unwrap() {
                seen.push(n["id"].as_str().unwrap().to_string());
            }
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("?limit=2&cursor={c}"),
                None => break,
            }
        }

        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(seen.len(), 5);
        assert_eq!(unique.len(), 5);
    })
    .await;
}

#[tokio::test]
#[serial]
async fn other_users_notifications_are_invisible_and_404() {
    request::<App, _, _>(|server, ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        let bob = login_as(&server, "bob@example.com").await;
        due_soon(&server, &ann.access_token, "ann's", 30).await;
        send_reminders(&ctx).await.unwrap();
        let id = inbox(&server, &ann.access_token, "").await["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();

        let bobs = inbox(&server, &bob.access_token, "").await;
        let steal = server
            .post(&format!("/notifications/{id}/read"))
            .authorization_bearer(&bob.access_token)
            .await;
        let malformed = server
            .post("/notifications/nope/read")
            .authorization_bearer(&ann.access_token)
            .await;

        assert_eq!(bobs["data"], json!([]));
        assert_problem(&steal, 404, "/problems/not-found");
        assert_problem(&malformed, 404, "/problems/not-found");
        let anns = inbox(&server, &ann.access_token, "?unread=true").await;
        assert_eq!(
            anns["data"].as_array().unwrap().len(),
            1,
            "bob did not mark it read"
        );
    })
    .await;
}

#[tokio::test]
#[serial]
async fn bad_notification_queries_are_rejected() {
    request::<App, _, _>(|server, _ctx| async move {
        let ann = login_as(&server, "ann@example.com").await;
        for (query, status) in [
            ("?unread=yes", 422),
            ("?limit=0", 422),
            ("?kind=x", 422),
            ("?cursor=abc", 400),
        ] {
            let response = server
                .get(&format!("/notifications{query}"))
                .authorization_bearer(&ann.access_token)
                .await;
            assert_eq!(response.status_code(), status, "{query}");
        }
        assert_eq!(server.get("/notifications").await.status_code(), 401);
    })
    .await;
}
