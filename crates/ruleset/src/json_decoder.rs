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
///
/// The text is walked as it is parsed, without building a tree: every member is reported in
/// document order, a repeated key included, as Wazuh's walk over cJSON's member lists does.
pub fn decode(input: &[u8], options: &JsonOptions, out: &mut Decoded) {
    let mut fields = Vec::new();
    let mut path = String::new();
    let walker = Walker {
        path: &mut path,
        fields: &mut fields,
        options,
        top: true,
    };
    let mut de = serde_json::Deserializer::from_slice(input);
    // Only a document that parses gives fields (cJSON parses it whole first).
    if serde::de::DeserializeSeed::deserialize(walker, &mut de).is_ok() {
        for (key, value) in fields {
            out.set_from_json(&key, value);
        }
    }
}

/// Walks one JSON value whose dotted name is `path`, collecting `(name, text)` leaves.
struct Walker<'a> {
    path: &'a mut String,
    fields: &'a mut Vec<(String, String)>,
    options: &'a JsonOptions,
    /// The document itself: a non-object top level has no names to store values under.
    top: bool,
}

impl Walker<'_> {
    fn leaf(self, text: Option<String>) {
        if let Some(t) = text.filter(|_| !self.top) {
            self.fields.push((self.path.clone(), t));
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Walker<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walker<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = self.path.len();
        while map
            .next_key_seed(KeyInto {
                path: &mut *self.path,
                dot: !self.top,
            })?
            .is_some()
        {
            map.next_value_seed(Walker {
                path: &mut *self.path,
                fields: &mut *self.fields,
                options: self.options,
                top: false,
            })?;
            self.path.truncate(depth);
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        let text = if self.options.array_as_csv {
            csv(&items)
        } else {
            cjson_print(&Value::Array(items), 0)
        };
        self.leaf((!text.is_empty()).then_some(text));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.leaf(Some(v.to_owned()));
        Ok(())
    }

    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.leaf(Some(v));
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.leaf(Some(v.to_string()));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.leaf(Some(number(&Value::from(v))));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.leaf(Some(number(&Value::from(v))));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.leaf(Some(number(&Value::from(v))));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        let null = self.options.null_as_string.then(|| "null".to_owned());
        self.leaf(null);
        Ok(())
    }
}

/// Appends a member's name to the dotted path (after a `.` below the top level).
struct KeyInto<'a> {
    path: &'a mut String,
    dot: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for KeyInto<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyInto<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        if self.dot {
            self.path.push('.');
        }
        self.path.push_str(v);
        Ok(())
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

    #[test]
    fn members_come_in_document_order_repeats_included_and_broken_documents_give_nothing() {
        let mut d = Decoded::default();
        decode(
            br#"{"a":{"k":"1","k":"2"},"":{"x":"y"}}"#,
            &JsonOptions::default(),
            &mut d,
        );
        let names: Vec<(&str, &str)> = d.dynamic.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(names, [("a.k", "1"), ("a.k", "2"), (".x", "y")]);
        let mut d = Decoded::default();
        decode(br#"{"a":"1","b":"#, &JsonOptions::default(), &mut d);
        assert_eq!(d, Decoded::default(), "a document cut short stores nothing");
        let mut d = Decoded::default();
        decode(br#"["a", {"b": 1}]"#, &JsonOptions::default(), &mut d);
        assert_eq!(d, Decoded::default(), "a top level that is not an object has no names");
    }
}
