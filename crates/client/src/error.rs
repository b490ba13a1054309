//! What can go wrong, with the server's own words when it answered.

use serde_json::Value;

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused: its HTTP status, Wazuh error code, title and detail (and remediation
    /// when it gave one).
    #[error("HTTP {status}, Wazuh error {code}: {message}{}", remediation.as_deref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Api {
        status: u16,
        code: i64,
        message: String,
        remediation: Option<String>,
    },
    /// No answer (connection, TLS, timeout).
    #[error("request failed: {0}")]
    Http(#[source] reqwest::Error),
    /// An answer that is not what the API documents.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The client's own settings (a CA file that cannot be read, a bad URL).
    #[error("client configuration: {0}")]
    Config(String),
    /// An endpoint the server's API version does not have.
    #[error("{endpoint} needs API {since} or later; the server runs {server}")]
    Unsupported {
        endpoint: String,
        since: String,
        server: String,
    },
    /// A WQL query that would not parse.
    #[error("invalid query: {0}")]
    Query(String),
}

impl Error {
    /// The Wazuh error code, when the server gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The body of an answer with `status`, or the error it reports.
pub(crate) fn check(status: u16, text: &str) -> Result<Value, Error> {
    let body: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text).map_err(|e| Error::Decode(format!("HTTP {status}: not JSON ({e}): {text:.200}")))?
    };
    if (200..300).contains(&status) {
        return Ok(body);
    }
    let code = body.get("error").and_then(Value::as_i64).unwrap_or(i64::from(status));
    let title = body.get("title").and_then(Value::as_str).unwrap_or_default();
    let detail = body.get("detail").and_then(Value::as_str).unwrap_or_default();
    let message = match (title, detail) {
        ("", "") => format!("HTTP {status}"),
        (t, "") => t.to_owned(),
        ("", d) => d.to_owned(),
        (t, d) => format!("{t}: {d}"),
    };
    Err(Error::Api {
        status,
        code,
        message,
        remediation: body.get("remediation").and_then(Value::as_str).map(str::to_owned),
    })
}
