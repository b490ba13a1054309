//! The Wazuh response envelope.
//!
//! Every list or batch endpoint answers
//! `{"data": {"affected_items": [...], "total_affected_items": N, "total_failed_items": M,
//! "failed_items": [...]}, "message": "...", "error": 0|1|2}`; the key order is Wazuh's.
//! `error` follows Wazuh exactly (verified against 4.14.7): 0 when nothing failed, 2 when some items
//! failed and some succeeded, 1 when every item failed. `message` is the "none" message when no item
//! was affected, else the "all" message when nothing failed, else the "some" message.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::codes::WazuhCode;

/// The error reported for a group of failed items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemError {
    /// Wazuh's numeric code.
    pub code: u32,
    /// What went wrong, as Wazuh words it (with details appended where Wazuh appends them).
    pub message: String,
    /// How to fix it, when Wazuh has a remediation for the code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

impl ItemError {
    /// The error of `code` with its catalogue message.
    pub fn new(code: WazuhCode) -> Self {
        Self {
            code: code.number(),
            message: code.message().to_owned(),
            remediation: code.remediation().map(str::to_owned),
        }
    }

    /// The error of `code` with extra detail appended to the catalogue message, as Wazuh does
    /// (`"<message>: <details>"`).
    pub fn with_details(code: WazuhCode, details: impl AsRef<str>) -> Self {
        let mut e = Self::new(code);
        e.message = format!("{}: {}", e.message, details.as_ref());
        e
    }
}

/// One entry of `failed_items`: an error and the ids it applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedItem {
    /// The shared error.
    pub error: ItemError,
    /// The ids (or names) of the items that failed with it, in the order they were reported.
    pub id: Vec<Value>,
}

/// A batch result being built: affected items plus failures grouped by error.
#[derive(Debug, Clone, Default)]
pub struct AffectedItems {
    affected: Vec<Value>,
    /// The page as a JSON array already rendered (from database rows); `affected` is empty then.
    rendered: Option<Vec<u8>>,
    total_affected: u64,
    failed: Vec<FailedItem>,
    all_msg: String,
    some_msg: String,
    none_msg: String,
}

impl AffectedItems {
    /// A result whose message is `all_msg` when nothing fails, `some_msg` when some items fail,
    /// and `none_msg` when no item is affected.
    pub fn new(all_msg: impl Into<String>, some_msg: impl Into<String>, none_msg: impl Into<String>) -> Self {
        Self {
            all_msg: all_msg.into(),
            some_msg: some_msg.into(),
            none_msg: none_msg.into(),
            ..Self::default()
        }
    }

    /// A result for read-only listings, where Wazuh uses the same message in every case.
    pub fn listing(msg: impl Into<String>) -> Self {
        let msg = msg.into();
        Self::new(msg.clone(), msg.clone(), msg)
    }

    /// Replaces the three messages (the same result told as a cluster-wide operation).
    pub fn with_messages(mut self, all_msg: &str, some_msg: &str, none_msg: &str) -> Self {
        all_msg.clone_into(&mut self.all_msg);
        some_msg.clone_into(&mut self.some_msg);
        none_msg.clone_into(&mut self.none_msg);
        self
    }

    /// The messages Wazuh gives when the operation was addressed to one cluster node: the success
    /// and failure messages end in " in specified node".
    pub fn in_specified_node(mut self) -> Self {
        self.all_msg.push_str(" in specified node");
        self.none_msg.push_str(" in specified node");
        self
    }

    /// Adds one affected item.
    pub fn push(&mut self, item: Value) {
        self.materialize();
        self.affected.push(item);
        self.total_affected += 1;
    }

    /// Sets the page of items and the total they were taken from (the total may exceed the page
    /// when `offset`/`limit` cut it).
    pub fn set_page(&mut self, items: Vec<Value>, total: u64) {
        self.affected = items;
        self.rendered = None;
        self.total_affected = total;
    }

    /// Sets the page as a JSON array already rendered (see [`AffectedItems::set_page`]); large
    /// listings skip building a value per item this way.
    pub fn set_rendered_page(&mut self, json_array: Vec<u8>, total: u64) {
        self.affected = Vec::new();
        self.rendered = Some(json_array);
        self.total_affected = total;
    }

