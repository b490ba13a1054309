//! `GET /openapi.json`: the contract of what this server answers — the upstream operations it
//! implements and its own extensions (marked `x-oxsec-extension: true`), nothing else.

use std::sync::OnceLock;

use axum::http::Method;
use serde_json::{json, Map, Value};

use crate::spec;

/// The served document, built once from the routes.
pub fn served_document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| build(crate::api::routes().served()))
}

/// Builds the document for `served`.
pub fn build(served: &[(Method, &'static str)]) -> Value {
    let full = spec::contract().document();
    let mut paths = Map::new();
    for (method, path) in served {
        let Some(item) = full.get("paths").and_then(|p| p.get(*path)) else {
            continue;
        };
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| {
            let mut m = Map::new();
            if let Some(shared) = item.get("parameters") {
                m.insert("parameters".into(), shared.clone());
            }
            Value::Object(m)
        });
        let key = method.as_str().to_ascii_lowercase();
        if let (Some(op), Some(obj)) = (item.get(&key), entry.as_object_mut()) {
            obj.insert(key, op.clone());
        }
    }
    json!({
        "openapi": full.get("openapi").cloned().unwrap_or_else(|| json!("3.0.0")),
        "info": {
            "title": "oxsec (Wazuh API REST compatible)",
            "version": env!("CARGO_PKG_VERSION"),
            "x-wazuh-api-version": oxsec_types::WAZUH_API_VERSION,
            "license": {"name": "Apache 2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "servers": full.get("servers").cloned().unwrap_or(Value::Null),
        "security": full.get("security").cloned().unwrap_or(Value::Null),
        "x-rbac-catalog": full.get("x-rbac-catalog").cloned().unwrap_or(Value::Null),
        "components": full.get("components").cloned().unwrap_or(Value::Null),
        "paths": paths,
    })
}

/// Every RBAC action of the contract with its description, resource kinds, example and the
/// endpoints (`"GET /agents"`) that require it, in order of first use across the contract.
pub fn rbac_actions() -> &'static Value {
    static ACTIONS: OnceLock<Value> = OnceLock::new();
    ACTIONS.get_or_init(|| {
        let doc = spec::contract().document();
        let catalog = &doc["x-rbac-catalog"]["actions"];
        let mut out = Map::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for method in ["get", "post", "put", "delete"] {
                let Some(op) = item.get(method) else { continue };
                for r in op["x-rbac-actions"].as_array().into_iter().flatten() {
                    let Some(name) = r["$ref"].as_str().and_then(|r| r.rsplit('/').next()) else { continue };
                    let entry = out.entry(name.to_owned()).or_insert_with(|| {
                        let def = &catalog[name];
                        let resources: Vec<Value> = def["resources"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|r| r["$ref"].as_str().and_then(|r| r.rsplit('/').next()).map(Value::from))
                            .collect();
                        json!({"description": def["description"], "resources": resources, "example": def["example"], "related_endpoints": []})
                    });
                    if let Some(list) = entry["related_endpoints"].as_array_mut() {
                        list.push(Value::from(format!("{} {path}", method.to_ascii_uppercase())));
                    }
                }
            }
        }
        Value::Object(out)
    })
}

/// Whether `"METHOD /path"` names an operation of the contract.
pub fn is_endpoint(endpoint: &str) -> bool {
    endpoint
        .split_once(' ')
        .is_some_and(|(m, p)| spec::contract().operation(m, p).is_some_and(|o| !o.extension))
}
