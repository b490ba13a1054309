//! Alerts the analysis engine produced, as written to `alerts.json`.
//!
//! Besides each alert's JSON, the store keeps what the searches need without reading it: the
//! alert's *class* (its rule's id, level, groups, MITRE and compliance lists, and its decoder:
//! few distinct ones, each stored once in `alert_classes`), its addresses and user, and an
//! count per class and per agent by hour and by day (`alert_counts_*`) for wide-window counts
//! and summaries.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use crate::Result;

/// What an alert takes from its rule and decoder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AlertClass {
    pub rule_id: String,
    pub level: i64,
    pub decoder: String,
    /// `(field, value)` for each element of the rule's lists (`rule.groups`, `rule.mitre.id`,
    /// `rule.mitre.tactic`, `rule.mitre.technique` and the compliance lists), in the alert's order.
    pub tags: Vec<(String, String)>,
}

impl AlertClass {
    /// The values of one of the rule's lists (`rule.groups`, `rule.pci_dss`…).
    pub fn values<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.tags
            .iter()
            .filter(move |(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }

    fn signature(&self) -> String {
        let tags: Vec<Value> = self
            .tags
            .iter()
            .map(|(f, v)| Value::from(vec![f.as_str(), v.as_str()]))
            .collect();
        serde_json::json!([self.rule_id, self.level, self.decoder, tags]).to_string()
    }

    fn from_signature(signature: &str) -> Option<AlertClass> {
        let v: Value = serde_json::from_str(signature).ok()?;
        let tags = v
            .get(3)?
            .as_array()?
            .iter()
            .filter_map(|t| Some((t.get(0)?.as_str()?.to_owned(), t.get(1)?.as_str()?.to_owned())))
            .collect();
        Some(AlertClass {
            rule_id: v.get(0)?.as_str()?.to_owned(),
            level: v.get(1)?.as_i64()?,
            decoder: v.get(2)?.as_str()?.to_owned(),
            tags,
        })
    }
}

/// An alert to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// The alert's `id` (`<epoch>.<file offset>`).
    pub alert_id: String,
    /// Processing time, Unix seconds (the id's first part).
    pub epoch: i64,
    /// The alert's `timestamp`.
    pub timestamp: String,
    /// `agent.id`.
    pub agent_id: String,
    /// `location`.
    pub location: String,
    /// `data.srcip`, `data.dstip`, `data.srcuser`.
    pub srcip: Option<String>,
    pub dstip: Option<String>,
    pub srcuser: Option<String>,
    pub class: AlertClass,
    /// Byte position of the alert's line in alerts.json.
    pub file_offset: u64,
    /// The alert JSON, one line.
    pub body: String,
}

impl NewAlert {
    /// An alert line of alerts.json (at byte `file_offset`); `None` when it is not an alert
    /// (not JSON, no `id`).
    pub fn from_line(body: &str, file_offset: u64) -> Option<NewAlert> {
        // Typed, reading only what the store keeps: ingestion parses every line.
        let line: line::Line = match serde_json::from_str(body) {
            Ok(line) => line,
            // A repeated key or a part of an unexpected type (`"data": null`): read it from the
            // whole JSON, keeping the parts that are objects.
            Err(_) => line::Line::lenient(serde_json::from_str(body).ok()?)?,
        };
        let alert_id = line.id.0?;
        let epoch = alert_id.split('.').next().and_then(|e| e.parse().ok()).unwrap_or(0);
        let rule = line.rule;
        let mut tags = Vec::new();
        let lists = [
            ("rule.groups", rule.groups),
            ("rule.mitre.id", rule.mitre.id),
            ("rule.mitre.tactic", rule.mitre.tactic),
            ("rule.mitre.technique", rule.mitre.technique),
            ("rule.pci_dss", rule.pci_dss),
            ("rule.gdpr", rule.gdpr),
            ("rule.hipaa", rule.hipaa),
            ("rule.nist_800_53", rule.nist_800_53),
            ("rule.tsc", rule.tsc),
            ("rule.gpg13", rule.gpg13),
        ];
        for (field, values) in lists {
            tags.extend(values.0.into_iter().map(|v| (field.to_owned(), v)));
        }
        Some(NewAlert {
            epoch,
            timestamp: line.timestamp.0.unwrap_or_default(),
            agent_id: line.agent.id.0.unwrap_or_default(),
            location: line.location.0.unwrap_or_default(),
            srcip: line.data.srcip.0,
            dstip: line.data.dstip.0,
            srcuser: line.data.srcuser.0,
            class: AlertClass {
                rule_id: rule.id.0.unwrap_or_default(),
                level: rule.level.0.and_then(|l| l.parse().ok()).unwrap_or(0),
                decoder: line.decoder.name.0.unwrap_or_default(),
                tags,
            },
            file_offset,
            body: body.to_owned(),
            alert_id,
        })
    }
}

