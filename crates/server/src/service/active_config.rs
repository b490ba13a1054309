//! `GET /manager/configuration/{component}/{configuration}`: the configuration a running
//! component is using, in the JSON its Wazuh daemon answers `getconfig` with.
//!
//! oxsec runs two of Wazuh's components: `analysis` (wazuh-analysisd: decoding, rules, alerts,
//! logtest; `agent` is asked of it too on a manager, as in Wazuh) and `wazuh-db` (the store).
//! Their values come from etc/ossec.conf as read at start or at the last `PUT /manager/restart`,
//! so a change on disk shows only once it is in force. Every other component is answered as
//! Wazuh answers for a daemon that is not running.

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::state::AppState;
use oxsec_types::envelope::{AffectedItems, ItemError};
use oxsec_types::WazuhCode;

/// Wazuh's component → configuration pairs (the API validator's table, in the spec's order).
pub const PAIRS: &[(&str, &[&str])] = &[
    ("agent", &["client", "buffer", "labels", "internal", "anti_tampering"]),
    ("agentless", &["agentless"]),
    (
        "analysis",
        &[
            "global",
            "active_response",
            "alerts",
            "command",
            "rules",
            "decoders",
            "internal",
            "rule_test",
        ],
    ),
    ("auth", &["auth"]),
    ("com", &["active-response", "logging", "internal", "cluster"]),
    ("csyslog", &["csyslog"]),
    ("integrator", &["integration"]),
    ("logcollector", &["localfile", "socket", "internal"]),
    ("mail", &["global", "alerts", "internal"]),
    ("monitor", &["global", "internal", "reports"]),
    ("request", &["global", "remote", "internal"]),
    ("syscheck", &["syscheck", "rootcheck", "internal"]),
    ("wazuh-db", &["wdb", "internal"]),
    ("wmodules", &["wmodules"]),
];

/// Refuses a configuration the component does not have (Wazuh checks this before permissions).
/// Names are compared lowercased, as Wazuh's URI parser lowercases them.
pub fn check_pair(component: &str, configuration: &str) -> Result<(), ApiError> {
    let component = component.to_lowercase();
    let configuration = configuration.to_lowercase();
    let Some((_, valid)) = PAIRS.iter().find(|(c, _)| *c == component) else {
        return Err(ApiError::with_details(
            WazuhCode::InvalidComponentConfig,
            format!("Unknown component '{component}'"),
        ));
    };
    if valid.contains(&configuration.as_str()) {
        return Ok(());
    }
    let listed: Vec<String> = valid.iter().map(|v| format!("'{v}'")).collect();
    Err(ApiError::with_details(
        WazuhCode::InvalidComponentConfig,
        format!(
            "Valid configuration values for '{component}': {{{}}}",
            listed.join(", ")
        ),
    ))
}

/// The answer: one item (the component's JSON) or one failed item for `node`.
pub fn active_configuration(
    state: &AppState,
    node: &str,
    component: &str,
    configuration: &str,
    reveal_secrets: bool,
) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Active configuration was successfully read",
        "Could not read active configuration in some nodes",
        "Could not read active configuration",
    );
    let component = component.to_lowercase();
    let configuration = configuration.to_lowercase();
    match read(state, &component, &configuration) {
        Ok(item) => {
            let mut item = Value::Object(item);
            if !reveal_secrets {
                super::manager::mask_secrets(&mut item);
            }
            result.push(item)
        }
        Err(error) => result.fail(json!(node), error),
    }
    result
}

