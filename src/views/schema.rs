//! Schemas that exist only for the OpenAPI document: the string enums and the
//! due-date union that the views render as plain strings.
use serde::Serialize;
use utoipa::{
    openapi::{
        schema::{ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type},
        KnownFormat, RefOr,
    },
    PartialSchema, ToSchema,
};

/// Years 1000–9998 (`DueDate::parse`): the years outside are the sort sentinels.
const DATE_YEARS: &str = r"^(1\d{3}|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-8])-";
/// Years 1001–9997 for a date-time: whatever its offset, its UTC year is in 1000–9998.
const DATE_TIME_YEARS: &str =
    r"^(100[1-9]|10[1-9]\d|1[1-9]\d{2}|[2-8]\d{3}|9[0-8]\d{2}|99[0-8]\d|999[0-7])-";

/// Workflow status of a task; sorts as incomplete → in_progress → complete.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Incomplete,
    InProgress,
    Complete,
}

/// Priority of a task; sorts by urgency, low → urgent.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskPriority {
    Low,
    Medium,
    High,
    Urgent,
}

/// What a notification announces.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    Reminder,
    Overdue,
}

fn string(format: KnownFormat, pattern: &str, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .pattern(Some(pattern))
        .description(Some(description))
}

/// A due date: a calendar date (due at the end of that day in the owner's
/// timezone, returned as a date) or an RFC 3339 date-time (returned in UTC).
pub struct DueDate;

impl PartialSchema for DueDate {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(string(
                KnownFormat::Date,
                DATE_YEARS,
                "a date, YYYY-MM-DD: due at the end of that day in the owner's timezone",
            ))
            .item(string(
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

impl ToSchema for DueDate {}

/// An IANA timezone name, as the server knows them.
pub struct TimezoneName;

impl PartialSchema for TimezoneName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .description(Some("An IANA timezone name such as `Europe/Berlin`"))
            .examples([serde_json::json!("Europe/Berlin")])
            .into()
    }
}

impl ToSchema for TimezoneName {}

/// A file of the docs page.
#[derive(Serialize, ToSchema)]
pub enum DocsFile {
    #[serde(rename = "swagger-ui.css")]
    SwaggerUiCss,
    #[serde(rename = "index.css")]
    IndexCss,
    #[serde(rename = "swagger-ui-bundle.js")]
    Bundle,
    #[serde(rename = "swagger-ui-standalone-preset.js")]
    StandalonePreset,
    #[serde(rename = "swagger-initializer.js")]
    Initializer,
    #[serde(rename = "favicon-32x32.png")]
    Favicon32,
    #[serde(rename = "favicon-16x16.png")]
    Favicon16,
}

impl DocsFile {
    /// Every file name, as in the path.
    pub const NAMES: &'static [&'static str] = &[
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-initializer.js",
        "favicon-32x32.png",
        "favicon-16x16.png",
    ];
}
