//! Password hashing off the async executor, and opaque token helpers.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use loco_rs::{app::AppContext, hash};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::errors::ApiError;

/// Argon2id hashing and verification (Loco's `hash` module) on Tokio's
/// blocking pool, at most `permits` at a time so a login storm queues here
/// instead of starving every other request of CPU and blocking threads.
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Verified against when the email is unknown; made at boot so that the
    /// first unknown-email login costs the same as every other.
    dummy_hash: String,
}

/// Half the CPU cores, at least one: a login storm keeps the other half
/// for every other request (on 2 cores, GET p99 during 50 concurrent logins
/// went from ×3.2 of calm with 2 permits to ×1.2 with 1; docs/performance.md).
#[must_use]
pub fn default_hash_concurrency() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    (cores / 2).max(1)
}

impl Passwords {
    /// # Errors
    /// When the dummy hash cannot be made.
    pub fn new(concurrency: usize) -> loco_rs::Result<Self> {
        let permits = if concurrency == 0 {
            default_hash_concurrency()
        } else {
            concurrency
        };
        Ok(Self {
            permits: Arc::new(Semaphore::new(permits)),
            dummy_hash: hash::hash_password(&new_secret())?,
        })
    }

    /// The instance stored at boot.
    ///
    /// # Errors
    /// Internal error when boot did not store it (a wiring bug).
    pub fn of(ctx: &AppContext) -> Result<Arc<Self>, ApiError> {
        ctx.shared_store
            .get::<Arc<Self>>()
            .ok_or_else(|| ApiError::internal("password hasher is not loaded"))
    }

    /// Runs `job` on the blocking pool once a permit is free. The permit
    /// goes with the job, not with the request: when the request is
    /// cancelled (the client hung up), the hash still runs to its end, and
    /// the permit is only free again then. Otherwise logins abandoned
    /// mid-hash would let any number of hashes (19 MiB and ~50 ms of CPU
    /// each) run at once.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let done = job();
            drop(permit);
            done
        })
        .await
        .map_err(ApiError::internal)
    }

    /// Hashes that may start now (for tests and checks).
    #[must_use]
    pub fn free_permits(&self) -> usize {
        self.permits.available_permits()
    }

    /// Hashes a new password (Argon2id, PHC string).
    ///
    /// # Errors
    /// Internal error when hashing fails.
    pub async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let password = password.to_string();
        self.run(move || hash::hash_password(&password))
            .await?
            .map_err(ApiError::internal)
    }

    /// The caller's own password, confirmed before a sensitive change
    /// (password change, account deletion).
    ///
    /// # Errors
    /// [`ApiError::InvalidCredentials`] (the 401 of a failed login) when it
    /// does not match; internal error when the blocking pool fails.
    pub async fn confirm(&self, password: &str, stored: &str) -> Result<(), ApiError> {
        if self.verify(password, Some(stored)).await? {
            Ok(())
        } else {
            Err(ApiError::InvalidCredentials)
        }
    }

    /// Checks `password` against `stored`. With no stored hash (unknown
    /// email) it still runs one full verification against a dummy hash, so
    /// both failures take the same time.
    ///
    /// # Errors
    /// Internal error when the blocking pool fails.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, ApiError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_string();
        let password = password.to_string();
        let matches = self
            .run(move || hash::verify_password(&password, &stored))
            .await?;
        Ok(known && matches)
    }
}

/// A fresh opaque secret: 43 alphanumeric characters (about 256 bits).
#[must_use]
pub fn new_secret() -> String {
    hash::random_string(43)
}

/// The stored form of an opaque token. Tokens carry 256 bits of entropy, so
/// a fast hash is enough; only the hash ever reaches the database.
#[must_use]
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verifies access tokens exactly as Loco's `JWT::validate` does (HS512
/// pinned, so `alg: none` and other algorithms fail; signature; `exp` with no
/// leeway), with the key decoded from the base64 secret once at boot instead
/// of on every request.
///
/// A client sends the same token with every request for its lifetime, so the
/// tokens verified lately are remembered (at most [`MAX_REMEMBERED`], the
/// whole token compared): a token seen before costs a look-up and an `exp`
/// check instead of two base64 decodes, two JSON parses and an HMAC
/// (docs/performance.md, change 17). Only verified tokens are remembered,
/// and a remembered token past its `exp` is verified (and refused) afresh.
pub struct AccessTokens {
    key: DecodingKey,
    validation: Validation,
    remembered: Mutex<HashMap<Box<str>, VerifiedToken>>,
}

/// Tokens remembered at most; the memory starts over when full.
pub const MAX_REMEMBERED: usize = 1024;

/// What the request path uses of a verified access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedToken {
    pub user_pid: Uuid,
    /// Names the login (session).
    pub jti: Uuid,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Malformed, not HS512, badly signed or expired.
    Invalid,
    /// Verified, but its `pid` or `jti` is not a UUID.
    Claims,
}

#[derive(Deserialize)]
struct AccessClaims {
    pid: String,
    exp: u64,
    #[serde(default)]
    jti: Option<String>,
}

impl AccessTokens {
    /// # Errors
    /// When the secret is not base64.
    pub fn new(secret_base64: &str) -> loco_rs::Result<Self> {
        let key = DecodingKey::from_base64_secret(secret_base64)
            .map_err(|e| loco_rs::Error::string(&format!("JWT secret: {e}")))?;
        let mut validation = Validation::new(Algorithm::HS512);
        validation.leeway = 0;
        Ok(Self {
            key,
            validation,
            remembered: Mutex::new(HashMap::new()),
        })
    }

    /// The instance stored at boot.
    ///
    /// # Errors
    /// Internal error when boot did not store it (a wiring bug).
    pub fn of(ctx: &AppContext) -> Result<Arc<Self>, ApiError> {
        ctx.shared_store
            .get::<Arc<Self>>()
            .ok_or_else(|| ApiError::internal("access-token verifier is not loaded"))
    }

    /// The user and session of a valid token.
    ///
    /// # Errors
    /// [`TokenError`].
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let now = jsonwebtoken::get_current_timestamp();
        let seen = self.remembered().get(token).copied();
        // Expired when `exp < now`, as jsonwebtoken decides with no leeway.
        if let Some(seen) = seen.filter(|seen| seen.exp >= now) {
            return Ok(seen);
        }
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &self.key, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        let uuid = |s: &str| Uuid::try_parse(s).map_err(|_| TokenError::Claims);
        let verified = VerifiedToken {
            user_pid: uuid(&claims.pid)?,
            jti: uuid(claims.jti.as_deref().unwrap_or_default())?,
            exp: claims.exp,
        };
        let mut remembered = self.remembered();
        if remembered.len() >= MAX_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(token.into(), verified);
        Ok(verified)
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, VerifiedToken>> {
        self.remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How many tokens are remembered (for tests).
    #[must_use]
    pub fn remembered_count(&self) -> usize {
        self.remembered().len()
    }
}
