//! The Wazuh API contract, embedded: which operations exist, their parameters with types, limits and
//! formats, and their `x-rbac-actions`. Derived from the upstream OpenAPI document by
//! `scripts/gen-openapi.py`; parameters of every request are validated against it in one place
//! ([`Operation::validate_query`]), the way upstream's strict validation does.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::formats;

/// The embedded upstream contract (descriptions stripped).
pub const UPSTREAM: &str = include_str!("../openapi/wazuh-api.json");
/// oxsec's own operations, in the same form; each is marked `x-oxsec-extension: true`.
pub const EXTENSIONS: &str = include_str!("../openapi/oxsec-extensions.json");

/// More query parameters than any operation could need are refused outright.
const MAX_QUERY_PAIRS: usize = 256;

/// A parameter's type and constraints.
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// `true`/`false`.
    Boolean,
    /// Whole number with optional bounds.
    Integer {
        /// Inclusive lower bound.
        min: Option<i64>,
        /// Inclusive upper bound.
        max: Option<i64>,
    },
    /// Any number with optional lower bound.
    Number {
        /// Inclusive lower bound.
        min: Option<f64>,
    },
    /// Text with an optional named format, enumeration and length bounds.
    String {
        /// A custom format name from upstream's validator (`names`, `alphanumeric`, …).
        format: Option<String>,
        /// Allowed values.
        enumeration: Option<Vec<String>>,
        /// Minimum length.
        min_length: Option<usize>,
        /// Maximum length.
        max_length: Option<usize>,
    },
    /// Comma-separated list.
    Array {
        /// Each element's schema.
        items: Box<Schema>,
        /// Minimum number of elements.
        min_items: Option<usize>,
    },
}

/// One declared parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// `query` or `path`.
    pub location: String,
    /// Whether it must be present.
    pub required: bool,
    /// Type and constraints.
    pub schema: Schema,
    /// Default value, if the spec has one.
    pub default: Option<Value>,
    /// The schema as written in the contract (quoted in validation messages, as upstream does).
    pub raw_schema: Value,
}

/// How an operation authenticates its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <JWT>` (the default for every operation).
    Jwt,
    /// HTTP Basic with user and password (the login operations).
    Basic,
    /// No authentication (oxsec's health-probe style extensions).
    Public,
}

/// One operation of the contract.
#[derive(Debug, Clone)]
pub struct Operation {
    /// How the caller authenticates.
    pub auth: Auth,
    /// Whether this is an oxsec extension rather than an upstream operation.
    pub extension: bool,
    /// `GET`, `POST`, …
    pub method: String,
    /// Path template, e.g. `/agents/{agent_id}/key`.
    pub path: String,
    /// Upstream operationId.
    pub operation_id: String,
    /// Declared parameters.
    pub params: Vec<Param>,
    /// RBAC actions from `x-rbac-actions`.
    pub rbac_actions: Vec<String>,
    /// The JSON schema of the request body, resolved once here rather than per request.
    pub body_schema: Option<Value>,
}

/// A parsed, validated parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Str(String),
    /// A list.
    List(Vec<ParamValue>),
}

