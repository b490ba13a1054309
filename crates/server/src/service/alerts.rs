//! `GET /alerts` (oxsec extension): the alerts the analysis engine stored, searchable with the
//! common list parameters and alert-specific filters, newest first, restricted to the agents the
//! caller may read (`alerts:read`). Items are the alerts exactly as written to alerts.json; with
//! `select`, the selected fields.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use oxsec_store::models::alert::AlertClass;
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
    for (f, column) in [
        ("data.srcip", "a.srcip"),
        ("data.dstip", "a.dstip"),
        ("data.srcuser", "a.srcuser"),
    ] {
        b = b.field(Field::text(f, column));
    }
    for f in ["data.dstuser", "data.srcport", "data.dstport"] {
        b = b.field(json_field(f));
    }
    b.field(Field::text("location", "a.location"))
        // The alert's class number (see `oxsec_store::models::alert`): what rule, level,
        // decoder and tag filters become.
        .field(Field::integer("class", "a.class").searchable(false))
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
    // Year 9999 at most: later instants would overflow the window arithmetic.
    const LAST: i64 = 253_402_300_799;
    let t = parse_instant(name, value, now)?;
    if !(0..=LAST).contains(&t) {
        return Err(bad(name, value, format!("'{value}' is outside 1970–9999 - '{name}'")));
    }
    Ok(t)
}

fn parse_instant(name: &str, value: &str, now: i64) -> Result<i64, ApiError> {
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

/// The alert-specific filters of a request.
#[derive(Debug, Default)]
pub struct AlertFilter {
    /// The window, Unix seconds, both ends included.
    pub from: Option<i64>,
    pub to: Option<i64>,
    levels: Option<(i64, i64)>,
    rule_ids: Vec<String>,
    decoders: Vec<String>,
    /// Each: the alert's rule lists one of the values in one of the fields.
    tags: Vec<(&'static [&'static str], Vec<String>)>,
    /// `agents_list`, as alerts carry the ids.
    agents: Option<Vec<String>>,
    /// `group`: the agents of an agent group.
    group: Option<String>,
}

