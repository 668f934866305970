//! Query strings read as name/value pairs: malformed is 400, unknown names
//! are 422 (each listing reads its own parameters from these).
use std::collections::HashMap;

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::errors::{ApiError, FieldErrors};

/// The query string, each parameter at most once.
pub struct QueryParams(pub HashMap<String, String>);

impl QueryParams {
    /// Records every parameter outside `allowed` as an error.
    #[must_use]
    pub fn unknown(&self, allowed: &[&str]) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut names: Vec<&String> = self
            .0
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .collect();
        names.sort();
        for name in names {
            errors.add(name.clone(), "is not a known query parameter");
        }
        errors
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        if !is_well_formed(raw) {
            return Err(ApiError::MalformedRequest(
                "malformed query string: bad percent-encoding".into(),
            ));
        }
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| ApiError::MalformedRequest(format!("malformed query string: {e}")))?;
        let mut map = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            if map.insert(name.clone(), value).is_some() {
                return Err(ApiError::field(&name, "must be given at most once"));
            }
        }
        Ok(Self(map))
    }
}

/// Every `%` starts a two-digit hex escape, and the decoded bytes are UTF-8.
fn is_well_formed(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let escape = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match escape {
                Some(byte) => decoded.push(byte),
                None => return false,
            }
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).is_ok()
}
