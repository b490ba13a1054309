//! Wazuh's JSON_Decoder plugin: a JSON event flattened into fields with dotted names
//! (`win.system.eventID`), values written the way analysisd writes them (integers as `%i`,
//! other numbers as `%f`, arrays as cJSON prints them or as CSV, nulls as `null` or dropped).

use serde_json::Value;

use crate::decode::Decoded;

/// A decoder's `json_null_field` and `json_array_structure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonOptions {
    /// `json_null_field`: `string` (the default) keeps nulls as `null`; `discard` drops them.
    pub null_as_string: bool,
    /// `json_array_structure`: `csv` joins scalar items with `,`; else (the default) the array
    /// as cJSON prints it.
    pub array_as_csv: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            null_as_string: true,
            array_as_csv: false,
        }
    }
}

/// Decodes the JSON value at the start of `input` (anything after it is ignored, as cJSON does)
/// into `out`. Input that is not JSON leaves `out` unchanged.
pub fn decode(input: &[u8], options: &JsonOptions, out: &mut Decoded) {
    let mut values = serde_json::Deserializer::from_slice(input).into_iter::<Value>();
    if let Some(Ok(value)) = values.next() {
        // A non-object top level has no keys to store values under.
        if value.is_object() {
            walk(value, None, options, out);
        }
    }
}

/// Stores the leaves of `value` under dotted names; `key` is the name so far, `None` at the top
/// level (whose members are named without a leading dot).
fn walk(value: Value, key: Option<&mut String>, options: &JsonOptions, out: &mut Decoded) {
    match value {
        Value::Object(map) => {
            // The dotted key is built in one buffer: each member appends its name and takes it
            // off again.
            let mut top = String::new();
            let (key, nested) = match key {
                Some(k) => (k, true),
                None => (&mut top, false),
            };
            let depth = key.len();
            for (k, v) in map {
                if nested {
                    key.push('.');
                }
                key.push_str(&k);
                walk(v, Some(&mut *key), options, out);
                key.truncate(depth);
            }
        }
        other => {
            let Some(key) = key else { return };
            let text = match other {
                Value::String(s) => Some(s),
                Value::Number(_) => Some(number(&other)),
                Value::Bool(b) => Some(b.to_string()),
                Value::Null => options.null_as_string.then(|| "null".to_owned()),
                Value::Array(items) => {
                    let t = if options.array_as_csv {
                        csv(&items)
                    } else {
                        cjson_print(&Value::Array(items), 0)
                    };
                    (!t.is_empty()).then_some(t)
                }
                Value::Object(_) => None,
            };
            if let Some(t) = text {
                out.set_from_json(key, t);
            }
        }
    }
}

/// A number as analysisd writes it: `%i` when it is a whole number within `int`, else `%f`.
fn number(value: &Value) -> String {
    let d = value.as_f64().unwrap_or(0.0);
    let as_int = if d >= f64::from(i32::MAX) {
        i32::MAX
    } else if d <= f64::from(i32::MIN) {
        i32::MIN
    } else {
        d as i32
    };
    if f64::from(as_int) == d {
        as_int.to_string()
    } else {
        format!("{d:.6}")
    }
}

/// Scalar items joined by `,` (objects and nested arrays are skipped, as in Wazuh).
fn csv(items: &[Value]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for item in items {
        match item {
            Value::String(s) => parts.push(s.clone()),
            Value::Number(_) => parts.push(number(item)),
            Value::Null => parts.push("null".into()),
            Value::Bool(b) => parts.push(b.to_string()),
            _ => {}
        }
    }
    parts.join(",")
}

/// cJSON's formatted printing (`cJSON_Print`): arrays on one line with `, `, objects on lines
/// indented by tabs with `:\t` between key and value.
fn cjson_print(value: &Value, depth: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => cjson_number(value),
        Value::String(s) => cjson_string(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(|v| cjson_print(v, depth + 1)).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            if map.is_empty() {
                return "{\n".to_owned() + &"\t".repeat(depth) + "}";
            }
            let mut s = String::from("{\n");
            let n = map.len();
            for (i, (k, v)) in map.iter().enumerate() {
                s.push_str(&"\t".repeat(depth + 1));
                s.push_str(&cjson_string(k));
                s.push_str(":\t");
                s.push_str(&cjson_print(v, depth + 1));
                if i + 1 < n {
                    s.push(',');
                }
                s.push('\n');
            }
            s.push_str(&"\t".repeat(depth));
            s.push('}');
            s
        }
    }
}

fn cjson_number(value: &Value) -> String {
    let d = value.as_f64().unwrap_or(0.0);
    if !d.is_finite() {
        return "null".into();
    }
    if d.fract() == 0.0 && d.abs() < 1e15 {
        // cJSON prints whole numbers without a fraction.
        return format!("{}", d as i64);
    }
    let short = format!("{d}");
    if short.parse::<f64>().ok() == Some(d) {
        short
    } else {
        format!("{d:e}")
    }
}

fn cjson_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_flatten_into_dotted_fields_with_wazuhs_values() {
        let mut d = Decoded::default();
        decode(
            br#"{"srcip":"10.0.0.1","user":"root","win":{"system":{"eventID":4625,"level":0.5}},"tags":["a","b"],"n":null,"ok":true,"big":3000000000} trailing"#,
            &JsonOptions::default(),
            &mut d,
        );
        assert_eq!(d.field("srcip"), Some("10.0.0.1"));
        assert_eq!(d.field("dstuser"), Some("root"));
        assert_eq!(d.field("win.system.eventID"), Some("4625"));
        assert_eq!(d.field("win.system.level"), Some("0.500000"));
        assert_eq!(d.field("tags"), Some(r#"["a", "b"]"#));
        assert_eq!(d.field("n"), Some("null"));
        assert_eq!(d.field("ok"), Some("true"));
        assert_eq!(d.field("big"), Some("3000000000.000000"));
        let mut d = Decoded::default();
        let csv = JsonOptions {
            null_as_string: false,
            array_as_csv: true,
        };
        decode(br#"{"tags":["a",1,null],"n":null}"#, &csv, &mut d);
        assert_eq!((d.field("tags"), d.field("n")), (Some("a,1,null"), None));
        let mut d = Decoded::default();
        decode(b"not json", &JsonOptions::default(), &mut d);
        assert_eq!(d, Decoded::default());
    }
}
