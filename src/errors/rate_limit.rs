//! The headers of a rate-limited answer: a plain description of the limit
//! closest to refusing, which the limiter (`rate_limit/`) fills in.
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// What the client learns about the limit that is closest to refusing it
/// (draft-ietf-httpapi-ratelimit-headers-07 fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `RateLimit-Limit`: requests allowed in a burst.
    pub limit: u32,
    /// `RateLimit-Remaining`: requests still allowed right now.
    pub remaining: u32,
    /// `RateLimit-Reset`: seconds until the full burst is available again.
    pub reset_secs: u64,
    /// The `w` of `RateLimit-Policy`: the window the limit is counted over.
    pub window_secs: u64,
}

pub const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

impl RateLimitHeaders {
    /// Writes the `RateLimit-*` headers.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(RATELIMIT_LIMIT, HeaderValue::from(self.limit));
        headers.insert(RATELIMIT_REMAINING, HeaderValue::from(self.remaining));
        headers.insert(RATELIMIT_RESET, HeaderValue::from(self.reset_secs));
        if let Ok(policy) = HeaderValue::try_from(format!("{};w={}", self.limit, self.window_secs))
        {
            headers.insert(RATELIMIT_POLICY, policy);
        }
    }
}
