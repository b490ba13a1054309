//! Rules as Wazuh's API shows them: id, level, groups split into compliance lists, and every
//! other option under `details`.

use std::collections::HashMap;

use oxsec_xml::Element;
use serde_json::{Map, Value};

use crate::files::{FileEntry, Status};

/// Options whose value is a pattern: shown as `{"pattern": …, <attributes>}`; repeated ones join.
const PATTERN_OPTIONS: &[&str] = &[
    "regex",
    "field",
    "match",
    "action",
    "extra_data",
    "hostname",
    "id",
    "location",
    "program_name",
    "protocol",
    "user",
    "url",
    "srcport",
    "dstport",
    "status",
    "system_name",
    "srcgeoip",
    "dstgeoip",
];

/// Group prefixes that are compliance requirements, in the order Wazuh tests them.
pub const REQUIREMENTS: &[&str] = &["pci_dss", "gdpr", "hipaa", "nist_800_53", "gpg13", "tsc", "mitre"];

/// The requirement lists of a rule item, in the API's key order.
pub const ITEM_REQUIREMENTS: &[&str] = &["pci_dss", "gpg13", "gdpr", "hipaa", "nist_800_53", "tsc", "mitre"];

/// One rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The file it is in.
    pub filename: String,
    /// That file's directory.
    pub relative_dirname: String,
    /// Rule id.
    pub id: i64,
    /// Alert level.
    pub level: i64,
    /// The file's status.
    pub status: Status,
    /// Every other option, rendered.
    pub details: Map<String, Value>,
    /// Compliance lists by requirement (`pci_dss` … `mitre`), de-duplicated in first-seen order.
    pub requirements: HashMap<&'static str, Vec<String>>,
    /// Its own groups, then those of the enclosing `<group name>` (not de-duplicated).
    pub groups: Vec<String>,
    /// The `<description>` texts joined.
    pub description: String,
    /// The analysis engine's view, read by analysisd's rules rather than the API's.
    pub engine: EngineView,
}

/// A rule as analysisd reads it: raw attributes and options with the file's `<var>`s applied,
/// and the enclosing group's name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineView {
    /// `<rule>` attributes in order (`id`, `level`, `frequency`, …).
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub options: Vec<crate::decoders::RawOption>,
    /// The enclosing `<group name="…">`.
    pub group_name: String,
}

impl Rule {
    /// A requirement's list (`pci_dss`, `gdpr`, … `mitre`).
    pub fn requirement(&self, name: &str) -> &[String] {
        self.requirements.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The API item, with Wazuh's key order.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("filename".into(), Value::from(self.filename.clone()));
        m.insert("relative_dirname".into(), Value::from(self.relative_dirname.clone()));
        m.insert("id".into(), Value::from(self.id));
        m.insert("level".into(), Value::from(self.level));
        m.insert("status".into(), Value::from(self.status.as_str()));
        m.insert("details".into(), Value::Object(self.details.clone()));
        for req in ITEM_REQUIREMENTS {
            m.insert((*req).into(), Value::from(self.requirement(req).to_vec()));
        }
        m.insert("groups".into(), Value::from(self.groups.clone()));
        m.insert("description".into(), Value::from(self.description.clone()));
        Value::Object(m)
    }
}

/// Why a rules file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleFileError {
    /// Not even Wazuh's lenient XML.
    #[error("{0}")]
    Xml(#[from] oxsec_xml::XmlError),
    /// A rule whose id or level is missing or not a number.
    #[error("rule {rule}: {message}")]
    Rule {
        /// The rule's id as written (or its position).
        rule: String,
        /// What is wrong.
        message: String,
    },
}

