//! Decoders as Wazuh's API shows them: name, position in the file, and their options.

use oxsec_xml::Element;
use serde_json::{Map, Value};

use crate::files::{FileEntry, Status};

/// Options whose value is a pattern: `{"pattern": …, <attributes>}`; repeated ones join.
const PATTERN_OPTIONS: &[&str] = &["program_name", "prematch", "regex"];

/// One decoder.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoder {
    /// The file it is in.
    pub filename: String,
    /// That file's directory.
    pub relative_dirname: String,
    /// The file's status.
    pub status: Status,
    /// Decoder name (children share their parent's).
    pub name: String,
    /// Index of the decoder in its file, from 0.
    pub position: usize,
    /// Its options, rendered.
    pub details: Map<String, Value>,
    /// Its options as written, in order (tag lower-cased, text untrimmed, attributes): what the
    /// analysis engine compiles, by analysisd's rules rather than the API's rendering.
    pub options: Vec<RawOption>,
}

/// One child element of a `<decoder>` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOption {
    /// Lower-cased tag, e.g. `prematch`.
    pub tag: String,
    /// The text before any child element, untrimmed.
    pub text: String,
    /// Attributes in order.
    pub attrs: Vec<(String, String)>,
}

impl Decoder {
    /// Its parent's name, for a child decoder.
    pub fn parent(&self) -> Option<&str> {
        self.details.get("parent").and_then(Value::as_str)
    }

    /// The API item, with Wazuh's key order.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("filename".into(), Value::from(self.filename.clone()));
        m.insert("relative_dirname".into(), Value::from(self.relative_dirname.clone()));
        m.insert("status".into(), Value::from(self.status.as_str()));
        m.insert("name".into(), Value::from(self.name.clone()));
        m.insert("position".into(), Value::from(self.position));
        m.insert("details".into(), Value::Object(self.details.clone()));
        Value::Object(m)
    }
}

/// Why a decoders file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecoderFileError {
    /// Not even Wazuh's lenient XML.
    #[error("{0}")]
    Xml(#[from] oxsec_xml::XmlError),
    /// A `<decoder>` without a name.
    #[error("decoder #{0} has no name")]
    NoName(usize),
}

/// The decoders of one file (top-level `<decoder>` elements).
pub fn parse_file(text: &str, file: &FileEntry) -> Result<Vec<Decoder>, DecoderFileError> {
    let roots = crate::lenient::parse(text)?;
    let mut decoders: Vec<Decoder> = roots
        .iter()
        .filter(|r| r.name.eq_ignore_ascii_case("decoder"))
        .enumerate()
        .map(|(position, el)| parse_decoder(el, position, file))
        .collect::<Result<_, _>>()?;
    // analysisd reads `\<` as text where the API's reader sees a tag: the engine's view of
    // such a file comes from a second reading with analysisd's rule.
    if text.contains("\\<") {
        let engine_roots = crate::lenient::parse_as_analysisd(text)?;
        let engine = engine_roots.iter().filter(|r| r.name.eq_ignore_ascii_case("decoder"));
        for (d, el) in decoders.iter_mut().zip(engine) {
            d.options = raw_options(el);
        }
    }
    Ok(decoders)
}

fn raw_options(el: &Element) -> Vec<RawOption> {
    el.children
        .iter()
        .map(|c| RawOption {
            tag: c.name.to_lowercase(),
            text: c.head_text.clone(),
            attrs: c.attrs.clone(),
        })
        .collect()
}

fn parse_decoder(el: &Element, position: usize, file: &FileEntry) -> Result<Decoder, DecoderFileError> {
    let name = el.attr("name").ok_or(DecoderFileError::NoName(position))?.to_owned();
    let mut details = Map::new();
    for (k, v) in &el.attrs {
        if k != "name" {
            details.insert(k.clone(), Value::from(v.clone()));
        }
    }
    for child in &el.children {
        let tag = child.name.to_lowercase();
        let text = (!child.head_text.is_empty() || !child.children.is_empty()).then(|| child.head_text.clone());
        if PATTERN_OPTIONS.contains(&tag.as_str()) {
            let joined = match (
                details.get(&tag).and_then(|v| v.get("pattern")).and_then(Value::as_str),
                &text,
            ) {
                (Some(previous), Some(t)) => Some(format!("{previous}{t}")),
                (Some(previous), None) => Some(previous.to_owned()),
                (None, t) => t.clone(),
            };
            let mut obj = Map::new();
            obj.insert("pattern".into(), joined.map_or(Value::Null, Value::from));
            for (k, v) in &child.attrs {
                obj.insert(k.clone(), Value::from(v.clone()));
            }
            details.insert(tag, Value::Object(obj));
        } else {
            // Plain options: the last occurrence wins, an empty element is null.
            details.insert(tag, text.map_or(Value::Null, Value::from));
        }
    }
    Ok(Decoder {
        filename: file.filename.clone(),
        relative_dirname: file.relative_dirname.clone(),
        status: file.status,
        name,
        position,
        details,
        options: raw_options(el),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decoders_render_with_positions_and_joined_patterns() {
        let file = FileEntry {
            filename: "d.xml".into(),
            relative_dirname: "ruleset/decoders".into(),
            status: Status::Enabled,
        };
        let text = r#"<decoder name="wazuh"><prematch>^wazuh: </prematch></decoder>
<decoder name="agent-buffer">
  <parent>wazuh</parent>
  <prematch offset="after_parent">^Agent buffer:</prematch>
  <regex offset="after_prematch">^ '(\S+)'.</regex>
  <regex>second</regex>
  <order>level</order>
  <plugin_decoder offset="after_prematch">JSON_Decoder</plugin_decoder>
  <accumulate/>
</decoder>"#;
        let d = parse_file(text, &file).expect("parse");
        assert_eq!(d[0].to_json()["details"], json!({"prematch": {"pattern": "^wazuh: "}}));
        assert_eq!(d[1].position, 1);
        assert_eq!(d[1].parent(), Some("wazuh"));
        assert_eq!(
            d[1].to_json()["details"],
            json!({
                "parent": "wazuh",
                "prematch": {"pattern": "^Agent buffer:", "offset": "after_parent"},
                "regex": {"pattern": "^ '(\\S+)'.second"},
                "order": "level",
                "plugin_decoder": "JSON_Decoder",
                "accumulate": null
            })
        );
    }
}
