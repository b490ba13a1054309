//! `ApiError`: every way a request can fail, and the single mapping of each to an HTTP status and
//! Wazuh's problem-style JSON body (`title`, `detail`, `remediation`, `error`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use oxsec_types::WazuhCode;
use serde_json::{json, Map, Value};

use crate::spec::ParamError;

/// Why a request was not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header.
    NoToken,
    /// A token that is malformed, foreign-signed, expired or revoked.
    InvalidToken,
    /// `Authorization` with no scheme, or `Bearer` with nothing after it.
    InvalidHeader,
    /// A token issued under security settings (lifetime, RBAC mode) that have since changed.
    TokenExpired,
    /// Wrong user name or password at login.
    InvalidCredentials,
}

/// The node a permission error names when the caller may not read the node (Wazuh's wording).
pub const UNKNOWN_NODE: &str = "unknown-node";

tokio::task_local! {
    /// The node name a permission error of the current request shows: this node's name for
    /// callers allowed `cluster:read` on it, [`UNKNOWN_NODE`] for others (set by the contract
    /// layer).
    pub static DENIAL_NODE: &'static str;
}

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A Wazuh error code, with optional details appended to its message.
    #[error("{code:?}: {details:?}")]
    Wazuh {
        /// The code.
        code: WazuhCode,
        /// Extra detail for the caller.
        details: Option<String>,
    },
    /// A parameter that does not fit the contract.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// Not authenticated.
    #[error("unauthorized: {0:?}")]
    Unauthorized(AuthFailure),
    /// No such path.
    #[error("not found")]
    NotFound,
    /// The path exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The body is larger than `max_upload_size`.
    #[error("payload too large")]
    PayloadTooLarge {
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The client accepts no media type this endpoint produces.
    #[error("not acceptable")]
    NotAcceptable,
    /// A body of a media type the endpoint does not take (the type sent).
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    /// A request Wazuh's API layer refuses with a problem of its own (no Wazuh code), 400.
    #[error("{title}: {detail}")]
    Problem {
        /// The problem's title.
        title: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// Anything unexpected; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A Wazuh error without details.
    pub fn code(code: WazuhCode) -> Self {
        Self::Wazuh { code, details: None }
    }

    /// A Wazuh error with details appended.
    pub fn with_details(code: WazuhCode, details: impl Into<String>) -> Self {
        Self::Wazuh {
            code,
            details: Some(details.into()),
        }
    }

    /// The HTTP status and JSON body the client gets.
    pub fn to_parts(&self) -> (StatusCode, Value) {
        match self {
            Self::Wazuh { code, details } => {
                let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
                let mut body = Map::new();
                body.insert("title".into(), Value::from(title_for(status, Some(*code))));
                let detail = match details {
                    Some(d) => format!("{}: {d}", code.message()),
                    None => code.message().to_owned(),
                };
                body.insert("detail".into(), Value::from(detail));
                if let Some(r) = code.remediation() {
                    body.insert("remediation".into(), Value::from(r));
                }
                // Framework errors travel through Wazuh's distributed API and name the node that
                // raised them; the API layer's own errors (6xxx: rate limits, IP blocks) do not.
                // "Cluster not running" is raised by the API before any node is asked.
                if code.number() < 6000 && *code != WazuhCode::ClusterNotRunning {
                    // Upstream raises RBAC denials before the request reaches a node.
                    let node = if *code == WazuhCode::PermissionDenied {
                        DENIAL_NODE.try_with(|n| *n).unwrap_or(UNKNOWN_NODE)
                    } else {
                        crate::node_name()
                    };
                    body.insert(
                        "dapi_errors".into(),
                        json!({ node: { "error": body["detail"].clone() } }),
                    );
                }
                body.insert("error".into(), Value::from(code.number()));
                (status, Value::Object(body))
            }
            Self::Param(e) => (
                StatusCode::BAD_REQUEST,
                json!({"title": "Bad Request", "detail": e.to_string()}),
            ),
            Self::Unauthorized(why) => {
                let detail = match why {
                    AuthFailure::NoToken => "No authorization token provided",
                    AuthFailure::InvalidToken => "Invalid token",
                    AuthFailure::InvalidHeader => "Invalid authorization header",
                    AuthFailure::TokenExpired => "Token expired",
                    AuthFailure::InvalidCredentials => "Invalid credentials",
                };
                (
                    StatusCode::UNAUTHORIZED,
                    json!({"title": "Unauthorized", "detail": detail}),
                )
            }
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                json!({"title": "Not Found", "detail": "404: Not Found"}),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"title": "Method Not Allowed", "detail": "405: Method Not Allowed"}),
            ),
            Self::PayloadTooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({
                    "title": "Payload Too Large",
                    "detail": format!("Maximum request body size is {limit} bytes"),
                    "remediation": "Send a smaller body, or raise max_upload_size in the API configuration",
                }),
            ),
            Self::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                json!({"title": "Not Acceptable", "detail": "Invalid content-type or accept header"}),
            ),
            Self::UnsupportedMediaType(sent) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({
                    "title": "Unsupported Media Type",
                    "detail": format!("Invalid Content-type ({sent}), expected ['application/octet-stream']"),
                }),
            ),
            Self::Problem { title, detail } => (StatusCode::BAD_REQUEST, json!({"title": title, "detail": detail})),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"title": "Wazuh Internal Error", "detail": "Internal error", "error": WazuhCode::Internal.number()}),
            ),
        }
    }
}

fn title_for(status: StatusCode, code: Option<WazuhCode>) -> &'static str {
    match (status.as_u16(), code) {
        (401, _) => "Unauthorized",
        (403, _) => "Permission Denied",
        (404, _) => "Resource Not Found",
        (406, _) => "Not Acceptable",
        (429, _) => "Too Many Requests",
        (500..=599, _) => "Wazuh Internal Error",
        _ => "Bad Request",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let (status, body) = self.to_parts();
        let mut resp = (status, body.to_string()).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json; charset=utf-8"),
        );
        resp
    }
}

impl From<oxsec_store::Error> for ApiError {
    fn from(e: oxsec_store::Error) -> Self {
        Self::Internal(e.to_string())
    }
}
