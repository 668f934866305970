//! List and label values (contract, organizing.md): names and colours, each
//! with its OpenAPI schema. Names are unique per user ignoring case; the
//! comparison key is the name lowercased by the application (Unicode-aware,
//! the same on both databases, as `search_text` is).
use utoipa::{
    openapi::{
        schema::{ObjectBuilder, Schema, Type},
        RefOr,
    },
    PartialSchema,
};

use super::schema::{component, non_blank};

/// A trimmed name of 1 to `max` characters; `forbidden` characters refused.
fn name(raw: &str, max: usize, forbidden: &[char]) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be blank".into());
    }
    if trimmed.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if let Some(c) = trimmed.chars().find(|c| forbidden.contains(c)) {
        return Err(format!("must not contain {c:?}"));
    }
    Ok(trimmed.to_string())
}

/// A list name: 1–100 characters after trimming; stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListName(String);

impl ListName {
    pub const MAX: usize = 100;
    /// The name of the list every account starts with.
    pub const INBOX: &'static str = "Inbox";

    /// # Errors
    /// A message when blank or longer than 100 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        name(raw, Self::MAX, &[]).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names are unique by: the name lowercased.
    #[must_use]
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A label name: 1–60 characters after trimming, no comma (`labels=a,b`
/// lists names with commas); stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelName(String);

impl LabelName {
    pub const MAX: usize = 60;

    /// # Errors
    /// A message when blank, longer than 60 characters or holding a comma.
    pub fn parse(raw: &str) -> Result<Self, String> {
        name(raw, Self::MAX, &[',']).map(Self)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names are unique by: the name lowercased.
    #[must_use]
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A colour `#rrggbb`, any case in, lower case out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Color(String);

impl Color {
    /// # Errors
    /// A message unless `#` and six hexadecimal digits.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits = raw.strip_prefix('#').unwrap_or("");
        if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("must be #rrggbb (six hexadecimal digits)".into());
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialSchema for ListName {
    fn schema() -> RefOr<Schema> {
        non_blank(
            Self::MAX,
            "1–100 characters after trimming (stored trimmed); unique per user ignoring case",
            "Groceries",
        )
    }
}
component!(ListName, "ListName");

impl PartialSchema for LabelName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(Self::MAX))
            .pattern(Some(r"^[^,]*[^\s,][^,]*$"))
            .description(Some(
                "1–60 characters after trimming, no comma (stored trimmed); unique per user \
                 ignoring case",
            ))
            .examples([serde_json::json!("errand")])
            .into()
    }
}
component!(LabelName, "LabelName");

impl PartialSchema for Color {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^#[0-9A-Fa-f]{6}$"))
            .description(Some("`#rrggbb`, any case; returned in lower case"))
            .examples([serde_json::json!("#1e90ff")])
            .into()
    }
}
component!(Color, "Color");
