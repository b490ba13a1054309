//! The alert JSON analysisd writes (`alerts.json`, logtest's `output`): key order, the split of
//! compliance groups out of `groups`, `$(field)` expansion in the description, the `data`
//! object with dotted names nested. Time, ids and host names come from the caller.

use serde_json::{Map, Value};

use crate::analyze::Fired;
use crate::decode::Decoded;
use crate::mitre::Attack;
use crate::predecode::Predecoded;

/// What the caller knows about where and when the alert happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertContext {
    /// Processing time, `YYYY-MM-DDThh:mm:ss.mmm+zzzz`.
    pub timestamp: String,
    /// `<epoch>.<sequence>`.
    pub id: String,
    /// The manager's host name.
    pub manager: String,
    /// The event's agent name (the manager's for agent 000).
    pub agent_name: String,
    /// The agent's address, when known.
    pub agent_ip: Option<String>,
    /// Cluster name and node name, unless hidden.
    pub cluster: Option<(String, String)>,
}

impl AlertContext {
    /// The context of an event the manager analyses as its own (agent 000, named after the
    /// manager's host, outside a cluster).
    pub fn manager(host: &str, timestamp: String, id: String) -> AlertContext {
        AlertContext {
            timestamp,
            id,
            manager: host.to_owned(),
            agent_name: host.to_owned(),
            agent_ip: None,
            cluster: None,
        }
    }
}

/// Compliance group prefixes and the keys they move to, in Wazuh's order.
const COMPLIANCE: &[(&str, &str)] = &[
    ("pci_dss_", "pci_dss"),
    ("cis_", "cis"),
    ("gdpr_", "gdpr"),
    ("gpg13_", "gpg13"),
    ("hipaa_", "hipaa"),
    ("nist_800_53_", "nist_800_53"),
    ("tsc_", "tsc"),
];

/// Fixed fields in the order `data` lists them.
const DATA_FIELDS: &[&str] = &[
    "protocol",
    "action",
    "srcip",
    "srcport",
    "srcuser",
    "dstip",
    "dstport",
    "dstuser",
    "id",
    "status",
    "url",
    "data",
    "extra_data",
    "system_name",
];

/// Renders the alert of an event. With no rule (`fired` None) the object has no `rule`, as
/// logtest's output for an event nothing matched.
/// `attack` names the rule's MITRE techniques and tactics; without it (or when none of the
/// rule's ids is in it) the alert has no `mitre`, as analysisd's when its MITRE database lacks
/// them.
pub fn render(
    fired: Option<&Fired>,
    pre: &Predecoded,
    decoded: &Decoded,
    ctx: &AlertContext,
    attack: Option<&Attack>,
) -> Value {
    let mut out = Map::new();
    out.insert("timestamp".into(), Value::from(ctx.timestamp.clone()));
    if let Some(f) = fired {
        out.insert("rule".into(), rule(f, pre, decoded, attack));
    }
    let mut agent = Map::new();
    agent.insert("id".into(), Value::from(pre.agent_id.clone()));
    agent.insert("name".into(), Value::from(ctx.agent_name.clone()));
    if let Some(ip) = &ctx.agent_ip {
        agent.insert("ip".into(), Value::from(ip.clone()));
    }
    out.insert("agent".into(), Value::Object(agent));
    out.insert("manager".into(), serde_json::json!({"name": ctx.manager}));
    out.insert("id".into(), Value::from(ctx.id.clone()));
    if let Some((name, node)) = &ctx.cluster {
        out.insert("cluster".into(), serde_json::json!({"name": name, "node": node}));
    }
    let no_full_log = fired.is_some_and(|f| f.meta.options.iter().any(|o| o == "no_full_log"));
    if !no_full_log {
        out.insert("full_log".into(), Value::from(pre.full_log.clone()));
    }
    let mut predecoder = Map::new();
    if let Some(p) = &pre.program_name {
        predecoder.insert("program_name".into(), Value::from(p.clone()));
    }
    if let Some(t) = &pre.timestamp {
        predecoder.insert("timestamp".into(), Value::from(t.clone()));
    }
    if let Some(h) = syslog_hostname(&pre.full_log) {
        predecoder.insert("hostname".into(), Value::from(h));
    }
    if !predecoder.is_empty() {
        out.insert("predecoder".into(), Value::Object(predecoder));
    }
    if let Some(name) = &decoded.name {
        let mut d = Map::new();
        if let Some(parent) = &decoded.parent {
            d.insert("parent".into(), Value::from(parent.clone()));
        }
        d.insert("name".into(), Value::from(name.clone()));
        out.insert("decoder".into(), Value::Object(d));
    }
    let data = data(decoded);
    if !data.is_empty() {
        out.insert("data".into(), Value::Object(data));
    }
    out.insert("location".into(), Value::from(pre.location.clone()));
    Value::Object(out)
}

