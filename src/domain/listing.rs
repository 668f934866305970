//! What `GET /tasks` can ask for: sort order and filters, parsed and canonical.
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use utoipa::{
    openapi::{schema::Schema, RefOr},
    PartialSchema,
};

pub use super::filter::{scope, ParentFilter, TaskFilter};
use super::{
    account::Timezone,
    schema::{component, non_blank},
};

/// A field tasks can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    CreatedAt,
    UpdatedAt,
    DueDate,
    Priority,
    Title,
    Status,
    /// The manual order (`position`); only within one list and parent.
    Position,
}

impl SortField {
    const ALL: [Self; 7] = [
        Self::CreatedAt,
        Self::UpdatedAt,
        Self::DueDate,
        Self::Priority,
        Self::Title,
        Self::Status,
        Self::Position,
    ];

    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::DueDate => "due_date",
            Self::Priority => "priority",
            Self::Title => "title",
            Self::Status => "status",
            Self::Position => "position",
        }
    }
}

/// One `sort` item: a field and whether it runs descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: SortField,
    pub descending: bool,
}

/// The `sort` parameter: one or more distinct fields; ties always break by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort(Vec<SortKey>);

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Self(vec![SortKey {
            field: SortField::CreatedAt,
            descending: true,
        }])
    }
}

impl Sort {
    /// Parses `priority,-due_date`.
    ///
    /// # Errors
    /// A message naming the bad item.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut keys: Vec<SortKey> = Vec::new();
        for item in raw.split(',') {
            let (descending, name) = item
                .strip_prefix('-')
                .map_or((false, item), |rest| (true, rest));
            let field = SortField::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| {
                    format!(
                        "`{item}` is not a sort field; use created_at, updated_at, due_date, priority, title, status or position, optionally prefixed with -"
                    )
                })?;
            if keys.iter().any(|k| k.field == field) {
                return Err(format!("`{name}` appears more than once"));
            }
            keys.push(SortKey { field, descending });
        }
        Ok(Self(keys))
    }

    #[must_use]
    pub fn keys(&self) -> &[SortKey] {
        &self.0
    }

    /// Whether the manual order is one of the keys.
    #[must_use]
    pub fn uses_position(&self) -> bool {
        self.0.iter().any(|k| k.field == SortField::Position)
    }

    /// The id tie-breaker runs in the direction of the last sort key.
    #[must_use]
    pub fn id_descending(&self) -> bool {
        self.0.last().is_some_and(|k| k.descending)
    }

    /// The canonical text of this sort, e.g. `priority,-due_date`.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0
            .iter()
            .map(|k| format!("{}{}", if k.descending { "-" } else { "" }, k.field.name()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A bound of `due_after` / `due_before`: an instant, or a date meaning the
/// start of that day in the owner's timezone.
///
/// # Errors
/// A message when the text is neither a date nor an RFC 3339 date-time.
pub fn parse_bound(raw: &str, timezone: Timezone) -> Result<DateTime<Utc>, String> {
    if raw.len() == 10 {
        if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Ok(start_of_day(date, timezone));
        }
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|dt| dt.with_timezone(&Utc))
        .map_err(|_| "must be a date (YYYY-MM-DD) or an RFC 3339 date-time".to_string())
}

/// The first instant of `date` in `timezone` (after a DST gap at midnight,
/// the first instant that exists).
#[must_use]
pub fn start_of_day(date: NaiveDate, timezone: Timezone) -> DateTime<Utc> {
    let tz = timezone.tz();
    let mut local = date.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&local).earliest() {
            return at.with_timezone(&Utc);
        }
        local += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

/// Parses a comma list of values with `parse`, dropping duplicates.
///
/// # Errors
/// The message of the first bad value.
pub fn parse_list<T: PartialEq + Copy>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut values = Vec::new();
    for item in raw.split(',') {
        let value = parse(item).map_err(|e| format!("`{item}`: {e}"))?;
        if !values.contains(&value) {
            values.push(value);
        }
    }
    Ok(values)
}

/// Longest `q` accepted.
pub const MAX_QUERY_CHARS: usize = 200;

/// Splits `q` into lowercased words.
///
/// # Errors
/// A message when `q` is blank or too long.
pub fn parse_terms(raw: &str) -> Result<Vec<String>, String> {
    if raw.chars().count() > MAX_QUERY_CHARS {
        return Err(format!("must be at most {MAX_QUERY_CHARS} characters"));
    }
    let terms: Vec<String> = raw.split_whitespace().map(str::to_lowercase).collect();
    if terms.is_empty() {
        return Err("must not be blank".into());
    }
    Ok(terms)
}

/// The words of a search (`q`): lowercased, at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms(Vec<String>);

impl SearchTerms {
    /// # Errors
    /// As [`parse_terms`].
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_terms(raw).map(Self)
    }

    #[must_use]
    pub fn into_words(self) -> Vec<String> {
        self.0
    }
}

/// The text `q` is matched against: title and description, lowercased the
/// same way as the terms.
#[must_use]
pub fn search_text(title: &str, description: Option<&str>) -> String {
    let mut text = title.to_lowercase();
    if let Some(description) = description {
        text.push('\n');
        text.push_str(&description.to_lowercase());
    }
    text
}

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
