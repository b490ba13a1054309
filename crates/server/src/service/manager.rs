//! Manager operations that act on the analysis engine.

use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The node name a standalone manager reports for itself in reload results.
const STANDALONE_NODE: &str = "manager";

/// How results name this node: `manager` on a standalone manager, the node's name when the
/// cluster is enabled (as Wazuh's framework names it).
pub fn node_id(state: &AppState) -> String {
    if super::cluster::running(state) {
        super::cluster::local_name(state)
    } else {
        STANDALONE_NODE.to_owned()
    }
}

/// `PUT /manager/analysisd/reload`: reads and compiles the ruleset again and swaps it in; a
/// ruleset with unreadable or broken files is refused (1914) and the running one stays.
pub async fn reload_analysisd(state: &AppState) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Reload request sent to ",
        "Could not send reload request to some specified nodes",
        "Could not send reload request to any node",
    );
    let _writes = state.lock_ruleset_files().await;
    match state.reload_sound_ruleset().await? {
        Ok(()) => result.push(json!({
            "name": node_id(state),
            "msg": "Ruleset reload request sent successfully.",
        })),
        Err(problems) => {
            tracing::warn!("ruleset reload refused: {}", problems.join("; "));
            result.fail(
                node_id(state),
                ItemError::with_details(WazuhCode::RulesetReloadFailed, problems.join(", ")),
            );
        }
    }
    Ok(result)
}

/// The daemons `GET /manager/status` reports, in Wazuh's order, and whether oxsec runs their
/// work: the API (apid), the analysis engine behind logtest and `POST /events` (analysisd) and
/// the store (wazuh-db) run in this process; the others are not implemented (stopped).
const DAEMONS: [(&str, bool); 16] = [
    ("wazuh-agentlessd", false),
    ("wazuh-analysisd", true),
    ("wazuh-authd", false),
    ("wazuh-csyslogd", false),
    ("wazuh-monitord", false),
    ("wazuh-execd", false),
    ("wazuh-integratord", false),
    ("wazuh-logcollector", false),
    ("wazuh-maild", false),
    ("wazuh-remoted", false),
    ("wazuh-reportd", false),
    ("wazuh-syscheckd", false),
    ("wazuh-clusterd", true),
    ("wazuh-modulesd", false),
    ("wazuh-db", true),
    ("wazuh-apid", true),
];

/// `GET /manager/status`.
pub fn status(state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Processes status was successfully read",
        "Could not read basic information in some nodes",
        "Could not read processes status",
    );
    let mut item = serde_json::Map::new();
    for (daemon, runs) in DAEMONS {
        let running = runs && (daemon != "wazuh-clusterd" || super::cluster::running(state));
        item.insert(daemon.into(), json!(if running { "running" } else { "stopped" }));
    }
    result.push(serde_json::Value::Object(item));
    result
}

/// This installation's id, created on first use (Wazuh's `installation_uid`).
fn installation_uid(state: &AppState) -> Result<String, ApiError> {
    let path = state.config().data_dir.join("security").join("installation_uid");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let uid = text.trim();
        if !uid.is_empty() {
            return Ok(uid.to_owned());
        }
    }
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h = hex::encode(bytes);
    let uid = format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    );
    crate::fsutil::write_atomic(&path, uid.as_bytes(), 0o600)
        .map_err(|e| ApiError::Internal(format!("cannot write {}: {e}", path.display())))?;
    Ok(uid)
}

/// `GET /manager/info`. oxsec keeps time in UTC, so the time zone is UTC.
pub fn info(state: &AppState) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Basic information was successfully read",
        "Could not read basic information in some nodes",
        "Could not read basic information in any node",
    );
    let path = state
        .config()
        .data_dir
        .canonicalize()
        .unwrap_or_else(|_| state.config().data_dir.clone());
    result.push(json!({
        "path": path.display().to_string(),
        "version": format!("v{}", oxsec_types::WAZUH_API_VERSION),
        "type": "server",
        "max_agents": "unlimited",
        "openssl_support": "yes",
        "tz_offset": "+0000",
        "tz_name": "UTC",
        "uuid": installation_uid(state)?,
    }));
    Ok(result)
}

