//! One keyed in-memory GCRA limiter (`governor`) and the policy both
//! counting paths (memory, Redis) report through.
use std::{hash::Hash, num::NonZeroU32, time::Duration};

use governor::{
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DashMapStateStore,
    RateLimiter,
};

use super::shared::{Check, Verdict};
use crate::{
    errors::{ApiError, RateLimitHeaders},
    settings::Quota,
};

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// A quota as both counting paths report it: `RateLimit-*` headers and the
/// 429 of a refusal.
pub(super) struct Policy {
    quota: Quota,
    /// One request's share of the window (the GCRA emission interval).
    interval: Duration,
    /// The `detail` of its 429.
    refusal: &'static str,
}

impl Policy {
    pub(super) fn allowed(&self, remaining: u32, until_full: Duration) -> RateLimitHeaders {
        RateLimitHeaders {
            limit: self.quota.requests,
            remaining,
            reset_secs: ceil_secs(until_full),
            window_secs: self.quota.per_seconds,
        }
    }

    pub(super) fn refused(&self, wait: Duration, until_full: Duration) -> ApiError {
        ApiError::RateLimited {
            retry_after_secs: ceil_secs(wait),
            status: self.allowed(0, until_full),
            detail: self.refusal,
        }
    }

    /// The Redis check of this quota for `key`.
    pub(super) fn remote(&self, key: String) -> Check {
        Check {
            key,
            interval: self.interval,
            burst: self.quota.requests,
        }
    }

    pub(super) fn verdict(&self, verdict: Verdict) -> Result<RateLimitHeaders, ApiError> {
        match verdict {
            Verdict::Allowed {
                remaining,
                until_full,
            } => Ok(self.allowed(remaining, until_full)),
            Verdict::Refused { wait, until_full } => Err(self.refused(wait, until_full)),
        }
    }
}

/// One keyed in-memory limiter and its policy.
pub(super) struct Limiter<K: Hash + Eq + Clone> {
    pub(super) inner: Keyed<K>,
    pub(super) policy: Policy,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    pub(super) fn new(quota: Quota, name: &str, refusal: &'static str) -> loco_rs::Result<Self> {
        let burst = NonZeroU32::new(quota.requests);
        let interval = Duration::from_secs(quota.per_seconds) / quota.requests.max(1);
        let governed = burst
            .zip(governor::Quota::with_period(interval))
            .map(|(burst, q)| q.allow_burst(burst))
            .ok_or_else(|| {
                loco_rs::Error::string(&format!(
                    "invalid `settings.rate_limit.{name}`: requests and per_seconds must be at least 1"
                ))
            })?;
        Ok(Self {
            inner: RateLimiter::dashmap(governed).with_middleware(),
            policy: Policy {
                quota,
                interval,
                refusal,
            },
        })
    }

    pub(super) fn check(&self, key: &K) -> Result<RateLimitHeaders, ApiError> {
        let (limit, interval) = (self.policy.quota.requests, self.policy.interval);
        match self.inner.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Ok(self
                    .policy
                    .allowed(remaining, interval * (limit - remaining)))
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.inner.clock().now());
                Err(self.policy.refused(wait, wait + interval * (limit - 1)))
            }
        }
    }

    pub(super) fn prune(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}

/// The status of the limit closest to refusing (fewest requests left).
pub(super) fn closest(statuses: Vec<RateLimitHeaders>) -> Option<RateLimitHeaders> {
    statuses.into_iter().min_by_key(|s| s.remaining)
}

/// Whole seconds, rounded up, at least 1: what `Retry-After` and
/// `RateLimit-Reset` promise must not come too early.
fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    secs.max(1)
}