/// The parts of an alert line the store reads; anything else is skipped unread, and a part of
/// an unexpected type counts as absent rather than failing the line.
mod line {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;

    impl Line {
        /// The line from its JSON, with each part that is not an object left out.
        pub fn lenient(mut value: serde_json::Value) -> Option<Line> {
            let map = value.as_object_mut()?;
            for part in ["agent", "rule", "decoder", "data"] {
                if map.get(part).is_some_and(|p| !p.is_object()) {
                    map.remove(part);
                }
            }
            if let Some(rule) = map.get_mut("rule").and_then(serde_json::Value::as_object_mut) {
                if rule.get("mitre").is_some_and(|m| !m.is_object()) {
                    rule.remove("mitre");
                }
            }
            serde_json::from_value(value).ok()
        }
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Line {
        pub id: Scalar,
        pub timestamp: Scalar,
        pub location: Scalar,
        pub agent: Agent,
        pub rule: Rule,
        pub decoder: Decoder,
        pub data: Data,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Agent {
        pub id: Scalar,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Decoder {
        pub name: Scalar,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Data {
        pub srcip: Scalar,
        pub dstip: Scalar,
        pub srcuser: Scalar,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Rule {
        pub id: Scalar,
        pub level: Scalar,
        pub groups: List,
        pub mitre: Mitre,
        pub pci_dss: List,
        pub gdpr: List,
        pub hipaa: List,
        pub nist_800_53: List,
        pub tsc: List,
        pub gpg13: List,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    pub struct Mitre {
        pub id: List,
        pub tactic: List,
        pub technique: List,
    }

    /// A string or number, as text; anything else is `None`.
    #[derive(Default)]
    pub struct Scalar(pub Option<String>);

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ScalarVisitor).map(Scalar)
        }
    }

    struct ScalarVisitor;

    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(
                serde_json::Number::from_f64(v).map_or_else(String::new, |n| n.to_string()),
            ))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }

    /// The text of each string or number of an array; anything else is empty.
    #[derive(Default)]
    pub struct List(pub Vec<String>);

    impl<'de> Deserialize<'de> for List {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct ListVisitor;
            impl<'de> Visitor<'de> for ListVisitor {
                type Value = Vec<String>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON value")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some(item) = seq.next_element::<Scalar>()? {
                        // Wazuh's lists hold strings; a nested value keeps its place as "".
                        out.push(item.0.unwrap_or_default());
                    }
                    Ok(out)
                }
                fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                    Ok(Vec::new())
                }
                fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                    Ok(Vec::new())
                }
                fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                    Ok(Vec::new())
                }
                fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                    Ok(Vec::new())
                }
                fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                    Ok(Vec::new())
                }
                fn visit_unit<E>(self) -> Result<Self::Value, E> {
                    Ok(Vec::new())
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                    Ok(Vec::new())
                }
            }
            d.deserialize_any(ListVisitor).map(List)
        }
    }
}

/// The class number of each class, added to `alert_classes` when new.
struct Classifier<'c> {
    conn: &'c Connection,
    known: HashMap<AlertClass, i64>,
}

impl<'c> Classifier<'c> {
    fn new(conn: &'c Connection) -> Self {
        Classifier {
            conn,
            known: HashMap::new(),
        }
    }

    fn number(&mut self, class: &AlertClass) -> Result<i64> {
        if let Some(n) = self.known.get(class) {
            return Ok(*n);
        }
        let signature = class.signature();
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO alert_classes (signature) VALUES (?1)")?
            .execute([&signature])?;
        let n: i64 = self
            .conn
            .prepare_cached("SELECT class FROM alert_classes WHERE signature = ?1")?
            .query_row([&signature], |r| r.get(0))?;
        self.known.insert(class.clone(), n);
        Ok(n)
    }
}