/// `GET /manager/configuration?raw=true`: the file as it is on disk.
pub fn configuration_text(state: &AppState) -> Result<String, ApiError> {
    let path = super::ossec_conf::path(state.config());
    std::fs::read_to_string(&path).map_err(|e| ApiError::with_details(WazuhCode::ComponentNotFound, e.to_string()))
}

/// Wazuh's ossec.conf sections (the spec's `section` values): a known section the file lacks
/// is 1106, an unknown one 1102. These are the API's names for rendered sections (`cis-cat`,
/// `osquery` are wodles there); [`CONFIG_ELEMENTS`] lists the XML element names a file may have.
const KNOWN_SECTIONS: &[&str] = &[
    "active-response",
    "agentless",
    "alerts",
    "auth",
    "client",
    "client_buffer",
    "cluster",
    "command",
    "database_output",
    "email_alerts",
    "global",
    "indexer",
    "integration",
    "labels",
    "localfile",
    "logging",
    "remote",
    "reports",
    "rootcheck",
    "ruleset",
    "sca",
    "socket",
    "syscheck",
    "syslog_output",
    "vulnerability-detection",
    "aws-s3",
    "azure-logs",
    "cis-cat",
    "docker-listener",
    "open-scap",
    "osquery",
    "syscollector",
];

/// `GET /manager/configuration`: the file read now, rendered as Wazuh renders it; `section`,
/// `field` and `distinct` as upstream's `get_ossec_conf` applies them. Problems are failed items.
/// Secrets show only to callers who may change the configuration (`reveal_secrets`).
pub fn configuration(
    state: &AppState,
    section: Option<&str>,
    field: Option<&str>,
    distinct: bool,
    reveal_secrets: bool,
) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Configuration was successfully read",
        "Could not read configuration in some nodes",
        "Could not read configuration",
    );
    match configuration_value(state, section, field, distinct) {
        Ok(mut v) => {
            if !reveal_secrets {
                mask_secrets(&mut v);
            }
            result.push(v)
        }
        Err((code, details)) => result.fail(node_id(state), ItemError::with_details(code, details)),
    }
    result
}

/// Wazuh hides the cluster key and the enrollment password from callers who may not change
/// the configuration: their values become `*****`.
pub fn mask_secrets(item: &mut serde_json::Value) {
    const MASK: &str = "*****";
    if let Some(key) = item.get_mut("cluster").and_then(|c| c.get_mut("key")) {
        *key = json!(MASK);
    }
    for top in ["authd.pass", "key"] {
        if let Some(v) = item.get_mut(top) {
            *v = json!(MASK);
        }
    }
}

/// Whether `perms` may see secrets in configuration: a policy that allows `manager:update_config`
/// or `cluster:update_config` (Wazuh looks for an explicit allow, on any resource).
pub fn may_see_secrets(perms: &crate::auth::rbac::Permissions) -> bool {
    perms.has_explicit_allow("manager:update_config") || perms.has_explicit_allow("cluster:update_config")
}

/// [`mask_secrets`] for the file's text (`raw=true`): the content of `<key>` inside `<cluster>`
/// and of `<pass>` inside `<auth>` becomes `*****`.
pub fn mask_secrets_in_text(text: &str) -> String {
    let mut out = text.to_owned();
    for (section, element) in [("cluster", "key"), ("auth", "pass")] {
        out = mask_element_in_sections(&out, section, element);
    }
    out
}

fn mask_element_in_sections(text: &str, section: &str, element: &str) -> String {
    let (open_s, close_s) = (format!("<{section}>"), format!("</{section}>"));
    let (open_e, close_e) = (format!("<{element}>"), format!("</{element}>"));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(&open_s) {
        let Some(len) = rest[start..].find(&close_s) else {
            break;
        };
        let (before, block, after) = (&rest[..start], &rest[start..start + len], &rest[start + len..]);
        out.push_str(before);
        let mut block_rest = block;
        while let Some(e) = block_rest.find(&open_e) {
            let value_at = e + open_e.len();
            let Some(value_len) = block_rest[value_at..].find(&close_e) else {
                break;
            };
            out.push_str(&block_rest[..value_at]);
            out.push_str("*****");
            block_rest = &block_rest[value_at + value_len..];
        }
        out.push_str(block_rest);
        rest = after;
    }
    out.push_str(rest);
    out
}

