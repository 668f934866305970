//! CORS (contract, "Operations": off unless `CORS_ORIGINS` lists origins).
//! With origins listed, browsers on those origins may call every route with
//! a bearer token; credentials (cookies) are never allowed, since the API
//! has none, and `*` may stand for any origin.
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer (Chromium caps it at
/// two hours, Firefox at one day).
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(7200);

/// Request headers a client sends beyond the CORS-safelisted ones.
const REQUEST_HEADERS: [HeaderName; 5] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    HeaderName::from_static("idempotency-key"),
];

/// Response headers a script may read beyond the safelisted ones.
const EXPOSED_HEADERS: [HeaderName; 9] = [
    header::ETAG,
    header::LOCATION,
    header::RETRY_AFTER,
    header::CONTENT_DISPOSITION,
    HeaderName::from_static("idempotent-replayed"),
    HeaderName::from_static("ratelimit-limit"),
    HeaderName::from_static("ratelimit-remaining"),
    HeaderName::from_static("ratelimit-reset"),
    HeaderName::from_static("ratelimit-policy"),
];

/// The origins of `CORS_ORIGINS` (comma-separated, e.g.
/// `https://app.example.com,http://localhost:5173`): empty for none, `["*"]`
/// for any.
///
/// # Errors
/// An entry that is not `*` or a bare origin (`scheme://host[:port]`, no
/// path), or `*` beside origins.
pub fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    let origins: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('/').to_string())
        .collect();
    if origins.iter().any(|o| o == "*") && origins.len() > 1 {
        return Err("CORS_ORIGINS: `*` stands alone".into());
    }
    for origin in origins.iter().filter(|o| *o != "*") {
        let (scheme, rest) = origin
            .split_once("://")
            .ok_or_else(|| format!("CORS_ORIGINS: `{origin}` is not scheme://host[:port]"))?;
        let bare = rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !matches!(scheme, "http" | "https") || rest.is_empty() || !bare {
            return Err(format!(
                "CORS_ORIGINS: `{origin}` is not an origin (scheme://host[:port], no path)"
            ));
        }
    }
    Ok(origins)
}

/// The layer for `origins` ([`parse_origins`]), `None` when CORS is off.
#[must_use]
pub fn layer(origins: &[String]) -> Option<CorsLayer> {
    let allow = match origins {
        [] => return None,
        [any] if any == "*" => AllowOrigin::any(),
        listed => AllowOrigin::list(
            listed
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect::<Vec<_>>(),
        ),
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers(REQUEST_HEADERS)
            .expose_headers(EXPOSED_HEADERS)
            .max_age(PREFLIGHT_MAX_AGE),
    )
}