/// The lengths, in seconds, of the periods alerts are counted by.
pub const PERIODS: [i64; 2] = [3600, 86_400];

/// Alerts per period and class and per period and agent, added to (or taken from) the count
/// tables at once.
#[derive(Default)]
struct Counts {
    classes: HashMap<(i64, i64, i64), i64>,
    agents: HashMap<(i64, i64, String), i64>,
}

impl Counts {
    fn add(&mut self, epoch: i64, agent_id: &str, class: i64, n: i64) {
        for period in PERIODS {
            let at = epoch.div_euclid(period);
            *self.classes.entry((period, at, class)).or_default() += n;
            match self.agents.get_mut(&(period, at, agent_id.to_owned())) {
                Some(count) => *count += n,
                None => {
                    self.agents.insert((period, at, agent_id.to_owned()), n);
                }
            }
        }
    }

    fn apply(self, conn: &Connection, sign: i64) -> Result<()> {
        let mut classes = conn.prepare_cached(
            "INSERT INTO alert_counts_class (period, at, class, count) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (period, at, class) DO UPDATE SET count = count + excluded.count",
        )?;
        let mut drop_class = conn.prepare_cached(
            "DELETE FROM alert_counts_class WHERE period = ?1 AND at = ?2 AND class = ?3 AND count <= 0",
        )?;
        for ((period, at, class), n) in self.classes {
            classes.execute(params![period, at, class, sign * n])?;
            if sign < 0 {
                drop_class.execute(params![period, at, class])?;
            }
        }
        let mut agents = conn.prepare_cached(
            "INSERT INTO alert_counts_agent (period, at, agent_id, count) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (period, at, agent_id) DO UPDATE SET count = count + excluded.count",
        )?;
        let mut drop_agent = conn.prepare_cached(
            "DELETE FROM alert_counts_agent WHERE period = ?1 AND at = ?2 AND agent_id = ?3 AND count <= 0",
        )?;
        for ((period, at, agent), n) in self.agents {
            agents.execute(params![period, at, agent, sign * n])?;
            if sign < 0 {
                drop_agent.execute(params![period, at, agent])?;
            }
        }
        Ok(())
    }
}

fn insert(conn: &Connection, alerts: &[NewAlert], offset_of: impl Fn(&NewAlert) -> i64) -> Result<usize> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO alerts (alert_id, epoch, timestamp, agent_id, rule_id, rule_level, location,
                                       file_offset, body, class, srcip, dstip, srcuser)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let mut classes = Classifier::new(conn);
    let mut counts = Counts::default();
    let mut inserted = 0;
    for a in alerts {
        let class = classes.number(&a.class)?;
        let n = stmt.execute(params![
            a.alert_id,
            a.epoch,
            a.timestamp,
            a.agent_id,
            a.class.rule_id,
            a.class.level,
            a.location,
            offset_of(a),
            a.body,
            class,
            a.srcip,
            a.dstip,
            a.srcuser
        ])?;
        if n > 0 {
            counts.add(a.epoch, &a.agent_id, class, 1);
        }
        inserted += n;
    }
    counts.apply(conn, 1)?;
    Ok(inserted)
}

/// Stores alerts. An alert already stored (same `alert_id`) is left as it is, so replaying the
/// tail of alerts.json after a crash stores each alert once.
pub fn insert_many(conn: &Connection, alerts: &[NewAlert]) -> Result<usize> {
    insert(conn, alerts, |a| i64::try_from(a.file_offset).unwrap_or(i64::MAX))
}

/// Stores alerts imported from another manager's alerts.json (`file_offset` is the line's
/// position there): kept with a negative offset, so they never count as lines of this server's
/// own alerts.json. An alert already stored (same `alert_id`) is left as it is.
pub fn import_many(conn: &Connection, alerts: &[NewAlert]) -> Result<usize> {
    insert(conn, alerts, |a| {
        -1 - i64::try_from(a.file_offset).unwrap_or(i64::MAX - 1)
    })
}