fn configuration_value(
    state: &AppState,
    section: Option<&str>,
    field: Option<&str>,
    distinct: bool,
) -> Result<serde_json::Value, (WazuhCode, String)> {
    use serde_json::Value;
    let text = configuration_text(state).map_err(|e| (WazuhCode::ComponentNotFound, e.to_string()))?;
    let sections = super::ossec_conf::render(&text).map_err(|e| (WazuhCode::ComponentNotFound, e.to_string()))?;
    let Some(section) = section else {
        return Ok(Value::Object(sections));
    };
    let Some(data) = sections.get(section) else {
        let code = if KNOWN_SECTIONS.contains(&section) {
            WazuhCode::SectionNotPresent
        } else {
            WazuhCode::InvalidSection
        };
        return Err((code, section.to_owned()));
    };
    let Some(field) = field else {
        return Ok(json!({ section: data }));
    };
    let missing = || (WazuhCode::InvalidSectionField, format!("{section}.{field}"));
    let picked = match data {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| i.get(field).map(|v| json!({ field: v })).ok_or_else(missing))
                .collect::<Result<_, _>>()?,
        ),
        other => {
            let mut v = other.get(field).cloned().ok_or_else(missing)?;
            if distinct && section == "ruleset" && matches!(field, "decoder_dir" | "rule_dir") {
                if let Value::Array(values) = &mut v {
                    let mut seen = Vec::new();
                    values.retain(|x| {
                        let new = !seen.contains(x);
                        if new {
                            seen.push(x.clone());
                        }
                        new
                    });
                }
            }
            json!({ field: v })
        }
    };
    Ok(json!({ section: picked }))
}

/// `GET /manager/api/config`: the API settings in effect, with Wazuh's defaults for the keys
/// oxsec accepts but does not act on.
pub fn api_config(state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "API configuration was successfully read",
        "Could not read API configuration in some nodes",
        "Could not read API configuration in any node",
    );
    let c = state.config();
    let mut upload = json!({
        "remote_commands": {
            "localfile": {"allow": true, "exceptions": []},
            "wodle_command": {"allow": true, "exceptions": []},
        },
        "limits": {"eps": {"allow": true}},
        "agents": {"allow_higher_versions": {"allow": true}},
        "indexer": {"allow": true},
        "integrations": {"virustotal": {"public_key": {"allow": true, "minimum_quota": 240}}},
    });
    merge(&mut upload, &c.upload_configuration);
    let mut max_size = json!({"enabled": false, "size": "1M"});
    merge(&mut max_size, &c.logs.max_size);
    result.push(json!({
        "node_name": node_id(state),
        "node_api_config": {
            "host": c.host,
            "port": c.port,
            "drop_privileges": c.drop_privileges,
            "experimental_features": c.experimental_features,
            "max_upload_size": c.max_upload_size,
            "authentication_pool_size": c.authentication_pool_size,
            "intervals": {"request_timeout": c.intervals.request_timeout},
            "https": {
                "enabled": c.https.enabled,
                "key": c.https.key.display().to_string(),
                "cert": c.https.cert.display().to_string(),
                "use_ca": c.https.use_ca,
                "ca": c.https.ca.display().to_string(),
                "ssl_protocol": c.https.ssl_protocol,
                "ssl_ciphers": c.https.ssl_ciphers,
            },
            "logs": {"level": c.logs.level.as_str(), "format": c.logs.format, "max_size": max_size},
            "cors": {
                "enabled": c.cors.enabled,
                "source_route": c.cors.source_route,
                "expose_headers": c.cors.expose_headers,
                "allow_headers": c.cors.allow_headers,
                "allow_credentials": c.cors.allow_credentials,
            },
            "access": {
                "max_login_attempts": c.access.max_login_attempts,
                "block_time": c.access.block_time,
                "max_request_per_minute": c.access.max_request_per_minute,
            },
            "upload_configuration": upload,
        },
    }));
    result
}

