use axum::{
    body::{to_bytes, Body},
    http::{header, Response, StatusCode},
    response::IntoResponse,
};
use serde_json::Value;
use taskforge::errors::{normalize_response, ApiError, FieldErrors};

async fn body_of(response: Response<Body>) -> Value {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_plain_500_becomes_a_problem_that_hides_internals_and_names_the_request() {
    let raw = Response::builder()
        .status(500)
        .header("x-request-id", "req-123")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(
            "panic at src/models/tasks.rs:42: SELECT * FROM tasks",
        ))
        .unwrap();

    let normalized = normalize_response(raw).await;

    assert_eq!(normalized.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        normalized.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let body = body_of(normalized).await;
    assert_eq!(body["type"], "/problems/internal-error");
    assert_eq!(body["request_id"], "req-123");
    assert!(!body.to_string().contains("SELECT"));
}

#[tokio::test]
async fn an_internal_api_error_never_shows_its_cause() {
    let response =
        ApiError::internal("duplicate key value violates constraint users_pkey").into_response();

    let body = body_of(normalize_response(response).await).await;

    assert_eq!(body["status"], 500);
    assert!(!body.to_string().contains("users_pkey"));
}

#[tokio::test]
async fn an_html_404_from_anywhere_is_rewritten() {
    let raw = Response::builder()
        .status(404)
        .header(header::CONTENT_TYPE, "text/html")
        .body(Body::from("<h1>not here</h1>"))
        .unwrap();

    let normalized = normalize_response(raw).await;

    assert_eq!(
        normalized.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(body_of(normalized).await["type"], "/problems/not-found");
}

#[tokio::test]
async fn success_responses_pass_untouched() {
    let raw = Response::builder()
        .status(201)
        .body(Body::from("{}"))
        .unwrap();

    let normalized = normalize_response(raw).await;

    assert_eq!(normalized.status(), StatusCode::CREATED);
    assert!(normalized.headers().get(header::CONTENT_TYPE).is_none());
}

#[tokio::test]
async fn validation_errors_list_every_field_and_status_matches() {
    let mut errors = FieldErrors::new();
    errors.add("title", "must not be blank");
    errors.add("priority", "must be one of low, medium, high, urgent");

    let body = body_of(ApiError::Validation(errors).into_response()).await;

    assert_eq!(body["status"], 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    assert_eq!(body["errors"][0]["field"], "title");
}

#[tokio::test]
async fn a_missing_record_is_404_not_500() {
    let err: ApiError = sea_orm::DbErr::RecordNotFound("tasks".into()).into();
    assert_eq!(err.into_response().status(), StatusCode::NOT_FOUND);
}
