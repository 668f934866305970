//! Helpers for the OpenAPI description each value type gives of itself
//! (next to the type, from the constants its `parse` checks): the request and
//! response shapes that hold these types derive their schemas from them, so
//! the document says what is accepted.
use utoipa::openapi::{
    schema::{ObjectBuilder, Schema, SchemaFormat, Type},
    KnownFormat, RefOr,
};

/// At least one character that is not white space: Unicode `White_Space`, as
/// Rust's `trim` and `split_whitespace` have it (ECMA-262's `\S` differs on
/// U+0085 and U+FEFF).
const NOT_BLANK: &str =
    r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// A string of 1 to `max_length` characters, not blank.
pub(super) fn non_blank(max_length: usize, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max_length))
        .pattern(Some(NOT_BLANK))
        .description(Some(description))
        .examples([serde_json::json!(example)])
        .into()
}

/// One of `values`.
pub(super) fn string_enum(
    values: impl IntoIterator<Item = &'static str>,
    description: &str,
) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .into()
}

/// A string of a date or date-time `format` whose year `pattern` matches.
pub(super) fn dated(format: KnownFormat, pattern: &str, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .pattern(Some(pattern))
        .description(Some(description))
}

/// A schema of its own in `components`, under `name`.
macro_rules! component {
    ($type:ty, $name:literal) => {
        impl utoipa::ToSchema for $type {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }
        }
    };
}
pub(super) use component;