/// A parameter problem; `Display` gives the message clients see.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// Parameters that the operation does not declare.
    #[error("Extra query parameter(s) {} not in spec", .0.join(", "))]
    Unknown(Vec<String>),
    /// A required parameter is missing.
    #[error("Missing query parameter '{0}'")]
    Missing(String),
    /// A value that does not fit the parameter's schema.
    #[error("{message}")]
    Invalid {
        /// The parameter.
        name: String,
        /// Its value as sent.
        value: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// An integer as the contract's validator takes it: any length of digits (Python's integers are
/// unbounded), saturated to the i64 range, which every bound of the contract lies within.
fn parse_big_integer(raw: &str) -> Option<i64> {
    if let Ok(n) = raw.parse::<i64>() {
        return Some(n);
    }
    let (negative, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw.strip_prefix('+').unwrap_or(raw)),
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(if negative {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// All operations, keyed by method and path template.
pub struct Contract {
    ops: HashMap<(String, String), Operation>,
    doc: Value,
}

/// The contract, parsed once.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(UPSTREAM).unwrap_or(Value::Null);
        let ext: Value = serde_json::from_str(EXTENSIONS).unwrap_or(Value::Null);
        if let (Some(paths), Some(extra)) = (
            doc.get_mut("paths").and_then(Value::as_object_mut),
            ext.get("paths").and_then(Value::as_object),
        ) {
            for (path, item) in extra {
                paths.insert(path.clone(), item.clone());
            }
        }
        // oxsec's own RBAC actions join the catalogue; an upstream action is never redefined.
        if let (Some(actions), Some(extra)) = (
            doc.pointer_mut("/x-rbac-catalog/actions")
                .and_then(Value::as_object_mut),
            ext.pointer("/x-rbac-catalog/actions").and_then(Value::as_object),
        ) {
            for (name, action) in extra {
                actions.entry(name.clone()).or_insert_with(|| action.clone());
            }
        }
        Contract::from_doc(doc)
    })
}

impl Contract {
    fn from_doc(doc: Value) -> Self {
        let mut ops = HashMap::new();
        let components = doc.get("components").cloned().unwrap_or(Value::Null);
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                let shared: Vec<Value> = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for method in ["get", "post", "put", "delete"] {
                    let Some(op) = item.get(method) else { continue };
                    let mut raw: Vec<Value> = shared.clone();
                    raw.extend(
                        op.get("parameters")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                    );
                    let params = raw
                        .iter()
                        .filter_map(|p| parse_param(&resolve(p, &components)))
                        .collect();
                    let rbac_actions = op
                        .get("x-rbac-actions")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(|r| r.get("$ref").and_then(Value::as_str))
                                .filter_map(|r| r.rsplit('/').next())
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default();
                    let auth = match op.get("security").and_then(Value::as_array) {
                        Some(s) if s.is_empty() => Auth::Public,
                        Some(s) if s.iter().any(|e| e.get("basicAuth").is_some()) => Auth::Basic,
                        _ => Auth::Jwt,
                    };
                    let operation = Operation {
                        auth,
                        extension: op.get("x-oxsec-extension").and_then(Value::as_bool).unwrap_or(false),
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        operation_id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        params,
                        rbac_actions,
                        body_schema: op
                            .get("requestBody")
                            .and_then(|b| b.get("content"))
                            .and_then(|c| c.get("application/json"))
                            .and_then(|j| j.get("schema"))
                            .map(|schema| resolve(schema, &components)),
                    };
                    ops.insert((operation.method.clone(), path.clone()), operation);
                }
            }
        }
        Self { ops, doc }
    }

    /// The operation for `method` on the path template `path`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        self.ops.get(&(method.to_owned(), path.to_owned()))
    }

    /// Every operation.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.ops.values()
    }

    /// The raw upstream document.
    pub fn document(&self) -> &Value {
        &self.doc
    }
}

fn resolve(v: &Value, components: &Value) -> Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let mut node = components;
            for seg in r.trim_start_matches("#/components/").split('/') {
                node = node.get(seg).unwrap_or(&Value::Null);
            }
            resolve(node, components)
        }
        None => match v {
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve(v, components))).collect()),
            Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, components)).collect()),
            other => other.clone(),
        },
    }
}

fn parse_param(p: &Value) -> Option<Param> {
    let name = p.get("name")?.as_str()?.to_owned();
    let location = p.get("in")?.as_str()?.to_owned();
    let schema_v = p.get("schema").cloned().unwrap_or(Value::Null);
    Some(Param {
        required: p.get("required").and_then(Value::as_bool).unwrap_or(location == "path"),
        default: schema_v.get("default").cloned(),
        schema: parse_schema(&schema_v),
        raw_schema: schema_v,
        name,
        location,
    })
}

