//! The request shapes of the list endpoints: the new list of `POST /lists`,
//! the merge patch of `PATCH /lists/{id}` and the move of
//! `POST /lists/{id}/move`.
use serde_json::{Map, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::{
        body::{Body, Patch, READ_ONLY_FIELDS},
        organizing::{Color, ListName},
        position::Spot,
    },
    errors::FieldErrors,
};

/// The fields of a list body; every other but the read-only ones is 422.
const FIELDS: &[&str] = &["name", "color", "archived"];

/// Read-only fields of a list, ignored in bodies as v1 ignores a task's.
const LIST_READ_ONLY: &[&str] = &["id", "inbox", "position", "created_at", "updated_at"];

/// `POST /lists`.
#[derive(Debug, Clone, ToSchema)]
pub struct ListInput {
    pub name: ListName,
    /// `#rrggbb` or null.
    #[schema(required = false)]
    pub color: Option<Color>,
    /// Default `false`.
    #[schema(required = false)]
    pub archived: bool,
}

/// `PATCH /lists/{id}`: a JSON merge patch (RFC 7396); `null` clears `color`.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ListPatch {
    #[schema(required = false, nullable = false)]
    pub name: Option<ListName>,
    #[schema(value_type = Option<Color>, required = false)]
    pub color: Patch<Color>,
    #[schema(required = false, nullable = false)]
    pub archived: Option<bool>,
}

/// `POST /lists/{id}/move`: right after a sibling (`after: null`: first),
/// right before one, or, with neither, last.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct ListMove {
    /// The list to go right after; `null`: first.
    #[schema(value_type = Option<Uuid>, required = false)]
    pub after: Patch<Uuid>,
    /// The list to go right before (not together with `after`).
    #[schema(required = false, nullable = false)]
    pub before: Option<Uuid>,
}

fn ignored() -> Vec<&'static str> {
    let mut ignored = READ_ONLY_FIELDS.to_vec();
    ignored.extend(LIST_READ_ONLY);
    ignored
}

impl ListInput {
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, &ignored());
        let name = body.required("name", ListName::parse);
        let color = body.patch("color", true, Color::parse);
        let archived = body.patch_flag("archived");
        body.finish()?;
        Ok(Self {
            name: name.ok_or_else(|| FieldErrors::one("name", "is required"))?,
            color: color.into_option(),
            archived: archived.unwrap_or(false),
        })
    }
}

impl ListPatch {
    /// # Errors
    /// Every bad or unknown field.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, FIELDS, &ignored());
        let name = body.patch("name", false, ListName::parse);
        let color = body.patch("color", true, Color::parse);
        let archived = body.patch_flag("archived");
        body.finish()?;
        Ok(Self {
            name: name.into_option(),
            color,
            archived,
        })
    }
}

impl ListMove {
    /// # Errors
    /// Every bad or unknown field; `after` and `before` together.
    pub fn parse(map: Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut body = Body::new(map, &["after", "before"], &[]);
        let (after, before) = spot_fields(&mut body);
        body.finish()?;
        Ok(Self { after, before })
    }

    /// Where the list goes.
    #[must_use]
    pub fn spot(&self) -> Spot {
        spot(&self.after, self.before)
    }
}

/// The `after` and `before` of a move body; both at once is an error on
/// each.
fn spot_fields(body: &mut Body) -> (Patch<Uuid>, Option<Uuid>) {
    let after = body.patch("after", true, uuid_of);
    let before = body.patch("before", false, uuid_of).into_option();
    if after != Patch::Absent && before.is_some() {
        body.errors
            .add("after", "must not be sent together with before");
        body.errors
            .add("before", "must not be sent together with after");
    }
    (after, before)
}

/// The spot `after` and `before` name: neither is last.
fn spot(after: &Patch<Uuid>, before: Option<Uuid>) -> Spot {
    match (after, before) {
        (Patch::Value(id), _) => Spot::After(*id),
        (Patch::Null, _) => Spot::First,
        (Patch::Absent, Some(id)) => Spot::Before(id),
        (Patch::Absent, None) => Spot::Last,
    }
}

/// Any id that is not a UUID names no sibling.
fn uuid_of(raw: &str) -> Result<Uuid, String> {
    Uuid::try_parse(raw).map_err(|_| "must be the id of a sibling".to_string())
}
