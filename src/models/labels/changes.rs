//! The request shapes of the label endpoints: the new label of
//! `POST /labels` and the merge patch of `PATCH /labels/{id}`.
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::{
    domain::{
        body::{Body, Patch, READ_ONLY_FIELDS},
        organizing::{Color, LabelName},
    },
    errors::FieldErrors,
};

/// The fields of a label body; every other but the read-only ones is 422.
const FIELDS: &[&str] = &["name", "color"];

/// `POST /labels`.
#[derive(Debug, Clone, ToSchema)]
pub struct LabelInput {
    pub name: LabelName,
    /// `#rrggbb` or null.
    #[schema(required = false)]
    pub color: Option<Color>,
}

/// `PATCH /labels/{id}`: a JSON merge patch (RFC 7396); `null` clears `color`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct LabelPatch {
    #[schema(required = false, nullable = false)]
    pub name: Option<LabelName>,
    #[schema(value_type = Option<Color>, required = false)]
    pub color: Patch<Color>,
}

impl LabelInput {
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, READ_ONLY_FIELDS);
        let name = body.required("name", LabelName::parse);
        let color = body.patch("color", true, Color::parse);
        body.finish()?;
        Ok(Self {
            name: name.ok_or_else(|| FieldErrors::one("name", "is required"))?,
            color: color.into_option(),
        })
    }
}

impl LabelPatch {
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, READ_ONLY_FIELDS);
        let name = body.patch("name", false, LabelName::parse);
        let color = body.patch("color", true, Color::parse);
        body.finish()?;
        Ok(Self {
            name: name.into_option(),
            color,
        })
    }
}
