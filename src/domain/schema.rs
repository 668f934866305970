//! The OpenAPI description of each value type, from the same constants its
//! `parse` checks: the request and response shapes that hold these types
//! derive their schemas from them, so the document says what is accepted.
use std::borrow::Cow;

use utoipa::{
    openapi::{
        schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type},
        KnownFormat, RefOr,
    },
    PartialSchema, ToSchema,
};

use super::{
    account::{Email, Password, PersonName, ReminderLead, Timezone},
    listing::{SearchTerms, MAX_QUERY_CHARS},
    task::{DueDate, Priority, Status, TaskDescription, TaskTitle},
};

/// At least one character that is not white space: Unicode `White_Space`, as
/// Rust's `trim` and `split_whitespace` have it (ECMA-262's `\S` differs on
/// U+0085 and U+FEFF).
const NOT_BLANK: &str =
    r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// Years 1000–9998 (`DueDate::parse`): the years outside are the sort sentinels.
const DATE_YEARS: &str = r"^(1\d{3}|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-";
/// Years 1001–9997 for a date-time: whatever its offset, its UTC year is in 1000–9998.
const DATE_TIME_YEARS: &str =
    r"^(100[1-9]|10[1-9]\d|1[1-9]\d{2}|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-7])-";

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

/// A schema of its own in `components`, under `name`.
macro_rules! component {
    ($type:ty, $name:literal) => {
        impl ToSchema for $type {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

impl PartialSchema for TaskTitle {
    fn schema() -> RefOr<Schema> {
        non_blank(
            Self::MAX,
            "1–200 characters after trimming surrounding white space (stored trimmed)",
            "Write report",
        )
    }
}
component!(TaskTitle, "TaskTitle");

impl PartialSchema for PersonName {
    fn schema() -> RefOr<Schema> {
        non_blank(
            Self::MAX,
            "1–100 characters after trimming surrounding white space",
            "Ada",
        )
    }
}
component!(PersonName, "PersonName");

impl PartialSchema for SearchTerms {
    fn schema() -> RefOr<Schema> {
        non_blank(
            MAX_QUERY_CHARS,
            "Words separated by white space, at most 200 characters in all",
            "report",
        )
    }
}
component!(SearchTerms, "SearchText");

/// Shown inline where it is used.
impl PartialSchema for TaskDescription {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(Self::MAX))
            .into()
    }
}
component!(TaskDescription, "TaskDescription");

fn string_enum(values: impl IntoIterator<Item = &'static str>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .into()
}

impl PartialSchema for Status {
    fn schema() -> RefOr<Schema> {
        string_enum(
            Self::ALL.map(Self::as_str),
            "Workflow status of a task; sorts as incomplete → in_progress → complete.",
        )
    }
}
component!(Status, "TaskStatus");

impl PartialSchema for Priority {
    fn schema() -> RefOr<Schema> {
        string_enum(
            Self::ALL.map(Self::as_str),
            "Priority of a task; sorts by urgency, low → urgent.",
        )
    }
}
component!(Priority, "TaskPriority");

fn dated(format: KnownFormat, pattern: &str, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .pattern(Some(pattern))
        .description(Some(description))
}

impl PartialSchema for DueDate {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(dated(
                KnownFormat::Date,
                DATE_YEARS,
                "a date, YYYY-MM-DD: due at the end of that day in the owner's timezone",
            ))
            .item(dated(
                KnownFormat::DateTime,
                DATE_TIME_YEARS,
                "an RFC 3339 date-time with an offset; returned normalized to UTC",
            ))
            .description(Some(
                "A date or a date-time, years 1000 to 9998. A date is returned as a date.",
            ))
            .into()
    }
}
component!(DueDate, "DueDate");

impl PartialSchema for Timezone {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .description(Some("An IANA timezone name such as `Europe/Berlin`"))
            .examples([serde_json::json!("Europe/Berlin")])
            .into()
    }
}
component!(Timezone, "TimezoneName");

/// Shown inline where it is used.
impl PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .max_length(Some(Self::MAX))
            .examples([serde_json::json!("ada@example.com")])
            .into()
    }
}
component!(Email, "Email");

/// Shown inline where it is used.
impl PartialSchema for Password {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(Self::MIN))
            .max_length(Some(Self::MAX))
            .examples([serde_json::json!("correct horse battery")])
            .into()
    }
}
component!(Password, "Password");

/// Shown inline where it is used.
impl PartialSchema for ReminderLead {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(Self::MAX))
            .examples([serde_json::json!(60)])
            .into()
    }
}
component!(ReminderLead, "ReminderLead");