fn read(state: &AppState, component: &str, configuration: &str) -> Result<Map<String, Value>, ItemError> {
    let conf = state.ossec_conf();
    let sections = &conf.sections;
    let missing = || {
        ItemError::with_details(
            WazuhCode::ComponentConfigMissing,
            format!("{component}:{configuration}"),
        )
    };
    let value = match (component, configuration) {
        ("analysis", "global") => json!({"global": analysis_global(sections)}),
        ("analysis", "alerts") => json!({"alerts": {
            "email_alert_level": int_option(sections, "alerts", "email_alert_level", 7),
            "log_alert_level": state.ruleset().options.log_alert_level,
        }}),
        ("analysis" | "agent", "internal") => json!({"internal": {"analysisd": analysis_internal()}}),
        ("analysis", "rule_test") => {
            let o = &state.ruleset().options;
            let mut rule_test = Map::new();
            rule_test.insert("enabled".into(), yes_no(o.logtest_enabled));
            if o.logtest_enabled {
                rule_test.insert("threads".into(), json!(1));
                rule_test.insert("max_sessions".into(), json!(o.logtest_max_sessions));
                rule_test.insert("session_timeout".into(), json!(o.logtest_session_timeout));
            }
            json!({"rule_test": rule_test})
        }
        ("analysis", "command") => json!({"command": commands(sections).ok_or_else(missing)?}),
        ("analysis", "active_response") => {
            json!({"active-response": active_responses(sections).ok_or_else(missing)?})
        }
        ("agent", "labels") => json!({"labels": labels(sections)}),
        ("wazuh-db", "internal") => json!({"wazuh_db": wazuh_db_internal()}),
        ("wazuh-db", "wdb") => json!({"wdb": {"backup": wdb_backups(&conf.text)}}),
        // analysisd's dumps of its compiled rule and decoder trees, and the agent's own settings
        // (an agent answers those, not a manager).
        ("analysis" | "agent", _) => return Err(missing()),
        _ => {
            return Err(ItemError::with_details(
                WazuhCode::ComponentSocket,
                format!("Please verify that the component '{component}' is properly configured"),
            ))
        }
    };
    match value {
        Value::Object(item) => Ok(item),
        _ => Err(missing()),
    }
}

fn yes_no(b: bool) -> Value {
    Value::from(if b { "yes" } else { "no" })
}

/// The last value of `section`/`option` as text (a repeated option keeps its last value, as
/// the daemons read it).
fn text_option<'a>(sections: &'a Map<String, Value>, section: &str, option: &str) -> Option<&'a str> {
    let value = sections.get(section)?;
    let value = match value {
        Value::Array(blocks) => blocks.iter().rev().find_map(|b| b.get(option))?,
        v => v.get(option)?,
    };
    match value {
        Value::Array(items) => items.last()?.as_str(),
        v => v.as_str(),
    }
    .map(str::trim)
}

/// A number as C's `atoi` reads it: leading digits, else the default when absent.
fn int_option(sections: &Map<String, Value>, section: &str, option: &str, default: i64) -> i64 {
    text_option(sections, section, option).map_or(default, atoi)
}

fn atoi(text: &str) -> i64 {
    let text = text.trim_start();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    sign * digits[..end].parse::<i64>().unwrap_or(0)
}

fn flag_option(sections: &Map<String, Value>, section: &str, option: &str, default: bool) -> Value {
    yes_no(text_option(sections, section, option).map_or(default, |v| v == "yes"))
}

