//! The auth limits shared by every instance through Redis (`REDIS_URL`), so
//! N instances allow what one allows (contract, "Operations").
//!
//! The same GCRA as the in-memory limiters, as one Lua script per request:
//! Redis runs a script atomically, so the read of each key's theoretical
//! arrival time, the decision and the write cannot interleave with another
//! instance's, and one round trip checks every limit of the request (ip,
//! ip + email, email), stopping at the first refusal as the memory path does.
//! Time is Redis's own (`TIME`), so instances' clocks need not agree.
//!
//! When Redis does not answer within [`TIMEOUT`], the check returns `None`
//! and the caller counts in this instance's memory; Redis is tried again
//! after [`RETRY_AFTER`], and the fallback is logged at most once a minute.
//! Auth requests never fail because Redis is down.
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use redis::{aio::MultiplexedConnection, AsyncConnectionConfig, Client, RedisError, Script};

/// Longest wait for Redis per check (connecting included): a hung Redis
/// must not hold logins; the memory fallback answers instead.
pub const TIMEOUT: Duration = Duration::from_millis(250);

/// How long after a failure the memory fallback is used without trying
/// Redis (each try of an unreachable host could cost [`TIMEOUT`]).
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// At most one fallback warning per this period.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// For each key `i` (ARGV `2i-1`: emission interval in µs, `2i`: burst):
/// `{1, remaining, µs until full}` when allowed (and the key advanced), or
/// `{0, µs to wait, µs until full}` for the first refusal, which ends the
/// script. Keys expire once their bucket is full again.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local ahead = tat + interval - now
  if ahead > interval * burst then
    table.insert(out, 0)
    table.insert(out, ahead - interval * burst)
    table.insert(out, tat - now)
    return out
  end
  redis.call('SET', key, string.format('%d', now + ahead), 'PX', math.ceil(ahead / 1000))
  table.insert(out, 1)
  table.insert(out, math.floor((interval * burst - ahead) / interval))
  table.insert(out, ahead)
end
return out
";

/// One limit to check: its Redis key, and its quota as GCRA sees it.
#[derive(Debug, Clone)]
pub struct Check {
    pub key: String,
    pub interval: Duration,
    pub burst: u32,
}

/// What Redis decided for one [`Check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed {
        remaining: u32,
        until_full: Duration,
    },
    Refused {
        wait: Duration,
        until_full: Duration,
    },
}

/// The Redis side of the limits of one instance.
pub struct Shared {
    client: Client,
    script: Script,
    connection: Mutex<Option<MultiplexedConnection>>,
    /// Set after a failure: Redis is not tried again before then.
    skip_until: Mutex<Option<Instant>>,
    warned_at: Mutex<Option<Instant>>,
}

impl Shared {
    /// # Errors
    /// A URL the Redis client cannot parse (nothing is connected yet).
    pub fn new(url: &str) -> Result<Self, RedisError> {
        Ok(Self {
            client: Client::open(url)?,
            script: Script::new(GCRA),
            connection: Mutex::new(None),
            skip_until: Mutex::new(None),
            warned_at: Mutex::new(None),
        })
    }

    /// The verdicts of `checks` in order, up to and including the first
    /// refusal; `None` when Redis is unavailable (count in memory instead).
    pub async fn check(&self, checks: &[Check]) -> Option<Vec<Verdict>> {
        if lock(&self.skip_until).is_some_and(|until| Instant::now() < until) {
            return None;
        }
        let outcome = tokio::time::timeout(TIMEOUT, self.run(checks)).await;
        match outcome {
            Ok(Ok(verdicts)) => Some(verdicts),
            Ok(Err(err)) => self.failed(&err.to_string()),
            Err(_) => self.failed("no answer within 250 ms"),
        }
    }

    async fn run(&self, checks: &[Check]) -> Result<Vec<Verdict>, RedisError> {
        let mut connection = self.connection().await?;
        let mut invocation = self.script.prepare_invoke();
        for check in checks {
            let interval = u64::try_from(check.interval.as_micros()).unwrap_or(u64::MAX);
            invocation
                .key(&check.key)
                .arg(interval.max(1))
                .arg(check.burst);
        }
        let flat: Vec<i64> = invocation.invoke_async(&mut connection).await?;
        Ok(flat.chunks_exact(3).map(verdict).collect())
    }

    async fn connection(&self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(connection) = lock(&self.connection).as_ref() {
            return Ok(connection.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *lock(&self.connection) = Some(connection.clone());
        Ok(connection)
    }

    /// Drops the connection, skips Redis for [`RETRY_AFTER`], warns (at most
    /// once per [`WARN_EVERY`]).
    fn failed(&self, why: &str) -> Option<Vec<Verdict>> {
        *lock(&self.connection) = None;
        let now = Instant::now();
        *lock(&self.skip_until) = Some(now + RETRY_AFTER);
        let mut warned_at = lock(&self.warned_at);
        if warned_at.is_none_or(|at| now.duration_since(at) >= WARN_EVERY) {
            *warned_at = Some(now);
            tracing::warn!(
                error = why,
                "Redis unreachable: auth rate limits are counted per instance until it is back"
            );
        }
        None
    }
}

fn verdict(triple: &[i64]) -> Verdict {
    let micros = |v: i64| Duration::from_micros(u64::try_from(v).unwrap_or(0));
    if triple[0] == 1 {
        Verdict::Allowed {
            remaining: u32::try_from(triple[1]).unwrap_or(0),
            until_full: micros(triple[2]),
        }
    } else {
        Verdict::Refused {
            wait: micros(triple[1]),
            until_full: micros(triple[2]),
        }
    }
}

/// The lock's value even if a holder panicked (each is a plain value).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