/// Classifies (and counts) up to `batch` alerts stored before classes existed; how many.
/// Run until it returns 0.
pub fn classify_pending(conn: &Connection, batch: i64) -> Result<usize> {
    type Row = (i64, i64, String, String, String, String, i64);
    let rows: Vec<Row> = conn
        .prepare_cached(
            "SELECT seq, epoch, agent_id, alert_id, body, rule_id, rule_level FROM alerts WHERE class IS NULL LIMIT ?1",
        )?
        .query_map([batch], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<std::result::Result<_, _>>()?;
    let mut classes = Classifier::new(conn);
    let mut counts = Counts::default();
    let mut update =
        conn.prepare_cached("UPDATE alerts SET class = ?2, srcip = ?3, dstip = ?4, srcuser = ?5 WHERE seq = ?1")?;
    for (seq, epoch, agent_id, alert_id, body, rule_id, rule_level) in &rows {
        let alert = NewAlert::from_line(body, 0).unwrap_or_else(|| NewAlert {
            alert_id: alert_id.clone(),
            epoch: *epoch,
            timestamp: String::new(),
            agent_id: agent_id.clone(),
            location: String::new(),
            srcip: None,
            dstip: None,
            srcuser: None,
            // Not an alert line any more: what its columns say.
            class: AlertClass {
                rule_id: rule_id.clone(),
                level: *rule_level,
                ..AlertClass::default()
            },
            file_offset: 0,
            body: String::new(),
        });
        let class = classes.number(&alert.class)?;
        update.execute(params![seq, class, alert.srcip, alert.dstip, alert.srcuser])?;
        counts.add(*epoch, agent_id, class, 1);
    }
    counts.apply(conn, 1)?;
    Ok(rows.len())
}

/// The classes numbered after `after`, by number.
pub fn classes_after(conn: &Connection, after: i64) -> Result<Vec<(i64, AlertClass)>> {
    let mut stmt = conn.prepare_cached("SELECT class, signature FROM alert_classes WHERE class > ?1 ORDER BY class")?;
    let rows = stmt.query_map([after], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (n, signature) = row?;
        out.push((n, AlertClass::from_signature(&signature).unwrap_or_default()));
    }
    Ok(out)
}

/// Calls `f(at, class, count)` for each count by `period` (one of [`PERIODS`]) and class from
/// period `first` to `last`.
pub fn for_each_class_count(
    conn: &Connection,
    period: i64,
    first: i64,
    last: i64,
    mut f: impl FnMut(i64, i64, i64),
) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("SELECT at, class, count FROM alert_counts_class WHERE period = ?1 AND at BETWEEN ?2 AND ?3")?;
    let mut rows = stmt.query([period, first, last])?;
    while let Some(r) = rows.next()? {
        f(r.get(0)?, r.get(1)?, r.get(2)?);
    }
    Ok(())
}

/// Calls `f(at, agent_id, count)` for each count by `period` and agent from period `first` to
/// `last`.
pub fn for_each_agent_count(
    conn: &Connection,
    period: i64,
    first: i64,
    last: i64,
    mut f: impl FnMut(i64, &str, i64),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, agent_id, count FROM alert_counts_agent WHERE period = ?1 AND at BETWEEN ?2 AND ?3",
    )?;
    let mut rows = stmt.query([period, first, last])?;
    while let Some(r) = rows.next()? {
        let agent = text_at(r, 1)?;
        f(r.get(0)?, agent, r.get(2)?);
    }
    Ok(())
}

/// Calls `f(hour, agent_id, class, count)` counting the alerts themselves, for the seconds
/// `from` to `to` (the partial hours at a window's edges).
pub fn for_each_counted(conn: &Connection, from: i64, to: i64, f: impl FnMut(i64, &str, i64, i64)) -> Result<()> {
    use oxsec_wql::sql::SqlValue;
    count_alerts(
        conn,
        " WHERE a.epoch BETWEEN ?1 AND ?2",
        &[SqlValue::Integer(from), SqlValue::Integer(to)],
        true,
        f,
    )
}

