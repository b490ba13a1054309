//! What agents report about themselves (migration 0010): the per-agent database flag and the
//! scan times. The listings themselves are compiled by the list engine over these tables.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// Whether `agent_id` has a database in Wazuh's sense (it connected, or a command created it).
pub fn has_database(conn: &Connection, agent_id: i64) -> Result<bool> {
    // The manager's own database always exists.
    if agent_id == 0 {
        return Ok(true);
    }
    Ok(conn
        .query_row("SELECT 1 FROM agent_databases WHERE agent_id = ?1", [agent_id], |_| {
            Ok(())
        })
        .optional()?
        .is_some())
}

/// Creates `agent_id`'s database if it has none (wazuh-db creates it on the first command).
pub fn ensure_database(conn: &Connection, agent_id: i64, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO agent_databases (agent_id, created_at) VALUES (?1, ?2) ON CONFLICT (agent_id) DO NOTHING",
        params![agent_id, now],
    )?;
    Ok(())
}

/// The first of `agents` (in their order) that has no database.
pub fn first_without_database(conn: &Connection, agents: &[i64]) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT agent_id FROM agent_databases")?;
    let with: std::collections::HashSet<i64> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(agents.iter().copied().find(|a| *a != 0 && !with.contains(a)))
}

/// Which of `agents` run Windows, by the OS name they reported (Wazuh picks the inventory
/// fields it offers by it).
pub fn windows_agents(conn: &Connection, agents: &[i64]) -> Result<std::collections::HashSet<i64>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM agents WHERE instr(os_name, 'Windows') > 0")?;
    let windows = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<std::collections::HashSet<_>>>()?;
    Ok(agents.iter().copied().filter(|a| windows.contains(a)).collect())
}

/// `None` when the agent does not exist; else its version (`None` for one that never connected).
pub fn agent_version(conn: &Connection, agent_id: i64) -> Result<Option<Option<String>>> {
    Ok(conn
        .query_row("SELECT version FROM agents WHERE id = ?1", [agent_id], |r| r.get(0))
        .optional()?)
}

/// The last file-integrity scan: (start, end) in Unix seconds, 0 when unknown.
pub fn fim_scan(conn: &Connection, agent_id: i64) -> Result<(i64, i64)> {
    Ok(conn
        .query_row(
            "SELECT start_scan, end_scan FROM agent_scan_info WHERE agent_id = ?1 AND module = 'fim'",
            [agent_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0)))
}

/// The last rootcheck scan: when its start and end markers were last seen.
pub fn rootcheck_scan(conn: &Connection, agent_id: i64) -> Result<(Option<i64>, Option<i64>)> {
    let last = |log: &str| -> Result<Option<i64>> {
        Ok(conn.query_row(
            "SELECT MAX(date_last) FROM rootcheck_events WHERE agent_id = ?1 AND log = ?2",
            params![agent_id, log],
            |r| r.get(0),
        )?)
    };
    Ok((last("Starting rootcheck scan.")?, last("Ending rootcheck scan.")?))
}

/// Empties `agent_id`'s file-integrity entries (giving it a database, as wazuh-db does).
pub fn clear_fim(conn: &Connection, agent_id: i64, now: i64) -> Result<()> {
    ensure_database(conn, agent_id, now)?;
    conn.execute("DELETE FROM fim_entries WHERE agent_id = ?1", [agent_id])?;
    Ok(())
}

/// Empties `agent_id`'s rootcheck events (giving it a database, as wazuh-db does).
pub fn clear_rootcheck(conn: &Connection, agent_id: i64, now: i64) -> Result<()> {
    ensure_database(conn, agent_id, now)?;
    conn.execute("DELETE FROM rootcheck_events WHERE agent_id = ?1", [agent_id])?;
    Ok(())
}

/// The versions of `ids` (absent ids are left out; `None`: never connected).
pub fn versions(conn: &Connection, ids: &[i64]) -> Result<std::collections::HashMap<i64, Option<String>>> {
    let mut stmt = conn.prepare_cached("SELECT version FROM agents WHERE id = ?1")?;
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if let Some(v) = stmt.query_row([id], |r| r.get::<_, Option<String>>(0)).optional()? {
            out.insert(*id, v);
        }
    }
    Ok(out)
}

/// A check's compliance mappings (`list` = `compliance`: key, value) or rules (`rules`: type,
/// rule), in the order they were stored.
pub fn sca_check_list(conn: &Connection, agent_id: i64, check: i64, list: &str) -> Result<Vec<(String, String)>> {
    let sql = if list == "compliance" {
        "SELECT key, value FROM sca_check_compliance WHERE agent_id = ?1 AND id_check = ?2 ORDER BY rowid"
    } else {
        "SELECT type, rule FROM sca_check_rules WHERE agent_id = ?1 AND id_check = ?2 ORDER BY rowid"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![agent_id, check], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}
