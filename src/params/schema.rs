//! The request side of the OpenAPI document: bodies, listing queries and
//! headers as schemas. The handlers read input field by field (see the other
//! modules here), so these types only describe it; `.ci/api-checks` holds the
//! two together by fuzzing the server with this description.
//!
//! Every body also accepts, and ignores, the read-only fields `id`,
//! `created_at`, `updated_at` and `completed_at`; any other unknown field is 422.
use serde::Deserialize;
use utoipa::{
    openapi::{
        schema::{ObjectBuilder, Schema, Type},
        RefOr,
    },
    IntoParams, PartialSchema, ToSchema,
};

use crate::views::schema::{DueDate, TaskPriority, TaskStatus, TimezoneName};

/// `POST /auth/register`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 1–100 characters after trimming surrounding white space.
    #[schema(value_type = PersonName)]
    pub name: String,
    /// Unique, compared case-insensitively.
    #[schema(format = Email, max_length = 254, example = "ada@example.com")]
    pub email: String,
    #[schema(min_length = 8, max_length = 128, example = "correct horse battery")]
    pub password: String,
}

/// `POST /auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "correct horse battery")]
    pub password: String,
}

/// `POST /auth/refresh`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The `refresh_token` of the latest `Session`.
    pub refresh_token: String,
}

/// `POST /auth/logout`: no body at all, or this object.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// `true` ends every login of the user, not just this one.
    #[schema(nullable = false)]
    pub all: Option<bool>,
}

/// `POST /auth/forgot`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotRequest {
    #[schema(format = Email, max_length = 254, example = "ada@example.com")]
    pub email: String,
}

/// `POST /auth/reset`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The token from the password-reset email.
    pub token: String,
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// `PATCH /auth/me`: only the fields sent change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[schema(value_type = PersonName, required = false)]
    pub name: Option<String>,
    #[schema(value_type = TimezoneName, required = false)]
    pub timezone: Option<String>,
    #[schema(nullable = false, minimum = 0, maximum = 10080, example = 60)]
    pub reminder_lead_minutes: Option<i32>,
}

/// `POST /tasks` and `PUT /tasks/{id}`: omitted optional fields take their defaults.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[schema(value_type = TaskTitle)]
    pub title: String,
    #[schema(max_length = 10000, example = "Q4 numbers")]
    pub description: Option<String>,
    /// Default `incomplete`.
    #[schema(value_type = TaskStatus, required = false)]
    pub status: Option<String>,
    /// Default `medium`.
    #[schema(value_type = TaskPriority, required = false)]
    pub priority: Option<String>,
    #[schema(value_type = Option<DueDate>)]
    pub due_date: Option<String>,
}

/// `PATCH /tasks/{id}`: a JSON merge patch (RFC 7396). Only the fields sent
/// change; `null` clears `description` or `due_date`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[schema(value_type = TaskTitle, required = false)]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[schema(value_type = TaskStatus, required = false)]
    pub status: Option<String>,
    #[schema(value_type = TaskPriority, required = false)]
    pub priority: Option<String>,
    #[schema(value_type = Option<DueDate>)]
    pub due_date: Option<String>,
}

/// `GET /tasks`. Every parameter is optional and checked; an unknown or
/// repeated one is 422.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u8>,
    /// The `next_cursor` of the previous page, with the same `sort` and filters.
    pub cursor: Option<String>,
    /// Comma-separated fields, each optionally prefixed with `-` for
    /// descending; a field at most once (the lookahead of the pattern).
    /// Default `-created_at`.
    #[param(
        pattern = r"^(?!(.*,)?-?(\w+),(.*,)?-?\2(,|$))-?(created_at|updated_at|due_date|priority|title|status)(,-?(created_at|updated_at|due_date|priority|title|status))*$",
        example = "-priority,due_date"
    )]
    pub sort: Option<String>,
    /// One status or a comma-separated list; any of them matches.
    #[param(
        pattern = r"^(incomplete|in_progress|complete)(,(incomplete|in_progress|complete))*$",
        example = "incomplete,in_progress"
    )]
    pub status: Option<String>,
    /// One priority or a comma-separated list; any of them matches.
    #[param(
        pattern = r"^(low|medium|high|urgent)(,(low|medium|high|urgent))*$",
        example = "high,urgent"
    )]
    pub priority: Option<String>,
    /// Inclusive lower bound of the due date: a date-time, or a date meaning
    /// the start of that day in the caller's timezone.
    #[param(value_type = Option<DueDate>)]
    pub due_after: Option<String>,
    /// Exclusive upper bound of the due date, read like `due_after`.
    #[param(value_type = Option<DueDate>)]
    pub due_before: Option<String>,
    /// `true`: due in the past and not complete; `false`: every other task.
    pub overdue: Option<bool>,
    /// Case-insensitive search: every word must appear in the title or the description.
    #[param(value_type = Option<SearchText>)]
    pub q: Option<String>,
}

/// `GET /notifications`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationListQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u8>,
    /// The `next_cursor` of the previous page, with the same `unread`.
    pub cursor: Option<String>,
    /// `true`: only notifications not yet read.
    pub unread: Option<bool>,
}

/// `POST /tasks`: makes a retry safe.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// 1–255 visible ASCII characters. The first response is stored for 24
    /// hours per user and key: a retry with the same body gets it again (with
    /// `Idempotent-Replayed: true`), another body is 409.
    #[serde(rename = "Idempotency-Key")]
    #[param(
        nullable = false,
        min_length = 1,
        max_length = 255,
        pattern = r"^[\x21-\x7E]([\x20-\x7E]*[\x21-\x7E])?$"
    )]
    pub idempotency_key: Option<String>,
}

/// `GET /tasks/{id}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatchHeader {
    /// Entity tags (weak comparison) or `*`; naming the current one gives 304.
    #[serde(rename = "If-None-Match")]
    #[param(nullable = false, example = "\"3\"")]
    pub if_none_match: Option<String>,
}

/// `PUT`, `PATCH` and `DELETE /tasks/{id}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatchHeader {
    /// Entity tags (strong comparison) or `*`; when none names the current
    /// ETag the request is 412 and changes nothing.
    #[serde(rename = "If-Match")]
    #[param(nullable = false, example = "\"3\"")]
    pub if_match: Option<String>,
}

/// At least one character that is not white space: Unicode `White_Space`, as
/// Rust's `trim` and `split_whitespace` have it (ECMA-262's `\S` differs on
/// U+0085 and U+FEFF).
const NOT_BLANK: &str =
    r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

fn non_blank(max_length: usize, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max_length))
        .pattern(Some(NOT_BLANK))
        .description(Some(description))
        .examples([serde_json::json!(example)])
        .into()
}

/// A person's name.
pub struct PersonName;

impl PartialSchema for PersonName {
    fn schema() -> RefOr<Schema> {
        non_blank(
            100,
            "1–100 characters after trimming surrounding white space",
            "Ada",
        )
    }
}

impl ToSchema for PersonName {}

/// A task title.
pub struct TaskTitle;

impl PartialSchema for TaskTitle {
    fn schema() -> RefOr<Schema> {
        non_blank(
            200,
            "1–200 characters after trimming surrounding white space (stored trimmed)",
            "Write report",
        )
    }
}

impl ToSchema for TaskTitle {}

/// The words of a search.
pub struct SearchText;

impl PartialSchema for SearchText {
    fn schema() -> RefOr<Schema> {
        non_blank(
            200,
            "Words separated by white space, at most 200 characters in all",
            "report",
        )
    }
}

impl ToSchema for SearchText {}