/// wazuh-analysisd's `global` (its defaults where ossec.conf is silent).
fn analysis_global(sections: &Map<String, Value>) -> Map<String, Value> {
    let mut g = Map::new();
    let text = |o: &str| text_option(sections, "global", o).map(str::to_owned);
    // analysisd starts email_notification at -1, which reads as "yes" until the file says no.
    g.insert(
        "email_notification".into(),
        flag_option(sections, "global", "email_notification", true),
    );
    g.insert("logall".into(), flag_option(sections, "global", "logall", false));
    g.insert(
        "logall_json".into(),
        flag_option(sections, "global", "logall_json", false),
    );
    let host_information = int_option(sections, "global", "host_information", 8);
    g.insert(
        "integrity_checking".into(),
        json!(int_option(sections, "global", "integrity_checking", 8)),
    );
    g.insert(
        "rootkit_detection".into(),
        json!(int_option(sections, "global", "rootkit_detection", 8)),
    );
    g.insert("host_information".into(), json!(host_information));
    let prelude = text("prelude_output").as_deref() == Some("yes");
    g.insert("prelude_output".into(), yes_no(prelude));
    if let Some(p) = text("prelude_profile") {
        g.insert("prelude_profile".into(), json!(p));
    }
    if prelude {
        // analysisd reports host_information here.
        g.insert("prelude_log_level".into(), json!(host_information));
    }
    if let Some(p) = text("geoipdb") {
        g.insert("geoipdb".into(), json!(p));
    }
    g.insert(
        "zeromq_output".into(),
        flag_option(sections, "global", "zeromq_output", false),
    );
    for (option, key) in [
        ("zeromq_uri", "zeromq_uri"),
        ("zeromq_server_cert", "zeromq_server_cert"),
        ("zeromq_client_cert", "zeromq_client_cert"),
    ] {
        if let Some(v) = text(option) {
            g.insert(key.into(), json!(v));
        }
    }
    g.insert(
        "jsonout_output".into(),
        flag_option(sections, "global", "jsonout_output", true),
    );
    g.insert("alerts_log".into(), flag_option(sections, "global", "alerts_log", true));
    g.insert("stats".into(), json!(int_option(sections, "global", "stats", 4)));
    g.insert(
        "memory_size".into(),
        json!(int_option(sections, "global", "memory_size", 8192).max(2048)),
    );
    let white_list: Vec<Value> = match sections.get("global").and_then(|s| s.get("white_list")) {
        Some(Value::Array(items)) => items.clone(),
        Some(v @ Value::String(_)) => vec![v.clone()],
        _ => Vec::new(),
    };
    if !white_list.is_empty() {
        g.insert("white_list".into(), Value::Array(white_list));
    }
    if let Some(v) = text("custom_alert_output") {
        g.insert("custom_alert_output".into(), json!(v));
    }
    g.insert(
        "rotate_interval".into(),
        json!(int_option(sections, "global", "rotate_interval", 0)),
    );
    g.insert(
        "max_output_size".into(),
        json!(int_option(sections, "global", "max_output_size", 0)),
    );
    let eps = sections
        .get("global")
        .and_then(|s| child(s, "limits"))
        .and_then(|l| child(l, "eps"));
    let (maximum, timeframe) = match eps {
        Some(e) => (
            child(e, "maximum").and_then(leaf).map_or(0, atoi),
            child(e, "timeframe").and_then(leaf).map_or(10, atoi),
        ),
        None => (0, 0),
    };
    g.insert("eps".into(), json!({"maximum": maximum, "timeframe": timeframe}));
    g
}

/// `key` of an object, or of the last object of a list (the converter lists nested options).
fn child<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Array(items) => items.iter().rev().find_map(|i| child(i, key)),
        Value::Object(o) => o.get(key),
        _ => None,
    }
}

/// The text of a value, or of the last element of a list.
fn leaf(v: &Value) -> Option<&str> {
    match v {
        Value::Array(items) => items.last().and_then(leaf),
        v => v.as_str(),
    }
}

/// analysisd's internal options: Wazuh's defaults, which oxsec's engine is built with.
fn analysis_internal() -> Value {
    json!({
        "debug": 0,
        "default_timeframe": 360,
        "stats_maxdiff": 999000,
        "stats_mindiff": 1250,
        "stats_percent_diff": 150,
        "fts_list_size": 32,
        "fts_min_size_for_str": 14,
        "log_fw": 1,
        "decoder_order_size": 256,
        "label_cache_maxage": 10,
        "show_hidden_labels": 0,
        "rlimit_nofile": 458752,
        "min_rotate_interval": 600,
    })
}

fn wazuh_db_internal() -> Value {
    json!({
        "commit_time_max": 60,
        "commit_time_min": 10,
        "open_db_limit": 64,
        "worker_pool_size": 8,
        "fragmentation_threshold": 75,
        "fragmentation_delta": 5,
        "free_pages_percentage": 0,
        "max_fragmentation": 90,
        "check_fragmentation_interval": 7200,
    })
}

