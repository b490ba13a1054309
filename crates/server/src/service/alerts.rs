//! `GET /alerts` (oxsec extension): the alerts the analysis engine stored, searchable with the
//! common list parameters and alert-specific filters, newest first, restricted to the agents the
//! caller may read (`alerts:read`). Items are the alerts exactly as written to alerts.json; with
//! `select`, the selected fields.

use oxsec_types::envelope::AffectedItems;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, Field, ListQuery, Op, Schema};
use serde_json::Value;

use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::list::{and_filters, equals, wql_error};
use crate::params::Params;
use crate::spec::ParamError;
use crate::state::AppState;

/// A field read from the alert JSON.
fn json_field(name: &str) -> Field {
    Field::text(name, format!("json_extract(a.body, '$.{name}')"))
}

/// A list field of the alert JSON (each element matches on its own).
fn json_list(name: &str) -> Field {
    Field::text(name, format!("json_extract(a.body, '$.{name}')"))
        .members(format!("json_each(a.body, '$.{name}') AS m WHERE 1 = 1"), "m.value")
        .output_json(format!("json_extract(a.body, '$.{name}')"))
}

/// The fields `q`, `sort`, `search` and `select` know.
pub fn schema() -> Result<Schema, ApiError> {
    let mut b = Schema::builder()
        .field(Field::integer("timestamp", "a.epoch").output_json("json_quote(a.timestamp)"))
        .field(Field::text("id", "a.alert_id"))
        .field(Field::text("rule.id", "a.rule_id"))
        .field(Field::integer("rule.level", "a.rule_level"))
        .field(json_field("rule.description"))
        .field(json_list("rule.groups"))
        .field(json_list("rule.mitre.id"))
        .field(json_list("rule.mitre.tactic"))
        .field(json_list("rule.mitre.technique"));
    for standard in ["pci_dss", "gdpr", "hipaa", "nist_800_53", "tsc", "gpg13"] {
        b = b.field(json_list(&format!("rule.{standard}")));
    }
    b = b
        .field(Field::text("agent.id", "a.agent_id"))
        .field(json_field("agent.name"))
        .field(json_field("agent.ip"))
        .field(json_field("manager.name"))
        .field(json_field("decoder.name"))
        .field(json_field("decoder.parent"));
    for f in [
        "data.srcip",
        "data.dstip",
        "data.srcuser",
        "data.dstuser",
        "data.srcport",
        "data.dstport",
    ] {
        b = b.field(json_field(f));
    }
    b.field(Field::text("location", "a.location"))
        .field(json_field("full_log"))
        .default_sort("-timestamp")
        .tie_breaker("a.seq DESC")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A 400 naming the parameter.
fn bad(name: &str, value: &str, message: impl Into<String>) -> ApiError {
    ApiError::Param(ParamError::Invalid {
        name: name.to_owned(),
        value: value.to_owned(),
        message: message.into(),
    })
}

/// A parameter's value, by its name or the names other tools send; empty means "not given".
fn param(params: &Params, names: &[&str]) -> Option<(String, String)> {
    names.iter().find_map(|n| {
        params
            .text(n)
            .filter(|v| !v.trim().is_empty())
            .map(|v| ((*n).to_owned(), v))
    })
}

/// `from` / `to`: an RFC 3339 date (or `YYYY-MM-DD`), a Unix time, or a time ago (`24h`, `7d`).
fn instant(name: &str, value: &str, now: i64) -> Result<i64, ApiError> {
    let v = value.trim();
    if let Some(t) = crate::timefmt::iso_epoch(v) {
        return Ok(t);
    }
    if let Some(t) = crate::timefmt::iso_epoch(&format!("{v}T00:00:00Z")) {
        return Ok(t);
    }
    if v.len() >= 9 && v.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(t) = v.parse::<i64>() {
            return Ok(t);
        }
    }
    match oxsec_wql::timeframe_seconds(v) {
        Some(ago) if !v.bytes().all(|b| b.is_ascii_digit()) => Ok(now - ago),
        _ => Err(bad(
            name,
            value,
            format!("'{value}' is not a time: use 2026-11-24T10:00:00Z, 2026-11-24, a Unix time or a time ago like 24h or 7d - '{name}'"),
        )),
    }
}