/// Like [`for_each_counted`], over the alerts matching a compiled filter (`where_sql`, empty or
/// ` WHERE …` over `alerts AS a` on its time, agent and class, binding `values`). Without
/// `by_hour`, the hour passed to `f` is 0.
pub fn for_each_counted_where(
    conn: &Connection,
    where_sql: &str,
    values: &[oxsec_wql::sql::SqlValue],
    by_hour: bool,
    f: impl FnMut(i64, &str, i64, i64),
) -> Result<()> {
    count_alerts(conn, where_sql, values, by_hour, f)
}

/// Reads the time-ordered covering index (never the alerts' rows) and counts in memory, an
/// hour at a time when `by_hour` (SQLite's GROUP BY would sort millions of rows instead).
fn count_alerts(
    conn: &Connection,
    where_sql: &str,
    values: &[oxsec_wql::sql::SqlValue],
    by_hour: bool,
    mut f: impl FnMut(i64, &str, i64, i64),
) -> Result<()> {
    let params: Vec<crate::list::Param<'_>> = values.iter().map(crate::list::Param).collect();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.epoch, a.agent_id, a.class FROM alerts AS a INDEXED BY alerts_time_agent_class{where_sql}"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut agents: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut counts: HashMap<(usize, i64), i64> = HashMap::new();
    let mut hour = None;
    let mut flush = |hour: i64, counts: &mut HashMap<(usize, i64), i64>, names: &[String]| {
        for ((agent, class), n) in counts.drain() {
            f(hour, &names[agent], class, n);
        }
    };
    while let Some(r) = rows.next()? {
        let Some(class) = r.get::<_, Option<i64>>(2)? else {
            continue;
        };
        let this_hour = if by_hour {
            r.get::<_, i64>(0)?.div_euclid(3600)
        } else {
            0
        };
        if hour.is_some_and(|h| h != this_hour) {
            flush(hour.unwrap_or(0), &mut counts, &names);
        }
        hour = Some(this_hour);
        let agent = text_at(r, 1)?;
        let index = match agents.get(agent) {
            Some(i) => *i,
            None => {
                agents.insert(agent.to_owned(), names.len());
                names.push(agent.to_owned());
                names.len() - 1
            }
        };
        *counts.entry((index, class)).or_default() += 1;
    }
    if let Some(h) = hour {
        flush(h, &mut counts, &names);
    }
    Ok(())
}

/// A text column borrowed from the row (`""` for anything else): no allocation per row.
fn text_at<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str> {
    Ok(match row.get_ref(i)? {
        rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).unwrap_or_default(),
        _ => "",
    })
}

/// Whether every alert has its class (alerts stored by an older version get theirs when the
/// store opens); until then the count tables would miss some.
pub fn all_classified(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM alerts WHERE class IS NULL LIMIT 1", [], |_| Ok(()))
        .optional()?
        .is_none())
}

/// The end (offset + length + newline) of the last alert stored from alerts.json: where
/// replaying the file resumes. Imported alerts (negative offsets) are not lines of it.
pub fn stored_until(conn: &Connection) -> Result<u64> {
    let end: Option<i64> = conn
        .query_row(
            "SELECT file_offset + length(CAST(body AS BLOB)) + 1 FROM alerts WHERE file_offset >= 0
             ORDER BY file_offset DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(end.and_then(|e| u64::try_from(e).ok()).unwrap_or(0))
}

/// The bodies of a rule's alerts, oldest first (at most `limit`).
pub fn bodies_of_rule(conn: &Connection, rule_id: &str, limit: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM alerts WHERE rule_id = ?1 ORDER BY seq LIMIT ?2")?;
    let rows = stmt.query_map(params![rule_id, limit], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// The bodies of the alerts with these ids, in the order of `ids` (unknown ids left out).
pub fn bodies_by_id(conn: &Connection, ids: &[String]) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM alerts WHERE alert_id = ?1")?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(body) = stmt.query_row([id], |r| r.get::<_, String>(0)).optional()? {
            out.push(body);
        }
    }
    Ok(out)
}

/// What retention keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Alerts older than this (Unix seconds) go.
    pub before: Option<i64>,
    /// At most this many alerts are kept (0 = no limit).
    pub keep: u64,
    /// The database is kept under this many bytes in use (0 = no limit).
    pub max_bytes: u64,
}