/// The rules of one file, as Wazuh's API reads them: only `<rule>`s directly inside top-level
/// `<group>`s count.
pub fn parse_file(text: &str, file: &FileEntry) -> Result<Vec<Rule>, RuleFileError> {
    let roots = crate::lenient::parse(text)?;
    let vars: HashMap<String, String> = roots
        .iter()
        .filter(|r| r.name == "var")
        .filter_map(|r| Some((format!("${}", r.attr("name")?), r.head_text.clone())))
        .collect();
    let mut rules = Vec::new();
    for group in roots.iter().filter(|r| r.name.eq_ignore_ascii_case("group")) {
        let general: Vec<String> = group.attr("name").unwrap_or("").split(',').map(str::to_owned).collect();
        for (n, el) in group.children.iter().enumerate().filter(|(_, c)| c.name == "rule") {
            rules.push(parse_rule(el, n, &vars, &general, file)?);
        }
    }
    // analysisd reads `\<` as text where the API's reader sees a tag.
    let engine_roots = if text.contains("\\<") {
        crate::lenient::parse_as_analysisd(text)?
    } else {
        roots
    };
    let engine_rules = engine_roots
        .iter()
        .filter(|r| r.name.eq_ignore_ascii_case("group"))
        .flat_map(|g| {
            let name = g.attr("name").unwrap_or("").to_owned();
            g.children
                .iter()
                .filter(|c| c.name == "rule")
                .map(move |el| (name.clone(), el))
        });
    for (rule, (group_name, el)) in rules.iter_mut().zip(engine_rules) {
        rule.engine = EngineView {
            attrs: el
                .attrs
                .iter()
                .map(|(k, v)| (k.clone(), substitute(v, &vars)))
                .collect(),
            options: el
                .children
                .iter()
                .map(|c| crate::decoders::RawOption {
                    tag: c.name.to_lowercase(),
                    text: substitute(&c.head_text, &vars),
                    attrs: c.attrs.iter().map(|(k, v)| (k.clone(), substitute(v, &vars))).collect(),
                })
                .collect(),
            group_name: substitute(&group_name, &vars),
        };
    }
    Ok(rules)
}

/// Replaces each `$NAME` of a defined `<var>` in `text`, as analysisd's XML reader does.
fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    if vars.is_empty() || !text.contains('$') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let name_len = rest[at + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - at - 1);
        let token = &rest[at..at + 1 + name_len];
        match vars.get(token) {
            Some(v) => out.push_str(v),
            None => out.push_str(token),
        }
        rest = &rest[at + 1 + name_len..];
    }
    out.push_str(rest);
    out
}

fn number(el: &Element, attr: &str, n: usize, vars: &HashMap<String, String>) -> Result<i64, RuleFileError> {
    let raw = el.attr(attr).ok_or_else(|| RuleFileError::Rule {
        rule: el.attr("id").map_or_else(|| format!("#{}", n + 1), str::to_owned),
        message: format!("no '{attr}' attribute"),
    })?;
    let value = vars.get(raw).map_or(raw, String::as_str);
    value.trim().parse().map_err(|_| RuleFileError::Rule {
        rule: el.attr("id").unwrap_or(raw).to_owned(),
        message: format!("'{attr}' is not a number: '{value}'"),
    })
}

fn parse_rule(
    el: &Element,
    n: usize,
    vars: &HashMap<String, String>,
    general: &[String],
    file: &FileEntry,
) -> Result<Rule, RuleFileError> {
    let id = number(el, "id", n, vars)?;
    let level = number(el, "level", n, vars)?;
    let mut details = Map::new();
    for (k, v) in &el.attrs {
        if k != "id" && k != "level" {
            details.insert(k.clone(), Value::from(v.clone()));
        }
    }
    let mut own_groups: Vec<String> = Vec::new();
    let mut description = String::new();
    for child in &el.children {
        let tag = child.name.to_lowercase();
        let text = child.head_text.clone();
        match tag.as_str() {
            "group" => own_groups.extend(text.split(',').map(str::to_owned)),
            "mitre" => own_groups.extend(child.children.iter().map(|id| format!("mitre_{}", id.head_text))),
            "description" => description.push_str(&text),
            "list" | "info" => {
                let mut obj = Map::new();
                obj.insert("name".into(), Value::from(text));
                for (k, v) in &child.attrs {
                    obj.insert(k.clone(), Value::from(v.clone()));
                }
                push_repeated(&mut details, &tag, Value::Object(obj));
            }
            t if PATTERN_OPTIONS.contains(&t) => {
                let pattern = match text.strip_prefix('$') {
                    Some(_) => vars.get(&text).cloned().unwrap_or(text),
                    None => text,
                };
                let mut attrs: Vec<(String, String)> = child.attrs.clone();
                let key = if t == "field" {
                    let name = attrs
                        .iter()
                        .position(|(k, _)| k == "name")
                        .map(|i| attrs.remove(i).1)
                        .unwrap_or_default();
                    name
                } else {
                    tag.clone()
                };
                // A repeated pattern option joins the patterns; the last one's attributes stay.
                let joined = match details.get(&key).and_then(|v| v.get("pattern")).and_then(Value::as_str) {
                    Some(previous) => format!("{previous}{pattern}"),
                    None => pattern,
                };
                let mut obj = Map::new();
                obj.insert("pattern".into(), Value::from(joined));
                for (k, v) in attrs {
                    obj.insert(k, Value::from(v));
                }
                details.insert(key, Value::Object(obj));
            }
            _ => push_repeated(&mut details, &tag, Value::from(text)),
        }
    }
    let mut requirements: HashMap<&'static str, Vec<String>> = HashMap::new();
    let mut groups = Vec::new();
    for g in own_groups.iter().chain(general) {
        let g: String = g.trim().chars().filter(|c| *c != '\r' && *c != '\n').collect();
        match REQUIREMENTS.iter().find(|p| g.starts_with(**p)) {
            Some(prefix) => {
                let value: String = g.chars().skip(prefix.len() + 1).collect();
                let list = requirements.entry(prefix).or_default();
                if !list.contains(&value) {
                    list.push(value);
                }
            }
            None if !g.is_empty() => groups.push(g),
            None => {}
        }
    }
    Ok(Rule {
        filename: file.filename.clone(),
        relative_dirname: file.relative_dirname.clone(),
        id,
        level,
        status: file.status,
        details,
        requirements,
        groups,
        description,
        engine: EngineView::default(),
    })
}

