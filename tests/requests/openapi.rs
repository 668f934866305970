//! `GET /openapi.json` and `GET /docs`: the document matches the real route
//! table, and its error responses and security say what the server does.
use std::collections::BTreeSet;

use loco_rs::{app::Hooks, testing::prelude::*};
use serde_json::Value;
use serial_test::serial;
use taskforge::{
    app::App,
    controllers::docs::{self, DocsFile},
};

use super::helpers::*;

/// Operations that need no token.
const PUBLIC: &[&str] = &[
    "POST /auth/register",
    "POST /auth/login",
    "POST /auth/refresh",
    "POST /auth/forgot",
    "POST /auth/reset",
    "GET /_ping",
    "GET /_health",
    "GET /_readiness",
    "GET /openapi.json",
    "GET /docs",
    "GET /docs/{file}",
];

/// Every operation object of the document with its `"METHOD /path"`.
fn operations(spec: &Value) -> Vec<(String, &Value)> {
    spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .map(move |(method, op)| (format!("{} {path}", method.to_uppercase()), op))
        })
        .collect()
}

/// A response object, following a `$ref` into `components/responses`.
fn resolve<'a>(spec: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {reference}")),
        None => response,
    }
}

#[tokio::test]
#[serial]
async fn every_route_is_documented_and_every_documented_operation_is_routed() {
    request::<App, _, _>(|_server, ctx| async move {
        let routed: BTreeSet<String> = App::routes(&ctx)
            .collect()
            .iter()
            .flat_map(|route| {
                let uri = route.uri.replace("{*", "{");
                route
                    .actions
                    .iter()
                    .map(move |method| format!("{method} {uri}"))
            })
            .collect();
        let spec = docs::spec();
        let documented: BTreeSet<String> =
            operations(&spec).into_iter().map(|(op, _)| op).collect();

        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from the spec: {undocumented:?}"
        );
        assert!(
            unrouted.is_empty(),
            "spec operations without a route: {unrouted:?}"
        );
        assert!(routed.contains("PATCH /tasks/{id}"), "{routed:?}");
    })
    .await;
}

#[tokio::test]
#[serial]
async fn openapi_json_is_the_generated_openapi_3_1_document() {
    request::<App, _, _>(|server, _ctx| async move {
        let response = server.get("/openapi.json").await;

        assert_eq!(response.status_code(), 200);
        assert_eq!(
            response.header("content-type").to_str().unwrap(),
            "application/json"
        );
        let spec: Value = response.json();
        assert_eq!(spec["openapi"], "3.1.0");
        assert_eq!(spec, docs::spec());
        let scheme = &spec["components"]["securitySchemes"]["bearer"];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
    })
    .await;
}

#[test]
fn the_bearer_scheme_guards_exactly_the_endpoints_that_need_a_token() {
    let spec = docs::spec();
    for (operation, op) in operations(&spec) {
        let secured = op["security"] == serde_json::json!([{"bearer": []}]);
        let public = PUBLIC.contains(&operation.as_str());
        assert_eq!(secured, !public, "{operation}: security {}", op["security"]);
        let has_401 = op["responses"].get("401").is_some();
        if secured {
            assert!(has_401, "{operation} has no 401");
        }
    }
}

/// Rate limits: auth endpoints per client IP and email, the rest per user.
#[test]
fn every_rate_limited_operation_documents_429_with_retry_after() {
    const AUTH_LIMITED: &[&str] = &[
        "POST /auth/register",
        "POST /auth/login",
        "POST /auth/forgot",
        "POST /auth/reset",
    ];
    let spec = docs::spec();
    for (operation, op) in operations(&spec) {
        let limited =
            !PUBLIC.contains(&operation.as_str()) || AUTH_LIMITED.contains(&operation.as_str());
        let response = op["responses"].get("429");
        assert_eq!(response.is_some(), limited, "{operation}: 429 documented?");
        if let Some(response) = response {
            let response = resolve(&spec, response);
            assert_eq!(
                response["headers"]["Retry-After"]["required"], true,
                "{operation}"
            );
            for header in ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
                assert!(
                    response["headers"].get(header).is_some(),
                    "{operation}: {header}"
                );
            }
        }
    }
}

