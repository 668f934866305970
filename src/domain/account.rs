//! Account values: email, password, name, timezone, reminder lead, each with
//! its OpenAPI schema.
use utoipa::{
    openapi::{
        schema::{ObjectBuilder, Schema, SchemaFormat, Type},
        KnownFormat, RefOr,
    },
    PartialSchema,
};
use validator::ValidateEmail;

use super::schema::{component, non_blank};

/// An email address as typed (surrounding white space trimmed). Uniqueness
/// and look-ups are case-insensitive (`lower(email)` in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// The longest address (RFC 5321's path limit).
    pub const MAX: usize = 254;

    /// # Errors
    /// A message when the address is not a plausible email (RFC 5321 length limit included).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be blank".into());
        }
        if trimmed.chars().count() > Self::MAX || !trimmed.validate_email() {
            return Err("must be a valid email address".into());
        }
        Ok(Self(trimmed.to_string()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address lower-cased (all of Unicode), e.g. as a key outside the
    /// database. Database look-ups compare with the database's own `lower()`
    /// instead, the function of the unique index (see `users::Model::find_by_email`).
    #[must_use]
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A new password: 8–128 characters, not on the common-password list
/// (ignoring case), no composition rules, never truncated (ASVS 5.0 §6.2);
/// kept only until it is hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// # Errors
    /// A message when the length is outside 8–128 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let len = raw.chars().count();
        if len < Self::MIN {
            return Err(format!("must be at least {} characters", Self::MIN));
        }
        if len > Self::MAX {
            return Err(format!("must be at most {} characters", Self::MAX));
        }
        if super::common_passwords::is_common(raw) {
            return Err(
                "is too common: it is on a list of passwords tried first by attackers".into(),
            );
        }
        Ok(Self(raw.to_string()))
    }

    /// The rule a password parse cannot know: it must not be the account's
    /// own email address nor the part before its `@` (ignoring case).
    ///
    /// # Errors
    /// A message when it is.
    pub fn not_derived_from(&self, email: &str) -> Result<(), String> {
        let password = self.0.to_lowercase();
        let email = email.trim().to_lowercase();
        let local = email.split('@').next().unwrap_or_default();
        if password == email || password == local {
            return Err("must not be the account's email address or the part before its @".into());
        }
        Ok(())
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX: usize = 100;

    /// # Errors
    /// A message when blank or longer than 100 characters.
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
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An IANA timezone name such as `Europe/Berlin` or `UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    /// # Errors
    /// A message when the name is not in the IANA database.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.parse::<chrono_tz::Tz>()
            .map(Self)
            .map_err(|_| "must be an IANA timezone name such as Europe/Berlin".to_string())
    }

    /// The timezone stored for a user; unknown names (never written by this
    /// server) fall back to UTC rather than failing a request.
    #[must_use]
    pub fn from_stored(raw: &str) -> Self {
        Self::parse(raw).unwrap_or(Self(chrono_tz::UTC))
    }

    #[must_use]
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// Minutes before a due date that the reminder goes out: 0 (off) to 10,080 (a week).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderLead(i32);

impl ReminderLead {
    pub const MAX: i64 = 10_080;
    /// Reminders switched off.
    pub const OFF: Self = Self(0);

    /// # Errors
    /// A message when outside 0–10080.
    pub fn parse(minutes: i64) -> Result<Self, String> {
        if (0..=Self::MAX).contains(&minutes) {
            Ok(Self(i32::try_from(minutes).map_err(|e| e.to_string())?))
        } else {
            Err(format!("must be between 0 and {}", Self::MAX))
        }
    }

    #[must_use]
    pub fn minutes(self) -> i32 {
        self.0
    }
}

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
