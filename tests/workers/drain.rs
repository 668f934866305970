//! A worker process told to stop (`start --worker` on SIGTERM) finishes the
//! job it is running, and only then returns (so the process exits with the
//! job completed, not cut off).
use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use loco_rs::{app::AppContext, bgworker::BackgroundWorker, config::WorkerMode};
use serde::{Deserialize, Serialize};
use serial_test::serial;

use crate::requests::helpers::{queue_strings, server_with};

static FINISHED: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Serialize, Deserialize)]
struct SlowArgs {
    millis: u64,
}

/// A job that takes a while, as an email to a slow SMTP server does.
struct SlowWorker;

#[async_trait]
impl BackgroundWorker<SlowArgs> for SlowWorker {
    fn build(_ctx: &AppContext) -> Self {
        Self
    }

    async fn perform(&self, args: SlowArgs) -> loco_rs::Result<()> {
        tokio::time::sleep(Duration::from_millis(args.millis)).await;
        FINISHED.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The status of every job in the test queue, longest job first.
async fn statuses(ctx: &AppContext) -> Vec<String> {
    let sql = "SELECT status AS v FROM sqlt_loco_queue \
               ORDER BY json_extract(task_data, '$.millis') DESC";
    queue_strings(ctx, sql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[serial]
async fn a_stopping_worker_finishes_its_running_job_before_it_returns() {
    let (_server, ctx) =
        server_with(|config| config.workers.mode = WorkerMode::BackgroundQueue).await;
    let queue = ctx
        .queue_provider
        .clone()
        .expect("a queue in BackgroundQueue mode");
    queue.clear().await.unwrap();
    queue.register(SlowWorker::build(&ctx)).await.unwrap();
    FINISHED.store(0, Ordering::SeqCst);
    SlowWorker::perform_later(&ctx, SlowArgs { millis: 1_500 })
        .await
        .unwrap();
    let running = {
        let queue = queue.clone();
        tokio::spawn(async move { queue.run(Vec::new()).await })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while statuses(&ctx).await != ["processing"] {
        assert!(
            Instant::now() < deadline,
            "the job never started: {:?}",
            statuses(&ctx).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    queue.shutdown().unwrap();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the worker stops once its job is done")
        .unwrap()
        .unwrap();

    assert_eq!(FINISHED.load(Ordering::SeqCst), 1);
    assert_eq!(statuses(&ctx).await, ["completed"]);
}
