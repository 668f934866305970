//! The auth limits counted in Redis (`REDIS_URL`): several instances allow
//! together what one allows, and a Redis that goes away mid-run leaves the
//! limits counting per instance, never failing a request. Each test runs its
//! own `redis-server` (skipped, with a note, where none is installed).
use std::{
    net::{IpAddr, TcpListener},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serial_test::serial;
use taskforge::{
    errors::ApiError,
    rate_limit::{shared::RETRY_AFTER, RateLimits},
    settings::{Quota, RateLimitSettings},
};

/// A `redis-server` of this test's own on a free port, killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        Self::start_on(port)
    }

    fn start_on(port: u16) -> Option<Self> {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            eprintln!("redis-server is not installed: skipping the shared rate-limit test");
            return None;
        };
        let redis = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One instance's limits: 5 auth requests per client per hour, shared
/// through `url` when it is not empty.
fn instance(url: &str) -> RateLimits {
    RateLimits::new(
        &RateLimitSettings {
            auth_per_ip: Quota::new(5, 3600),
            auth_per_ip_email: Quota::new(100, 3600),
            auth_per_email: Quota::new(3, 3600),
            refresh_per_ip: Quota::new(4, 3600),
            redis_url: url.to_string(),
            ..RateLimitSettings::default()
        },
        b"the same secret on every instance",
    )
    .unwrap()
}

fn client() -> IpAddr {
    "198.51.100.7".parse().unwrap()
}

fn refused<T: std::fmt::Debug>(result: &Result<T, ApiError>) -> bool {
    match result {
        Ok(_) => false,
        Err(ApiError::RateLimited { .. }) => true,
        Err(other) => panic!("expected a 429 or a pass, got {other:?}"),
    }
}

#[tokio::test]
#[serial]
async fn three_instances_on_one_redis_allow_together_what_one_allows() {
    let Some(redis) = Redis::start() else { return };
    let instances = [
        instance(&redis.url()),
        instance(&redis.url()),
        instance(&redis.url()),
    ];

    let mut allowed = 0;
    for n in 0..15 {
        if !refused(&instances[n % 3].auth(client(), None).await) {
            allowed += 1;
        }
    }

    assert_eq!(allowed, 5);
    // Another client has its own allowance.
    assert!(!refused(
        &instances[0]
            .auth("203.0.113.9".parse().unwrap(), None)
            .await
    ));
}

#[tokio::test]
#[serial]
async fn the_shared_status_counts_down_and_the_refusal_says_when_to_retry() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = (instance(&redis.url()), instance(&redis.url()));

    let first = a.refresh(client()).await.unwrap();
    let second = b.refresh(client()).await.unwrap();
    assert_eq!((first.limit, first.remaining), (4, 3));
    assert_eq!(second.remaining, 2);
    assert!(second.reset_secs > first.reset_secs);
    b.refresh(client()).await.unwrap();
    a.refresh(client()).await.unwrap();

    match a.refresh(client()).await {
        Err(ApiError::RateLimited {
            retry_after_secs,
            status,
            ..
        }) => {
            // One of 4 per hour comes back every 15 minutes.
            assert!(
                (899..=900).contains(&retry_after_secs),
                "{retry_after_secs}"
            );
            assert_eq!(status.remaining, 0);
            assert!(status.reset_secs >= 3599, "{}", status.reset_secs);
        }
        other => panic!("expected a 429, got {other:?}"),
    }
}

#[tokio::test]
#[serial]
async fn an_email_is_one_key_on_every_instance_whatever_its_case() {
    let Some(redis) = Redis::start() else { return };
    let (a, b) = (instance(&redis.url()), instance(&redis.url()));
    let other_client: IpAddr = "192.0.2.44".parse().unwrap();

    a.auth(client(), Some("Ann@Example.com")).await.unwrap();
    b.auth(other_client, Some(" ann@example.COM "))
        .await
        .unwrap();
    a.auth(other_client, Some("ann@example.com")).await.unwrap();

    assert!(refused(&b.auth(client(), Some("ANN@example.com")).await));
    assert!(!refused(&b.auth(client(), Some("bob@example.com")).await));
}

#[tokio::test]
#[serial]
async fn when_redis_stops_the_limits_count_in_memory_and_nothing_fails() {
    let Some(redis) = Redis::start() else { return };
    let port = redis.port;
    let limits = instance(&redis.url());
    for _ in 0..4 {
        limits.auth(client(), None).await.unwrap();
    }

    drop(redis);
    let started = Instant::now();
    let during_outage = limits.auth(client(), None).await;
    assert!(!refused(&during_outage), "memory starts its own count");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Per instance now: this one's own allowance of 5, then 429s, never 5xx.
    for _ in 0..4 {
        limits.auth(client(), None).await.unwrap();
    }
    assert!(refused(&limits.auth(client(), None).await));

    // Back after the retry pause: counting is shared again (and Redis,
    // restarted empty, has a fresh allowance for this client).
    let _redis = Redis::start_on(port).unwrap();
    tokio::time::sleep(RETRY_AFTER + Duration::from_millis(200)).await;
    let back = instance(&format!("redis://127.0.0.1:{port}"));
    back.auth(client(), None).await.unwrap();
    let status = limits.auth(client(), None).await.unwrap();
    assert_eq!(
        status.remaining, 3,
        "counted in Redis with the other instance"
    );
}

#[tokio::test]
#[serial]
async fn an_unreachable_redis_from_the_start_is_no_error() {
    // Nothing listens on port 1.
    let limits = instance("redis://127.0.0.1:1");

    let started = Instant::now();
    for _ in 0..5 {
        limits.auth(client(), None).await.unwrap();
    }
    assert!(refused(&limits.auth(client(), None).await));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// An outage is logged once, not once per request or per retry: the
/// second failure, after the retry pause, is within the minute.
#[tokio::test]
#[serial]
async fn an_outage_is_logged_at_most_once_a_minute() {
    let lines = crate::logs::Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);
    let limits = instance("redis://127.0.0.1:1");

    limits.auth(client(), None).await.unwrap();
    limits.auth(client(), None).await.unwrap();
    // Redis is tried again after the pause, and fails again.
    tokio::time::sleep(RETRY_AFTER + Duration::from_millis(200)).await;
    limits.auth(client(), None).await.unwrap();

    let warnings = lines.text().matches("Redis unreachable").count();
    assert_eq!(warnings, 1, "{}", lines.text());
}
