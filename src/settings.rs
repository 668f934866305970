//! Typed application settings, read once at boot from the `settings:` key of
//! `config/<env>.yaml`, plus the checked JWT secret.
use std::sync::Arc;

use base64::Engine;
use loco_rs::app::AppContext;
use serde::Deserialize;

use crate::errors::ApiError;

/// The page cache of each SQLite connection unless `SQLITE_CACHE_KIB` says
/// otherwise. Small on purpose: in WAL mode a connection empties its cache
/// whenever another connection has written since its last read, so under a
/// steady write load a larger cache is mostly refilled memory
/// (docs/performance.md); the operating system's file cache is shared.
pub const DEFAULT_SQLITE_CACHE_KIB: u32 = 1024;

/// Shortest decoded `JWT_SECRET` accepted (HS512 wants at least 256 bits).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Lifetime of a refresh token; each rotation starts a new one.
    pub refresh_token_ttl_seconds: i64,
    /// Lifetime of a password-reset token.
    pub reset_token_ttl_seconds: i64,
    /// Password hashes running at once (each is ~20 MB and ~50 ms of CPU);
    /// 0 means half the CPU cores, at least 1.
    pub password_hash_concurrency: usize,
    /// Page cache of each SQLite connection, in KiB (`PRAGMA cache_size`).
    pub sqlite_cache_kib: std::num::NonZeroU32,
    /// The `From:` of every email, e.g. `taskforge <noreply@example.com>`.
    pub mail_from: String,
    /// Request rate limits (`docs/rate-limits.md`).
    pub rate_limit: RateLimitSettings,
    /// Connection and request timeouts (`src/server/`).
    pub timeouts: TimeoutSettings,
    /// `HSTS=on`: every response carries `Strict-Transport-Security` (only
    /// behind TLS; a browser then refuses plain HTTP to this host).
    #[serde(deserialize_with = "on_off")]
    pub hsts: bool,
    /// `CORS_ORIGINS`: comma-separated origins browsers may call from, `*`
    /// for any, empty for no CORS at all (`server::cors`).
    pub cors_origins: String,
    /// Per-user resource limits (contract, "Resource limits").
    pub quotas: Quotas,
    /// How long finished rows are kept (`cargo loco task purge`).
    pub retention: Retention,
    /// Key for cursor tags, derived from the JWT secret at boot ([`cursor_key`]).
    #[serde(skip)]
    pub cursor_key: Vec<u8>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_token_ttl_seconds: 30 * 24 * 3600,
            reset_token_ttl_seconds: 3600,
            password_hash_concurrency: 0,
            sqlite_cache_kib: std::num::NonZeroU32::new(DEFAULT_SQLITE_CACHE_KIB)
                .unwrap_or(std::num::NonZeroU32::MIN),
            mail_from: "taskforge <noreply@localhost>".to_string(),
            rate_limit: RateLimitSettings::default(),
            timeouts: TimeoutSettings::default(),
            hsts: false,
            cors_origins: String::new(),
            quotas: Quotas::default(),
            retention: Retention::default(),
            cursor_key: Vec::new(),
        }
    }
}

/// `settings.rate_limit`: every limit is `requests` per `per_seconds`,
/// refilled evenly (GCRA), so a full burst of `requests` is allowed at once.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// `RATE_LIMIT=off` switches every limit off (benchmarks, load tests).
    #[serde(deserialize_with = "on_off")]
    pub enabled: bool,
    /// Reverse proxies in front of the server that each append the peer they
    /// saw to `X-Forwarded-For`. 0: the socket peer is the client and the
    /// header is ignored (it can be forged).
    pub trusted_proxies: usize,
    /// `register`, `login`, `forgot`, `reset` from one client IP.
    pub auth_per_ip: Quota,
    /// `login`, `forgot` for one email from one client IP.
    pub auth_per_ip_email: Quota,
    /// `login`, `forgot` for one email from anywhere.
    pub auth_per_email: Quota,
    /// `refresh` from one client IP: roomy, since every client behind one
    /// NAT refreshes routinely, yet it caps token guessing from one address.
    pub refresh_per_ip: Quota,
    /// Authenticated requests of one user (always per instance).
    pub per_user: Quota,
    /// `REDIS_URL`: the auth limits are counted there, shared by every
    /// instance; empty: in this instance's memory (`rate_limit::shared`).
    pub redis_url: String,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            trusted_proxies: 0,
            auth_per_ip: Quota::new(30, 60),
            auth_per_ip_email: Quota::new(10, 900),
            auth_per_email: Quota::new(50, 900),
            refresh_per_ip: Quota::new(300, 60),
            per_user: Quota::new(600, 60),
            redis_url: String::new(),
        }
    }
}

