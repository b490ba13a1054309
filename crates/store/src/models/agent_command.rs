//! Commands queued for agents (migration 0012) until the agent connection service delivers
//! them, and what the agents report that decides whether a command may be sent.

use rusqlite::{params, Connection};

use crate::Result;

/// What a command needs to know about its agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub id: i64,
    /// The registry's connection status (`active`, `disconnected`, …).
    pub status: String,
    pub version: Option<String>,
    pub active_response_disabled: bool,
}

/// The recipients among `ids` (unknown ids are left out), by id.
pub fn recipients(conn: &Connection, ids: &[i64]) -> Result<Vec<Recipient>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, connection_status, version, active_response_disabled FROM agents WHERE id = ?1")?;
    let mut out = Vec::new();
    for id in ids {
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            out.push(Recipient {
                id: r.get(0)?,
                status: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                version: r.get(2)?,
                active_response_disabled: r.get::<_, i64>(3)? != 0,
            });
        }
    }
    Ok(out)
}

/// Queues `message` for `agent`; its id.
pub fn enqueue(conn: &Connection, agent: i64, module: &str, message: &str, now: i64) -> Result<i64> {
    conn.execute(
        "INSERT INTO agent_commands (agent_id, module, message, queued_at) VALUES (?1, ?2, ?3, ?4)",
        params![agent, module, message, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The commands not yet delivered to `agent`, oldest first: (id, module, message).
pub fn pending(conn: &Connection, agent: i64) -> Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, module, message FROM agent_commands WHERE agent_id = ?1 AND delivered_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([agent], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