fn rule(f: &Fired, pre: &Predecoded, decoded: &Decoded, attack: Option<&Attack>) -> Value {
    let mut r = Map::new();
    if f.level != 0 {
        r.insert("level".into(), Value::from(f.level));
    }
    r.insert(
        "description".into(),
        Value::from(expand(&f.meta.description, pre, decoded)),
    );
    r.insert("id".into(), Value::from(f.id.to_string()));
    if let Some(mitre) = attack.and_then(|a| mitre(&f.meta.mitre, a)) {
        r.insert("mitre".into(), mitre);
    }
    if let Some(n) = f.meta.frequency {
        r.insert("frequency".into(), Value::from(n));
    }
    if !f.meta.options.iter().any(|o| o == "no_counter") {
        r.insert("firedtimes".into(), Value::from(f.firedtimes));
    }
    r.insert(
        "mail".into(),
        Value::from(f.meta.options.iter().any(|o| o == "alert_by_email")),
    );
    let mut groups: Vec<Value> = Vec::new();
    let mut compliance: Vec<(&str, Vec<Value>)> = Vec::new();
    for token in f.meta.groups.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match COMPLIANCE.iter().find(|(prefix, _)| token.starts_with(prefix)) {
            Some((prefix, key)) => {
                let value = Value::from(&token[prefix.len()..]);
                match compliance.iter_mut().find(|(k, _)| k == key) {
                    Some((_, list)) => list.push(value),
                    None => compliance.push((key, vec![value])),
                }
            }
            None => groups.push(Value::from(token)),
        }
    }
    r.insert("groups".into(), Value::Array(groups));
    for (key, list) in compliance {
        r.insert(key.into(), Value::Array(list));
    }
    Value::Object(r)
}

/// `rule.mitre` as analysisd builds it: every id the rule names, the tactics of the techniques
/// found (each once, in order), the names of the techniques found; nothing when no tactic is.
fn mitre(ids: &[String], attack: &Attack) -> Option<Value> {
    let mut tactics: Vec<&str> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for technique in ids.iter().filter_map(|id| attack.technique(id)) {
        for t in &technique.tactics {
            if !tactics.contains(&t.as_str()) {
                tactics.push(t);
            }
        }
        names.push(&technique.name);
    }
    (!tactics.is_empty()).then(|| serde_json::json!({"id": ids, "tactic": tactics, "technique": names}))
}

