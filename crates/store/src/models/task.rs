//! Task records (Wazuh's `tasks.db`): one per agent upgrade request.

use rusqlite::{params, Connection};

use crate::Result;

/// A new task.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    /// Target agent.
    pub agent_id: i64,
    /// Node that received the request.
    pub node: &'a str,
    /// `upgrade_module` for upgrades.
    pub module: &'a str,
    /// `upgrade` or `upgrade_custom`.
    pub command: &'a str,
    /// Creation time (epoch seconds).
    pub now: i64,
    /// `Pending`, `In progress`, `Done`, `Failed`, `Legacy`, `Timeout`, `Cancelled`.
    pub status: &'a str,
    /// Why it failed, if it did.
    pub error_message: Option<&'a str>,
}

/// Inserts a task and returns its id.
pub fn insert(conn: &Connection, t: &NewTask<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO tasks (agent_id, node, module, command, create_time, last_update_time, status, error_message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
        params![
            t.agent_id,
            t.node,
            t.module,
            t.command,
            t.now,
            t.status,
            t.error_message
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A stored task as `upgrade_result` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Task id.
    pub task_id: i64,
    /// Stored status (`Pending`, `In progress`, `Done`, `Failed`, …).
    pub status: String,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Creation time (epoch seconds).
    pub create_time: i64,
    /// Last update (epoch seconds).
    pub last_update_time: i64,
    /// `upgrade` or `upgrade_custom`.
    pub command: String,
}

/// An agent's newest task.
pub fn latest_of(conn: &Connection, agent_id: i64) -> Result<Option<Task>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT task_id, status, error_message, create_time, last_update_time, command FROM tasks
             WHERE agent_id = ?1 ORDER BY task_id DESC LIMIT 1",
            [agent_id],
            |r| {
                Ok(Task {
                    task_id: r.get(0)?,
                    status: r.get(1)?,
                    error_message: r.get(2)?,
                    create_time: r.get(3)?,
                    last_update_time: r.get(4)?,
                    command: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Marks tasks that have waited longer than `timeout` seconds without an agent answer as timed out,
/// as Wazuh's task manager does.
pub fn expire(conn: &Connection, now: i64, timeout: i64) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE tasks SET status = 'Timeout', last_update_time = ?1
         WHERE status IN ('Pending', 'In progress') AND last_update_time < ?1 - ?2",
        params![now, timeout],
    )?)
}