/// The blocks of a section that may repeat (`<command>`, `<active-response>`).
fn blocks<'a>(sections: &'a Map<String, Value>, name: &str) -> Vec<&'a Map<String, Value>> {
    match sections.get(name) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(o)) => vec![o],
        _ => Vec::new(),
    }
}

fn block_text<'a>(block: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    match block.get(key)? {
        Value::Array(items) => items.last()?.as_str(),
        v => v.as_str(),
    }
}

/// `<command>` blocks; `None` when there are none (analysisd then has no list to report).
fn commands(sections: &Map<String, Value>) -> Option<Vec<Value>> {
    let list: Vec<Value> = blocks(sections, "command")
        .into_iter()
        .map(|b| {
            let mut c = Map::new();
            for key in ["name", "executable"] {
                if let Some(v) = block_text(b, key) {
                    c.insert(key.into(), json!(v));
                }
            }
            let timeout_allowed = block_text(b, "timeout_allowed") == Some("yes");
            c.insert("timeout_allowed".into(), json!(i64::from(timeout_allowed)));
            Value::Object(c)
        })
        .collect();
    (!list.is_empty()).then_some(list)
}

/// `<active-response>` blocks that name a command (the others only configure agents).
fn active_responses(sections: &Map<String, Value>) -> Option<Vec<Value>> {
    let list: Vec<Value> = blocks(sections, "active-response")
        .into_iter()
        .filter(|b| block_text(b, "command").is_some())
        .map(|b| {
            let mut ar = Map::new();
            for key in ["command", "agent_id", "rules_id", "rules_group"] {
                if let Some(v) = block_text(b, key) {
                    ar.insert(key.into(), json!(v));
                }
            }
            ar.insert("timeout".into(), json!(block_text(b, "timeout").map_or(0, atoi)));
            ar.insert("level".into(), json!(block_text(b, "level").map_or(0, atoi)));
            let location = block_text(b, "location").unwrap_or_default();
            let location = if location.contains("server") {
                "AS_ONLY"
            } else if location.contains("local") {
                "REMOTE_AGENT"
            } else if location.contains("defined-agent") {
                "SPECIFIC_AGENT"
            } else {
                "ALL_AGENTS"
            };
            ar.insert("location".into(), json!(location));
            Value::Object(ar)
        })
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The manager's `<labels>`: `{value, key, hidden}` each.
fn labels(sections: &Map<String, Value>) -> Vec<Value> {
    let Some(Value::Object(labels)) = sections.get("labels") else {
        return Vec::new();
    };
    let list = match labels.get("label") {
        Some(Value::Array(items)) => items.clone(),
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    };
    list.iter()
        .filter_map(|l| {
            let key = l.get("key")?.as_str()?;
            let value = l.get("item").and_then(Value::as_str).unwrap_or_default();
            let hidden = l.get("hidden").and_then(Value::as_str) == Some("yes");
            Some(json!({"value": value, "key": key, "hidden": yes_no(hidden)}))
        })
        .collect()
}

/// `<wdb><backup database="global">` with wazuh-db's defaults (one backup of the global
/// database a day, three kept). Read from the XML, as wazuh-db reads it: the API's rendering
/// of ossec.conf has no `<wdb>` section.
fn wdb_backups(ossec_conf_text: &str) -> Vec<Value> {
    let roots = oxsec_ruleset::lenient::parse(ossec_conf_text).unwrap_or_default();
    let global = roots
        .iter()
        .filter(|r| r.name == "ossec_config")
        .flat_map(|r| r.children_named("wdb"))
        .flat_map(|w| w.children_named("backup"))
        .filter(|b| b.attr("database").unwrap_or("global") == "global")
        .last();
    let text = |k: &str| {
        global
            .and_then(|b| b.children_named(k).last())
            .map(|e| e.text.trim().to_owned())
    };
    vec![json!({
        "database": "global",
        "enabled": text("enabled").is_none_or(|v| v == "yes"),
        "interval": text("interval").as_deref().and_then(oxsec_ruleset::config::seconds).unwrap_or(86_400),
        "max_files": text("max_files").as_deref().map_or(3, atoi),
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(xml: &str) -> Map<String, Value> {
        crate::service::ossec_conf::render(xml).expect("valid xml")
    }

    #[test]
    fn pairs_follow_wazuhs_table() {
        assert!(check_pair("analysis", "global").is_ok());
        assert!(check_pair("Analysis", "GLOBAL").is_ok());
        assert!(check_pair("com", "active-response").is_ok());
        assert!(check_pair("analysis", "active-response").is_err());
        let err = check_pair("agent", "wmodules").expect_err("not an agent configuration");
        let text = format!("{err:?}");
        assert!(
            text.contains("'client', 'buffer', 'labels', 'internal', 'anti_tampering'"),
            "{text}"
        );
    }

    #[test]
    fn global_has_analysisd_defaults_and_types() {
        let g = analysis_global(&sections(
            "<ossec_config><global><jsonout_output>yes</jsonout_output><email_notification>no</email_notification>\
             <white_list>127.0.0.1</white_list><white_list>^localhost$</white_list><memory_size>100</memory_size>\
             <limits><eps><maximum>500</maximum></eps></limits></global></ossec_config>",
        ));
        assert_eq!(g["email_notification"], "no");
        assert_eq!(g["integrity_checking"], 8);
        assert_eq!(g["memory_size"], 2048, "analysisd raises it to its minimum");
        assert_eq!(g["white_list"], json!(["127.0.0.1", "^localhost$"]));
        assert_eq!(g["eps"], json!({"maximum": 500, "timeframe": 10}));
        let keys: Vec<&str> = g.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "email_notification",
                "logall",
                "logall_json",
                "integrity_checking",
                "rootkit_detection",
                "host_information",
                "prelude_output",
                "zeromq_output",
                "jsonout_output",
                "alerts_log",
                "stats",
                "memory_size",
                "white_list",
                "rotate_interval",
                "max_output_size",
                "eps"
            ]
        );
    }

    #[test]
    fn commands_and_responses_as_analysisd_lists_them() {
        let s = sections(
            "<ossec_config><command><name>firewall-drop</name><executable>firewall-drop</executable>\
             <timeout_allowed>yes</timeout_allowed></command><command><name>restart</name><executable>r</executable></command>\
             <active-response><command>firewall-drop</command><location>local</location><rules_id>5710</rules_id>\
             <timeout>180</timeout></active-response><active-response><disabled>no</disabled></active-response></ossec_config>",
        );
        assert_eq!(
            commands(&s).expect("commands"),
            [
                json!({"name": "firewall-drop", "executable": "firewall-drop", "timeout_allowed": 1}),
                json!({"name": "restart", "executable": "r", "timeout_allowed": 0})
            ]
        );
        assert_eq!(
            active_responses(&s).expect("responses"),
            [
                json!({"command": "firewall-drop", "rules_id": "5710", "timeout": 180, "level": 0, "location": "REMOTE_AGENT"})
            ]
        );
        assert!(commands(&sections("<ossec_config><global/></ossec_config>")).is_none());
    }

    #[test]
    fn wdb_backup_defaults() {
        assert_eq!(
            wdb_backups("<ossec_config/>"),
            [json!({"database": "global", "enabled": true, "interval": 86400, "max_files": 3})]
        );
        let s = "<ossec_config><wdb><backup database=\"global\"><enabled>no</enabled><interval>2h</interval>\
                 <max_files>5</max_files></backup></wdb></ossec_config>";
        assert_eq!(
            wdb_backups(s),
            [json!({"database": "global", "enabled": false, "interval": 7200, "max_files": 5})]
        );
    }
}