#[test]
fn every_error_response_is_problem_json_with_the_problem_schema() {
    let spec = docs::spec();
    for (operation, op) in operations(&spec) {
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.contains_key("500"), "{operation} has no 500");
        for (status, response) in responses {
            if status.as_str() < "400" {
                continue;
            }
            let content = resolve(&spec, response)["content"].as_object().unwrap();
            let types: Vec<_> = content.keys().collect();
            assert_eq!(types, ["application/problem+json"], "{operation} {status}");
            assert_eq!(
                content["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{operation} {status}"
            );
        }
    }
    let problem = &spec["components"]["schemas"]["Problem"];
    assert_eq!(
        problem["properties"]["errors"]["items"]["$ref"],
        "#/components/schemas/FieldError"
    );
    for member in ["type", "title", "status", "detail"] {
        assert!(
            problem["required"]
                .as_array()
                .unwrap()
                .contains(&member.into()),
            "{member}"
        );
    }
}

/// Every `$ref` string anywhere below `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found.push(reference.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let spec = docs::spec();
    let mut found = Vec::new();
    references(&spec, &mut found);
    assert!(found.len() > 50, "{found:?}");
    for reference in found {
        let pointer = reference.strip_prefix('#').unwrap_or_default();
        assert!(spec.pointer(pointer).is_some(), "dangling {reference}");
    }
}

#[test]
fn request_bodies_and_the_objects_inside_them_are_closed() {
    let spec = docs::spec();
    let schemas = &spec["components"]["schemas"];
    for name in [
        "TaskInput",
        "TaskPatch",
        "TaskMove",
        "Recurrence",
        "ListInput",
        "LabelPatch",
    ] {
        assert_eq!(
            schemas[name]["additionalProperties"],
            Value::Bool(false),
            "{name}"
        );
    }
    // Response shapes stay open to additions.
    assert_eq!(schemas["Task"].get("additionalProperties"), None);
}

/// The names of an operation's parameters, in order.
fn parameter_names(operation: &Value) -> Vec<String> {
    operation["parameters"]
        .as_array()
        .map(|params| {
            params
                .iter()
                .map(|p| p["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn precondition_and_idempotency_headers_are_parameters() {
    let spec = docs::spec();
    let task = &spec["paths"]["/tasks/{id}"];
    assert_eq!(
        parameter_names(&spec["paths"]["/tasks"]["post"]),
        ["Idempotency-Key"]
    );
    assert_eq!(parameter_names(&task["get"]), ["id", "If-None-Match"]);
    for method in ["put", "patch", "delete"] {
        assert_eq!(
            parameter_names(&task[method]),
            ["id", "If-Match"],
            "{method}"
        );
        assert_eq!(task[method]["parameters"][1]["in"], "header");
    }
    let listing = parameter_names(&spec["paths"]["/tasks"]["get"]);
    assert_eq!(listing, taskforge::params::tasks::LIST_PARAMS);
}

#[test]
fn response_headers_are_documented_and_required() {
    let spec = docs::spec();
    let created = &spec["paths"]["/tasks"]["post"]["responses"]["201"]["headers"];
    for name in ["Location", "ETag", "X-Request-Id"] {
        assert_eq!(created[name]["required"], true, "{name}");
    }
    let not_modified = &spec["paths"]["/tasks/{id}"]["get"]["responses"]["304"]["headers"];
    assert_eq!(not_modified["ETag"]["required"], true);
    let unauthorized = &spec["components"]["responses"]["Unauthorized"]["headers"];
    assert_eq!(unauthorized["WWW-Authenticate"]["required"], true);
    assert_eq!(unauthorized["X-Request-Id"]["required"], true);
}

#[test]
fn docs_files_in_the_document_are_the_ones_served() {
    let spec = docs::spec();
    let names = &spec["components"]["schemas"]["DocsFile"]["enum"];
    assert_eq!(*names, serde_json::json!(DocsFile::NAMES));
}

#[tokio::test]
#[serial]
async fn docs_page_is_swagger_ui_served_offline_loading_the_document() {
    request::<App, _, _>(|server, _ctx| async move {
        let page = server.get("/docs").await;
        assert_eq!(page.status_code(), 200);
        assert!(page
            .header("content-type")
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = page.text();
        assert!(!html.contains("//"), "no external URL: {html}");
        for file in DocsFile::NAMES {
            let response = server.get(&format!("/docs/{file}")).await;
            assert_eq!(response.status_code(), 200, "{file}");
        }
        let initializer = server.get("/docs/swagger-initializer.js").await.text();
        assert!(
            initializer.contains(r#""url": "/openapi.json""#),
            "{initializer}"
        );

        let unknown = server.get("/docs/index.html").await;
        assert_problem(&unknown, 404, "/problems/not-found");
    })
    .await;
}