    /// Turns a rendered page back into values (only when an item is added to it afterwards).
    fn materialize(&mut self) {
        if let Some(json) = self.rendered.take() {
            self.affected = serde_json::from_slice(&json).unwrap_or_default();
        }
    }

    /// Records that `id` failed with `error`; ids sharing an error are grouped as Wazuh does.
    pub fn fail(&mut self, id: impl Into<Value>, error: ItemError) {
        let id = id.into();
        if let Some(group) = self.failed.iter_mut().find(|f| f.error == error) {
            group.id.push(id);
        } else {
            self.failed.push(FailedItem { error, id: vec![id] });
        }
    }

    /// Forgets failures with these codes: Wazuh leaves them out when an operation was asked for
    /// every item (`all`) rather than for named ones, e.g. the groups an agent is not in.
    pub fn drop_failures(&mut self, codes: &[WazuhCode]) {
        self.failed
            .retain(|f| !codes.iter().any(|c| c.number() == f.error.code));
    }

    /// Number of failed ids.
    pub fn total_failed(&self) -> u64 {
        self.failed.iter().map(|f| f.id.len() as u64).sum()
    }

    /// Wazuh's `error` field: 0 nothing failed, 2 partial failure, 1 everything failed.
    pub fn error_level(&self) -> u8 {
        match (self.total_affected, self.total_failed()) {
            (_, 0) => 0,
            (0, _) => 1,
            _ => 2,
        }
    }

    /// The full envelope as compact JSON text: what serializing [`AffectedItems::into_json`] gives,
    /// with a rendered page copied in as it is.
    pub fn into_bytes(mut self) -> Vec<u8> {
        let Some(items) = self.rendered.take() else {
            return serde_json::to_vec(&self.into_json()).unwrap_or_default();
        };
        let mut envelope = self.into_json();
        if let Some(data) = envelope.get_mut("data").and_then(Value::as_object_mut) {
            data.insert("affected_items".into(), Value::from(PLACEHOLDER));
        }
        let text = serde_json::to_vec(&envelope).unwrap_or_default();
        let marker = serde_json::to_vec(PLACEHOLDER).unwrap_or_default();
        let Some(at) = text.windows(marker.len()).position(|w| w == marker.as_slice()) else {
            return text;
        };
        let mut out = Vec::with_capacity(text.len() + items.len());
        out.extend_from_slice(&text[..at]);
        out.extend_from_slice(&items);
        out.extend_from_slice(&text[at + marker.len()..]);
        out
    }

    /// The full envelope as JSON.
    pub fn into_json(mut self) -> Value {
        self.materialize();
        let error = self.error_level();
        let total_failed = self.total_failed();
        let message = if self.total_affected == 0 {
            self.none_msg
        } else if total_failed == 0 {
            self.all_msg
        } else {
            self.some_msg
        };
        // Wazuh lists failure groups by code and the ids of each group sorted.
        let mut failed = self.failed;
        failed.sort_by_key(|f| f.error.code);
        for group in &mut failed {
            sort_ids(&mut group.id);
        }
        // Built by hand: `json!` would serialize the items into a deep copy, which at 100,000 agents
        // costs as much as the query.
        let mut data = Map::new();
        data.insert("affected_items".into(), Value::Array(self.affected));
        data.insert("total_affected_items".into(), Value::from(self.total_affected));
        data.insert("total_failed_items".into(), Value::from(total_failed));
        data.insert("failed_items".into(), json!(failed));
        let mut envelope = Map::new();
        envelope.insert("data".into(), Value::Object(data));
        envelope.insert("message".into(), Value::from(message));
        envelope.insert("error".into(), Value::from(error));
        Value::Object(envelope)
    }
}

/// Stands in for a rendered page while the rest of the envelope is serialized; it comes before
/// every other field, so it is found before any text from a message or a failed item.
const PLACEHOLDER: &str = "\u{0}oxsec-rendered-items\u{0}";