/// `settings.timeouts`, in seconds (contract, "Operations").
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeoutSettings {
    /// `HEADER_TIMEOUT`: a request's headers arrive within it, or the
    /// connection is closed.
    pub header_seconds: u64,
    /// `REQUEST_TIMEOUT`: a request is answered within it, or gets 503.
    pub request_seconds: u64,
    /// `IDLE_TIMEOUT`: a kept-alive connection with no request closes after it.
    pub idle_seconds: u64,
    /// `SHUTDOWN_TIMEOUT`: after SIGTERM, requests in flight (then jobs) get
    /// this long to finish before the process exits (`server::serve`).
    pub shutdown_seconds: u64,
}

impl Default for TimeoutSettings {
    fn default() -> Self {
        Self {
            header_seconds: 10,
            request_seconds: 30,
            shutdown_seconds: 30,
            idle_seconds: 60,
        }
    }
}

/// `settings.quotas`: the most of each resource one user may own; a create
/// beyond it is 403 `/problems/quota-exceeded`. The other resources of the
/// contract (webhooks, tokens, feeds) join as they arrive.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// `QUOTA_TASKS`.
    pub tasks: u32,
    /// `QUOTA_LISTS` (the inbox counts).
    pub lists: u32,
    /// `QUOTA_LABELS` (labels a task body creates count too).
    pub labels: u32,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            tasks: 100_000,
            lists: 500,
            labels: 500,
        }
    }
}

/// `settings.retention` (docs/deploy.md, "Retention"); the fixed periods of
/// the contract are in `models::retention`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// `NOTIFICATION_RETENTION_DAYS`: read notifications older than this go.
    pub notification_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            notification_days: 90,
        }
    }
}

/// `requests` per `per_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub requests: u32,
    pub per_seconds: u64,
}

impl Quota {
    #[must_use]
    pub const fn new(requests: u32, per_seconds: u64) -> Self {
        Self {
            requests,
            per_seconds,
        }
    }
}

/// `true`/`false`, or the strings `on`/`off` (`true`, `false`, `1`, `0`,
/// `yes`, `no`) an environment variable gives, in any letter case.
fn on_off<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Switch {
        Bool(bool),
        Text(String),
    }
    match Switch::deserialize(deserializer)? {
        Switch::Bool(on) => Ok(on),
        Switch::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "yes" => Ok(true),
            "off" | "false" | "0" | "no" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "expected on or off, found `{other}`"
            ))),
        },
    }
}

impl Settings {
    /// Parses `settings:` (absent means all defaults).
    ///
    /// # Errors
    /// When a key is unknown or has the wrong type.
    pub fn from_config(value: Option<&serde_json::Value>) -> loco_rs::Result<Self> {
        value.map_or_else(
            || Ok(Self::default()),
            |v| {
                serde_json::from_value(v.clone())
                    .map_err(|e| loco_rs::Error::string(&format!("invalid `settings`: {e}")))
            },
        )
    }

    /// The settings stored at boot.
    ///
    /// # Errors
    /// Internal error when boot did not store them (a wiring bug).
    pub fn of(ctx: &AppContext) -> Result<Arc<Self>, ApiError> {
        ctx.shared_store
            .get::<Arc<Self>>()
            .ok_or_else(|| ApiError::internal("settings are not loaded"))
    }
}

/// The configured sender of emails (`MAIL_FROM`).
#[must_use]
pub fn mail_from(ctx: &AppContext) -> String {
    ctx.shared_store
        .get::<Arc<Settings>>()
        .map_or_else(|| Settings::default().mail_from, |s| s.mail_from.clone())
}

/// Refuses a JWT secret that is not base64 or is shorter than 32 bytes
/// decoded: Loco would otherwise fail every login at run time.
///
/// # Errors
/// A message naming the problem (never the secret).
pub fn check_jwt_secret(secret: &str) -> loco_rs::Result<Vec<u8>> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(secret.trim())
        .map_err(|_| {
            loco_rs::Error::string(
                "JWT_SECRET must be base64 (generate one with `openssl rand -base64 48`)",
            )
        })?;
    if decoded.len() < MIN_JWT_SECRET_BYTES {
        return Err(loco_rs::Error::string(&format!(
            "JWT_SECRET must decode to at least {MIN_JWT_SECRET_BYTES} bytes (generate one with `openssl rand -base64 48`)"
        )));
    }
    Ok(decoded)
}

/// The key of cursor tags, derived from the decoded JWT secret with HKDF
/// (RFC 5869, SHA-256) under its own label, so the secret that signs access
/// tokens is never used as is for anything else: a tag cannot help forge a
/// token, and each use can be rotated by changing its label.
#[must_use]
pub fn cursor_key(jwt_secret: &[u8]) -> Vec<u8> {
    derive_key(jwt_secret, b"taskforge cursor tags v1")
}

/// A 32-byte key for `purpose` from `secret` (HKDF-SHA-256, no salt).
#[must_use]
pub fn derive_key(secret: &[u8], purpose: &[u8]) -> Vec<u8> {
    let mut key = vec![0; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, secret)
        .expand(purpose, &mut key)
        .expect("32 bytes is a valid HKDF-SHA-256 output length");
    key
}
