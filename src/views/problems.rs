//! The error responses of the OpenAPI document, one per kind of problem:
//! each an RFC 9457 body (`Problem`) as `application/problem+json`, with the
//! headers it carries. `docs/errors.md` says when each happens.
//!
//! Which operation documents which follows from its shape
//! ([`super::openapi::Conventions`]): a body, a query, a token, a path id,
//! `If-Match`, `Idempotency-Key`. The few that follow from what an operation
//! does (a taken email on register, say) are named on the operation itself,
//! as the extension [`PROBLEMS_EXTENSION`]: `{"409": "EmailTaken"}`.
use utoipa::openapi::{
    header::HeaderBuilder,
    response::{Response, ResponseBuilder},
    schema::{ObjectBuilder, Type},
    Content, Ref,
};

/// The operation extension naming its own problem responses, by status.
pub const PROBLEMS_EXTENSION: &str = "x-problems";

/// One problem response: its component name, when it is sent, its headers
/// (name, JSON type, description).
pub struct ProblemResponse {
    pub name: &'static str,
    pub description: &'static str,
    pub headers: &'static [(&'static str, Type, &'static str)],
}

const fn problem(name: &'static str, description: &'static str) -> ProblemResponse {
    ProblemResponse {
        name,
        description,
        headers: &[],
    }
}

/// Every problem response the document names.
pub const PROBLEM_RESPONSES: &[ProblemResponse] = &[
    problem(
        "MalformedRequest",
        "Malformed: the body is not JSON, or the query string cannot be decoded.",
    ),
    problem(
        "BadQuery",
        "Malformed query string, or a `cursor` this server did not issue for this very query.",
    ),
    problem(
        "InvalidResetToken",
        "The reset token is unknown, already used or expired.",
    ),
    ProblemResponse {
        name: "Unauthorized",
        description: "The bearer token is missing, malformed, expired, badly signed or revoked.",
        headers: &[(
            "WWW-Authenticate",
            Type::String,
            "`Bearer` when no token was sent, else `Bearer error=\"invalid_token\"`",
        )],
    },
    ProblemResponse {
        name: "InvalidCredentials",
        description: "Wrong email or password (one answer for both).",
        headers: &[("WWW-Authenticate", Type::String, "`Bearer`")],
    },
    ProblemResponse {
        name: "InvalidRefreshToken",
        description: "The refresh token is unknown, expired, revoked or already used (reuse ends that login).",
        headers: &[("WWW-Authenticate", Type::String, "`Bearer`")],
    },
    problem(
        "NotFound",
        "No such resource for this user (another user's resource is 404 too).",
    ),
    problem(
        "EmailTaken",
        "An account with this email already exists (compared case-insensitively).",
    ),
    problem(
        "QuotaExceeded",
        "The caller owns as many of this resource as one user may (`QUOTA_TASKS`: 100,000 tasks, `QUOTA_LISTS`: 500 lists by default); nothing was created.",
    ),
    problem(
        "NameTaken",
        "The caller has a list of this name already (names are compared ignoring case).",
    ),
    problem(
        "InboxList",
        "The inbox cannot be deleted or archived.",
    ),
    problem(
        "IdempotencyConflict",
        "This `Idempotency-Key` was used in the last 24 hours with a different body.",
    ),
    problem(
        "PreconditionFailed",
        "`If-Match` names no current ETag of the task; nothing changed.",
    ),
    problem(
        "PayloadTooLarge",
        "The request body is over the limit (64 KiB by default).",
    ),
    problem(
        "UnsupportedMediaType",
        "The body is not `application/json` (`PATCH` also takes `application/merge-patch+json`).",
    ),
    problem(
        "ValidationFailed",
        "Validation failed; `errors` names every offending field, parameter or header.",
    ),
    ProblemResponse {
        name: "RateLimited",
        description: "Too many requests from this client, for this email or by this user\n(docs/rate-limits.md); retry after `Retry-After` seconds.",
        headers: &[
            ("Retry-After", Type::Integer, "Seconds to wait before retrying (at least 1)"),
            ("RateLimit-Limit", Type::Integer, "Requests allowed by the limit that refused this one"),
            ("RateLimit-Remaining", Type::Integer, "Requests still allowed now: 0"),
            ("RateLimit-Reset", Type::Integer, "Seconds until the full allowance is back"),
            ("RateLimit-Policy", Type::String, "The limit: `<requests>;w=<window seconds>`"),
        ],
    },
    problem(
        "InternalError",
        "Unexpected failure; the body holds only the `request_id`, the log holds the cause.",
    ),
    problem(
        "Unavailable",
        "A dependency (the database, the queue) cannot be reached.",
    ),
];

impl ProblemResponse {
    /// This response as a component of the document.
    #[must_use]
    pub fn response(&self) -> Response {
        let mut response = ResponseBuilder::new()
            .description(self.description)
            .content(
                crate::errors::PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            );
        for (name, kind, description) in self.headers {
            let mut schema = ObjectBuilder::new().schema_type(kind.clone());
            if *kind == Type::Integer {
                // Counts and seconds.
                schema = schema.minimum(Some(0));
            }
            let header = HeaderBuilder::new()
                .schema(schema)
                .description(Some(*description));
            response = response.header(*name, header.build());
        }
        response.build()
    }
}
