//! Reading a JSON object body field by field, collecting every error.
use serde_json::{Map, Value};

use crate::errors::FieldErrors;

/// Fields any resource may echo back from a read; they are ignored on input.
pub const READ_ONLY_FIELDS: &[&str] = &["id", "created_at", "updated_at", "completed_at"];

/// A request body that is a JSON object, read field by field.
pub struct Body {
    map: Map<String, Value>,
    pub errors: FieldErrors,
}

/// A field of a merge patch: absent, explicitly `null`, or a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl Body {
    /// Starts reading `map`; every key outside `allowed` and `ignored` is
    /// recorded as an unknown field.
    #[must_use]
    pub fn new(map: Map<String, Value>, allowed: &[&str], ignored: &[&str]) -> Self {
        let mut errors = FieldErrors::new();
        let mut unknown: Vec<&String> = map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()) && !ignored.contains(&k.as_str()))
            .collect();
        unknown.sort();
        for key in unknown {
            errors.add(key.clone(), "is not a known field");
        }
        Self { map, errors }
    }

    /// The raw value of a field: absent, `null`, or present.
    #[must_use]
    pub fn raw(&self, field: &str) -> Patch<&Value> {
        match self.map.get(field) {
            None => Patch::Absent,
            Some(Value::Null) => Patch::Null,
            Some(value) => Patch::Value(value),
        }
    }

    /// A field that must be present and a string, parsed by `parse`.
    pub fn required<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let result = match self.raw(field) {
            Patch::Absent => Err("is required".to_string()),
            Patch::Null => Err("must not be null".to_string()),
            Patch::Value(Value::String(s)) => parse(s),
            Patch::Value(_) => Err("must be a string".to_string()),
        };
        self.errors.take(field, result)
    }

    /// A string field as a merge-patch value; `nullable` says whether `null` is allowed.
    pub fn patch<T>(
        &mut self,
        field: &str,
        nullable: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Patch<T> {
        let result = match self.raw(field) {
            Patch::Absent => Ok(Patch::Absent),
            Patch::Null if nullable => Ok(Patch::Null),
            Patch::Null => Err("must not be null".to_string()),
            Patch::Value(Value::String(s)) => parse(s).map(Patch::Value),
            Patch::Value(_) => Err("must be a string".to_string()),
        };
        self.errors.take(field, result).unwrap_or(Patch::Absent)
    }

    /// An integer field as a merge-patch value (never nullable).
    pub fn patch_int<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(i64) -> Result<T, String>,
    ) -> Patch<T> {
        let result = match self.raw(field) {
            Patch::Absent => Ok(Patch::Absent),
            Patch::Null => Err("must not be null".to_string()),
            Patch::Value(Value::Number(n)) => integer(n)
                .ok_or_else(|| "must be an integer".to_string())
                .and_then(parse)
                .map(Patch::Value),
            Patch::Value(_) => Err("must be an integer".to_string()),
        };
        self.errors.take(field, result).unwrap_or(Patch::Absent)
    }

    /// An array field as a merge-patch value, parsed whole by `parse`;
    /// `null` is allowed (it clears).
    pub fn patch_array<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&[Value]) -> Result<T, String>,
    ) -> Patch<T> {
        let result = match self.raw(field) {
            Patch::Absent => Ok(Patch::Absent),
            Patch::Null => Ok(Patch::Null),
            Patch::Value(Value::Array(items)) => parse(items).map(Patch::Value),
            Patch::Value(_) => Err("must be an array".to_string()),
        };
        self.errors.take(field, result).unwrap_or(Patch::Absent)
    }

    /// A boolean field; absent reads as `false`.
    pub fn flag(&mut self, field: &str) -> bool {
        let result = match self.raw(field) {
            Patch::Absent => Ok(false),
            Patch::Value(Value::Bool(b)) => Ok(*b),
            Patch::Null | Patch::Value(_) => Err("must be true or false".to_string()),
        };
        self.errors.take(field, result).unwrap_or(false)
    }

    /// A boolean field of a merge patch: absent is `None`; never nullable.
    pub fn patch_flag(&mut self, field: &str) -> Option<bool> {
        let result = match self.raw(field) {
            Patch::Absent => Ok(None),
            Patch::Value(Value::Bool(b)) => Ok(Some(*b)),
            Patch::Null | Patch::Value(_) => Err("must be true or false".to_string()),
        };
        self.errors.take(field, result).flatten()
    }

    /// Ends reading: every field error, if anything failed.
    ///
    /// # Errors
    /// [`FieldErrors`] naming every offending field.
    pub fn finish(self) -> Result<(), FieldErrors> {
        self.errors.into_result()
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// A whole value as a patch: `None` sets `null`.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

impl<T> Patch<T> {
    /// Applies this patch field to `target`: a value sets it (as `convert`
    /// makes it), `null` clears it, absent leaves it.
    pub fn apply_to<U>(&self, target: &mut Option<U>, convert: impl FnOnce(&T) -> U) {
        match self {
            Self::Absent => {}
            Self::Null => *target = None,
            Self::Value(value) => *target = Some(convert(value)),
        }
    }

    /// The value to store when this patch field is used as a full replacement
    /// (PUT): absent and `null` both mean "the default".
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }
}

/// A JSON number that is an integer: `90`, and also `90.0`, which JSON (and
/// JSON Schema's `integer`) do not tell apart from it.
fn integer(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            // In range and integral, so the cast is exact.
            .map(|f| f as i64)
    })
}