/// Deletes up to `batch` of the oldest alerts beyond what `retention` keeps; how many went.
/// Run until it returns 0.
pub fn prune(conn: &Connection, retention: &Retention, batch: i64) -> Result<usize> {
    let Retention {
        before,
        keep,
        max_bytes,
    } = *retention;
    let mut gone = 0;
    if let Some(before) = before {
        gone += delete_oldest(conn, "WHERE epoch < ?1", before, batch)?;
    }
    if keep > 0 {
        let count = count(conn)?;
        let excess = count.saturating_sub(i64::try_from(keep).unwrap_or(i64::MAX));
        if excess > 0 {
            gone += delete_oldest(conn, "WHERE ?1 = ?1", 0, excess.min(batch))?;
        }
    }
    if max_bytes > 0 && gone == 0 && used_bytes(conn)? > max_bytes {
        gone += delete_oldest(conn, "WHERE ?1 = ?1", 0, batch)?;
    }
    Ok(gone)
}

/// Bytes the database holds for everything but alerts (agents, inventory, security…): what
/// size-based retention cannot free.
pub fn other_bytes(conn: &Connection) -> Result<u64> {
    let names: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE rootpage > 0
             AND tbl_name NOT IN ('alerts', 'alert_classes', 'alert_counts_class', 'alert_counts_agent')",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    let mut stmt = conn.prepare("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = ?1 AND aggregate = TRUE")?;
    let mut total: i64 = 0;
    for name in names {
        total += stmt.query_row([name], |r| r.get::<_, i64>(0))?;
    }
    Ok(u64::try_from(total).unwrap_or(0))
}

/// Bytes of the database in use (its pages less the free ones).
pub fn used_bytes(conn: &Connection) -> Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(u64::try_from((pages - free) * size).unwrap_or(0))
}

/// Deletes the oldest `limit` alerts matching `filter` (binding `?1` to `value`), taking them
/// out of the counts too.
fn delete_oldest(conn: &Connection, filter: &str, value: i64, limit: i64) -> Result<usize> {
    let victims = format!("SELECT seq FROM alerts {filter} ORDER BY epoch, seq LIMIT ?2");
    let mut counts = Counts::default();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT epoch, agent_id, class FROM alerts WHERE seq IN ({victims}) AND class IS NOT NULL"
        ))?;
        let mut rows = stmt.query(params![value, limit])?;
        while let Some(r) = rows.next()? {
            counts.add(r.get(0)?, &r.get::<_, String>(1)?, r.get(2)?, 1);
        }
    }
    let gone = conn.execute(
        &format!("DELETE FROM alerts WHERE seq IN ({victims})"),
        params![value, limit],
    )?;
    counts.apply(conn, -1)?;
    Ok(gone)
}

