//! Assembles the axum application: routes, the contract layer, fallbacks and outer middleware.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::api;
use crate::error::ApiError;
use crate::middleware::{access_log, contract, rate_limit};
use crate::spec;
use crate::state::AppState;

/// Builds the router; fails if a route has no contract entry (a programming error caught at start).
pub fn build(state: AppState) -> Result<Router, String> {
    let routes = api::routes();
    let missing: Vec<String> = routes
        .served()
        .iter()
        .filter(|(m, p)| spec::contract().operation(m.as_str(), p).is_none())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("routes without a contract entry: {}", missing.join(", ")));
    }
    let max_body = usize::try_from(state.config().max_upload_size).unwrap_or(usize::MAX);
    Ok(routes
        .into_router()
        .route_layer(from_fn_with_state(state.clone(), contract::enforce))
        .fallback(contract::not_found)
        .method_not_allowed_fallback(contract::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(from_fn_with_state(state.clone(), limit_body))
        .layer(from_fn_with_state(state.clone(), rate_limit::limit_requests))
        .layer(from_fn(security_headers))
        .layer(from_fn_with_state(state.clone(), cors))
        .layer(from_fn(access_log::log_requests))
        .with_state(state))
}

/// Refuses bodies whose declared length exceeds `max_upload_size` before reading them.
async fn limit_body(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config().max_upload_size;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return ApiError::PayloadTooLarge { limit }.into_response();
    }
    next.run(req).await
}

/// The hardening headers Wazuh's API sends on every response.
const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("strict-transport-security", "max-age=63072000; includeSubdomains"),
    ("x-frame-options", "deny"),
    ("x-xss-protection", "0"),
    ("x-content-type-options", "nosniff"),
    ("content-security-policy", "none"),
    ("referrer-policy", "no-referrer, strict-origin-when-cross-origin"),
    ("cache-control", "no-store"),
];

async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(*name, axum::http::HeaderValue::from_static(value));
    }
    resp
}

/// CORS per `cors.*`: preflights are answered here; other responses get the allow headers when the
/// request's `Origin` is allowed.
async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use axum::http::{HeaderValue, Method, StatusCode};
    let cfg = &state.config().cors;
    if !cfg.enabled {
        return next.run(req).await;
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let allowed = origin
        .as_deref()
        .filter(|o| cfg.source_route == "*" || cfg.source_route.split(',').any(|r| r.trim() == *o));
    let Some(origin) = allowed.map(str::to_owned) else {
        return next.run(req).await;
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = if preflight {
        StatusCode::OK.into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).ok();
    if let Some(v) = value(&origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    if let Some(v) = value(&cfg.expose_headers) {
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
    if cfg.allow_credentials {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    if preflight {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE"),
        );
        if let Some(v) = value(&cfg.allow_headers) {
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    resp
}
