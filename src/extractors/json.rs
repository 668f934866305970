//! JSON bodies: content type (415), size (413), syntax (400), object shape (422).
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{header, Method},
};
use serde_json::{Map, Value};

use crate::errors::ApiError;

/// A JSON object request body.
///
/// `Content-Type` must be `application/json` (PATCH also takes
/// `application/merge-patch+json`).
pub struct JsonObject(pub Map<String, Value>);

/// A body that may be left out entirely (no bytes at all); when present it
/// follows the same rules as [`JsonObject`].
pub struct OptionalJsonObject(pub Option<Map<String, Value>>);

fn check_content_type(req: &Request) -> Result<(), ApiError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(ApiError::UnsupportedMediaType(
            "Content-Type must be application/json",
        ));
    };
    let essence = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let accepted = essence == "application/json"
        || (req.method() == Method::PATCH && essence == "application/merge-patch+json");
    if accepted {
        Ok(())
    } else if req.method() == Method::PATCH {
        Err(ApiError::UnsupportedMediaType(
            "Content-Type must be application/json or application/merge-patch+json",
        ))
    } else {
        Err(ApiError::UnsupportedMediaType(
            "Content-Type must be application/json",
        ))
    }
}

async fn read_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::MalformedRequest("the request body could not be read".into())
        }
    })
}

fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::field("body", "must be a JSON object")),
        Err(err) => Err(ApiError::MalformedRequest(format!("malformed JSON: {err}"))),
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        check_content_type(&req)?;
        let bytes = read_bytes(req, state).await?;
        parse_object(&bytes).map(Self)
    }
}

impl<S: Send + Sync> FromRequest<S> for OptionalJsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_content_type = req.headers().contains_key(header::CONTENT_TYPE);
        if has_content_type {
            check_content_type(&req)?;
        }
        let bytes = read_bytes(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        if !has_content_type {
            return Err(ApiError::UnsupportedMediaType(
                "Content-Type must be application/json",
            ));
        }
        parse_object(&bytes).map(|m| Self(Some(m)))
    }
}