/// Overlays `over`'s keys onto `base`, recursively.
fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) if !o.is_null() => *b = o.clone(),
        _ => {}
    }
}

/// `GET /manager/version/check`. oxsec never calls out to Wazuh's CTI service: it reports the
/// running version and, when `<update_check>` is on, that the check could not be made (2100).
pub fn version_check(state: &AppState) -> Result<serde_json::Value, ApiError> {
    let check = state.ossec_conf().update_check();
    if check.enabled {
        return Err(ApiError::with_details(
            WazuhCode::CtiRequest,
            format!(
                "oxsec does not query {} for updates; set <global><update_check>no</update_check> in etc/ossec.conf",
                check.cti_url
            ),
        ));
    }
    Ok(json!({
        "uuid": installation_uid(state)?,
        "last_check_date": "",
        "current_version": format!("v{}", oxsec_types::WAZUH_API_VERSION),
        "update_check": false,
        "last_available_major": {},
        "last_available_minor": {},
        "last_available_patch": {},
    }))
}

/// Wazuh's statistics directory in the data dir (`stats/totals/…`, `stats/hourly-average/…`,
/// `stats/weekly-average/…`), as an imported manager's or Wazuh's monitord would leave it.
fn stats_dir(state: &AppState) -> std::path::PathBuf {
    state.config().data_dir.join("stats")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `GET /manager/stats`: the hourly totals of `date` (`YYYY-MM-DD`, today in UTC without it).
pub fn stats_totals(state: &AppState, date: Option<&str>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Statistical information for each node was successfully read",
        "Could not read statistical information for some nodes",
        "Could not read statistical information for any node",
    );
    let day = match date {
        Some(d) => time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| ApiError::with_details(WazuhCode::InvalidDateFilter, d.to_owned()))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let path = stats_dir(state)
        .join("totals")
        .join(day.year().to_string())
        .join(MONTHS[usize::from(u8::from(day.month())) - 1])
        .join(format!("ossec-totals-{:02}.log", day.day()));
    let text = std::fs::read_to_string(&path)
        .map_err(|_| ApiError::with_details(WazuhCode::StatsFileMissing, path.display().to_string()))?;
    let damaged = || ApiError::code(WazuhCode::StatsFileDamaged);
    let int = |s: &str| s.trim().parse::<i64>().map_err(|_| damaged());
    let mut alerts = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split('-').collect();
        if parts.len() == 4 {
            alerts.push(json!({"sigid": int(parts[1])?, "level": int(parts[2])?, "times": int(parts[3])?}));
            continue;
        }
        let parts: Vec<&str> = line.split("--").collect();
        match parts.len() {
            0 | 1 => continue,
            5 => result.push(json!({
                "hour": int(parts[0])?,
                "alerts": std::mem::take(&mut alerts),
                "totalAlerts": int(parts[1])?,
                "events": int(parts[2])?,
                "syscheck": int(parts[3])?,
                "firewall": int(parts[4])?,
            })),
            _ => return Err(damaged()),
        }
    }
    Ok(result)
}

/// A counter file of Wazuh's stats directory; absent or unreadable is 0, as upstream reads them.
fn stat_number(path: &std::path::Path) -> i64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}

/// `GET /manager/stats/hourly`.
pub fn stats_hourly(state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Statistical information per hour for each node was successfully read",
        "Could not read statistical information per hour for some nodes",
        "Could not read statistical information per hour for any node",
    );
    let dir = stats_dir(state).join("hourly-average");
    let averages: Vec<i64> = (0..24).map(|h| stat_number(&dir.join(h.to_string()))).collect();
    result.push(json!({"averages": averages, "interactions": stat_number(&dir.join("24"))}));
    result
}