fn cond(field: &str, op: Op, value: impl Into<String>) -> Expr {
    Expr::Cond {
        field: field.to_owned(),
        op,
        value: value.into(),
    }
}

/// The alert-specific filters of a request, as conditions.
pub fn filters(params: &Params, now: i64) -> Result<Vec<Expr>, ApiError> {
    let mut conds = Vec::new();
    let from = param(params, &["from", "timestamp_start"])
        .map(|(n, v)| instant(&n, &v, now))
        .transpose()?;
    let to = param(params, &["to", "timestamp_end"])
        .map(|(n, v)| instant(&n, &v, now))
        .transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(bad(
                "from",
                "",
                "'from' is after 'to': give a time window that starts before it ends - 'from'",
            ));
        }
    }
    if let Some(f) = from {
        conds.push(cond("timestamp", Op::Gt, (f - 1).to_string()));
    }
    if let Some(t) = to {
        conds.push(cond("timestamp", Op::Lt, (t + 1).to_string()));
    }
    if let Some((name, value)) = param(params, &["level"]) {
        let bound = |s: &str| {
            s.trim().parse::<u8>().ok().filter(|l| *l <= 16).ok_or_else(|| {
                bad(
                    &name,
                    &value,
                    format!("'{value}' is not a rule level: use 12 or a range like 10-15 (levels 0 to 16) - '{name}'"),
                )
            })
        };
        let (lo, hi) = match value.split_once('-') {
            Some((lo, hi)) => (bound(lo)?, bound(hi)?),
            None => {
                let l = bound(&value)?;
                (l, l)
            }
        };
        if lo > hi {
            return Err(bad(
                &name,
                &value,
                format!("'{value}': the range's start is above its end - '{name}'"),
            ));
        }
        conds.push(cond("rule.level", Op::Gt, (i64::from(lo) - 1).to_string()));
        conds.push(cond("rule.level", Op::Lt, (i64::from(hi) + 1).to_string()));
    }
    let any_of = |field: &str, values: &str| {
        let items: Vec<Expr> = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| equals(field, v))
            .collect();
        (!items.is_empty()).then_some(Expr::Or(items))
    };
    for (names, field) in [
        (&["rule_ids", "rule_id"][..], "rule.id"),
        (&["agents_list", "agent_id"][..], "agent.id"),
        (&["rule_group"][..], "rule.groups"),
        (&["decoder"][..], "decoder.name"),
        (&["pci_dss"][..], "rule.pci_dss"),
        (&["gdpr"][..], "rule.gdpr"),
        (&["hipaa"][..], "rule.hipaa"),
        (&["nist-800-53"][..], "rule.nist_800_53"),
        (&["tsc"][..], "rule.tsc"),
    ] {
        if let Some((_, value)) = param(params, names) {
            let value = if field == "agent.id" { pad_ids(&value) } else { value };
            conds.extend(any_of(field, &value));
        }
    }
    if let Some((_, value)) = param(params, &["mitre"]) {
        let per_value: Vec<Expr> = value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .flat_map(|v| [equals("rule.mitre.id", v), equals("rule.mitre.tactic", v)])
            .collect();
        if !per_value.is_empty() {
            conds.push(Expr::Or(per_value));
        }
    }
    Ok(conds)
}

