//! Wazuh's JSON rendering of its configuration XML (`ossec.conf` sections, `agent.conf` blocks), as
//! the API returns it: section kinds decide whether repeated sections become a list, merge, or the
//! last one wins; a few options have their own shapes; empty values are left out.

use serde_json::{Map, Value};

use crate::Element;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Every occurrence is its own entry of a list.
    Duplicate,
    /// Occurrences merge into one object.
    Merge,
    /// The last occurrence wins.
    Last,
}

/// Wazuh's known sections: how repeats combine, and which options are always lists.
fn section_kind(name: &str) -> Option<(Kind, &'static [&'static str])> {
    use Kind::*;
    Some(match name {
        "active-response" | "command" | "agentless" | "remote" | "syslog_output" | "integration" => (Duplicate, &[]),
        "localfile" => (Duplicate, &["filter", "ignore"]),
        "labels" => (Duplicate, &["label"]),
        "alerts" | "client" | "syscollector" | "auth" => (Merge, &[]),
        "email_alerts" | "reports" => (Merge, &["email_to"]),
        "global" => (Merge, &["white_list"]),
        "open-scap" | "cis-cat" => (Merge, &["content"]),
        "rootcheck" => (
            Merge,
            &[
                "rootkit_files",
                "rootkit_trojans",
                "windows_audit",
                "system_audit",
                "windows_apps",
                "windows_malware",
            ],
        ),
        "ruleset" => (
            Merge,
            &[
                "include",
                "rule",
                "rule_dir",
                "decoder",
                "decoder_dir",
                "list",
                "rule_exclude",
                "decoder_exclude",
            ],
        ),
        "syscheck" => (Merge, &["directories", "ignore", "nodiff"]),
        "osquery" => (Merge, &["pack"]),
        "sca" => (Merge, &["policies"]),
        "cluster" => (Last, &["nodes"]),
        "indexer" => (Last, &["hosts"]),
        "vulnerability-detection" | "anti_tampering" => (Last, &[]),
        _ => return None,
    })
}

fn text(el: &Element) -> Value {
    if el.text.is_empty() {
        Value::Null
    } else {
        Value::String(el.text.clone())
    }
}