/// `GET /manager/stats/weekly`.
pub fn stats_weekly(state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Statistical information per week for each node was successfully read",
        "Could not read statistical information per week for some nodes",
        "Could not read statistical information per week for any node",
    );
    let dir = stats_dir(state).join("weekly-average");
    for (i, day) in ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        .into_iter()
        .enumerate()
    {
        let d = dir.join(i.to_string());
        let hours: Vec<i64> = (0..24).map(|h| stat_number(&d.join(h.to_string()))).collect();
        result.push(json!({ day: {"hours": hours, "interactions": stat_number(&d.join("24"))} }));
    }
    result
}

/// The analysis engine's counters as analysisd's state file reports them (every value a
/// float). Queues oxsec does not have (it analyses in the request) are reported empty.
fn analysisd_counters(state: &AppState) -> serde_json::Map<String, serde_json::Value> {
    use std::sync::atomic::Ordering::Relaxed;
    let c = state.analysis().counters();
    let received = c.events_received.load(Relaxed) as f64;
    let processed = c.events_processed.load(Relaxed) as f64;
    let mut m = serde_json::Map::new();
    for key in [
        "alerts_queue_size",
        "alerts_queue_usage",
        "archives_queue_size",
        "archives_queue_usage",
        "event_queue_size",
        "event_queue_usage",
        "firewall_queue_size",
        "firewall_queue_usage",
        "firewall_written",
        "fts_written",
        "hostinfo_queue_size",
        "hostinfo_queue_usage",
        "rootcheck_events_decoded",
        "rootcheck_queue_size",
        "rootcheck_queue_usage",
        "rule_matching_queue_size",
        "rule_matching_queue_usage",
        "sca_events_decoded",
        "sca_queue_size",
        "sca_queue_usage",
        "statistical_queue_size",
        "statistical_queue_usage",
        "syscheck_events_decoded",
        "syscheck_queue_size",
        "syscheck_queue_usage",
        "syscollector_events_decoded",
        "syscollector_queue_size",
        "syscollector_queue_usage",
        "winevt_events_decoded",
        "winevt_queue_size",
        "winevt_queue_usage",
    ] {
        m.insert(key.into(), json!(0.0));
    }
    m.insert("events_received".into(), json!(received));
    m.insert("events_processed".into(), json!(processed));
    m.insert("events_dropped".into(), json!(c.events_dropped.load(Relaxed) as f64));
    m.insert("alerts_written".into(), json!(c.alerts_written.load(Relaxed) as f64));
    m.insert("total_events_decoded".into(), json!(processed));
    m.insert("other_events_decoded".into(), json!(processed));
    m
}

/// `GET /manager/stats/analysisd` (deprecated upstream, still served).
pub fn stats_analysisd(state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Statistical information for each node was successfully read",
        "Could not read statistical information for some nodes",
        "Could not read statistical information for any node",
    );
    result.push(serde_json::Value::Object(analysisd_counters(state)));
    result
}

/// `GET /manager/stats/remoted`: oxsec has no agent connections yet, so every counter is 0.
pub fn stats_remoted(_state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Statistical information for each node was successfully read",
        "Could not read statistical information for some nodes",
        "Could not read statistical information for any node",
    );
    result.push(json!({
        "queue_size": 0.0,
        "total_queue_size": 0.0,
        "tcp_sessions": 0.0,
        "evt_count": 0.0,
        "ctrl_msg_count": 0.0,
        "discarded_count": 0.0,
        "sent_bytes": 0.0,
        "recv_bytes": 0.0,
    }));
    result
}

