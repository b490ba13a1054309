//! Alerts the analysis engine produced, as written to `alerts.json`.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// An alert to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// The alert's `id` (`<epoch>.<file offset>`).
    pub alert_id: String,
    /// Processing time, Unix seconds.
    pub epoch: i64,
    /// The alert's `timestamp`.
    pub timestamp: String,
    /// `agent.id`.
    pub agent_id: String,
    /// `rule.id`.
    pub rule_id: String,
    /// `rule.level`.
    pub rule_level: i64,
    /// `location`.
    pub location: String,
    /// Byte position of the alert's line in alerts.json.
    pub file_offset: u64,
    /// The alert JSON, one line.
    pub body: String,
}

/// Stores alerts. An alert already stored (same `alert_id`) is left as it is, so replaying the
/// tail of alerts.json after a crash stores each alert once.
pub fn insert_many(conn: &Connection, alerts: &[NewAlert]) -> Result<usize> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO alerts (alert_id, epoch, timestamp, agent_id, rule_id, rule_level, location, file_offset, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut inserted = 0;
    for a in alerts {
        inserted += stmt.execute(params![
            a.alert_id,
            a.epoch,
            a.timestamp,
            a.agent_id,
            a.rule_id,
            a.rule_level,
            a.location,
            i64::try_from(a.file_offset).unwrap_or(i64::MAX),
            a.body
        ])?;
    }
    Ok(inserted)
}

/// Stores alerts imported from another manager's alerts.json (`file_offset` is the line's
/// position there): kept with a negative offset, so they never count as lines of this server's
/// own alerts.json. An alert already stored (same `alert_id`) is left as it is.
pub fn import_many(conn: &Connection, alerts: &[NewAlert]) -> Result<usize> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO alerts (alert_id, epoch, timestamp, agent_id, rule_id, rule_level, location, file_offset, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut inserted = 0;
    for a in alerts {
        inserted += stmt.execute(params![
            a.alert_id,
            a.epoch,
            a.timestamp,
            a.agent_id,
            a.rule_id,
            a.rule_level,
            a.location,
            -1 - i64::try_from(a.file_offset).unwrap_or(i64::MAX - 1),
            a.body
        ])?;
    }
    Ok(inserted)
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

/// Deletes up to `batch` of the oldest alerts: those older than `before` (Unix seconds), or
/// beyond the newest `keep` (0 = no count limit); how many went.
pub fn prune(conn: &Connection, before: Option<i64>, keep: u64, batch: i64) -> Result<usize> {
    let mut gone = 0;
    if let Some(before) = before {
        gone += conn.execute(
            "DELETE FROM alerts WHERE seq IN (SELECT seq FROM alerts WHERE epoch < ?1 ORDER BY epoch, seq LIMIT ?2)",
            params![before, batch],
        )?;
    }
    if keep > 0 {
        let count = count(conn)?;
        let excess = count.saturating_sub(i64::try_from(keep).unwrap_or(i64::MAX));
        if excess > 0 {
            gone += conn.execute(
                "DELETE FROM alerts WHERE seq IN (SELECT seq FROM alerts ORDER BY epoch, seq LIMIT ?1)",
                params![excess.min(batch)],
            )?;
        }
    }
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
            rule_id: "5712".into(),
            rule_level: 10,
            location: "API-Webhook".into(),
            file_offset: offset,
            body: body.into(),
        }
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
        assert_eq!(prune(&conn, Some(1_004), 0, 3).expect("prune"), 3);
        assert_eq!(prune(&conn, Some(1_004), 0, 3).expect("prune"), 1);
        assert_eq!(prune(&conn, Some(1_004), 0, 3).expect("prune"), 0);
        // At most four kept: the two oldest of the six left go.
        assert_eq!(prune(&conn, None, 4, 100).expect("prune"), 2);
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