/// Agent ids as alerts carry them (`7` → `007`).
fn pad_ids(list: &str) -> String {
    list.split(',')
        .map(|v| match v.trim().parse::<i64>() {
            Ok(n) => super::agents::pad(n),
            Err(_) => v.trim().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The conditions every alert listing applies: the request's filters and the caller's agents.
async fn scoped_query(
    state: &AppState,
    authz: &Authz,
    params: &Params,
    mut query: ListQuery,
) -> Result<ListQuery, ApiError> {
    let now = oxsec_store::now_secs();
    let mut conds = filters(params, now)?;
    // Only the alerts of agents the caller may read (and, restricted, not of deleted agents).
    if let Some(visible) = super::agents::visible_agents(state, authz).await? {
        let ids: Vec<Expr> = visible
            .iter()
            .map(|id| equals("agent.id", super::agents::pad(*id)))
            .collect();
        conds.push(if ids.is_empty() {
            equals("agent.id", "none")
        } else {
            Expr::Or(ids)
        });
    }
    and_filters(&mut query, conds);
    Ok(query)
}

/// What `GET /alerts/summary` can count by: name, the SQL giving each alert's key, and for list
/// fields the JSON path joined with `json_each` (one key per element).
const SUMMARIES: &[(&str, &str, Option<&str>)] = &[
    ("rule", "a.rule_id", None),
    ("level", "a.rule_level", None),
    ("agent", "a.agent_id", None),
    ("decoder", "json_extract(a.body, '$.decoder.name')", None),
    ("srcip", "json_extract(a.body, '$.data.srcip')", None),
    ("rule_group", "s.value", Some("$.rule.groups")),
    ("mitre_tactic", "s.value", Some("$.rule.mitre.tactic")),
    ("mitre_technique", "s.value", Some("$.rule.mitre.id")),
    ("pci_dss", "s.value", Some("$.rule.pci_dss")),
    ("gdpr", "s.value", Some("$.rule.gdpr")),
    ("hipaa", "s.value", Some("$.rule.hipaa")),
    ("nist_800_53", "s.value", Some("$.rule.nist_800_53")),
    ("tsc", "s.value", Some("$.rule.tsc")),
    ("gpg13", "s.value", Some("$.rule.gpg13")),
];

/// `GET /alerts/summary`: counts of the matching alerts by each of `by` (the `top` most frequent
/// values, most frequent first), and with `interval` a time histogram (oldest bucket first).
pub async fn summary(state: &AppState, authz: &Authz, params: &Params) -> Result<AffectedItems, ApiError> {
    let by: Vec<String> = params
        .text("by")
        .unwrap_or_default()
        .split(',')
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty())
        .collect();
    let mut wanted = Vec::new();
    for b in &by {
        let Some(spec) = SUMMARIES.iter().find(|(name, _, _)| name == b) else {
            let names: Vec<&str> = SUMMARIES.iter().map(|(n, _, _)| *n).collect();
            return Err(bad(
                "by",
                b,
                format!("'{b}' is not a summary: use one or more of {} - 'by'", names.join(", ")),
            ));
        };
        wanted.push(*spec);
    }
    let top = match params.text("top") {
        None => 10,
        Some(t) => t
            .parse::<u64>()
            .ok()
            .filter(|t| (1..=oxsec_wql::WAZUH_MAX_LIMIT).contains(t))
            .ok_or_else(|| bad("top", &t, format!("'{t}' is not a count from 1 to 100000 - 'top'")))?,
    };
    let interval = match params.text("interval") {
        None => None,
        Some(i) => Some(
            oxsec_wql::timeframe_seconds(&i)
                .filter(|s| *s > 0 && !i.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    bad(
                        "interval",
                        &i,
                        format!("'{i}' is not an interval: use 1m, 1h, 1d (more than 0) - 'interval'"),
                    )
                })?,
        ),
    };
    if wanted.is_empty() && interval.is_none() {
        return Err(bad(
            "by",
            "",
            "give what to count by ('by=rule,agent') and/or a time histogram ('interval=1h') - 'by'",
        ));
    }
    let query = scoped_query(state, authz, params, ListQuery::default()).await?;
    let sql = compile(&query, &schema()?, "alerts AS a", Dialect::Sqlite).map_err(wql_error)?;
    let (where_sql, values) = (sql.where_sql.clone(), sql.count_params().to_vec());
    let top = i64::try_from(top).unwrap_or(i64::MAX);
    let (counts, histogram) = state
        .store()
        .read(move |c| {
            let mut out = Vec::new();
            for (name, key, list) in &wanted {
                let from = match list {
                    Some(path) => format!("alerts AS a JOIN json_each(a.body, '{path}') AS s"),
                    None => "alerts AS a".to_owned(),
                };
                let sql =
                    format!("SELECT {key}, COUNT(*) FROM {from}{where_sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {top}");
                out.push((*name, oxsec_store::list::run_grouped(c, &sql, &values)?));
            }
            let histogram = match interval {
                Some(step) => {
                    let sql = format!(
                        "SELECT (a.epoch / {step}) * {step}, COUNT(*) FROM alerts AS a{where_sql} GROUP BY 1 ORDER BY 1"
                    );
                    Some(oxsec_store::list::run_grouped(c, &sql, &values)?)
                }
                None => None,
            };
            Ok((out, histogram))
        })
        .await?;
    let mut result = AffectedItems::new(
        "All selected alert summaries were returned",
        "Some alert summaries were not returned",
        "No alert summary was returned",
    );
    for (name, rows) in counts {
        let buckets: Vec<Value> = rows
            .into_iter()
            .map(|(k, n)| serde_json::json!({"key": k, "count": n}))
            .collect();
        result.push(serde_json::json!({"by": name, "buckets": buckets}));
    }
    if let (Some(rows), Some(step)) = (histogram, params.text("interval")) {
        let buckets: Vec<Value> = rows
            .into_iter()
            .map(|(k, n)| {
                let at = k.as_i64().map(crate::timefmt::epoch_iso).unwrap_or_default();
                serde_json::json!({"key": at, "count": n})
            })
            .collect();
        result.push(serde_json::json!({"by": "time", "interval": step, "buckets": buckets}));
    }
    Ok(result)
}

/// `GET /alerts`.
pub async fn list(
    state: &AppState,
    authz: &Authz,
    params: &Params,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut query = scoped_query(state, authz, params, query).await?;
    let schema = schema()?;
    let mut result = AffectedItems::new(
        "All selected alerts were returned",
        "Some alerts were not returned",
        "No alert was returned",
    );
    if query.select.is_some() {
        let sql = compile(&query, &schema, "alerts AS a", Dialect::Sqlite).map_err(wql_error)?;
        let (total, items) = state
            .store()
            .read(move |c| oxsec_store::list::run_json(c, &sql, None))
            .await?;
        result.set_rendered_page(items, total);
        return Ok(result);
    }
    // The whole alerts, as stored: the page's ids, then their bodies copied as they are.
    query.select = Some(vec!["id".to_owned()]);
    let sql = compile(&query, &schema, "alerts AS a", Dialect::Sqlite).map_err(wql_error)?;
    let (total, page) = state
        .store()
        .read(move |c| {
            let (total, items) = oxsec_store::list::run(c, &sql)?;
            let ids: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect();
            let bodies = oxsec_store::models::alert::bodies_by_id(c, &ids)?;
            Ok((total, bodies))
        })
        .await?;
    let mut out = Vec::with_capacity(page.iter().map(String::len).sum::<usize>() + page.len() + 2);
    out.push(b'[');
    for (i, body) in page.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(body.as_bytes());
    }
    out.push(b']');
    result.set_rendered_page(out, total);
    Ok(result)
}

