//! Versioned schema migrations, applied in order at start, each in its own transaction.

use rusqlite::Connection;

use crate::{Error, Result};

/// Migrations by version; never edit one that has shipped, add a new one.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_security.sql")),
    (2, include_str!("../migrations/sqlite/0002_rbac_catalog.sql")),
    (3, include_str!("../migrations/sqlite/0003_agents.sql")),
    (4, include_str!("../migrations/sqlite/0004_agent_status_indexes.sql")),
    (5, include_str!("../migrations/sqlite/0005_groups_labels_tasks.sql")),
    (6, include_str!("../migrations/sqlite/0006_connection_status.sql")),
    (7, include_str!("../migrations/sqlite/0007_alerts.sql")),
    (8, include_str!("../migrations/sqlite/0008_mitre.sql")),
    (9, include_str!("../migrations/sqlite/0009_cluster_nodes.sql")),
    (10, include_str!("../migrations/sqlite/0010_agent_data.sql")),
    (11, include_str!("../migrations/sqlite/0011_inventory.sql")),
    (12, include_str!("../migrations/sqlite/0012_agent_commands.sql")),
    (13, include_str!("../migrations/sqlite/0013_vulnerabilities.sql")),
    (14, include_str!("../migrations/sqlite/0014_inventory_name_index.sql")),
    (15, include_str!("../migrations/sqlite/0015_agent_commands_index.sql")),
    (
        16,
        include_str!("../migrations/sqlite/0016_alert_classes_and_rollup.sql"),
    ),
];

/// The newest schema version this build knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// The version the database is at.
pub fn current_version(conn: &Connection) -> Result<u32> {
    Ok(
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| {
            r.get(0)
        })?,
    )
}

/// Brings the database to [`latest_version`].
pub fn apply(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let current = current_version(conn)?;
    if current > latest_version() {
        return Err(Error::TooNew {
            found: current,
            known: latest_version(),
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql).map_err(|source| Error::Migration {
            version: *version,
            source,
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            (version, crate::now_secs()),
        )?;
        tx.commit()?;
        tracing::info!(version, "applied store migration");
    }
    Ok(())
}