/// How many alerts are stored.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM alerts", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str, offset: u64, body: &str) -> NewAlert {
        NewAlert {
            alert_id: id.into(),
            epoch: 1_700_000_000,
            timestamp: "2023-11-14T22:13:20.000+0000".into(),
            agent_id: "000".into(),
            location: "API-Webhook".into(),
            srcip: None,
            dstip: None,
            srcuser: None,
            class: AlertClass {
                rule_id: "5712".into(),
                level: 10,
                ..AlertClass::default()
            },
            file_offset: offset,
            body: body.into(),
        }
    }

    fn older_than(before: i64) -> Retention {
        Retention {
            before: Some(before),
            ..Retention::default()
        }
    }

    fn at_most(keep: u64) -> Retention {
        Retention {
            keep,
            ..Retention::default()
        }
    }

    #[test]
    fn retention_by_size_deletes_the_oldest_until_the_database_fits() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut conn = Connection::open(dir.path().join("db")).expect("open");
        crate::migrate::apply(&mut conn).expect("migrate");
        let big = "x".repeat(2000);
        let alerts: Vec<NewAlert> = (0..2000)
            .map(|i| NewAlert {
                epoch: 1_000 + i,
                ..alert(&format!("{}.{i}", 1_000 + i), i as u64, &big)
            })
            .collect();
        insert_many(&conn, &alerts).expect("insert");
        let full = used_bytes(&conn).expect("size");
        assert!(full > 4_000_000, "{full}");
        let other = other_bytes(&conn).expect("other");
        assert!(other > 0 && other < full / 4, "{other} of {full}");
        let limit = full / 2;
        let retention = Retention {
            max_bytes: limit,
            ..Retention::default()
        };
        while prune(&conn, &retention, 100).expect("prune") > 0 {}
        assert!(used_bytes(&conn).expect("size") <= limit);
        let left = count(&conn).expect("count");
        assert!((800..1100).contains(&left), "{left}");
        let oldest: i64 = conn
            .query_row("SELECT MIN(epoch) FROM alerts", [], |r| r.get(0))
            .expect("min");
        assert_eq!(oldest, 1_000 + 2000 - left, "the newest are kept");
    }

    fn hourly_total(conn: &Connection) -> i64 {
        let sum = |table: &str, period: i64| -> i64 {
            conn.query_row(
                &format!("SELECT COALESCE(SUM(count), 0) FROM {table} WHERE period = ?1"),
                [period],
                |r| r.get(0),
            )
            .expect("sum")
        };
        let totals: Vec<i64> = PERIODS
            .iter()
            .flat_map(|p| [sum("alert_counts_class", *p), sum("alert_counts_agent", *p)])
            .collect();
        assert!(totals.windows(2).all(|w| w[0] == w[1]), "{totals:?}");
        totals[0]
    }

    #[test]
    fn classes_and_hourly_counts_follow_inserts_and_deletes() {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::migrate::apply(&mut conn).expect("migrate");
        let line = |id: &str, rule: &str, agent: &str| {
            format!(
                r#"{{"timestamp":"t","rule":{{"level":5,"id":"{rule}","groups":["sshd","authentication_failed"],"pci_dss":["10.2.4"]}},"agent":{{"id":"{agent}"}},"id":"{id}","decoder":{{"name":"sshd"}},"data":{{"srcip":"10.0.0.1"}},"location":"x"}}"#
            )
        };
        let alerts: Vec<NewAlert> = [
            ("3600.0", "5710", "001"),
            ("3601.1", "5710", "002"),
            ("7300.2", "5710", "001"),
            ("7301.3", "5711", "001"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (id, rule, agent))| NewAlert::from_line(&line(id, rule, agent), i as u64).expect("alert"))
        .collect();
        assert_eq!(alerts[0].srcip.as_deref(), Some("10.0.0.1"));
        assert_eq!(
            alerts[0].class.values("rule.groups").collect::<Vec<_>>(),
            ["sshd", "authentication_failed"]
        );
        assert_eq!(insert_many(&conn, &alerts).expect("insert"), 4);
        assert_eq!(
            insert_many(&conn, &alerts).expect("again"),
            0,
            "replays are not counted twice"
        );
        let classes = classes_after(&conn, 0).expect("classes");
        assert_eq!(classes.len(), 2, "two rules, one decoder: two classes");
        assert_eq!(classes[0].1, alerts[0].class);
        let mut hours = Vec::new();
        for_each_class_count(&conn, 3600, 0, 10, |h, c, n| hours.push((h, c, n))).expect("hourly");
        hours.sort();
        assert_eq!(hours, [(1, 1, 2), (2, 1, 1), (2, 2, 1)]);
        let mut days = Vec::new();
        for_each_agent_count(&conn, 86_400, 0, 10, |d, a, n| days.push((d, a.to_owned(), n))).expect("daily");
        days.sort();
        assert_eq!(days, [(0, "001".into(), 3), (0, "002".into(), 1)]);
        let mut counted = Vec::new();
        for_each_counted(&conn, 3600, 3600, |h, a, c, n| counted.push((h, a.to_owned(), c, n))).expect("counted");
        assert_eq!(counted, [(1, "001".into(), 1, 1)]);
        // Retention takes the deleted alerts out of the hourly counts.
        assert_eq!(prune(&conn, &older_than(7_000), 100).expect("prune"), 2);
        assert_eq!(hourly_total(&conn), 2);
        assert_eq!(prune(&conn, &at_most(1), 100).expect("prune"), 1);
        assert_eq!(hourly_total(&conn), 1);
    }

    #[test]
    fn odd_alert_lines_are_still_read() {
        let a = NewAlert::from_line(
            r#"{"id":"5.1","rule":{"id":"9","level":3,"level":4,"mitre":null},"data":null,"agent":"001"}"#,
            0,
        )
        .expect("read");
        assert_eq!((a.class.rule_id.as_str(), a.class.level), ("9", 4));
        assert_eq!(a.srcip, None);
        assert!(NewAlert::from_line("not json", 0).is_none());
        assert!(
            NewAlert::from_line(r#"{"rule":{}}"#, 0).is_none(),
            "no id: not an alert"
        );
    }

    #[test]
    fn alerts_stored_before_classes_are_classified_later() {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::migrate::apply(&mut conn).expect("migrate");
        let body = r#"{"rule":{"level":3,"id":"100"},"agent":{"id":"001"},"id":"3600.0","data":{"srcuser":"root"}}"#;
        conn.execute(
            "INSERT INTO alerts (alert_id, epoch, timestamp, agent_id, rule_id, rule_level, location, file_offset, body)
             VALUES ('3600.0', 3600, '', '001', '100', 3, '', 0, ?1)",
            [body],
        )
        .expect("old row");
        assert!(!all_classified(&conn).expect("check"));
        assert_eq!(classify_pending(&conn, 10).expect("classify"), 1);
        assert_eq!(classify_pending(&conn, 10).expect("classify"), 0);
        assert!(all_classified(&conn).expect("check"));
        assert_eq!(hourly_total(&conn), 1);
        let user: String = conn
            .query_row("SELECT srcuser FROM alerts", [], |r| r.get(0))
            .expect("srcuser");
        assert_eq!(user, "root");
    }

    #[test]
    fn retention_removes_the_oldest_first_in_batches() {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::migrate::apply(&mut conn).expect("migrate");
        let alerts: Vec<NewAlert> = (0..10)
            .map(|i| NewAlert {
                epoch: 1_000 + i,
                ..alert(&format!("{}.{i}", 1_000 + i), i as u64 * 10, "{}")
            })
            .collect();
        insert_many(&conn, &alerts).expect("insert");
        // Older than 1004: four alerts, in batches of three.
        assert_eq!(prune(&conn, &older_than(1_004), 3).expect("prune"), 3);
        assert_eq!(prune(&conn, &older_than(1_004), 3).expect("prune"), 1);
        assert_eq!(prune(&conn, &older_than(1_004), 3).expect("prune"), 0);
        // At most four kept: the two oldest of the six left go.
        assert_eq!(prune(&conn, &at_most(4), 100).expect("prune"), 2);
        assert_eq!(count(&conn).expect("count"), 4);
        let oldest: i64 = conn
            .query_row("SELECT MIN(epoch) FROM alerts", [], |r| r.get(0))
            .expect("min");
        assert_eq!(oldest, 1_006);
    }

    #[test]
    fn alerts_are_stored_once_and_replay_resumes_after_the_last() {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::migrate::apply(&mut conn).expect("migrate");
        assert_eq!(stored_until(&conn).expect("until"), 0);
        let a = alert("1700000000.0", 0, "{\"a\":1}");
        let b = alert("1700000000.8", 8, "{\"b\":22}");
        assert_eq!(insert_many(&conn, &[a.clone(), b.clone()]).expect("insert"), 2);
        assert_eq!(
            insert_many(&conn, &[b]).expect("again"),
            0,
            "a replayed alert is not stored twice"
        );
        assert_eq!(count(&conn).expect("count"), 2);
        assert_eq!(stored_until(&conn).expect("until"), 8 + 8 + 1);
        assert_eq!(
            bodies_of_rule(&conn, "5712", 10).expect("bodies"),
            ["{\"a\":1}", "{\"b\":22}"]
        );
        // Imported alerts (another manager's file, far larger offsets) do not move where this
        // server's own alerts.json resumes, and are stored once too.
        let imported = alert("1600000000.900000", 900_000, "{\"c\":3}");
        assert_eq!(import_many(&conn, std::slice::from_ref(&imported)).expect("import"), 1);
        assert_eq!(import_many(&conn, &[imported]).expect("import again"), 0);
        assert_eq!(stored_until(&conn).expect("until"), 8 + 8 + 1);
        assert_eq!(
            bodies_by_id(&conn, &["1600000000.900000".into(), "1700000000.0".into()]).expect("bodies"),
            ["{\"c\":3}", "{\"a\":1}"]
        );
    }
}