/// Compliance standards `GET /compliance/{standard}` reports on (the rules' requirement lists).
pub const STANDARDS: &[&str] = &["pci_dss", "gdpr", "hipaa", "nist_800_53", "tsc", "gpg13"];

/// One requirement of a standard: the loaded rules mapped to it, and its alerts in the window.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub requirement: String,
    pub rules: Vec<String>,
    pub alerts: u64,
    /// Alerts per agent, by agent id.
    pub agents: std::collections::BTreeMap<String, u64>,
}

/// `GET /compliance/{standard}`: every requirement of `standard` the loaded ruleset maps rules to
/// (and any other that alerts carry), with those rules and the alerts in the request's window and
/// agent scope, per agent; requirements without alerts are listed too (no coverage in the window).
pub async fn compliance(
    state: &AppState,
    authz: &Authz,
    standard: &str,
    params: &Params,
) -> Result<Vec<Requirement>, ApiError> {
    let Some(standard) = STANDARDS.iter().find(|s| **s == standard).copied() else {
        return Err(bad(
            "standard",
            standard,
            format!(
                "'{standard}' is not a standard: use one of {} - 'standard'",
                STANDARDS.join(", ")
            ),
        ));
    };
    let mut requirements: std::collections::BTreeMap<String, Requirement> = Default::default();
    {
        let loaded = state.ruleset();
        for rule in &loaded.catalog.rules {
            for value in rule.requirement(standard) {
                let entry = requirements.entry(value.clone()).or_default();
                if !entry.rules.contains(&rule.id.to_string()) {
                    entry.rules.push(rule.id.to_string());
                }
            }
        }
    }
    let query = scoped_query(state, authz, params, ListQuery::default()).await?;
    let sql = compile(&query, &schema()?, "alerts AS a", Dialect::Sqlite).map_err(wql_error)?;
    let (where_sql, values) = (sql.where_sql.clone(), sql.count_params().to_vec());
    let counts = state
        .store()
        .read(move |c| {
            let sql = format!(
                "SELECT s.value, a.agent_id, COUNT(*) FROM alerts AS a JOIN json_each(a.body, '$.rule.{standard}') AS s{where_sql} \
                 GROUP BY 1, 2"
            );
            oxsec_store::list::run_triples(c, &sql, &values)
        })
        .await?;
    for (requirement, agent, n) in counts {
        let entry = requirements.entry(requirement).or_default();
        entry.alerts += n;
        *entry.agents.entry(agent).or_default() += n;
    }
    Ok(requirements
        .into_iter()
        .map(|(name, mut r)| {
            r.requirement = name;
            r
        })
        .collect())
}

