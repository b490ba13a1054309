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
