//! House rules applied to the whole OpenAPI document, so that each handler's
//! `#[utoipa::path]` only lists what is particular to it.
mod closed;

use closed::closed_request_bodies;
use serde_json::json;

use super::problems::{PROBLEMS_EXTENSION, PROBLEM_RESPONSES};
use utoipa::{
    openapi::{
        path::{Operation, ParameterIn},
        request_body::RequestBody,
        schema::{Schema, SchemaType, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        Components, OpenApi, Ref, RefOr, Required,
    },
    Modify,
};

/// The name of the bearer security scheme in `#[utoipa::path(security(...))]`.
pub const BEARER: &str = "bearer";

/// Adds the bearer scheme, the problem responses ([`PROBLEM_RESPONSES`]) and,
/// to each operation, the error responses that follow from its shape:
/// - every operation: 500;
/// - a token is required: 401 (with `WWW-Authenticate`) and 429;
/// - register, login, forgot, reset: 429 (per client IP and email);
/// - a JSON body: 400 malformed JSON, 413, 415, 422;
/// - query parameters: 400 malformed query string, 422;
/// - a path parameter (an id, a file): 404;
/// - an `If-Match` header: 412; an `Idempotency-Key` header: 409;
/// - and those the operation names itself ([`PROBLEMS_EXTENSION`]).
///
/// An `Option<T>` request body (a body that may be left out) becomes an
/// optional `T` body rather than a required "`T` or null" one, and every
/// request body schema says `additionalProperties: false`: a field outside
/// it is 422 (the read-only fields a read returns are accepted and ignored,
/// `docs/api.md`).
pub struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Components::new);
        for problem in PROBLEM_RESPONSES {
            components
                .responses
                .insert(problem.name.to_string(), RefOr::T(problem.response()));
        }
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The `access_token` of a Session (`POST /auth/login` or `/auth/refresh`)",
                    ))
                    .build(),
            ),
        );
        for (path, item) in &mut openapi.paths.paths {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                if let Some(body) = operation.request_body.as_mut() {
                    optional_body(body);
                }
                add_own_problems(operation);
                add_common_responses(operation, RATE_LIMITED_AUTH.contains(&path.as_str()));
            }
        }
        closed_request_bodies(openapi);
    }
}

fn optional_body(body: &mut RequestBody) {
    for content in body.content.values_mut() {
        let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema else {
            continue;
        };
        let is_null = |item: &RefOr<Schema>| {
            let null = SchemaType::Type(Type::Null);
            matches!(item, RefOr::T(Schema::Object(o)) if o.schema_type == null)
        };
        if let [first, second] = one_of.items.as_slice() {
            let inner = match (is_null(first), is_null(second)) {
                (true, false) => second.clone(),
                (false, true) => first.clone(),
                _ => continue,
            };
            content.schema = Some(inner);
            body.required = Some(Required::False);
        }
    }
}

/// Unauthenticated operations counted per client IP and email (every
/// authenticated operation is counted per user).
const RATE_LIMITED_AUTH: [&str; 4] = [
    "/auth/register",
    "/auth/login",
    "/auth/forgot",
    "/auth/reset",
];

/// The problem responses an operation names itself, as `$ref`s.
fn add_own_problems(operation: &mut Operation) {
    let named = operation
        .extensions
        .as_mut()
        .and_then(|extensions| extensions.remove(PROBLEMS_EXTENSION));
    if operation.extensions.as_ref().is_some_and(|e| e.is_empty()) {
        operation.extensions = None;
    }
    let Some(serde_json::Value::Object(named)) = named else {
        return;
    };
    for (status, name) in named {
        if let Some(name) = name.as_str() {
            operation
                .responses
                .responses
                .insert(status, RefOr::Ref(Ref::from_response_name(name)));
        }
    }
}

fn add_common_responses(operation: &mut Operation, rate_limited: bool) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let parameters: Vec<_> = operation.parameters.iter().flatten().collect();
    let has_query = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query);
    let has_path = parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path);
    let has_header = |name: &str| {
        parameters
            .iter()
            .any(|p| p.parameter_in == ParameterIn::Header && p.name == name)
    };
    let (if_match, idempotent) = (has_header("If-Match"), has_header("Idempotency-Key"));
    let mut add = |status: &str, name: &str| {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    };
    if has_body {
        add("400", "MalformedRequest");
        add("413", "PayloadTooLarge");
        add("415", "UnsupportedMediaType");
        add("422", "ValidationFailed");
    }
    if has_query {
        add("400", "BadQuery");
        add("422", "ValidationFailed");
    }
    if has_path {
        add("404", "NotFound");
    }
    if if_match {
        add("412", "PreconditionFailed");
    }
    if idempotent {
        add("409", "IdempotencyConflict");
    }
    if secured {
        add("401", "Unauthorized");
    }
    if secured || rate_limited {
        add("429", "RateLimited");
    }
    add("500", "InternalError");
}

/// Response headers the server always sends where they are documented;
/// utoipa's header type has no `required`, so it is set on the JSON.
const REQUIRED_HEADERS: &[&str] = &[
    "ETag",
    "Location",
    "WWW-Authenticate",
    "Retry-After",
    REQUEST_ID,
];

/// Loco's request id, on every response (and in the log lines of the request).
const REQUEST_ID: &str = "X-Request-Id";

/// The document as JSON: every response documents `X-Request-Id`, and the
/// [`REQUIRED_HEADERS`] are marked required.
#[must_use]
pub fn to_json(openapi: &OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(openapi).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for operation in item.values_mut() {
                if let Some(map) = operation
                    .get_mut("responses")
                    .and_then(|r| r.as_object_mut())
                {
                    map.values_mut().for_each(complete_headers);
                }
            }
        }
    }
    if let Some(map) = doc
        .pointer_mut("/components/responses")
        .and_then(|r| r.as_object_mut())
    {
        map.values_mut().for_each(complete_headers);
    }
    doc
}

fn complete_headers(response: &mut serde_json::Value) {
    let Some(response) = response.as_object_mut() else {
        return;
    };
    if response.contains_key("$ref") {
        return;
    }
    let headers = response
        .entry("headers")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(headers) = headers else { return };
    headers.insert(
        REQUEST_ID.to_string(),
        json!({"schema": {"type": "string"}, "description": "The id of this request, as logged"}),
    );
    for (name, header) in headers.iter_mut() {
        if REQUIRED_HEADERS.contains(&name.as_str()) {
            header["required"] = json!(true);
        }
    }
}