/// `GET /manager/daemons/stats`: `daemons` in the order asked (Wazuh's default: remoted,
/// analysisd, db).
pub fn daemons_stats(state: &AppState, daemons: Option<Vec<String>>) -> AffectedItems {
    use std::sync::atomic::Ordering::Relaxed;
    let mut result = AffectedItems::new(
        "Statistical information for each daemon was successfully read",
        "Could not read statistical information for some daemons",
        "Could not read statistical information for any daemon",
    );
    let now = crate::timefmt::now_iso();
    let started = crate::timefmt::epoch_iso(state.started_at());
    let daemons = daemons.unwrap_or_else(|| vec!["wazuh-remoted".into(), "wazuh-analysisd".into(), "wazuh-db".into()]);
    let c = state.analysis().counters();
    for d in daemons {
        let metrics = match d.as_str() {
            "wazuh-analysisd" => json!({
                "bytes": {"received": 0},
                "events": {
                    "processed": c.events_processed.load(Relaxed),
                    "received": c.events_received.load(Relaxed),
                    "received_breakdown": {"dropped": c.events_dropped.load(Relaxed)},
                    "written_breakdown": {"alerts": c.alerts_written.load(Relaxed)},
                },
            }),
            "wazuh-remoted" => json!({
                "bytes": {"received": 0, "sent": 0},
                "keys_reload_count": 0,
                "messages": {"received_breakdown": {"control": 0, "event": 0}},
                "tcp_sessions": 0,
            }),
            _ => json!({"queries": {"received": 0}}),
        };
        result.push(json!({"name": d, "timestamp": now, "uptime": started, "metrics": metrics}));
    }
    result
}

/// Top-level elements of `<ossec_config>` the manager accepts (Wazuh's daemons read these);
/// anything else fails validation as an invalid element (1230 in Wazuh's daemons). These are
/// XML element names (`wodle`); [`KNOWN_SECTIONS`] lists the API's names for rendered sections.
const CONFIG_ELEMENTS: &[&str] = &[
    "active-response",
    "agent-upgrade",
    "agentless",
    "alerts",
    "anti_tampering",
    "auth",
    "client",
    "client_buffer",
    "cluster",
    "command",
    "database_output",
    "email_alerts",
    "fluent-forward",
    "gcp-bucket",
    "gcp-pubsub",
    "github",
    "global",
    "indexer",
    "integration",
    "labels",
    "localfile",
    "logging",
    "ms-graph",
    "office365",
    "remote",
    "reports",
    "rootcheck",
    "rule_test",
    "ruleset",
    "sca",
    "socket",
    "syscheck",
    "syslog_output",
    "task-manager",
    "vulnerability-detection",
    "wodle",
];

/// The options `<global>` takes (analysisd's global-config reader).
const GLOBAL_OPTIONS: &[&str] = &[
    "email_notification",
    "logall",
    "logall_json",
    "integrity_checking",
    "rootkit_detection",
    "host_information",
    "prelude_output",
    "prelude_profile",
    "prelude_log_level",
    "geoipdb",
    "zeromq_output",
    "zeromq_uri",
    "zeromq_server_cert",
    "zeromq_client_cert",
    "jsonout_output",
    "alerts_log",
    "stats",
    "memory_size",
    "white_list",
    "compress_alerts",
    "custom_alert_output",
    "rotate_interval",
    "max_output_size",
    "agents_disconnection_time",
    "agents_disconnection_alert_time",
    "limits",
    "cti-url",
    "update_check",
    "email_to",
    "email_from",
    "email_reply_to",
    "email_idsname",
    "smtp_server",
    "helo_server",
    "email_maxperhour",
    "email_log_source",
    "queue_size",
    "forward_to",
    "geoip_db_path",
    "geoip6_db_path",
];

/// Why configuration text would not be accepted: the code and what was wrong.
fn configuration_problem(text: &str) -> Option<(WazuhCode, String)> {
    let roots = match oxsec_ruleset::lenient::parse(text) {
        Ok(r) => r,
        Err(e) => return Some((WazuhCode::XmlSyntax, e.to_string())),
    };
    let blocks: Vec<_> = roots.iter().filter(|r| r.name == "ossec_config").collect();
    if blocks.is_empty() {
        return Some((
            WazuhCode::ConfigurationInvalid,
            "the file has no <ossec_config> block".into(),
        ));
    }
    for block in blocks {
        for el in &block.children {
            let unknown = if !CONFIG_ELEMENTS.contains(&el.name.as_str()) {
                Some(el.name.as_str())
            } else if el.name == "global" {
                el.children
                    .iter()
                    .map(|o| o.name.as_str())
                    .find(|o| !GLOBAL_OPTIONS.contains(o))
            } else {
                None
            };
            if let Some(name) = unknown {
                return Some((
                    WazuhCode::ConfigurationInvalid,
                    format!("Invalid element in the configuration: '{name}'"),
                ));
            }
        }
    }
    None
}

