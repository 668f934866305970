//! Task values: title, description, status, priority (the due date: `due.rs`),
//! each with its OpenAPI schema.
use utoipa::{
    openapi::{
        schema::{ObjectBuilder, Schema, Type},
        RefOr,
    },
    PartialSchema,
};

pub use super::due::{end_of_day, DueDate, MAX_YEAR, MIN_YEAR};
use super::schema::{component, non_blank, string_enum};

/// A task title: 1–200 characters after trimming; stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub const MAX: usize = 200;

    /// # Errors
    /// A message when blank or longer than 200 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be blank".into());
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(format!("must be at most {} characters", Self::MAX));
        }
        Ok(Self(trimmed.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A task description: up to 10,000 characters, stored as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDescription(String);

impl TaskDescription {
    pub const MAX: usize = 10_000;

    /// # Errors
    /// A message when longer than 10,000 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.chars().count() > Self::MAX {
            return Err(format!("must be at most {} characters", Self::MAX));
        }
        Ok(Self(raw.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Workflow status. Stored as its rank so that sorting follows the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Status {
    #[default]
    Incomplete,
    InProgress,
    Complete,
}

impl Status {
    pub const ALL: [Self; 3] = [Self::Incomplete, Self::InProgress, Self::Complete];

    /// # Errors
    /// A message listing the allowed values.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| "must be one of incomplete, in_progress, complete".to_string())
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Incomplete => "incomplete",
            Self::InProgress => "in_progress",
            Self::Complete => "complete",
        }
    }

    #[must_use]
    pub const fn rank(self) -> i16 {
        self as i16
    }

    #[must_use]
    pub fn from_rank(rank: i16) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.rank() == rank)
            .unwrap_or_default()
    }
}

/// Priority. Stored as its urgency rank: low 0 → urgent 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Self; 4] = [Self::Low, Self::Medium, Self::High, Self::Urgent];

    /// # Errors
    /// A message listing the allowed values.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| "must be one of low, medium, high, urgent".to_string())
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    #[must_use]
    pub const fn rank(self) -> i16 {
        self as i16
    }

    #[must_use]
    pub fn from_rank(rank: i16) -> Self {
        Self::ALL
            .into_iter()
            .find(|p| p.rank() == rank)
            .unwrap_or_default()
    }
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