fn parse_schema(s: &Value) -> Schema {
    let as_usize = |k: &str| s.get(k).and_then(Value::as_u64).map(|v| v as usize);
    match s.get("type").and_then(Value::as_str) {
        Some("boolean") => Schema::Boolean,
        Some("integer") => Schema::Integer {
            min: s.get("minimum").and_then(Value::as_i64),
            max: s.get("maximum").and_then(Value::as_i64),
        },
        Some("number") => Schema::Number {
            min: s.get("minimum").and_then(Value::as_f64),
        },
        Some("array") => Schema::Array {
            items: Box::new(parse_schema(s.get("items").unwrap_or(&Value::Null))),
            min_items: as_usize("minItems"),
        },
        _ => Schema::String {
            format: s.get("format").and_then(Value::as_str).map(str::to_owned),
            enumeration: s
                .get("enum")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
            min_length: as_usize("minLength"),
            max_length: as_usize("maxLength"),
        },
    }
}

impl Operation {
    /// Validates a decoded query string against the declared query parameters. Repeated keys are
    /// joined with commas, as list parameters are comma-separated in Wazuh's API.
    pub fn validate_query(&self, pairs: &[(String, String)]) -> Result<HashMap<String, ParamValue>, ParamError> {
        if pairs.len() > MAX_QUERY_PAIRS {
            return Err(ParamError::Invalid {
                name: String::new(),
                value: String::new(),
                message: format!("Too many query parameters ({}; at most {MAX_QUERY_PAIRS})", pairs.len()),
            });
        }
        let mut merged: Vec<(String, String)> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (k, v) in pairs {
            match index.get(k.as_str()) {
                Some(&i) => {
                    merged[i].1.push(',');
                    merged[i].1.push_str(v);
                }
                None => {
                    index.insert(k.as_str(), merged.len());
                    merged.push((k.clone(), v.clone()));
                }
            }
        }
        // Wazuh's URI parser lowercases these parameters' values before validating them.
        for (k, v) in &mut merged {
            if LOWERCASED_PARAMS.contains(&k.as_str()) {
                *v = v.to_lowercase();
            }
        }
        let unknown: Vec<String> = merged
            .iter()
            .filter(|(k, _)| !self.params.iter().any(|p| p.location == "query" && &p.name == k))
            .map(|(k, _)| k.clone())
            .collect();
        if !unknown.is_empty() {
            return Err(ParamError::Unknown(unknown));
        }
        let mut out = HashMap::new();
        for p in self.params.iter().filter(|p| p.location == "query") {
            match merged.iter().find(|(k, _)| k == &p.name) {
                Some((_, raw)) => {
                    out.insert(p.name.clone(), validate_value(&p.name, raw, &p.schema, &p.raw_schema)?);
                }
                None if p.required => return Err(ParamError::Missing(p.name.clone())),
                None => {}
            }
        }
        Ok(out)
    }

    /// Validates one path parameter.
    pub fn validate_path(&self, name: &str, raw: &str) -> Result<ParamValue, ParamError> {
        // Wazuh's URI parser lowercases these before validating them.
        let lowered;
        let raw = if LOWERCASED_PARAMS.contains(&name) {
            lowered = raw.to_lowercase();
            lowered.as_str()
        } else {
            raw
        };
        match self.params.iter().find(|p| p.location == "path" && p.name == name) {
            Some(p) => validate_value(name, raw, &p.schema, &p.raw_schema),
            None => Ok(ParamValue::Str(raw.to_owned())),
        }
    }
}

/// Parameters whose values Wazuh's URI parser lowercases before validation (path or query).
const LOWERCASED_PARAMS: &[&str] = &[
    "component",
    "configuration",
    "hash",
    "requirement",
    "status",
    "type",
    "section",
    "tag",
    "level",
    "resource",
];

/// Where a failing value sits: the parameter itself or one element of a list parameter.
#[derive(Clone, Copy)]
enum Site {
    Whole,
    Item(usize),
}