/// `GET /manager/configuration/validation`: whether etc/ossec.conf as it is on disk would be
/// accepted.
pub fn validation(state: &AppState) -> AffectedItems {
    let mut result = AffectedItems::new(
        "Validation was successfully checked",
        "Could not check validation in some nodes",
        "Could not check validation",
    );
    let problem = match configuration_text(state) {
        Ok(text) => configuration_problem(&text),
        Err(e) => Some((WazuhCode::ConfigurationInvalid, e.to_string())),
    };
    match problem {
        None => result.push(json!({"name": node_id(state), "status": "OK"})),
        Some((code, details)) => result.fail(node_id(state), ItemError::with_details(code, details)),
    }
    result
}

/// `PUT /manager/configuration`: replaces etc/ossec.conf with `body` if it would be accepted
/// (else nothing changes and the failed item says why). The previous file is kept as
/// `etc/ossec.conf.bak`; the new one is written atomically. It takes effect at the next
/// `PUT /manager/restart` (as in Wazuh).
pub async fn update_configuration(state: &AppState, body: Vec<u8>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Configuration was successfully updated",
        "Could not update configuration in some nodes",
        "Could not update configuration",
    );
    let text = String::from_utf8(body).map_err(|_| ApiError::code(WazuhCode::BodyNotUtf8))?;
    if text.trim().is_empty() {
        return Err(ApiError::code(WazuhCode::EmptyFile));
    }
    if let Some((code, details)) = configuration_problem(&text) {
        result.fail(node_id(state), ItemError::with_details(code, details));
        return Ok(result);
    }
    let path = super::ossec_conf::path(state.config());
    let replace = move || -> std::io::Result<()> {
        if let Ok(previous) = std::fs::read(&path) {
            crate::fsutil::write_atomic(&path.with_extension("conf.bak"), &previous, 0o640)?;
        }
        crate::fsutil::write_atomic(&path, text.as_bytes(), 0o640)
    };
    tokio::task::spawn_blocking(replace)
        .await
        .map_err(|e| ApiError::Internal(format!("configuration write failed: {e}")))?
        .map_err(|e| ApiError::with_details(WazuhCode::OssecConfWrite, e.to_string()))?;
    result.push(json!(node_id(state)));
    Ok(result)
}

/// `PUT /manager/restart`: re-reads etc/ossec.conf, the ruleset and the stored ATT&CK data in
/// the running process (nothing is dropped: requests in flight finish on what they started
/// with). api.yaml and the listeners need a process restart.
pub async fn restart(state: &AppState) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Restart request sent to ",
        "Could not send restart request to some specified nodes",
        "Could not send restart request to any node",
    );
    state.ossec_log().info(
        super::ossec_log::tag::ANALYSISD,
        "Restart requested: reading ossec.conf, the ruleset and the ATT&CK data again",
    );
    state.reload_ossec_conf();
    if let Err(e) = super::cluster::register(state).await {
        // The heartbeat registers the node on its next beat.
        tracing::warn!("cannot register this cluster node: {e}");
    }
    {
        let _writes = state.lock_ruleset_files().await;
        state.reload_ruleset().await?;
    }
    let store = state.store().clone();
    let mitre = tokio::task::spawn_blocking(move || super::mitre::load(&store))
        .await
        .map_err(|e| ApiError::Internal(format!("restart failed: {e}")))?
        .map_err(ApiError::Internal)?;
    state.set_mitre(mitre);
    tracing::info!("manager restarted in process: configuration, ruleset and ATT&CK data re-read");
    result.push(json!(node_id(state)));
    Ok(result)
}
