//! Request bodies as closed objects: `additionalProperties: false` on each
//! component a request body names, and on the objects inside it.
use std::collections::BTreeMap;

use utoipa::openapi::{
    schema::{AdditionalProperties, Schema, SchemaType, Type},
    OpenApi, RefOr,
};

/// `additionalProperties: false` on each component schema a request body names.
pub(super) fn closed_request_bodies(openapi: &mut OpenApi) {
    let mut named = Vec::new();
    for item in openapi.paths.paths.values() {
        for operation in [&item.put, &item.post, &item.patch, &item.delete]
            .into_iter()
            .flatten()
        {
            let bodies = operation.request_body.iter();
            for content in bodies.flat_map(|body| body.content.values()) {
                if let Some(RefOr::Ref(reference)) = &content.schema {
                    named.push(
                        reference
                            .ref_location
                            .rsplit('/')
                            .next()
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
            }
        }
    }
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    // The objects inside a body (a task's `recurrence`) are read as closed too.
    while let Some(name) = named.pop() {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            let inner = serde_json::to_value(&object.properties).unwrap_or_default();
            named.extend(object_refs(&inner, &components.schemas));
        }
    }
}

/// The open component objects `value` refers to, at any depth.
fn object_refs(
    value: &serde_json::Value,
    schemas: &BTreeMap<String, RefOr<Schema>>,
) -> Vec<String> {
    let open_object = |name: &str| {
        matches!(schemas.get(name), Some(RefOr::T(Schema::Object(o)))
            if o.additional_properties.is_none() && o.schema_type == SchemaType::Type(Type::Object))
    };
    let mut found: Vec<String> = match value {
        serde_json::Value::Object(map) => {
            map.values().flat_map(|v| object_refs(v, schemas)).collect()
        }
        serde_json::Value::Array(items) => {
            items.iter().flat_map(|v| object_refs(v, schemas)).collect()
        }
        _ => Vec::new(),
    };
    let named = value
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.rsplit('/').next());
    found.extend(named.filter(|name| open_object(name)).map(str::to_string));
    found
}