/// The values of a comma-separated list parameter.
fn list_values(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

impl AlertFilter {
    /// Reads (and checks) the filters of a request at `now`.
    pub fn parse(params: &Params, now: i64) -> Result<AlertFilter, ApiError> {
        let mut filter = AlertFilter {
            from: param(params, &["from", "timestamp_start"])
                .map(|(n, v)| instant(&n, &v, now))
                .transpose()?,
            to: param(params, &["to", "timestamp_end"])
                .map(|(n, v)| instant(&n, &v, now))
                .transpose()?,
            ..AlertFilter::default()
        };
        if let (Some(f), Some(t)) = (filter.from, filter.to) {
            if f > t {
                return Err(bad(
                    "from",
                    "",
                    "'from' is after 'to': give a time window that starts before it ends - 'from'",
                ));
            }
        }
        if let Some((name, value)) = param(params, &["level"]) {
            let bound = |s: &str| {
                s.trim().parse::<u8>().ok().filter(|l| *l <= 16).ok_or_else(|| {
                    bad(
                        &name,
                        &value,
                        format!(
                            "'{value}' is not a rule level: use 12 or a range like 10-15 (levels 0 to 16) - '{name}'"
                        ),
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
            filter.levels = Some((i64::from(lo), i64::from(hi)));
        }
        if let Some((_, value)) = param(params, &["rule_ids", "rule_id"]) {
            filter.rule_ids = list_values(&value);
        }
        if let Some((_, value)) = param(params, &["decoder"]) {
            filter.decoders = list_values(&value);
        }
        if let Some((_, value)) = param(params, &["agents_list", "agent_id"]) {
            filter.agents = Some(list_values(&pad_ids(&value)));
        }
        filter.group = param(params, &["group"]).map(|(_, v)| v.trim().to_owned());
        const TAGS: &[(&str, &[&str])] = &[
            ("rule_group", &["rule.groups"]),
            ("mitre", &["rule.mitre.id", "rule.mitre.tactic"]),
            ("pci_dss", &["rule.pci_dss"]),
            ("gdpr", &["rule.gdpr"]),
            ("hipaa", &["rule.hipaa"]),
            ("nist-800-53", &["rule.nist_800_53"]),
            ("tsc", &["rule.tsc"]),
        ];
        for (name, fields) in TAGS {
            if let Some((_, value)) = param(params, &[name]) {
                let values = list_values(&value);
                if !values.is_empty() {
                    filter.tags.push((fields, values));
                }
            }
        }
        Ok(filter)
    }

    /// Whether the filter looks at what alerts take from their rule and decoder.
    fn filters_classes(&self) -> bool {
        self.levels.is_some() || !self.rule_ids.is_empty() || !self.decoders.is_empty() || !self.tags.is_empty()
    }

    /// Whether alerts of `class` pass the filter's rule and decoder conditions.
    fn admits(&self, class: &AlertClass) -> bool {
        self.levels.is_none_or(|(lo, hi)| (lo..=hi).contains(&class.level))
            && (self.rule_ids.is_empty() || self.rule_ids.contains(&class.rule_id))
            && (self.decoders.is_empty() || self.decoders.contains(&class.decoder))
            && self.tags.iter().all(|(fields, values)| {
                class
                    .tags
                    .iter()
                    .any(|(f, v)| fields.contains(&f.as_str()) && values.contains(v))
            })
    }
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

/// The alert classes of the store (what alerts take from their rule and decoder), by number.
#[derive(Debug, Default)]
pub struct Classes {
    by_number: HashMap<i64, AlertClass>,
    last: i64,
}

/// The classes, with any the store added since the last call.
async fn classes(state: &AppState) -> Result<Arc<Classes>, ApiError> {
    let known = state
        .alert_classes()
        .lock()
        .map(|c| c.clone())
        .map_err(|_| ApiError::Internal("the alert class cache is poisoned".into()))?;
    let after = known.last;
    let new = state
        .store()
        .read(move |c| oxsec_store::models::alert::classes_after(c, after))
        .await?;
    if new.is_empty() {
        return Ok(known);
    }
    let mut merged = Classes {
        by_number: known.by_number.clone(),
        last: after,
    };
    for (n, class) in new {
        merged.last = merged.last.max(n);
        merged.by_number.insert(n, class);
    }
    let merged = Arc::new(merged);
    if let Ok(mut slot) = state.alert_classes().lock() {
        if slot.last < merged.last {
            *slot = merged.clone();
        }
    }
    Ok(merged)
}

/// Which alerts a request may see and asks for.
pub struct Scope {
    filter: AlertFilter,
    /// The agents whose alerts count (`None`: any): `agents_list`, `group` and the caller's.
    agents: Option<BTreeSet<String>>,
    /// The classes that pass the filter (`None`: any).
    classes: Option<BTreeSet<i64>>,
    catalog: Arc<Classes>,
    /// The scope compiled: ` WHERE …` over `alerts AS a`, and its parameters.
    where_sql: String,
    values: Vec<oxsec_wql::sql::SqlValue>,
}

/// A time window as a filter of `alerts AS a` (for counts read from the alerts).
fn time_where(from: Option<i64>, to: Option<i64>) -> String {
    match (from, to) {
        (None, None) => String::new(),
        (f, t) => format!(
            " WHERE a.epoch BETWEEN {} AND {}",
            f.unwrap_or(i64::MIN),
            t.unwrap_or(i64::MAX)
        ),
    }
}

/// What a count breaks down besides the total.
#[derive(Debug, Clone, Copy, Default)]
struct Want {
    classes: bool,
    agents: bool,
    /// Per class and agent together (compliance per agent).
    pairs: bool,
    /// Per hour (a histogram).
    hours: bool,
}

/// A scope's alerts, counted.
#[derive(Debug, Default)]
struct Tally {
    total: u64,
    per_class: HashMap<i64, u64>,
    per_agent: HashMap<String, u64>,
    per_pair: HashMap<(i64, String), u64>,
    /// By the hour's first second.
    per_hour: BTreeMap<i64, u64>,
}

impl Tally {
    fn add_agent(&mut self, agent: &str, n: u64) {
        match self.per_agent.get_mut(agent) {
            Some(count) => *count += n,
            None => {
                self.per_agent.insert(agent.to_owned(), n);
            }
        }
    }
}

/// A part of a time window: whole periods of a count table, or seconds counted from the alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Periods { period: i64, first: i64, last: i64 },
    Seconds { from: i64, to: i64 },
}

/// Splits the seconds `from..=to` into whole periods of the longest of `periods` (longest
/// first) that fit, the rest into shorter ones, and what is left into seconds.
fn split_window(from: i64, to: i64, periods: &[i64], out: &mut Vec<Part>) {
    if from > to {
        return;
    }
    let Some((&period, shorter)) = periods.split_first() else {
        out.push(Part::Seconds { from, to });
        return;
    };
    let first = (from + period - 1).div_euclid(period);
    let last = (to + 1).div_euclid(period) - 1;
    if first > last {
        return split_window(from, to, shorter, out);
    }
    split_window(from, first * period - 1, shorter, out);
    out.push(Part::Periods { period, first, last });
    split_window((last + 1) * period, to, shorter, out);
}

impl Scope {
    /// The request's filters and the caller's agents.
    pub async fn of(state: &AppState, authz: &Authz, params: &Params) -> Result<Scope, ApiError> {
        let filter = AlertFilter::parse(params, oxsec_store::now_secs())?;
        let mut agents: Option<BTreeSet<String>> = filter.agents.clone().map(|a| a.into_iter().collect());
        let narrow = |agents: &mut Option<BTreeSet<String>>, ids: BTreeSet<String>| {
            *agents = Some(match agents.take() {
                Some(a) => a.intersection(&ids).cloned().collect(),
                None => ids,
            });
        };
        if let Some(group) = filter.group.clone() {
            let members = state
                .store()
                .read(move |c| oxsec_store::models::group::members(c, &group))
                .await?;
            narrow(&mut agents, members.into_iter().map(super::agents::pad).collect());
        }
        // Only the alerts of agents the caller may read (and, restricted, not of deleted agents).
        if let Some(visible) = super::agents::visible_agents(state, authz).await? {
            narrow(&mut agents, visible.into_iter().map(super::agents::pad).collect());
        }
        let mut scope = Scope {
            filter,
            agents,
            classes: None,
            catalog: Arc::default(),
            where_sql: String::new(),
            values: Vec::new(),
        };
        scope.use_catalog(classes(state).await?)?;
        Ok(scope)
    }

    /// Resolves the filter's rule and decoder conditions against `catalog`.
    fn use_catalog(&mut self, catalog: Arc<Classes>) -> Result<(), ApiError> {
        self.classes = self.filter.filters_classes().then(|| {
            catalog
                .by_number
                .iter()
                .filter(|(_, c)| self.filter.admits(c))
                .map(|(n, _)| *n)
                .collect()
        });
        self.catalog = catalog;
        let sql = compile(
            &self.query(ListQuery::default()),
            &schema()?,
            "alerts AS a",
            Dialect::Sqlite,
        )
        .map_err(wql_error)?;
        self.values = sql.count_params().to_vec();
        self.where_sql = sql.where_sql;
        Ok(())
    }

    /// The scope as list-query conditions.
    fn conditions(&self) -> Vec<Expr> {
        let mut conds = Vec::new();
        if let Some(f) = self.filter.from {
            conds.push(cond("timestamp", Op::Gt, (f - 1).to_string()));
        }
        if let Some(t) = self.filter.to {
            conds.push(cond("timestamp", Op::Lt, (t + 1).to_string()));
        }
        let any_of = |field: &str, values: Vec<String>| {
            if values.is_empty() {
                // Nothing can match: a value no alert has.
                equals(field, "-1")
            } else {
                Expr::Or(values.iter().map(|v| equals(field, v)).collect())
            }
        };
        if let Some(agents) = &self.agents {
            conds.push(any_of("agent.id", agents.iter().cloned().collect()));
        }
        if let Some(classes) = &self.classes {
            conds.push(any_of("class", classes.iter().map(i64::to_string).collect()));
        }
        conds
    }

    /// The scope's alerts as a list query.
    fn query(&self, mut query: ListQuery) -> ListQuery {
        and_filters(&mut query, self.conditions());
        query
    }

    fn admits(&self, agent: &str, class: i64) -> bool {
        self.agents.as_ref().is_none_or(|a| a.contains(agent))
            && self.classes.as_ref().is_none_or(|c| c.contains(&class))
    }

    /// The alerts of the scope's time window, whatever the other filters (from the counts).
    fn window_total(&self, conn: &oxsec_store::rusqlite::Connection) -> oxsec_store::Result<u64> {
        let window = Scope {
            filter: AlertFilter {
                from: self.filter.from,
                to: self.filter.to,
                ..AlertFilter::default()
            },
            agents: None,
            classes: None,
            catalog: self.catalog.clone(),
            where_sql: time_where(self.filter.from, self.filter.to),
            values: Vec::new(),
        };
        Ok(window.count(conn, Want::default())?.total)
    }

    /// Counts the scope's alerts. Whole days and hours of the window come from the count tables
    /// (per class when the scope filters no agent, per agent when it filters no class), the
    /// seconds at its edges from the alerts; a breakdown the tables cannot give (per class and
    /// agent, or per class of some agents) is counted from the alerts, through the indexes.
    fn count(&self, conn: &oxsec_store::rusqlite::Connection, want: Want) -> oxsec_store::Result<Tally> {
        use oxsec_store::models::alert as stored;
        let mut tally = Tally::default();
        let by_class = self.agents.is_none();
        let by_agent = self.classes.is_none();
        let from_alerts = want.pairs
            || !(by_class || by_agent)
            || (want.classes && !by_class)
            || (want.agents && !by_agent)
            || !stored::all_classified(conn)?;
        let add_counted = |tally: &mut Tally, hour: i64, agent: &str, class: i64, n: i64| {
            if !self.admits(agent, class) {
                return;
            }
            let n = u64::try_from(n).unwrap_or(0);
            tally.total += n;
            if want.classes {
                *tally.per_class.entry(class).or_default() += n;
            }
            if want.agents {
                tally.add_agent(agent, n);
            }
            if want.pairs {
                *tally.per_pair.entry((class, agent.to_owned())).or_default() += n;
            }
            if want.hours {
                *tally.per_hour.entry(hour * 3600).or_default() += n;
            }
        };
        if from_alerts {
            stored::for_each_counted_where(conn, &self.where_sql, &self.values, want.hours, |h, a, c, n| {
                add_counted(&mut tally, h, a, c, n)
            })?;
            return Ok(tally);
        }
        // Totals and hours from the class counts when they apply, else from the agent counts.
        let totals_by_class = by_class;
        let mut parts = Vec::new();
        let periods: &[i64] = if want.hours { &[3600] } else { &[86_400, 3600] };
        split_window(
            self.filter.from.unwrap_or(0),
            self.filter.to.unwrap_or(i64::MAX / 4),
            periods,
            &mut parts,
        );
        for part in parts {
            match part {
                Part::Seconds { from, to } => {
                    stored::for_each_counted(conn, from, to, |h, a, c, n| add_counted(&mut tally, h, a, c, n))?;
                }
                Part::Periods { period, first, last } => {
                    if by_class && (want.classes || totals_by_class) {
                        stored::for_each_class_count(conn, period, first, last, |at, class, n| {
                            if self.classes.as_ref().is_some_and(|c| !c.contains(&class)) {
                                return;
                            }
                            let n = u64::try_from(n).unwrap_or(0);
                            if want.classes {
                                *tally.per_class.entry(class).or_default() += n;
                            }
                            if totals_by_class {
                                tally.total += n;
                                if want.hours {
                                    *tally.per_hour.entry(at * period).or_default() += n;
                                }
                            }
                        })?;
                    }
                    if by_agent && (want.agents || !totals_by_class) {
                        stored::for_each_agent_count(conn, period, first, last, |at, agent, n| {
                            if self.agents.as_ref().is_some_and(|a| !a.contains(agent)) {
                                return;
                            }
                            let n = u64::try_from(n).unwrap_or(0);
                            if want.agents {
                                tally.add_agent(agent, n);
                            }
                            if !totals_by_class {
                                tally.total += n;
                                if want.hours {
                                    *tally.per_hour.entry(at * period).or_default() += n;
                                }
                            }
                        })?;
                    }
                }
            }
        }
        Ok(tally)
    }
}

/// What `GET /alerts/summary` can count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dimension {
    Rule,
    Level,
    Agent,
    Decoder,
    SourceIp,
    /// One of the rule's lists (`rule.groups`, `rule.pci_dss`…): one key per element.
    Tag(&'static str),
}

const SUMMARIES: &[(&str, Dimension)] = &[
    ("rule", Dimension::Rule),
    ("level", Dimension::Level),
    ("agent", Dimension::Agent),
    ("decoder", Dimension::Decoder),
    ("srcip", Dimension::SourceIp),
    ("rule_group", Dimension::Tag("rule.groups")),
    ("mitre_tactic", Dimension::Tag("rule.mitre.tactic")),
    ("mitre_technique", Dimension::Tag("rule.mitre.id")),
    ("pci_dss", Dimension::Tag("rule.pci_dss")),
    ("gdpr", Dimension::Tag("rule.gdpr")),
    ("hipaa", Dimension::Tag("rule.hipaa")),
    ("nist_800_53", Dimension::Tag("rule.nist_800_53")),
    ("tsc", Dimension::Tag("rule.tsc")),
    ("gpg13", Dimension::Tag("rule.gpg13")),
];

/// Counts keyed by JSON values, most frequent first (ties by key), at most `top`.
fn top_buckets(counts: HashMap<Value, u64>, top: usize) -> Vec<(Value, u64)> {
    let mut rows: Vec<(Value, u64)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| compare_keys(&a.0, &b.0)));
    rows.truncate(top);
    rows
}

fn compare_keys(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or_default()
            .total_cmp(&y.as_f64().unwrap_or_default()),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
        (Value::Null, _) => std::cmp::Ordering::Less,
        (_, Value::Null) => std::cmp::Ordering::Greater,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// `GET /alerts/summary`: counts of the matching alerts by each of `by` (the `top` most frequent
/// values, most frequent first), and with `interval` a time histogram (oldest bucket first).
pub async fn summary(state: &AppState, authz: &Authz, params: &Params) -> Result<AffectedItems, ApiError> {
    let mut wanted = Vec::new();
    for b in list_values(&params.text("by").unwrap_or_default()) {
        let Some((name, dimension)) = SUMMARIES.iter().find(|(name, _)| *name == b) else {
            let names: Vec<&str> = SUMMARIES.iter().map(|(n, _)| *n).collect();
            return Err(bad(
                "by",
                &b,
                format!("'{b}' is not a summary: use one or more of {} - 'by'", names.join(", ")),
            ));
        };
        wanted.push((*name, *dimension));
    }
    let top = match params.text("top") {
        None => 10,
        Some(t) => t
            .parse::<u64>()
            .ok()
            .filter(|t| (1..=oxsec_wql::WAZUH_MAX_LIMIT).contains(t))
            .ok_or_else(|| bad("top", &t, format!("'{t}' is not a count from 1 to 100000 - 'top'")))?,
    };
    let top = usize::try_from(top).unwrap_or(usize::MAX);
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
    let scope = Arc::new(Scope::of(state, authz, params).await?);
    // Everything but source addresses and sub-hour histograms is counted from the count tables.
    let hourly_histogram = interval.filter(|s| s % 3600 == 0);
    let want = Want {
        classes: wanted
            .iter()
            .any(|(_, d)| !matches!(d, Dimension::Agent | Dimension::SourceIp)),
        agents: wanted.iter().any(|(_, d)| *d == Dimension::Agent),
        pairs: false,
        hours: hourly_histogram.is_some(),
    };
    let counted = {
        let scope = scope.clone();
        let wanted = wanted.clone();
        state
            .store()
            .read(move |c| {
                let tally = scope.count(c, want)?;
                let (where_sql, values) = (&scope.where_sql, &scope.values);
                let mut by_sql = Vec::new();
                for (name, dimension) in &wanted {
                    if *dimension == Dimension::SourceIp {
                        let sql = format!(
                            "SELECT a.srcip, COUNT(*) FROM alerts AS a{where_sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {top}"
                        );
                        by_sql.push((*name, oxsec_store::list::run_grouped(c, &sql, values)?));
                    }
                }
                let histogram = match (interval, hourly_histogram) {
                    (Some(step), None) => {
                        let sql = format!(
                            "SELECT (a.epoch / {step}) * {step}, COUNT(*) FROM alerts AS a{where_sql} GROUP BY 1 ORDER BY 1"
                        );
                        Some(oxsec_store::list::run_grouped(c, &sql, values)?)
                    }
                    (_, Some(step)) => {
                        let mut buckets: BTreeMap<i64, u64> = BTreeMap::new();
                        for (at, n) in &tally.per_hour {
                            *buckets.entry(at.div_euclid(step) * step).or_default() += n;
                        }
                        Some(buckets.into_iter().map(|(k, n)| (Value::from(k), n)).collect::<Vec<_>>())
                    }
                    (None, None) => None,
                };
                Ok((tally.per_class, tally.per_agent, by_sql, histogram))
            })
            .await?
    };
    let (per_class, per_agent, mut by_sql, histogram) = counted;
    let mut result = AffectedItems::new(
        "All selected alert summaries were returned",
        "Some alert summaries were not returned",
        "No alert summary was returned",
    );
    for (name, dimension) in wanted {
        let mut counts: HashMap<Value, u64> = HashMap::new();
        let mut by_class = |key: &dyn Fn(&AlertClass) -> Vec<Value>| {
            for (class, n) in &per_class {
                if let Some(c) = scope.catalog.by_number.get(class) {
                    for k in key(c) {
                        *counts.entry(k).or_default() += n;
                    }
                }
            }
        };
        let rows = match dimension {
            Dimension::Rule => {
                by_class(&|c| vec![Value::from(c.rule_id.clone())]);
                top_buckets(counts, top)
            }
            Dimension::Level => {
                by_class(&|c| vec![Value::from(c.level)]);
                top_buckets(counts, top)
            }
            Dimension::Decoder => {
                by_class(&|c| {
                    vec![if c.decoder.is_empty() {
                        Value::Null
                    } else {
                        Value::from(c.decoder.clone())
                    }]
                });
                top_buckets(counts, top)
            }
            Dimension::Tag(field) => {
                by_class(&|c| c.values(field).map(Value::from).collect());
                top_buckets(counts, top)
            }
            Dimension::Agent => top_buckets(
                per_agent.iter().map(|(a, n)| (Value::from(a.clone()), *n)).collect(),
                top,
            ),
            Dimension::SourceIp => match by_sql.iter().position(|(n, _)| *n == name) {
                Some(i) => by_sql.swap_remove(i).1,
                None => Vec::new(),
            },
        };
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

/// The most rows a page may read walking the time index (else SQLite plans it).
const TIME_WALK_ROWS: u64 = 200_000;

/// The most alerts a window may hold for a page to walk it by time, whatever the estimate.
const TIME_WALK_WINDOW: u64 = 1_000_000;

/// A page of alerts: rendered items (with `select`) or whole alert bodies.
enum Page {
    Rendered((u64, Vec<u8>)),
    Bodies(u64, Vec<String>),
}

impl Page {
    fn split(self) -> (u64, Result<Vec<u8>, Vec<String>>) {
        match self {
            Page::Rendered((total, items)) => (total, Ok(items)),
            Page::Bodies(total, bodies) => (total, Err(bodies)),
        }
    }
}

/// `GET /alerts`.
pub async fn list(
    state: &AppState,
    authz: &Authz,
    params: &Params,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let scope = Arc::new(Scope::of(state, authz, params).await?);
    // Without `q`, `search` or `distinct` the total is the scope's count, from the count tables.
    let counted_total = query.q.is_none() && query.search.is_none() && !query.distinct;
    let newest_first = query.sort.is_empty();
    let wanted = query.offset.saturating_add(query.limit.unwrap_or(500));
    let mut query = scope.query(query);
    let whole_alerts = query.select.is_none();
    if whole_alerts {
        // The page's ids, then their bodies copied as they are.
        query.select = Some(vec!["id".to_owned()]);
    }
    let schema = schema()?;
    // Two plans for the page: SQLite's choice, and walking the time index from the newest,
    // which wins when matches are common in the window (the planner cannot know how common).
    let planned = compile(&query, &schema, "alerts AS a", Dialect::Sqlite).map_err(wql_error)?;
    let by_time =
        compile(&query, &schema, "alerts AS a INDEXED BY alerts_epoch", Dialect::Sqlite).map_err(wql_error)?;
    let (total, page) = state
        .store()
        .read(move |c| {
            let mut known = None;
            let mut sql = &planned;
            if counted_total {
                let total = scope.count(c, Want::default())?.total;
                known = Some(total);
                if newest_first && total > 0 {
                    // Rows the time index walk reads: the window's alerts per match, times the
                    // rows wanted, if matches are spread evenly. They may not be (all in the
                    // window's oldest week), so the walk is kept to windows it can read whole.
                    let window = scope.window_total(c)?;
                    if window <= TIME_WALK_WINDOW && window.saturating_mul(wanted) / total < TIME_WALK_ROWS {
                        sql = &by_time;
                    }
                }
            }
            if !whole_alerts {
                return Ok(Page::Rendered(oxsec_store::list::run_json(c, sql, known)?));
            }
            let (total, items) = oxsec_store::list::run_with_total(c, sql, known)?;
            let ids: Vec<String> = items
                .iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect();
            Ok(Page::Bodies(total, oxsec_store::models::alert::bodies_by_id(c, &ids)?))
        })
        .await?
        .split();
    let mut result = AffectedItems::new(
        "All selected alerts were returned",
        "Some alerts were not returned",
        "No alert was returned",
    );
    let page = match page {
        Ok(rendered) => {
            result.set_rendered_page(rendered, total);
            return Ok(result);
        }
        Err(bodies) => bodies,
    };
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
    pub agents: BTreeMap<String, u64>,
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
    let mut requirements: BTreeMap<String, Requirement> = Default::default();
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
    let scope = Arc::new(Scope::of(state, authz, params).await?);
    let per_class_agent = {
        let scope = scope.clone();
        state
            .store()
            .read(move |c| {
                let want = Want {
                    pairs: true,
                    ..Want::default()
                };
                Ok(scope.count(c, want)?.per_pair)
            })
            .await?
    };
    let field = format!("rule.{standard}");
    for ((class, agent), n) in per_class_agent {
        let Some(class) = scope.catalog.by_number.get(&class) else {
            continue;
        };
        for requirement in class.values(&field) {
            let entry = requirements.entry(requirement.to_owned()).or_default();
            entry.alerts += n;
            *entry.agents.entry(agent.clone()).or_default() += n;
        }
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

/// Enforces `alerts.retention_days`, `retention_max_alerts` and `retention_max_megabytes` now and
/// then every hour, in transactions of 10,000 deletions with a pause between them, so writers are
/// never held up.
pub async fn retention_loop(state: AppState) {
    let cfg = state.config().alerts.clone();
    if cfg.retention_days == 0 && cfg.retention_max_alerts == 0 && cfg.retention_max_megabytes == 0 {
        return;
    }
    let mut tick = tokio::time::interval(RETENTION_EVERY);
    loop {
        tick.tick().await;
        let retention = oxsec_store::models::alert::Retention {
            before: (cfg.retention_days > 0).then(|| {
                oxsec_store::now_secs() - i64::try_from(cfg.retention_days.saturating_mul(86_400)).unwrap_or(i64::MAX)
            }),
            keep: cfg.retention_max_alerts,
            max_bytes: cfg.retention_max_megabytes.saturating_mul(1 << 20),
        };
        let mut retention = retention;
        if retention.max_bytes > 0 {
            // Alerts cannot make room for the rest of the store: past that, deleting them all
            // would not bring the database under the limit.
            match state.store().read(oxsec_store::models::alert::other_bytes).await {
                Ok(other) if other >= retention.max_bytes => {
                    tracing::warn!(
                        other_mb = other >> 20,
                        limit_mb = cfg.retention_max_megabytes,
                        "alerts.retention_max_megabytes is below what the store holds besides alerts; no alert is deleted for size"
                    );
                    retention.max_bytes = 0;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot measure the store; no alert is deleted for size this hour");
                    retention.max_bytes = 0;
                }
            }
        }
        let mut total = 0;
        loop {
            match state
                .store()
                .write(move |tx| oxsec_store::models::alert::prune(tx, &retention, 10_000))
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

/// The stream's query: its scope's alerts after a `seq` (the last parameter).
fn stream_select(scope: &Scope) -> (String, Vec<oxsec_wql::sql::SqlValue>) {
    let select = format!(
        "SELECT a.seq, a.body FROM (SELECT * FROM alerts WHERE seq > ?{}) AS a{} ORDER BY a.seq LIMIT {STREAM_PAGE}",
        scope.values.len() + 1,
        scope.where_sql
    );
    (select, scope.values.clone())
}

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
    let mut scope = Scope::of(state, authz, params).await?;
    let mut select = stream_select(&scope);
    let mut cursor = match last_event_id {
        Some(id) => id,
        None => {
            state
                .store()
                .read(|c| Ok(c.query_row("SELECT COALESCE(MAX(seq), 0) FROM alerts", [], |r| r.get::<_, i64>(0))?))
                .await?
        }
    };
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
            // Alerts of a class new since the stream began may match its rule filters.
            if scope.filter.filters_classes() {
                if let Ok(catalog) = classes(&state).await {
                    if catalog.last != scope.catalog.last {
                        if scope.use_catalog(catalog).is_err() {
                            return;
                        }
                        select = stream_select(&scope);
                    }
                }
            }
            let (sql, mut params) = select.clone();
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
    fn windows_split_into_days_hours_and_seconds() {
        let mut parts = Vec::new();
        // 00:30:00 on day 1 to 01:59:59 on day 3.
        split_window(86_400 + 1800, 3 * 86_400 + 7199, &[86_400, 3600], &mut parts);
        assert_eq!(
            parts,
            [
                Part::Seconds {
                    from: 86_400 + 1800,
                    to: 86_400 + 3599
                },
                Part::Periods {
                    period: 3600,
                    first: 25,
                    last: 47
                },
                Part::Periods {
                    period: 86_400,
                    first: 2,
                    last: 2
                },
                Part::Periods {
                    period: 3600,
                    first: 72,
                    last: 73
                },
            ]
        );
        parts.clear();
        split_window(100, 200, &[86_400, 3600], &mut parts);
        assert_eq!(parts, [Part::Seconds { from: 100, to: 200 }]);
    }

    /// The count tables agree with counting the alerts themselves, for any window and scope.
    #[test]
    fn counts_from_the_tables_equal_counts_of_the_alerts() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = oxsec_store::Store::open(&dir.path().join("oxsec.db")).expect("store");
        store
            .with_connection_blocking(|conn| {
                counts_agree(conn);
                Ok(())
            })
            .expect("run");
    }

    fn counts_agree(conn: &oxsec_store::rusqlite::Connection) {
        use oxsec_store::models::alert::{classes_after, insert_many, NewAlert};
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let base = 1_800_000_000i64;
        let alerts: Vec<NewAlert> = (0..600)
            .map(|i| {
                let epoch = base + i64::try_from(next(5 * 86_400)).unwrap_or(0);
                let rule = 100 + next(4);
                let line = format!(
                    r#"{{"rule":{{"level":{},"id":"{rule}","groups":["g{}"]}},"agent":{{"id":"00{}"}},"id":"{epoch}.{i}"}}"#,
                    rule % 3,
                    rule % 2,
                    next(5)
                );
                NewAlert::from_line(&line, i).expect("alert")
            })
            .collect();
        insert_many(conn, &alerts).expect("insert");
        let catalog = Arc::new(Classes {
            by_number: classes_after(conn, 0).expect("classes").into_iter().collect(),
            last: 0,
        });
        for case in 0..300 {
            let from = base - 3600 + i64::try_from(next(6 * 86_400)).unwrap_or(0);
            let to = from + i64::try_from(next(4 * 86_400)).unwrap_or(0);
            let filter = AlertFilter {
                from: (case % 5 != 0).then_some(from),
                to: (case % 7 != 0).then_some(to),
                levels: (case % 3 == 1).then_some((1, 2)),
                ..AlertFilter::default()
            };
            let agents = (case % 4 == 2).then(|| ["001", "003"].iter().map(|a| (*a).to_owned()).collect());
            let mut scope = Scope {
                filter,
                agents,
                classes: None,
                catalog: Arc::default(),
                where_sql: String::new(),
                values: Vec::new(),
            };
            scope.use_catalog(catalog.clone()).expect("scope");
            let want = Want {
                classes: case % 2 == 0,
                agents: case % 3 == 0,
                pairs: false,
                hours: case % 11 == 0,
            };
            let tables = scope.count(conn, want).expect("count");
            let alerts = scope.count(conn, Want { pairs: true, ..want }).expect("count");
            assert_eq!(tables.total, alerts.total, "case {case}");
            if want.classes && scope.agents.is_none() {
                assert_eq!(tables.per_class, alerts.per_class, "case {case}");
            }
            if want.agents && scope.classes.is_none() {
                assert_eq!(tables.per_agent, alerts.per_agent, "case {case}");
            }
            if want.hours {
                assert_eq!(tables.per_hour, alerts.per_hour, "case {case}");
            }
        }
    }

    #[test]
    fn the_schema_builds() {
        schema().expect("schema");
    }
}
