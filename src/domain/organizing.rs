//! List and label values (contract, organizing.md): names and colours, each
//! with its OpenAPI schema. Names are unique per user ignoring case; the
//! comparison key is the name lowercased by the application (Unicode-aware,
//! the same on both databases, as `search_text` is).
use utoipa::{
    openapi::{
        schema::{ArrayBuilder, ObjectBuilder, Schema, Type},
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

/// The `labels` of a task body: at most [`LabelSet::MAX`] label names, no
/// two equal ignoring case, each following the label name rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSet(Vec<LabelName>);

impl LabelSet {
    pub const MAX: usize = 20;

    /// The items of a JSON array.
    ///
    /// # Errors
    /// A message naming the first offending item, or the count.
    pub fn parse(items: &[serde_json::Value]) -> Result<Self, String> {
        if items.len() > Self::MAX {
            return Err(format!("must hold at most {} labels", Self::MAX));
        }
        let mut names: Vec<LabelName> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let raw = item
                .as_str()
                .ok_or_else(|| format!("item {i} must be a string"))?;
            let name = LabelName::parse(raw).map_err(|e| format!("item {i} {e}"))?;
            if names.iter().any(|n| n.key() == name.key()) {
                return Err(format!(
                    "item {i} ({:?}) repeats a label (names are compared ignoring case)",
                    name.as_str()
                ));
            }
            names.push(name);
        }
        Ok(Self(names))
    }

    #[must_use]
    pub fn names(&self) -> &[LabelName] {
        &self.0
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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

impl PartialSchema for LabelSet {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(LabelName::schema())
            .max_items(Some(Self::MAX))
            .unique_items(true)
            .description(Some(
                "Label names, at most 20, no two equal ignoring case; a name without a label \
                 creates one. Returned sorted ignoring case, spelled as the label is stored.",
            ))
            .examples([serde_json::json!(["errand", "home"])])
            .into()
    }
}
component!(LabelSet, "LabelNames");

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
