//! Writing what an agent reports about itself (inventory, file integrity, SCA) into the tables
//! of migrations 0010/0011, in one transaction: the path of the ingest endpoint now and of the
//! agent connection service later. Callers check values against the columns' types first;
//! column names here are always the store's own (never taken from a request).

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use crate::models::agent_data::ensure_database;
use crate::Result;

/// One row: (column, value) pairs.
pub type Row = Vec<(&'static str, Value)>;

/// An SCA check: its `sca_checks` columns, compliance (key, value) pairs and rules (type, rule).
pub type ScaCheck = (Row, Vec<(String, String)>, Vec<(String, String)>);

/// An SCA policy with its last scan and checks, replacing what the agent had for it.
#[derive(Debug, Default)]
pub struct ScaPolicy {
    /// `sca_policies` columns (`id` among them).
    pub policy: Row,
    /// `sca_scan_info` columns, if the report carries the scan summary.
    pub scan: Option<Row>,
    /// `sca_checks` columns of each check, with its compliance (key, value) and rules (type, rule).
    pub checks: Vec<ScaCheck>,
}

/// What one report changes.
#[derive(Debug, Default)]
pub struct AgentState {
    /// Inventory: each listed table's rows replace the agent's rows of that table (a full scan).
    pub inventory: Vec<(&'static str, Vec<Row>)>,
    /// File-integrity entries to insert or replace, by `full_path`.
    pub fim_entries: Vec<Row>,
    /// File-integrity entries gone, by path.
    pub fim_deleted: Vec<String>,
    /// The last file-integrity scan, (start, end) in Unix seconds.
    pub fim_scan: Option<(i64, i64)>,
    /// SCA policies reported.
    pub sca: Vec<ScaPolicy>,
}

fn insert(conn: &Connection, table: &str, agent: i64, row: &Row, replace: bool) -> Result<()> {
    let columns: Vec<String> = row.iter().map(|(c, _)| format!("\"{c}\"")).collect();
    let holes: Vec<String> = (0..=row.len()).map(|i| format!("?{}", i + 1)).collect();
    let verb = if replace { "INSERT OR REPLACE" } else { "INSERT" };
    let sql = format!(
        "{verb} INTO {table} (agent_id{}{}) VALUES ({})",
        if columns.is_empty() { "" } else { ", " },
        columns.join(", "),
        holes.join(", ")
    );
    let values = std::iter::once(Value::Integer(agent)).chain(row.iter().map(|(_, v)| v.clone()));
    conn.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    Ok(())
}

/// Why a report cannot be applied to what the store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Applies `state` to `agent` (which then has a database, as after Wazuh's first report); the
/// number of rows written or removed, or why nothing was written. Runs inside the caller's
/// transaction.
pub fn apply(
    conn: &Connection,
    agent: i64,
    state: &AgentState,
    now: i64,
) -> Result<std::result::Result<usize, Refused>> {
    // An SCA check id is the agent's: one policy cannot take another's check.
    for (i, policy) in state.sca.iter().enumerate() {
        let Some(Value::Text(id)) = policy.policy.iter().find(|(c, _)| *c == "id").map(|(_, v)| v) else {
            continue;
        };
        for (j, (check, _, _)) in policy.checks.iter().enumerate() {
            let Some(Value::Integer(check_id)) = check.iter().find(|(c, _)| *c == "id").map(|(_, v)| v) else {
                continue;
            };
            let owner: Option<String> = conn
                .query_row(
                    "SELECT policy_id FROM sca_checks WHERE agent_id = ?1 AND id = ?2",
                    params![agent, check_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(owner) = owner.filter(|o| o != id) {
                return Ok(Err(Refused(format!(
                    "sca[{i}].checks[{j}].id: check {check_id} belongs to policy {owner}"
                ))));
            }
        }
    }
    ensure_database(conn, agent, now)?;
    let mut changed = 0;
    for (table, rows) in &state.inventory {
        changed += conn.execute(&format!("DELETE FROM {table} WHERE agent_id = ?1"), [agent])?;
        for row in rows {
            insert(conn, table, agent, row, false)?;
            changed += 1;
        }
    }
    for row in &state.fim_entries {
        insert(conn, "fim_entries", agent, row, true)?;
        changed += 1;
    }
    for path in &state.fim_deleted {
        changed += conn.execute(
            "DELETE FROM fim_entries WHERE agent_id = ?1 AND full_path = ?2",
            params![agent, path],
        )?;
    }
    if let Some((start, end)) = state.fim_scan {
        conn.execute(
            "INSERT INTO agent_scan_info (agent_id, module, first_start, first_end, start_scan, end_scan)
             VALUES (?1, 'fim', ?2, ?3, ?2, ?3)
             ON CONFLICT (agent_id, module) DO UPDATE SET start_scan = excluded.start_scan, end_scan = excluded.end_scan",
            params![agent, start, end],
        )?;
        changed += 1;
    }
    for policy in &state.sca {
        let Some(Value::Text(id)) = policy.policy.iter().find(|(c, _)| *c == "id").map(|(_, v)| v) else {
            continue;
        };
        for table in ["sca_check_rules", "sca_check_compliance"] {
            changed += conn.execute(
                &format!(
                    "DELETE FROM {table} WHERE agent_id = ?1 AND id_check IN
                     (SELECT id FROM sca_checks WHERE agent_id = ?1 AND policy_id = ?2)"
                ),
                params![agent, id],
            )?;
        }
        changed += conn.execute(
            "DELETE FROM sca_checks WHERE agent_id = ?1 AND policy_id = ?2",
            params![agent, id],
        )?;
        // Without a new scan summary the last one stays (the policy lists only with one).
        if policy.scan.is_some() {
            changed += conn.execute(
                "DELETE FROM sca_scan_info WHERE agent_id = ?1 AND policy_id = ?2",
                params![agent, id],
            )?;
        }
        insert(conn, "sca_policies", agent, &policy.policy, true)?;
        changed += 1;
        if let Some(scan) = &policy.scan {
            insert(conn, "sca_scan_info", agent, scan, true)?;
            changed += 1;
        }
        for (check, compliance, rules) in &policy.checks {
            insert(conn, "sca_checks", agent, check, true)?;
            let Some(Value::Integer(check_id)) = check.iter().find(|(c, _)| *c == "id").map(|(_, v)| v) else {
                continue;
            };
            for (key, value) in compliance {
                conn.execute(
                    "INSERT OR IGNORE INTO sca_check_compliance (agent_id, id_check, key, value) VALUES (?1, ?2, ?3, ?4)",
                    params![agent, check_id, key, value],
                )?;
            }
            for (kind, rule) in rules {
                conn.execute(
                    "INSERT OR IGNORE INTO sca_check_rules (agent_id, id_check, type, rule) VALUES (?1, ?2, ?3, ?4)",
                    params![agent, check_id, kind, rule],
                )?;
            }
            changed += 1 + compliance.len() + rules.len();
        }
    }
    Ok(Ok(changed))
}