/// `$(field)` in a description: the event's value, or nothing.
fn expand(description: &str, pre: &Predecoded, decoded: &Decoded) -> String {
    let mut out = String::with_capacity(description.len());
    let mut rest = description;
    while let Some(at) = rest.find("$(") {
        out.push_str(&rest[..at]);
        let Some(close) = rest[at..].find(')') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let name = &rest[at + 2..at + close];
        let value = match name {
            "program_name" => pre.program_name.as_deref(),
            "hostname" => pre.hostname.as_deref(),
            _ => decoded.field(name),
        };
        out.push_str(value.unwrap_or(""));
        rest = &rest[at + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The host of a classic `Mmm dd hh:mm:ss host …` header (what Wazuh's alert shows as
/// `predecoder.hostname`).
fn syslog_hostname(full_log: &str) -> Option<String> {
    let b = full_log.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let shape = b.len() > 16
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_lowercase()
        && b[2].is_ascii_lowercase()
        && b[3] == b' '
        && matches!(b[4], b' ' | b'0'..=b'3')
        && digit(5)
        && b[6] == b' '
        && digit(7)
        && digit(8)
        && b[9] == b':'
        && digit(10)
        && digit(11)
        && b[12] == b':'
        && digit(13)
        && digit(14)
        && b[15] == b' ';
    if !shape {
        return None;
    }
    let host: String = full_log[16..].chars().take_while(|c| *c != ' ').collect();
    (!host.is_empty()).then_some(host)
}

/// `data`: fixed fields, then dynamic ones in decoding order; dotted names nest, a value that
/// is a JSON array is kept as JSON, the first value of a name wins, empty values are left out.
fn data(decoded: &Decoded) -> Map<String, Value> {
    let mut out = Map::new();
    for name in DATA_FIELDS {
        if let Some(v) = decoded.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v) {
            insert_path(&mut out, name, v);
        }
    }
    for (k, v) in &decoded.dynamic {
        insert_path(&mut out, k, v);
    }
    out
}

fn insert_path(out: &mut Map<String, Value>, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    let parsed = if value.starts_with('[') {
        serde_json::from_str::<Value>(value).unwrap_or_else(|_| Value::from(value))
    } else {
        Value::from(value)
    };
    let mut parts = key.split('.').peekable();
    let mut map = out;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            map.entry(part.to_owned()).or_insert(parsed);
            return;
        }
        let slot = map.entry(part.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = slot else { return };
        map = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::RuleMeta;

    #[test]
    fn alerts_render_in_wazuhs_shape() {
        let pre = crate::predecode::predecode(
            "1:/var/log/auth.log:Feb 10 23:21:05 web01 sshd[1234]: Failed password for root from 10.0.0.1 port 22 ssh2",
            "manager",
        )
        .expect("framed");
        let mut decoded = Decoded {
            name: Some("sshd".into()),
            parent: Some("sshd".into()),
            category: "syslog".into(),
            ..Decoded::default()
        };
        decoded.fields.push(("srcip".into(), "10.0.0.1".into()));
        decoded.fields.push(("dstuser".into(), "root".into()));
        decoded.dynamic.push(("win.system.eventID".into(), "4625".into()));
        decoded.dynamic.push(("tags".into(), "[\"a\", \"b\"]".into()));
        let fired = Fired {
            id: 5760,
            level: 5,
            alert: true,
            firedtimes: 1,
            meta: std::sync::Arc::new(RuleMeta {
                description: "sshd: authentication failed for $(dstuser) from $(srcip)$(nope).".into(),
                groups: "syslog,sshd,authentication_failed,pci_dss_10.2.4,gdpr_IV_35.7.d,pci_dss_10.2.5,".into(),
                mitre: vec!["T1110.001".into()],
                options: Vec::new(),
                frequency: None,
            }),
        };
        let ctx = AlertContext {
            timestamp: "2026-11-24T06:00:00.000+0000".into(),
            id: "1795500000.1".into(),
            manager: "manager".into(),
            agent_name: "manager".into(),
            agent_ip: None,
            cluster: None,
        };
        let attack = Attack::from_stix(
            br#"{"objects":[{"type":"x-mitre-tactic","id":"x-mitre-tactic--1","name":"Credential Access","x_mitre_shortname":"credential-access"},
            {"type":"attack-pattern","id":"attack-pattern--1","name":"Password Guessing","external_references":[{"source_name":"mitre-attack","external_id":"T1110.001","url":"https://attack.mitre.org/techniques/T1110/001"}],
             "kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"credential-access"}]}]}"#,
        )
        .expect("bundle");
        let alert = render(Some(&fired), &pre, &decoded, &ctx, Some(&attack));
        let keys: Vec<&str> = alert.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "timestamp",
                "rule",
                "agent",
                "manager",
                "id",
                "full_log",
                "predecoder",
                "decoder",
                "data",
                "location"
            ]
        );
        assert_eq!(
            alert["rule"],
            serde_json::json!({"level": 5, "description": "sshd: authentication failed for root from 10.0.0.1.",
                "id": "5760", "mitre": {"id": ["T1110.001"], "tactic": ["Credential Access"],
                "technique": ["Password Guessing"]}, "firedtimes": 1, "mail": false,
                "groups": ["syslog", "sshd", "authentication_failed"], "pci_dss": ["10.2.4", "10.2.5"],
                "gdpr": ["IV_35.7.d"]})
        );
        assert_eq!(alert["predecoder"]["hostname"], "web01");
        assert_eq!(alert["decoder"], serde_json::json!({"parent": "sshd", "name": "sshd"}));
        assert_eq!(
            alert["data"],
            serde_json::json!({"srcip": "10.0.0.1", "dstuser": "root", "win": {"system": {"eventID": "4625"}},
                "tags": ["a", "b"]})
        );
        assert_eq!(alert["location"], "/var/log/auth.log");
        // Without ATT&CK data, or with none of the rule's ids in it: no `mitre`, as in Wazuh.
        let bare = render(Some(&fired), &pre, &decoded, &ctx, None);
        assert!(bare["rule"].get("mitre").is_none());
        let other = Attack::from_stix(br#"{"objects":[{"type":"attack-pattern","name":"X","external_references":[{"source_name":"mitre-attack","external_id":"T9"}]}]}"#)
            .expect("bundle");
        assert!(render(Some(&fired), &pre, &decoded, &ctx, Some(&other))["rule"]
            .get("mitre")
            .is_none());
    }
}
