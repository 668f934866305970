//! `cargo loco task purge`: the retention pass (contract, "Operations";
//! docs/deploy.md, "Retention"), daily from the scheduler by default.
use chrono::Duration;
use loco_rs::{
    app::AppContext,
    bgworker::JobStatus,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{
    db::Db,
    models::{
        retention::{self, Purged, Rules},
        users::now,
    },
    settings::Settings,
};

/// Finished queue jobs older than this many days go.
pub const QUEUE_JOB_DAYS: i64 = 1;

/// One retention pass at the current time: the database rules, then the
/// queue's finished jobs (completed, failed, cancelled) created more than
/// [`QUEUE_JOB_DAYS`] ago. Reruns and concurrent runs are harmless.
///
/// # Errors
/// Database or queue errors.
pub async fn purge(ctx: &AppContext) -> Result<Purged> {
    let settings = Settings::of(ctx).map_err(|e| loco_rs::Error::Message(e.to_string()))?;
    let rules = Rules {
        notifications_read: Duration::days(i64::from(settings.retention.notification_days)),
    };
    let purged = retention::purge(&Db::from(ctx.db.clone()), now(), rules).await?;
    if let Some(queue) = &ctx.queue_provider {
        // Idempotent; the task may run before any `start` made the tables.
        queue.setup().await?;
        let finished = vec![
            JobStatus::Completed,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ];
        queue
            .clear_jobs_older_than(QUEUE_JOB_DAYS, &finished)
            .await?;
    }
    Ok(purged)
}

pub struct Purge;

#[async_trait::async_trait]
impl Task for Purge {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "purge".to_string(),
            detail: "Delete what retention no longer keeps: old sessions, idempotency keys, read notifications, finished jobs".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let started = std::time::Instant::now();
        let purged = purge(ctx).await?;
        tracing::info!(
            sessions = purged.sessions,
            idempotency_keys = purged.idempotency_keys,
            notifications = purged.notifications,
            elapsed_ms = started.elapsed().as_millis(),
            "retention pass done"
        );
        println!(
            "purge: {} sessions, {} idempotency keys, {} read notifications in {:.2?}",
            purged.sessions,
            purged.idempotency_keys,
            purged.notifications,
            started.elapsed()
        );
        Ok(())
    }
}