/// How often retention runs.
const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Enforces `alerts.retention_days` / `alerts.retention_max_alerts` now and then every hour, in
/// transactions of 10,000 deletions with a pause between them, so writers are never held up.
pub async fn retention_loop(state: AppState) {
    let cfg = state.config().alerts.clone();
    if cfg.retention_days == 0 && cfg.retention_max_alerts == 0 {
        return;
    }
    let mut tick = tokio::time::interval(RETENTION_EVERY);
    loop {
        tick.tick().await;
        let before = (cfg.retention_days > 0).then(|| {
            oxsec_store::now_secs() - i64::try_from(cfg.retention_days.saturating_mul(86_400)).unwrap_or(i64::MAX)
        });
        let keep = cfg.retention_max_alerts;
        let mut total = 0;
        loop {
            match state
                .store()
                .write(move |tx| oxsec_store::models::alert::prune(tx, before, keep, 10_000))
                .await
            {
                Ok(0) => break,
                Ok(n) => {
                    total += n;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "alert retention failed; it runs again in an hour");
                    break;
                }
            }
        }
        if total > 0 {
            tracing::info!(deleted = total, "alert retention");
        }
    }
}

/// How many alerts a stream reads per query.
const STREAM_PAGE: i64 = 500;

/// How long a stream waits for a slow client to take an alert before dropping it.
const STREAM_SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How often an idle stream sends a comment, so proxies and clients see it alive.
const STREAM_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(15);

