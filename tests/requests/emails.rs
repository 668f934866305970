//! Emails from the service's own sender: every user value is escaped in the
//! HTML part, and the reset token is never stored in clear (the queued job
//! carries only the user).
use std::time::Duration;

use base64::Engine;
use chrono::{SecondsFormat, Utc};
use loco_rs::bgworker::BackgroundWorker;
use loco_rs::{app::AppContext, config::WorkerMode, testing::prelude::*};
use serde_json::json;
use serial_test::serial;
use taskforge::{
    app::App, tasks::send_reminders::send_reminders, workers::password_reset::PasswordResetWorker,
};

use super::{auth::*, helpers::*};

const HOSTILE_NAME: &str = r#"<a href="https://evil.example/">Confirm your account</a>"#;
const HOSTILE_TITLE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>";

/// The decoded body of the `text/html` part of a raw mail.
fn html_part(mail: &str) -> String {
    let mail = mail.replace("\r\n", "\n");
    let start = mail.find("Content-Type: text/html").expect("an HTML part");
    let part = &mail[start..];
    let (headers, body) = part.split_once("\n\n").expect("part headers end");
    let body = body.split("\n--").next().unwrap_or_default();
    if headers.contains("quoted-printable") {
        quoted_printable(body)
    } else if headers.contains("base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap()
    } else {
        body.to_string()
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

fn assert_inert(html: &str) {
    for live in ["<a href", "<script", "<img"] {
        assert!(!html.contains(live), "live HTML {live:?} in: {html}");
    }
}

#[tokio::test]
#[serial]
async fn a_hostile_name_arrives_escaped_in_the_reset_email() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, HOSTILE_NAME, "ann@example.com").await;

        forgot(&server, "ann@example.com").await;

        let mails = deliveries(&ctx);
        let html = html_part(mails.last().expect("a reset mail"));
        assert_inert(&html);
        assert!(html.contains("&lt;a href="), "{html}");
        assert!(html.contains("Confirm your account"), "{html}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn a_hostile_name_and_title_arrive_escaped_in_the_reminder_email() {
    request::<App, _, _>(|server, ctx| async move {
        register(&server, HOSTILE_NAME, "ann@example.com").await;
        let ann = new_login(&server, "ann@example.com").await;
        let due =
            (Utc::now() + chrono::Duration::minutes(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        create_task(
            &server,
            &ann.access_token,
            json!({"title": HOSTILE_TITLE, "description": HOSTILE_TITLE, "due_date": due}),
        )
        .await;

        send_reminders(&ctx).await.unwrap();

        let mails = deliveries(&ctx);
        let html = html_part(mails.last().expect("a reminder mail"));
        assert_inert(&html);
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"), "{html}");
        assert!(html.contains("&lt;a href="), "{html}");
    })
    .await;
}

/// Every job payload in the test queue.
async fn queued_jobs(ctx: &AppContext) -> Vec<String> {
    queue_strings(
        ctx,
        "SELECT CAST(task_data AS TEXT) AS v FROM sqlt_loco_queue",
    )
    .await
}

#[tokio::test]
#[serial]
async fn the_reset_job_in_the_queue_holds_no_token() {
    let (server, ctx) =
        server_with(|config| config.workers.mode = WorkerMode::BackgroundQueue).await;
    register(&server, "Ann", "ann@example.com").await;

    assert_eq!(forgot(&server, "ann@example.com").await.status_code(), 202);

    let jobs = queued_jobs(&ctx).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert!(
        stored_user(&ctx, "ann@example.com")
            .await
            .reset_token_hash
            .is_none(),
        "no token exists before the worker sends"
    );
    // A worker process (ServerOnly boots register none).
    let queue = ctx.queue_provider.clone().unwrap();
    queue
        .register(PasswordResetWorker::build(&ctx))
        .await
        .unwrap();
    let runner = tokio::spawn(async move { queue.run(vec![]).await });
    let mut token = None;
    for _ in 0..100 {
        if let Some(mail) = deliveries(&ctx).last() {
            token = reset_token_in(mail);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    runner.abort();
    let token = token.expect("the worker mailed a token");
    for job in queued_jobs(&ctx).await {
        assert!(!job.contains(&token), "the token is in the queue: {job}");
    }
    assert_eq!(
        stored_user(&ctx, "ann@example.com").await.reset_token_hash,
        Some(taskforge::security::token_hash(&token))
    );
}
