//! Error responses of the OpenAPI document, one per kind of problem. Each is
//! an RFC 9457 body ([`Problem`]) as `application/problem+json`; the
//! `docs/errors.md` table says when each happens.
#![allow(dead_code)] // Types used only through `ToResponse`, never built.

use utoipa::ToResponse;

use crate::errors::Problem;

/// Malformed: the body is not JSON, or the query string cannot be decoded.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct MalformedRequest(Problem);

/// Malformed query string, or a `cursor` this server did not issue for this very query.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadQuery(Problem);

/// The reset token is unknown, already used or expired.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct InvalidResetToken(Problem);

/// The bearer token is missing, malformed, expired, badly signed or revoked.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String,
        description = "`Bearer` when no token was sent, else `Bearer error=\"invalid_token\"`"))
)]
pub struct Unauthorized(Problem);

/// Wrong email or password (one answer for both).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`"))
)]
pub struct InvalidCredentials(Problem);

/// The refresh token is unknown, expired, revoked or already used (reuse ends that login).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`"))
)]
pub struct InvalidRefreshToken(Problem);

/// No such resource for this user (another user's resource is 404 too).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(Problem);

/// An account with this email already exists (compared case-insensitively).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct EmailTaken(Problem);

/// This `Idempotency-Key` was used in the last 24 hours with a different body.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct IdempotencyConflict(Problem);

/// `If-Match` names no current ETag of the task; nothing changed.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PreconditionFailed(Problem);

/// The request body is over the limit (64 KiB by default).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(Problem);

/// The body is not `application/json` (`PATCH` also takes `application/merge-patch+json`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(Problem);

/// Validation failed; `errors` names every offending field, parameter or header.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct ValidationFailed(Problem);

/// Too many requests from this client, for this email or by this user
/// (docs/rate-limits.md); retry after `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(
        ("Retry-After" = u32, description = "Seconds to wait before retrying (at least 1)"),
        ("RateLimit-Limit" = u32, description = "Requests allowed by the limit that refused this one"),
        ("RateLimit-Remaining" = u32, description = "Requests still allowed now: 0"),
        ("RateLimit-Reset" = u32, description = "Seconds until the full allowance is back"),
        ("RateLimit-Policy" = String, description = "The limit: `<requests>;w=<window seconds>`"),
    )
)]
pub struct RateLimited(Problem);

/// Unexpected failure; the body holds only the `request_id`, the log holds the cause.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct InternalError(Problem);

/// A dependency (the database, the queue) cannot be reached.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(Problem);
