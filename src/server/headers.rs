//! The headers every response carries (contract, "Operations"): no MIME
//! sniffing, no referrer, a content security policy (none at all for the
//! API's JSON; the docs page only its own scripts and styles), HSTS when
//! `HSTS=on`, and no `X-Powered-By`.
use axum::{
    http::{header, HeaderValue},
    response::Response,
};

/// For everything that is not the docs page: nothing may load, nothing may
/// frame it.
const API_CSP: HeaderValue = HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");

/// For the docs page (`/docs`, HTML): its own scripts, styles and images
/// (Swagger UI draws its icons as `data:` images) and requests to this API.
const DOCS_CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
);

/// Two years, sub-domains included (the value of the HSTS preload list).
const HSTS: HeaderValue = HeaderValue::from_static("max-age=63072000; includeSubDomains");

const POWERED_BY: &str = "x-powered-by";

/// The response with the security headers set (`map_response` layer).
pub fn secure(hsts: bool) -> impl Fn(Response) -> std::future::Ready<Response> + Clone {
    move |mut response: Response| {
        let headers = response.headers_mut();
        headers.remove(POWERED_BY);
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        let html = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            if html { DOCS_CSP } else { API_CSP },
        );
        if hsts {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
        }
        std::future::ready(response)
    }
}