/// Wazuh sorts a group's ids numerically when every id is a number (as text or not), else as text.
fn sort_ids(ids: &mut [Value]) {
    let as_int = |v: &Value| match v {
        Value::String(s) => s.parse::<i64>().ok(),
        other => other.as_i64(),
    };
    if ids.iter().all(|v| as_int(v).is_some()) {
        ids.sort_by_key(|v| as_int(v).unwrap_or_default());
    } else {
        ids.sort_by_key(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
}

/// `{"data": <data>, "error": 0}`: the shape of single-object answers such as `GET /` or login.
pub fn data(data: Value) -> Value {
    json!({ "data": data, "error": 0 })
}

/// `{"data": <data>, "message": <msg>, "error": 0}`.
pub fn data_with_message(data: Value, message: &str) -> Value {
    json!({ "data": data, "message": message, "error": 0 })
}

/// `{"message": <msg>, "error": 0}`.
pub fn message(message: &str) -> Value {
    let mut m = Map::new();
    m.insert("message".into(), Value::from(message));
    m.insert("error".into(), Value::from(0));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_pages_give_the_same_envelope_as_values() {
        let items = vec![json!({"id": "001", "os": {"name": "Ubuntu"}}), json!({"id": "002"})];
        let mut values = AffectedItems::new("all", "some", "none");
        values.set_page(items.clone(), 7);
        values.fail("005", ItemError::new(WazuhCode::AgentNotFound));
        let mut rendered = AffectedItems::new("all", "some", "none");
        rendered.set_rendered_page(serde_json::to_vec(&items).expect("json"), 7);
        rendered.fail("005", ItemError::new(WazuhCode::AgentNotFound));
        let expected = serde_json::to_vec(&values.clone().into_json()).expect("json");
        assert_eq!(
            String::from_utf8(rendered.clone().into_bytes()).expect("json"),
            String::from_utf8(expected).expect("json")
        );
        assert_eq!(rendered.clone().into_json(), values.into_json());
        // Adding an item to a rendered page keeps the rendered ones.
        rendered.push(json!({"id": "003"}));
        assert_eq!(
            rendered.into_json()["data"]["affected_items"]
                .as_array()
                .expect("json")
                .len(),
            3
        );
    }

    #[test]
    fn error_level_and_message_follow_wazuh() {
        let mut r = AffectedItems::new("all", "some", "none");
        assert_eq!(r.clone().into_json()["error"], 0);
        r.push(json!({"id": "001"}));
        r.fail("003", ItemError::new(WazuhCode::AgentNotFound));
        r.fail("002", ItemError::new(WazuhCode::AgentNotFound));
        let v = r.into_json();
        assert_eq!(v["error"], 2, "partial failure is 2 in Wazuh");
        assert_eq!(v["message"], "some");
        assert_eq!(v["data"]["total_failed_items"], 2);
        assert_eq!(v["data"]["failed_items"][0]["id"], json!(["002", "003"]));
        assert_eq!(v["data"]["failed_items"][0]["error"]["code"], 1701);
        let keys: Vec<_> = v["data"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "affected_items",
                "total_affected_items",
                "total_failed_items",
                "failed_items"
            ]
        );
    }

    #[test]
    fn all_failed_is_error_one() {
        let mut r = AffectedItems::new("all", "some", "none");
        r.fail("x", ItemError::with_details(WazuhCode::AgentNotFound, "x"));
        let v = r.into_json();
        assert_eq!(v["error"], 1);
        assert_eq!(v["message"], "none");
    }

    #[test]
    fn nothing_at_all_is_error_zero_with_the_none_message() {
        let v = AffectedItems::new("all", "some", "none").into_json();
        assert_eq!((v["error"].as_u64(), v["message"].as_str()), (Some(0), Some("none")));
    }
}

#[cfg(test)]
mod id_order {
    use super::*;

    #[test]
    fn ids_sort_numerically_when_all_are_numbers() {
        let mut r = AffectedItems::listing("m");
        for id in ["010", "9", "002"] {
            r.fail(id, ItemError::new(WazuhCode::AgentNotFound));
        }
        assert_eq!(
            r.into_json()["data"]["failed_items"][0]["id"],
            json!(["002", "9", "010"])
        );
    }
}