/// Upstream's (jsonschema's) wording: "<what>. Failed validating '<keyword>' in schema: <schema>.
/// On instance: <value>", with Python-style reprs, so clients matching on it keep working.
fn invalid(
    name: &str,
    raw: &str,
    what: String,
    keyword: &str,
    schema: &Value,
    site: Site,
    instance: &str,
) -> ParamError {
    let (schema_at, instance_at) = match site {
        Site::Whole => (String::new(), String::new()),
        Site::Item(i) => ("['items']".to_owned(), format!("[{i}]")),
    };
    ParamError::Invalid {
        name: name.to_owned(),
        value: raw.to_owned(),
        // Upstream's text, then the parameter's name (upstream leaves it out for query parameters;
        // its body errors end the same way: "- 'events.0'").
        message: format!(
            "{what}. Failed validating '{keyword}' in schema{schema_at}: {}. On instance{instance_at}: {instance} - '{name}'",
            pyrepr(schema)
        ),
    }
}

/// Python's repr of a JSON value, dict keys sorted (as `pprint` prints them).
pub fn pyrepr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => pystr(s),
        Value::Array(a) => format!("[{}]", a.iter().map(pyrepr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", pystr(k), pyrepr(&o[k.as_str()])))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

fn pystr(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// Checks one raw value against `schema` (`raw_schema` is its contract form, quoted in errors).
pub fn validate_value(name: &str, raw: &str, schema: &Schema, raw_schema: &Value) -> Result<ParamValue, ParamError> {
    validate_at(name, raw, raw, schema, raw_schema, Site::Whole)
}

fn validate_at(
    name: &str,
    whole: &str,
    raw: &str,
    schema: &Schema,
    raw_schema: &Value,
    site: Site,
) -> Result<ParamValue, ParamError> {
    let fail = |what: String, keyword: &str, instance: String| {
        invalid(name, whole, what, keyword, raw_schema, site, &instance)
    };
    let quoted = pystr(raw);
    match schema {
        Schema::Boolean => match raw {
            "true" | "True" | "TRUE" => Ok(ParamValue::Bool(true)),
            "false" | "False" | "FALSE" => Ok(ParamValue::Bool(false)),
            _ => Err(fail(
                format!("{quoted} is not of type 'boolean'"),
                "type",
                quoted.clone(),
            )),
        },
        Schema::Integer { min, max } => {
            let n: i64 = parse_big_integer(raw)
                .ok_or_else(|| fail(format!("{quoted} is not of type 'integer'"), "type", quoted.clone()))?;
            if let Some(min) = min.filter(|m| n < *m) {
                return Err(fail(
                    format!("{n} is less than the minimum of {min}"),
                    "minimum",
                    n.to_string(),
                ));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                return Err(fail(
                    format!("{n} is greater than the maximum of {max}"),
                    "maximum",
                    n.to_string(),
                ));
            }
            Ok(ParamValue::Int(n))
        }
        Schema::Number { min } => {
            let n: f64 = raw
                .parse()
                .ok()
                .filter(|f: &f64| f.is_finite())
                .ok_or_else(|| fail(format!("{quoted} is not of type 'number'"), "type", quoted.clone()))?;
            if let Some(min) = min.filter(|m| n < *m) {
                return Err(fail(
                    format!("{n} is less than the minimum of {min}"),
                    "minimum",
                    n.to_string(),
                ));
            }
            Ok(ParamValue::Float(n))
        }
        Schema::String {
            format,
            enumeration,
            min_length,
            max_length,
        } => {
            if let Some(allowed) = enumeration {
                if !allowed.iter().any(|a| a == raw) {
                    let list = allowed.iter().map(|a| pystr(a)).collect::<Vec<_>>().join(", ");
                    return Err(fail(format!("{quoted} is not one of [{list}]"), "enum", quoted.clone()));
                }
            }
            let len = raw.chars().count();
            if min_length.is_some_and(|m| len < m) {
                return Err(fail(format!("{quoted} is too short"), "minLength", quoted.clone()));
            }
            if max_length.is_some_and(|m| len > m) {
                return Err(fail(format!("{quoted} is too long"), "maxLength", quoted.clone()));
            }
            if let Some(f) = format {
                if !formats::matches(f, raw) {
                    return Err(fail(
                        format!("{quoted} is not a {}", pystr(f)),
                        "format",
                        quoted.clone(),
                    ));
                }
            }
            Ok(ParamValue::Str(raw.to_owned()))
        }
        Schema::Array { items, min_items } => {
            let parts: Vec<&str> = if raw.is_empty() {
                Vec::new()
            } else {
                raw.split(',').collect()
            };
            if min_items.is_some_and(|m| parts.len() < m) {
                return Err(fail("[] is too short".into(), "minItems", "[]".into()));
            }
            let item_schema = raw_schema.get("items").cloned().unwrap_or(Value::Null);
            let values = parts
                .iter()
                .enumerate()
                .map(|(i, p)| validate_at(name, whole, p, items, &item_schema, Site::Item(i)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ParamValue::List(values))
        }
    }
}

impl ParamValue {
    /// The value as text (lists joined with commas).
    pub fn as_text(&self) -> String {
        match self {
            Self::Bool(b) => b.to_string(),
            Self::Int(i) => i.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Str(s) => s.clone(),
            Self::List(l) => l.iter().map(Self::as_text).collect::<Vec<_>>().join(","),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn contract_has_every_upstream_operation() {
        assert_eq!(contract().operations().filter(|o| !o.extension).count(), 182);
        let login = contract()
            .operation("POST", "/security/user/authenticate")
            .expect("login");
        assert_eq!(login.auth, Auth::Basic);
        assert_eq!(contract().operation("GET", "/").map(|o| o.auth), Some(Auth::Jwt));
        assert_eq!(
            contract()
                .operation("GET", "/openapi.json")
                .map(|o| (o.auth, o.extension)),
            Some((Auth::Public, true))
        );
        let op = contract().operation("GET", "/agents").expect("GET /agents");
        assert_eq!(op.rbac_actions, ["agent:read"]);
        assert!(op.params.iter().any(|p| p.name == "limit"));
    }

    #[test]
    fn list_parameters_are_validated() {
        let op = contract().operation("GET", "/agents").expect("GET /agents");
        let ok = op
            .validate_query(&pairs(&[("limit", "10"), ("select", "id,name"), ("pretty", "true")]))
            .expect("ok");
        assert_eq!(ok["limit"], ParamValue::Int(10));
        assert_eq!(
            ok["select"],
            ParamValue::List(vec![ParamValue::Str("id".into()), ParamValue::Str("name".into())])
        );
        assert_eq!(
            op.validate_query(&pairs(&[("foo", "1")])),
            Err(ParamError::Unknown(vec!["foo".into()]))
        );
        let e = op.validate_query(&pairs(&[("limit", "abc")])).expect_err("type");
        assert!(e.to_string().contains("limit"), "{e}");
        let e = op.validate_query(&pairs(&[("offset", "-1")])).expect_err("range");
        assert!(e.to_string().contains("offset"), "{e}");
        let e = op.validate_query(&pairs(&[("status", "bogus")])).expect_err("enum");
        assert!(e.to_string().contains("status"), "{e}");
    }
}

/// The JSON schema of an operation's request body, resolved, if it declares one.
pub fn body_schema(method: &str, path: &str) -> Option<Value> {
    contract().operation(method, path)?.body_schema.clone()
}

/// Validates a request body against `schema` (the subset of JSON Schema the contract uses), with
/// upstream's messages: `"<what> - '<path>'"`, or just `<what>` for the body itself.
pub fn validate_body(body: &Value, schema: &Value) -> Result<(), ParamError> {
    check(body, schema, &mut Vec::new())
}

fn check(v: &Value, schema: &Value, path: &mut Vec<String>) -> Result<(), ParamError> {
    let fail = |what: String, path: &[String]| {
        let message = if path.is_empty() {
            what
        } else {
            format!("{what} - '{}'", path.join("."))
        };
        Err(ParamError::Invalid {
            name: path.join("."),
            value: v.to_string(),
            message,
        })
    };
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            check(v, s, path)?;
        }
    }
    let type_ok = match schema.get("type").and_then(Value::as_str) {
        Some("object") => v.is_object(),
        Some("array") => v.is_array(),
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        _ => true,
    };
    if !type_ok {
        let t = schema.get("type").and_then(Value::as_str).unwrap_or_default();
        return fail(format!("{} is not of type '{t}'", pyrepr(v)), path);
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(v) {
            return fail(
                format!("{} is not one of {}", pyrepr(v), pyrepr(&Value::Array(allowed.clone()))),
                path,
            );
        }
    }
    match v {
        Value::String(s) => {
            let len = s.chars().count();
            if schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| len as u64 > m)
            {
                return fail(format!("{} is too long", pyrepr(v)), path);
            }
            if schema
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| (len as u64) < m)
            {
                return fail(format!("{} is too short", pyrepr(v)), path);
            }
            if let Some(f) = schema.get("format").and_then(Value::as_str) {
                if !formats::matches(f, s) {
                    return fail(format!("{} is not a '{f}'", pyrepr(v)), path);
                }
            }
        }
        Value::Number(n) => {
            if schema.get("format").and_then(Value::as_str) == Some("int32")
                && n.as_i64().is_none_or(|x| i32::try_from(x).is_err())
            {
                return fail(format!("{n} is not a 'int32'"), path);
            }
            if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), n.as_f64()) {
                if x < min {
                    return fail(format!("{n} is less than the minimum of {}", schema["minimum"]), path);
                }
            }
            if let (Some(max), Some(x)) = (schema.get("maximum").and_then(Value::as_f64), n.as_f64()) {
                if x > max {
                    return fail(
                        format!("{n} is greater than the maximum of {}", schema["maximum"]),
                        path,
                    );
                }
            }
        }
        Value::Object(map) => {
            if schema
                .get("minProperties")
                .and_then(Value::as_u64)
                .is_some_and(|m| (map.len() as u64) < m)
            {
                return fail(format!("{} does not have enough properties", pyrepr(v)), path);
            }
            for req in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(req) {
                    return fail(format!("'{req}' is a required property"), path);
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                if let Some(extra) = map.keys().find(|k| props.is_none_or(|p| !p.contains_key(*k))) {
                    return fail(
                        format!("Additional properties are not allowed ('{extra}' was unexpected)"),
                        path,
                    );
                }
            }
            for (k, sub) in props.into_iter().flatten() {
                if let Some(child) = map.get(k) {
                    path.push(k.clone());
                    check(child, sub, path)?;
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if schema
                .get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| (items.len() as u64) < m)
            {
                return fail(format!("{} is too short", pyrepr(v)), path);
            }
            if schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| items.len() as u64 > m)
            {
                return fail(format!("{} is too long", pyrepr(v)), path);
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    check(item, item_schema, path)?;
                    path.pop();
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod body_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_checked_against_the_contract() {
        let schema = body_schema("POST", "/security/policies").expect("schema");
        let long = "x".repeat(65);
        let e = validate_body(
            &json!({"name": long, "policy": {"actions": [], "resources": [], "effect": "allow"}}),
            &schema,
        )
        .expect_err("too long");
        assert!(e.to_string().ends_with("is too long - 'name'"), "{e}");
        let e = validate_body(&json!({"name": "p"}), &schema).expect_err("required");
        assert_eq!(e.to_string(), "'policy' is a required property");
        let schema = body_schema("PUT", "/security/config").expect("schema");
        let e = validate_body(&json!({"auth_token_exp_timeout": 10}), &schema).expect_err("min");
        assert_eq!(
            e.to_string(),
            "10 is less than the minimum of 30 - 'auth_token_exp_timeout'"
        );
        assert!(validate_body(&json!({}), &schema).is_err(), "minProperties");
    }
}
