//! Request rate limits (`docs/rate-limits.md`).
//!
//! Five keyed GCRA limiters (`governor`): auth requests per client IP, login
//! and forgot per (IP, email) and per email, refreshes per client IP, and
//! authenticated requests per user. A check is one `DashMap` look-up and a
//! compare-and-swap: no database, no allocation once a key is known. With
//! `REDIS_URL` set the four auth limits are counted in Redis instead
//! ([`shared`]), so several instances allow what one allows; the per-user
//! limit stays per instance (the contract allows it), and memory takes over
//! whenever Redis does not answer. [`scope`] (a layer, installed only when
//! limits are on) resolves the client IP and carries the limiter through the
//! request; [`auth_attempt`] and [`user_request`] check against it.
mod client;
mod limiter;
mod scope;
pub mod shared;

use std::{
    net::IpAddr,
    sync::{Arc, Weak},
    time::Duration,
};

use hmac::{Hmac, Mac};
use uuid::Uuid;

pub use client::{client_ip, limit_key};
pub use scope::{auth_attempt, install, refresh_attempt, scope, user_request};

use crate::{
    errors::{ApiError, RateLimitHeaders},
    settings::RateLimitSettings,
};
use limiter::{closest, Limiter};
use shared::Shared;

/// How often idle keys are dropped ([`RateLimits::prune`]).
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Every limiter of one instance, built from `settings.rate_limit`.
pub struct RateLimits {
    enabled: bool,
    trusted_proxies: usize,
    auth_ip: Limiter<IpAddr>,
    auth_ip_email: Limiter<(IpAddr, u64)>,
    auth_email: Limiter<u64>,
    refresh_ip: Limiter<IpAddr>,
    user: Limiter<Uuid>,
    /// Keys emails by HMAC-SHA-256 under a key derived from the JWT secret:
    /// fixed-size keys whatever the input, no address kept in memory or in
    /// Redis, and the same key for an address on every instance.
    email_key: Vec<u8>,
    /// The auth limits in Redis, when `REDIS_URL` is set.
    shared: Option<Shared>,
}

impl RateLimits {
    /// The limits of `settings`; `email_key` keys the email hashes (the
    /// same on every instance).
    ///
    /// # Errors
    /// When a quota has 0 requests or 0 seconds, or `redis_url` is not a
    /// Redis URL.
    pub fn new(settings: &RateLimitSettings, email_key: &[u8]) -> loco_rs::Result<Self> {
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
            email_key: email_key.to_vec(),
            shared: match settings.redis_url.as_str() {
                "" => None,
                url => Some(Shared::new(url).map_err(|e| {
                    loco_rs::Error::string(&format!("REDIS_URL for the rate limits: {e}"))
                })?),
            },
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
    /// returns the status of the one closest to its limit. In Redis when it
    /// is set and answers, else in memory.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] from the first limit reached.
    pub async fn auth(
        &self,
        client: IpAddr,
        email: Option<&str>,
    ) -> Result<RateLimitHeaders, ApiError> {
        let email = email.map(|e| self.email_key(e));
        if let Some(shared) = &self.shared {
            let mut keyed = vec![(&self.auth_ip.policy, format!("taskforge:rl:ip:{client}"))];
            if let Some(email) = email {
                keyed.push((
                    &self.auth_ip_email.policy,
                    format!("taskforge:rl:ip-email:{client}:{email:016x}"),
                ));
                keyed.push((
                    &self.auth_email.policy,
                    format!("taskforge:rl:email:{email:016x}"),
                ));
            }
            let checks: Vec<_> = keyed.iter().map(|(p, key)| p.remote(key.clone())).collect();
            if let Some(verdicts) = shared.check(&checks).await {
                let statuses = keyed
                    .iter()
                    .zip(verdicts)
                    .map(|((policy, _), verdict)| policy.verdict(verdict))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(status) = closest(statuses) {
                    return Ok(status);
                }
            }
        }
        let by_ip = self.auth_ip.check(&client)?;
        let Some(email) = email else {
            return Ok(by_ip);
        };
        let by_ip_email = self.auth_ip_email.check(&(client, email))?;
        let by_email = self.auth_email.check(&email)?;
        Ok(closest(vec![by_ip, by_ip_email, by_email]).unwrap_or(by_ip))
    }

    /// One `POST /auth/refresh` from `client`: in Redis when it is set and
    /// answers, else in memory.
    ///
    /// # Errors
    /// [`ApiError::RateLimited`] when the client's refresh limit is reached.
    pub async fn refresh(&self, client: IpAddr) -> Result<RateLimitHeaders, ApiError> {
        let policy = &self.refresh_ip.policy;
        if let Some(shared) = &self.shared {
            let check = policy.remote(format!("taskforge:rl:refresh:{client}"));
            if let Some(verdict) = shared
                .check(&[check])
                .await
                .and_then(|v| v.first().copied())
            {
                return policy.verdict(verdict);
            }
        }
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
    /// Unicode, so every spelling the database treats as one is one here),
    /// then hashed.
    fn email_key(&self, email: &str) -> u64 {
        let normal: String = email.trim().chars().flat_map(char::to_lowercase).collect();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.email_key)
            .expect("HMAC takes a key of any length");
        mac.update(normal.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
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
