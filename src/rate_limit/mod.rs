//! Request rate limits, in memory and per instance (`docs/rate-limits.md`).
//!
//! Five keyed GCRA limiters (`governor`): auth requests per client IP, login
//! and forgot per (IP, email) and per email, refreshes per client IP, and
//! authenticated requests per user. A check is one `DashMap` look-up and a compare-and-swap: no database,
//! no allocation once a key is known. [`scope`] (a layer, installed only when
//! limits are on) resolves the client IP and carries the limiter through the
//! request; [`auth_attempt`] and [`user_request`] check against it.
mod client;
mod scope;

use std::{
    hash::{BuildHasher, Hash, Hasher, RandomState},
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Weak},
    time::Duration,
};

use governor::{
    clock::{Clock, DefaultClock},
    middleware::StateInformationMiddleware,
    state::keyed::DashMapStateStore,
    RateLimiter,
};
use uuid::Uuid;

pub use client::{client_ip, limit_key};
pub use scope::{auth_attempt, install, refresh_attempt, scope, user_request};

use crate::{
    errors::{ApiError, RateLimitHeaders},
    settings::{Quota, RateLimitSettings},
};

/// How often idle keys are dropped ([`RateLimits::prune`]).
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// One keyed limiter and the policy it reports in `RateLimit-*` headers.
struct Limiter<K: Hash + Eq + Clone> {
    inner: Keyed<K>,
    quota: Quota,
    interval: Duration,
    /// The `detail` of its 429.
    refusal: &'static str,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(quota: Quota, name: &str, refusal: &'static str) -> loco_rs::Result<Self> {
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
            quota,
            interval,
            refusal,
        })
    }

    fn check(&self, key: &K) -> Result<RateLimitHeaders, ApiError> {
        let limit = self.quota.requests;
        match self.inner.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Ok(self.status(remaining, self.interval * (limit - remaining)))
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.inner.clock().now());
                let full = wait + self.interval * (limit - 1);
                Err(ApiError::RateLimited {
                    retry_after_secs: ceil_secs(wait),
                    status: self.status(0, full),
                    detail: self.refusal,
                })
            }
        }
    }

    fn status(&self, remaining: u32, until_full: Duration) -> RateLimitHeaders {
        RateLimitHeaders {
            limit: self.quota.requests,
            remaining,
            reset_secs: ceil_secs(until_full),
            window_secs: self.quota.per_seconds,
        }
    }

    fn prune(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}

/// Whole seconds, rounded up, at least 1: what `Retry-After` and
/// `RateLimit-Reset` promise must not come too early.
fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    secs.max(1)
}

/// Every limiter of one instance, built from `settings.rate_limit`.
pub struct RateLimits {
    enabled: bool,
    trusted_proxies: usize,
    auth_ip: Limiter<IpAddr>,
    auth_ip_email: Limiter<(IpAddr, u64)>,
    auth_email: Limiter<u64>,
    refresh_ip: Limiter<IpAddr>,
    user: Limiter<Uuid>,
    /// Keys emails by a keyed hash: fixed-size keys whatever the input, and
    /// no address kept in memory.
    email_hasher: RandomState,
}

impl RateLimits {
    /// # Errors
    /// When a quota has 0 requests or 0 seconds.
    pub fn new(settings: &RateLimitSettings) -> loco_rs::Result<Self> {
        let email = "too many attempts for this email address";
        Ok(Self {
            enabled: settings.enabled,
            trusted_proxies: settings.trusted_proxies,
            auth_ip: Limiter::new(
                settings.auth_per_ip,
                "auth_per_ip",
                "too many requests from this client address",
            )?,
            auth_ip_email: Limiter::new(settings.auth_per_ip_email, "auth_per_ip_email", email)?,
            auth_email: Limiter::new(settings.auth_per_email, "auth_per_email", email)?,
            refresh_ip: Limiter::new(
                settings.refresh_per_ip,
                "refresh_per_ip",
                "too many refreshes from this client address",
            )?,
            user: Limiter::new(
                settings.per_user,
                "per_user",
                "too many requests for this user",
            )?,
            email_hasher: RandomState::new(),
        })
    }

    #[must_use]
    pub const fn enabled(&self) -> bool {
        self.enabled
    }

    #[must_use]
    pub const fn trusted_proxies(&self) -> usize {
        self.trusted_proxies
    }

    /// One auth request from `client` (see [`limit_key`]), for `email` when
    /// the endpoint names an account. Checks the client, then (client,
    /// email), then the email alone, stopping at the first refusal, and
    /// returns the status of the one closest to its limit.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] from the first limit reached.
    pub fn auth(&self, client: IpAddr, email: Option<&str>) -> Result<RateLimitHeaders, ApiError> {
        let by_ip = self.auth_ip.check(&client)?;
        let Some(email) = email else {
            return Ok(by_ip);
        };
        let email = self.email_key(email);
        let by_ip_email = self.auth_ip_email.check(&(client, email))?;
        let by_email = self.auth_email.check(&email)?;
        Ok([by_ip, by_ip_email, by_email]
            .into_iter()
            .min_by_key(|s| s.remaining)
            .unwrap_or(by_ip))
    }

    /// One `POST /auth/refresh` from `client`.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] when the client's refresh limit is reached.
    pub fn refresh(&self, client: IpAddr) -> Result<RateLimitHeaders, ApiError> {
        self.refresh_ip.check(&client)
    }

    /// One authenticated request of `user`.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] when the user's limit is reached.
    pub fn user(&self, user: Uuid) -> Result<RateLimitHeaders, ApiError> {
        self.user.check(&user)
    }

    /// The email as the limiters know it: trimmed, lower-cased (all of
    /// Unicode, so every spelling the database treats as one is one here).
    fn email_key(&self, email: &str) -> u64 {
        let mut hasher = self.email_hasher.build_hasher();
        for c in email.trim().chars().flat_map(char::to_lowercase) {
            hasher.write_u32(u32::from(c));
        }
        hasher.finish()
    }

    /// Forgets every key whose bucket is full again (indistinguishable from
    /// a new key), so memory follows recent traffic, not all traffic ever.
    pub fn prune(&self) {
        self.auth_ip.prune();
        self.auth_ip_email.prune();
        self.auth_email.prune();
        self.refresh_ip.prune();
        self.user.prune();
    }

    /// Keys currently held, all limiters together.
    #[must_use]
    pub fn keys(&self) -> usize {
        self.auth_ip.inner.len()
            + self.auth_ip_email.inner.len()
            + self.auth_email.inner.len()
            + self.refresh_ip.inner.len()
            + self.user.inner.len()
    }

    /// Prunes every `every` on the Tokio runtime until the limiter is dropped.
    pub fn prune_periodically(self: &Arc<Self>, every: Duration) {
        let limits: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(limits) = limits.upgrade() else {
                    break;
                };
                limits.prune();
            }
        });
    }
}
