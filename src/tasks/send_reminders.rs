//! `cargo loco task send_reminders`: one reminder pass, by hand or from the
//! scheduler (every minute by default).
use loco_rs::{
    app::AppContext,
    bgworker::BackgroundWorker,
    config::WorkerMode,
    task::{Task, TaskInfo, Vars},
    Result,
};

use uuid::Uuid;

use crate::{
    db::Db,
    models::{notifications, reminders},
    workers::notification_email::{NotificationEmailArgs, NotificationEmailWorker},
};

/// Failed emails re-queued per pass.
const RETRIES_PER_PASS: u64 = 1_000;
/// Email jobs per queue round trip.
const EMAIL_JOBS_PER_BATCH: usize = 1_000;

/// Runs one pass at the current time: creates the due notifications and
/// queues their emails (and the retries of failed ones).
///
/// # Errors
/// Database or queue errors.
pub async fn send_reminders(ctx: &AppContext) -> Result<reminders::PassReport> {
    if let Some(queue) = &ctx.queue_provider {
        // Idempotent; a task may run before any `start` has created the tables.
        queue.setup().await?;
    }
    let started = std::time::Instant::now();
    // SeaORM's pool, as every job and task uses (`Db::begin` still takes
    // this process's SQLite write turn for each batch).
    let db = Db::from(ctx.db.clone());
    let report = reminders::run_pass(&db, crate::models::users::now()).await?;
    let claimed = started.elapsed();
    let retries = notifications::Model::emails_to_retry(&db, RETRIES_PER_PASS).await?;
    let emails: Vec<Uuid> = report
        .notifications
        .iter()
        .copied()
        .chain(retries)
        .collect();
    queue_emails(ctx, &emails).await?;
    tracing::info!(
        claim_ms = claimed.as_millis(),
        queue_ms = (started.elapsed() - claimed).as_millis(),
        emails = emails.len(),
        "notifications recorded and emails queued"
    );
    Ok(report)
}

/// Queues one email job per notification: in batches on a real queue (one
/// round trip per thousand jobs, not per job), one by one otherwise.
async fn queue_emails(ctx: &AppContext, notifications: &[Uuid]) -> Result<()> {
    match (&ctx.config.workers.mode, &ctx.queue_provider) {
        (WorkerMode::BackgroundQueue, Some(queue)) => {
            for chunk in notifications.chunks(EMAIL_JOBS_PER_BATCH) {
                let jobs = chunk
                    .iter()
                    .map(|&notification| (NotificationEmailArgs { notification }, None))
                    .collect();
                queue
                    .enqueue_batch(
                        NotificationEmailWorker::class_name(),
                        NotificationEmailWorker::queue(),
                        jobs,
                        None,
                    )
                    .await?;
            }
        }
        _ => {
            for &notification in notifications {
                NotificationEmailWorker::perform_later(ctx, NotificationEmailArgs { notification })
                    .await?;
            }
        }
    }
    Ok(())
}

pub struct SendReminders;

#[async_trait::async_trait]
impl Task for SendReminders {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "send_reminders".to_string(),
            detail: "Send due deadline reminders and overdue notices (one pass)".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let started = std::time::Instant::now();
        let report = send_reminders(ctx).await?;
        tracing::info!(
            reminders = report.reminders,
            overdue = report.overdue,
            elapsed_ms = started.elapsed().as_millis(),
            "reminder pass done"
        );
        println!(
            "reminder pass: {} reminders, {} overdue notices in {:.2?}",
            report.reminders,
            report.overdue,
            started.elapsed()
        );
        Ok(())
    }
}
