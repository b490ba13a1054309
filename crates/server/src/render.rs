//! JSON rendering details that clients notice.

use serde::Serialize;
use serde_json::ser::{PrettyFormatter, Serializer};
use serde_json::Value;

/// Indentation Wazuh uses for `pretty=true`.
const PRETTY_INDENT: &[u8] = b"   ";

/// `v` rendered with Wazuh's `pretty=true` indentation.
pub fn pretty(v: &Value) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = Serializer::with_formatter(&mut out, PrettyFormatter::with_indent(PRETTY_INDENT));
    v.serialize(&mut ser)?;
    Ok(out)
}

/// A listing's envelope, rendered straight to bytes: a page written from database rows is copied
/// in without being parsed (see `AffectedItems::set_rendered_page`).
pub struct Envelope(pub oxsec_types::AffectedItems);

impl axum::response::IntoResponse for Envelope {
    fn into_response(self) -> axum::response::Response {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.0.into_bytes(),
        )
            .into_response()
    }
}
