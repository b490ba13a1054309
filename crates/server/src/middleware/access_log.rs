//! One line per request in the style of Wazuh's `api.log`:
//! `wazuh 127.0.0.1 "GET /agents" with parameters {"limit": "5"} and body 0 bytes done in 0.003s: 200`.
//! Query values of secret-looking parameters are masked; request bodies are never logged, only sized.

use std::time::Instant;

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Map, Value as Json};

use crate::PeerAddr;

/// Set by the contract layer on the response so the log line can name the user.
#[derive(Clone, Debug)]
pub struct LoggedUser(pub String);

const SECRET_PARAMS: &[&str] = &["password", "token", "key", "raw_key"];

/// Logs the request once the response is ready.
pub async fn log_requests(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let params = parameters(req.uri().query());
    let ip = req
        .extensions()
        .get::<PeerAddr>()
        .map(|p| p.0.ip().to_string())
        .unwrap_or_else(|| "-".into());
    let body_size = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let resp = next.run(req).await;
    // A user name comes from the request (Basic auth): escape it so it cannot forge log lines.
    let user = resp
        .extensions()
        .get::<LoggedUser>()
        .map(|u| u.0.escape_default().to_string())
        .unwrap_or_else(|| "unknown_user".into());
    let elapsed = start.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    let params = Json::Object(params);
    tracing::info!(
        target: "oxsec::access",
        user = %user,
        ip = %ip,
        method = %method,
        path = %path,
        parameters = %params,
        body_bytes = body_size,
        seconds = elapsed,
        status,
        "{user} {ip} \"{method} {path}\" with parameters {} and body {body_size} bytes done in {elapsed:.3}s: {status}",
        params,
    );
    resp
}

fn parameters(query: Option<&str>) -> Map<String, Json> {
    let mut out = Map::new();
    for (k, v) in crate::query_pairs(query) {
        let v = if SECRET_PARAMS.contains(&k.as_str()) {
            "****".to_owned()
        } else {
            v
        };
        out.insert(k, Json::String(v));
    }
    out
}