/// A plain option: a string, or a list of them (dicts for `list`/`info`) when repeated.
fn push_repeated(details: &mut Map<String, Value>, key: &str, value: Value) {
    match details.get_mut(key) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            details.insert(key.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file() -> FileEntry {
        FileEntry {
            filename: "t.xml".into(),
            relative_dirname: "etc/rules".into(),
            status: Status::Enabled,
        }
    }

    #[test]
    fn rules_render_as_wazuh_shows_them() {
        let text = r#"<var name="LVL">7</var>
<var name="BAD">error|failed</var>
<group name="custom, test ,pci_dss_1.2,">
  <rule id="100001" level="$LVL" frequency="$MYFREQ" timeframe="30">
    <if_sid>5716</if_sid>
    <if_sid>5717</if_sid>
    <match>$BAD</match>
    <match negate="yes">second</match>
    <field name="win.system.eventID" type="pcre2">^4625$</field>
    <srcip negate="yes">10.0.0.1</srcip>
    <options>no_full_log</options>
    <options>alert_by_email</options>
    <same_source_ip />
    <list field="srcip" lookup="match_key">etc/lists/bad-ips</list>
    <info type="cve">2001-0144</info>
    <info type="link">http://x</info>
    <description>Desc with &quot;quotes&quot; </description>
    <description>and more</description>
    <mitre><id>T1110</id></mitre>
    <group>authentication_failed,pci_dss_10.2.4,gdpr_IV_35.7.d,custom,</group>
  </rule>
</group>
<rule id="5" level="1"><description>outside any group: ignored</description></rule>"#;
        let rules = parse_file(text, &file()).expect("parse");
        assert_eq!(rules.len(), 1);
        let r = rules[0].to_json();
        assert_eq!(r["level"], 7);
        assert_eq!(
            r["details"],
            json!({
                "frequency": "$MYFREQ", "timeframe": "30",
                "if_sid": ["5716", "5717"],
                "match": {"pattern": "error|failedsecond", "negate": "yes"},
                "win.system.eventID": {"pattern": "^4625$", "type": "pcre2"},
                "srcip": "10.0.0.1",
                "options": ["no_full_log", "alert_by_email"],
                "same_source_ip": "",
                "list": {"name": "etc/lists/bad-ips", "field": "srcip", "lookup": "match_key"},
                "info": [{"name": "2001-0144", "type": "cve"}, {"name": "http://x", "type": "link"}]
            })
        );
        assert_eq!(
            r["groups"],
            json!(["authentication_failed", "custom", "custom", "test"])
        );
        assert_eq!(r["pci_dss"], json!(["10.2.4", "1.2"]));
        assert_eq!(r["gdpr"], json!(["IV_35.7.d"]));
        assert_eq!(r["mitre"], json!(["T1110"]));
        assert_eq!(r["description"], "Desc with \"quotes\" and more");
        let keys: Vec<&String> = r.as_object().expect("obj").keys().collect();
        assert_eq!(
            keys,
            [
                "filename",
                "relative_dirname",
                "id",
                "level",
                "status",
                "details",
                "pci_dss",
                "gpg13",
                "gdpr",
                "hipaa",
                "nist_800_53",
                "tsc",
                "mitre",
                "groups",
                "description"
            ]
        );
    }

    #[test]
    fn a_rule_without_a_numeric_level_is_an_error() {
        let err = parse_file(r#"<group name="a,"><rule id="9" level="high"/></group>"#, &file()).expect_err("level");
        assert!(err.to_string().contains("'level' is not a number"), "{err}");
    }
}