fn attrs(el: &Element) -> Map<String, Value> {
    el.attrs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// One option of a section: its (lower-case) name and value.
fn read_option(section: &str, opt: &Element) -> (String, Value) {
    let name = opt.name.to_lowercase();
    let value = match (section, name.as_str()) {
        ("open-scap", _) if !opt.attrs.is_empty() => {
            let mut o = attrs(opt);
            // Upstream iterates the element itself and its descendants.
            let mut profiles = vec![text(opt)];
            profiles.extend(opt.children.iter().map(text));
            o.insert("profiles".into(), Value::Array(profiles));
            Value::Object(o)
        }
        ("syscheck", "directories") => {
            let base = attrs(opt);
            let paths: Vec<Value> = opt
                .text
                .split(',')
                .filter(|_| !opt.text.is_empty())
                .map(|p| {
                    let mut o = base.clone();
                    o.insert("path".into(), Value::String(p.trim().to_owned()));
                    Value::Object(o)
                })
                .collect();
            Value::Array(paths)
        }
        ("syscheck", "synchronization" | "whodata") | ("cluster", "haproxy_helper") => {
            let mut o = Map::new();
            for child in &opt.children {
                let (k, v) = read_option(&child.name.to_lowercase(), child);
                let v = match v {
                    Value::String(s) if s.find(',').is_some_and(|i| i > 0) => {
                        Value::Array(s.split(',').map(|x| Value::String(x.to_owned())).collect())
                    }
                    v => v,
                };
                o.insert(k, v);
            }
            Value::Object(o)
        }
        ("cluster", "nodes") | ("haproxy_helper", "excluded_nodes") | ("sca", "policies") | ("indexer", "hosts") => {
            Value::Array(opt.children.iter().map(text).collect())
        }
        ("labels", "label") => {
            let mut o = Map::new();
            o.insert("value".into(), text(opt));
            o.extend(attrs(opt));
            Value::Object(o)
        }
        ("remote", "protocol") => Value::Array(
            opt.text
                .split(',')
                .map(|p| Value::String(p.trim().to_owned()))
                .collect(),
        ),
        _ if !opt.attrs.is_empty() || !opt.children.is_empty() => {
            let mut o = attrs(opt);
            if opt.children.is_empty() {
                o.insert("item".into(), text(opt));
            } else {
                for child in &opt.children {
                    let (k, v) = read_option(&child.name.to_lowercase(), child);
                    match o.get_mut(&k) {
                        Some(Value::Array(list)) => list.push(v),
                        _ => {
                            o.insert(k, Value::Array(vec![v]));
                        }
                    }
                }
            }
            Value::Object(o)
        }
        _ => text(opt),
    };
    (name, value)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn insert_option(dst: &mut Map<String, Value>, section: &str, option: &str, value: Value) {
    if is_empty(&value) {
        return;
    }
    match dst.get_mut(option) {
        Some(Value::Array(list)) => list.push(value),
        Some(slot) => *slot = value,
        None => {
            let listed = section_kind(section).is_some_and(|(_, lists)| lists.contains(&option));
            dst.insert(
                option.to_owned(),
                if listed { Value::Array(vec![value]) } else { value },
            );
        }
    }
}

fn insert_section(dst: &mut Map<String, Value>, name: &str, data: Map<String, Value>) {
    let Some((kind, lists)) = section_kind(name) else {
        // Upstream drops sections it does not know.
        return;
    };
    match kind {
        Kind::Duplicate => match dst.get_mut(name) {
            Some(Value::Array(list)) => list.push(Value::Object(data)),
            _ => {
                dst.insert(name.to_owned(), Value::Array(vec![Value::Object(data)]));
            }
        },
        Kind::Merge => match dst.get_mut(name) {
            Some(Value::Object(existing)) => {
                for (k, v) in data {
                    match (existing.get_mut(&k), v) {
                        (Some(Value::Array(old)), Value::Array(new)) if lists.contains(&k.as_str()) => old.extend(new),
                        (_, v) => {
                            existing.insert(k, v);
                        }
                    }
                }
            }
            _ => {
                dst.insert(name.to_owned(), Value::Object(data));
            }
        },
        Kind::Last => {
            dst.insert(name.to_owned(), Value::Object(data));
        }
    }
}

/// Adds the sections of one configuration block (`<ossec_config>` or `<agent_config>`) to `dst`.
pub fn config_block(block: &Element, dst: &mut Map<String, Value>) {
    for sec in &block.children {
        let lower = sec.name.to_lowercase();
        let name = if lower == "wodle" {
            sec.attr("name").unwrap_or_default().to_owned()
        } else {
            lower
        };
        let mut data = Map::new();
        for opt in &sec.children {
            let (k, v) = read_option(&name, opt);
            match v {
                Value::Array(items) if !(name == "remote" && k == "protocol") => {
                    for item in items {
                        insert_option(&mut data, &name, &k, item);
                    }
                }
                v => insert_option(&mut data, &name, &k, v),
            }
        }
        insert_section(dst, &name, data);
    }
}

/// `agent.conf` as the API renders it: one `{filters, config}` entry per distinct set of
/// `<agent_config>` attributes (blocks with the same filters merge).
pub fn agent_conf(roots: &[Element]) -> Vec<Value> {
    let mut out: Vec<(Map<String, Value>, Map<String, Value>)> = Vec::new();
    let mut visit: Vec<&Element> = roots.iter().rev().collect();
    while let Some(el) = visit.pop() {
        if el.name.eq_ignore_ascii_case("agent_config") {
            let filters = attrs(el);
            match out.iter_mut().find(|(f, _)| *f == filters) {
                Some((_, config)) => config_block(el, config),
                None => {
                    let mut config = Map::new();
                    config_block(el, &mut config);
                    out.push((filters, config));
                }
            }
        }
        visit.extend(el.children.iter().rev());
    }
    out.into_iter()
        .map(|(filters, config)| serde_json::json!({"filters": filters, "config": config}))
        .collect()
}

/// Elements as the `xmltodict` Python package renders them (Wazuh's API shows rule and decoder
/// files so): attributes as `@name`, text stripped (as `#text` beside attributes or children),
/// repeated siblings as a list at the first one's place, an empty element as `null`.
pub fn xmltodict(roots: &[Element]) -> Value {
    let mut m = Map::new();
    for el in roots {
        add_child(&mut m, &el.name, element_value(el));
    }
    Value::Object(m)
}

fn element_value(el: &Element) -> Value {
    let text = el.text.trim();
    if el.attrs.is_empty() && el.children.is_empty() {
        return if text.is_empty() {
            Value::Null
        } else {
            Value::from(text)
        };
    }
    let mut m = Map::new();
    for (k, v) in &el.attrs {
        m.insert(format!("@{k}"), Value::from(v.clone()));
    }
    for c in &el.children {
        add_child(&mut m, &c.name, element_value(c));
    }
    if !text.is_empty() {
        m.insert("#text".into(), Value::from(text));
    }
    Value::Object(m)
}

fn add_child(m: &mut Map<String, Value>, name: &str, value: Value) {
    match m.get_mut(name) {
        Some(Value::Array(list)) => list.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            m.insert(name.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn agent_conf_blocks_render_like_wazuh() {
        let xml = r#"<agent_config os="Linux">
  <localfile><location>/var/log/a</location><log_format>syslog</log_format></localfile>
  <localfile><location>/var/log/b</location><log_format>syslog</log_format></localfile>
  <syscheck><directories check_all="yes">/etc,/usr/bin</directories><frequency>43200</frequency></syscheck>
  <labels><label key="env">prod</label></labels>
  <unknown><x>1</x></unknown>
</agent_config>
<agent_config><client_buffer><disabled>no</disabled></client_buffer></agent_config>
<agent_config os="Linux"><syscheck><ignore>/etc/mtab</ignore></syscheck></agent_config>"#;
        let roots = crate::parse(xml).expect("xml");
        let v = agent_conf(&roots);
        assert_eq!(v.len(), 2, "{v:#?}");
        assert_eq!(v[0]["filters"], json!({"os": "Linux"}));
        let config = &v[0]["config"];
        assert_eq!(config["localfile"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            config["syscheck"],
            json!({
                "directories": [{"check_all": "yes", "path": "/etc"}, {"check_all": "yes", "path": "/usr/bin"}],
                "frequency": "43200",
                "ignore": ["/etc/mtab"]
            })
        );
        assert_eq!(config["labels"], json!([{"label": [{"value": "prod", "key": "env"}]}]));
        assert!(
            config.get("unknown").is_none(),
            "unknown sections are dropped as upstream"
        );
        assert_eq!(v[1], json!({"filters": {}, "config": {}}));
    }
}