/// How often a stream looks for alerts it was not told about.
const STREAM_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// `GET /alerts/stream`: Server-Sent Events of the alerts stored from now on (or after
/// `last_event_id`, a previous event's `id`), with the same filters and agent scope as
/// `GET /alerts`. Each event is read from the store, so a client that reconnects with
/// `Last-Event-ID` misses nothing; a client too slow to take an event for 10 s is sent a
/// `dropped` event and closed (storing alerts never waits for a client).
pub async fn stream(
    state: &AppState,
    authz: &Authz,
    params: &Params,
    last_event_id: Option<i64>,
) -> Result<tokio::sync::mpsc::Receiver<bytes::Bytes>, ApiError> {
    let query = scoped_query(state, authz, params, ListQuery::default()).await?;
    let sql = compile(&query, &schema()?, "alerts AS a", Dialect::Sqlite).map_err(wql_error)?;
    let (where_sql, values) = (sql.where_sql.clone(), sql.count_params().to_vec());
    let mut cursor = match last_event_id {
        Some(id) => id,
        None => {
            state
                .store()
                .read(|c| Ok(c.query_row("SELECT COALESCE(MAX(seq), 0) FROM alerts", [], |r| r.get::<_, i64>(0))?))
                .await?
        }
    };
    let select = format!(
        "SELECT a.seq, a.body FROM (SELECT * FROM alerts WHERE seq > ?{}) AS a{where_sql} ORDER BY a.seq LIMIT {STREAM_PAGE}",
        values.len() + 1
    );
    let (tx, rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(64);
    let mut stored = state.watch_alerts();
    let state = state.clone();
    tokio::spawn(async move {
        // The stream starts with a comment, so the client knows it is connected.
        if tx.send(bytes::Bytes::from_static(b": connected\n\n")).await.is_err() {
            return;
        }
        let mut last_sent = tokio::time::Instant::now();
        loop {
            let (sql, mut params) = (select.clone(), values.clone());
            params.push(oxsec_wql::sql::SqlValue::Integer(cursor));
            let page = match state
                .store()
                .read(move |c| oxsec_store::list::run_id_texts(c, &sql, &params))
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    let _ = tx
                        .send(bytes::Bytes::from(format!(
                            "event: error\ndata: {}\n\n",
                            serde_json::json!({"message": e.to_string()})
                        )))
                        .await;
                    return;
                }
            };
            let full = page.len() as i64 >= STREAM_PAGE;
            let sent_any = !page.is_empty();
            if sent_any {
                last_sent = tokio::time::Instant::now();
            }
            for (seq, body) in page {
                let event = bytes::Bytes::from(format!("id: {seq}\nevent: alert\ndata: {body}\n\n"));
                match tx.send_timeout(event, STREAM_SEND_TIMEOUT).await {
                    Ok(()) => cursor = seq,
                    Err(tokio::sync::mpsc::error::SendTimeoutError::Timeout(_)) => {
                        let why = serde_json::json!({
                            "message": "The client did not keep up with the alerts; reconnect with Last-Event-ID to resume",
                            "last_event_id": cursor,
                        });
                        let _ = tx.try_send(bytes::Bytes::from(format!("event: dropped\ndata: {why}\n\n")));
                        return;
                    }
                    Err(tokio::sync::mpsc::error::SendTimeoutError::Closed(_)) => return,
                }
            }
            if full {
                continue;
            }
            if !sent_any && last_sent.elapsed() >= STREAM_HEARTBEAT {
                if tx.send(bytes::Bytes::from_static(b": heartbeat\n\n")).await.is_err() {
                    return;
                }
                last_sent = tokio::time::Instant::now();
            }
            // Woken at once by this process's POST /events; the poll also finds alerts stored
            // by another process (an `oxsec import alerts`, another node) within a second.
            tokio::select! {
                changed = stored.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = tokio::time::sleep(STREAM_POLL) => {}
            }
        }
    });
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_dates_unix_times_or_times_ago() {
        let now = 1_800_000_000;
        assert_eq!(instant("from", "24h", now).ok(), Some(now - 86_400));
        assert_eq!(instant("from", "7d", now).ok(), Some(now - 7 * 86_400));
        assert_eq!(instant("from", "2026-11-24", now).ok(), Some(1_795_478_400));
        assert_eq!(instant("from", "2026-11-24T00:00:00Z", now).ok(), Some(1_795_478_400));
        assert_eq!(instant("from", "1795478400", now).ok(), Some(1_795_478_400));
        assert!(instant("from", "yesterday", now).is_err());
    }

    #[test]
    fn the_schema_builds() {
        schema().expect("schema");
    }
}
