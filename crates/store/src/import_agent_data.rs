//! Import of what agents reported to a Wazuh manager: each agent's own wazuh-db database
//! (`queue/db/NNN.db`: file integrity, scan times, rootcheck, SCA, CIS-CAT, inventory, and the
//! vulnerabilities of 4.7 managers) copied into the store's tables of the same columns
//! (migrations 0010, 0011, 0013).
//!
//! Each file is attached read-only and copied in one transaction per agent, replacing what the
//! store held for that agent: a failure leaves that agent as it was. Columns are matched by
//! name, so databases of older Wazuh versions (fewer columns) import too.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::{Error, Result};

/// wazuh-db table → store table, and the columns copied.
const TABLES: &[(&str, &str, &[&str])] = &[
    (
        "fim_entry",
        "fim_entries",
        &[
            "full_path",
            "file",
            "type",
            "date",
            "changes",
            "arch",
            "value_name",
            "value_type",
            "size",
            "perm",
            "uid",
            "gid",
            "md5",
            "sha1",
            "uname",
            "gname",
            "mtime",
            "inode",
            "sha256",
            "attributes",
            "symbolic_path",
            "checksum",
        ],
    ),
    (
        "scan_info",
        "agent_scan_info",
        &[
            "module",
            "first_start",
            "first_end",
            "start_scan",
            "end_scan",
            "fim_first_check",
            "fim_second_check",
            "fim_third_check",
        ],
    ),
    (
        "pm_event",
        "rootcheck_events",
        &["id", "date_first", "date_last", "log", "pci_dss", "cis"],
    ),
    (
        "sca_policy",
        "sca_policies",
        &["id", "name", "file", "description", "references", "hash_file"],
    ),
    (
        "sca_scan_info",
        "sca_scan_info",
        &[
            "id",
            "start_scan",
            "end_scan",
            "policy_id",
            "pass",
            "fail",
            "invalid",
            "total_checks",
            "score",
            "hash",
        ],
    ),
    (
        "sca_check",
        "sca_checks",
        &[
            "id",
            "scan_id",
            "policy_id",
            "title",
            "description",
            "rationale",
            "remediation",
            "file",
            "process",
            "directory",
            "registry",
            "command",
            "references",
            "result",
            "reason",
            "condition",
        ],
    ),
    ("sca_check_rules", "sca_check_rules", &["id_check", "type", "rule"]),
    (
        "sca_check_compliance",
        "sca_check_compliance",
        &["id_check", "key", "value"],
    ),
    (
        "vuln_cves",
        "vuln_cves",
        &[
            "name",
            "version",
            "architecture",
            "cve",
            "detection_time",
            "severity",
            "cvss2_score",
            "cvss3_score",
            "reference",
            "type",
            "status",
            "external_references",
            "condition",
            "title",
            "published",
            "updated",
        ],
    ),
    // Upper-case columns in wazuh-db; SQLite matches names case-insensitively.
    (
        "vuln_metadata",
        "vuln_metadata",
        &["last_partial_scan", "last_full_scan"],
    ),
    (
        "ciscat_results",
        "ciscat_results",
        &[
            "id",
            "scan_id",
            "scan_time",
            "benchmark",
            "profile",
            "pass",
            "fail",
            "error",
            "notchecked",
            "unknown",
            "score",
        ],
    ),
];

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportedAgentData {
    /// Agent databases copied.
    pub agents: usize,
    /// Rows copied, all tables together.
    pub rows: usize,
    /// Database files of agents the store does not know (import the agents first), by name.
    pub unknown_agents: Vec<String>,
    /// Database files that could not be copied, with the reason; those agents are unchanged.
    pub failed: Vec<String>,
}

/// The agent databases in `queue_db` (`NNN.db`, by agent id).
fn agent_files(queue_db: &Path) -> Result<Vec<(i64, PathBuf)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(queue_db).map_err(|e| Error::Import(format!("{}: {e}", queue_db.display())))? {
        let entry = entry.map_err(|e| Error::Import(format!("{}: {e}", queue_db.display())))?;
        let name = entry.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".db")) else {
            continue;
        };
        if stem.len() >= 3 && stem.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(id) = stem.parse::<i64>() {
                files.push((id, entry.path()));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A private copy of an agent database (and its write-ahead log), so that reading it never
/// creates files (`-shm`) in the manager's own directory, where wazuh-db would later find them
/// with the wrong owner.
struct PrivateCopy {
    dir: PathBuf,
    db: PathBuf,
}

impl PrivateCopy {
    fn remove(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn private_copy(path: &Path) -> Result<PrivateCopy> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let io = |e: std::io::Error| Error::Import(format!("{}: {e}", path.display()));
    let dir = std::env::temp_dir().join(format!(
        "oxsec-import-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir(&dir).map_err(io)?;
    let db = dir.join("agent.db");
    let copied = std::fs::copy(path, &db).and_then(|_| {
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        if wal.is_file() {
            std::fs::copy(&wal, dir.join("agent.db-wal"))?;
        }
        Ok(())
    });
    match copied {
        Ok(()) => Ok(PrivateCopy { dir, db }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(io(e))
        }
    }
}

/// A `file:` URI opening `path` read-only.
fn read_only_uri(path: &Path) -> Result<String> {
    let text = path
        .to_str()
        .ok_or_else(|| Error::Import(format!("{}: not a UTF-8 path", path.display())))?;
    let mut uri = String::from("file:");
    for c in text.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro");
    Ok(uri)
}

/// Copies every `NNN.db` of `queue_db` whose agent the store knows; `progress` is told after
/// each agent (agents done, agents in all).
pub fn import_agent_data(
    conn: &mut Connection,
    queue_db: &Path,
    now: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportedAgentData> {
    let files = agent_files(queue_db)?;
    let mut out = ImportedAgentData::default();
    for (n, (agent_id, path)) in files.iter().enumerate() {
        let known: Option<i64> = conn
            .query_row("SELECT id FROM agents WHERE id = ?1", [agent_id], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            out.unknown_agents.push(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            continue;
        }
        let copied = private_copy(path).and_then(|copy| {
            let attached = read_only_uri(&copy.db).and_then(|uri| {
                conn.execute("ATTACH DATABASE ?1 AS agent_db", [uri])?;
                let copied = copy_agent(conn, *agent_id, now);
                // The copy's own error matters more than a failed detach.
                let _ = conn.execute("DETACH DATABASE agent_db", []);
                copied
            });
            copy.remove();
            attached
        });
        match copied {
            Ok(rows) => {
                out.rows += rows;
                out.agents += 1;
            }
            Err(e) => out.failed.push(format!("{}: {e}", path.display())),
        }
        progress(n + 1, files.len());
    }
    Ok(out)
}

fn copy_agent(conn: &mut Connection, agent_id: i64, now: i64) -> Result<usize> {
    let tx = conn.transaction()?;
    let mut rows = 0;
    tx.execute("DELETE FROM agent_databases WHERE agent_id = ?1", [agent_id])?;
    tx.execute(
        "INSERT INTO agent_databases (agent_id, created_at) VALUES (?1, ?2)",
        [agent_id, now],
    )?;
    for (source, target, columns) in TABLES {
        rows += copy_table(&tx, agent_id, source, target, columns)?;
    }
    for table in crate::models::inventory::TABLES {
        let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        rows += copy_table(&tx, agent_id, table.name, table.name, &columns)?;
    }
    tx.commit()?;
    Ok(rows)
}

/// Replaces `agent_id`'s rows of `target` with those of the attached database's `source`,
/// copying the `columns` both have; the number of rows copied.
fn copy_table(tx: &Connection, agent_id: i64, source: &str, target: &str, columns: &[&str]) -> Result<usize> {
    tx.execute(&format!("DELETE FROM {target} WHERE agent_id = ?1"), [agent_id])?;
    let present: Vec<String> = {
        let mut stmt = tx.prepare(&format!("PRAGMA agent_db.table_info({source})"))?;
        let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
        names.collect::<std::result::Result<_, _>>()?
    };
    let shared: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| present.iter().any(|p| p.eq_ignore_ascii_case(c)))
        .collect();
    if shared.is_empty() {
        return Ok(0);
    }
    let targets: Vec<String> = shared.iter().map(|c| format!("\"{c}\"")).collect();
    // Older wazuh-db versions left some of these NULL (or lacked `full_path`).
    let sources: Vec<String> = shared
        .iter()
        .map(|c| match (source, *c) {
            ("fim_entry", "full_path") if present.iter().any(|p| p == "file") => "COALESCE(full_path, file)".to_owned(),
            ("scan_info", c) if c != "module" => format!("COALESCE(\"{c}\", 0)"),
            ("sca_check_rules" | "sca_check_compliance", c) if c != "id_check" => format!("COALESCE(\"{c}\", '')"),
            (_, c) => format!("\"{c}\""),
        })
        .collect();
    let mut targets = targets;
    let mut sources = sources;
    if source == "fim_entry" && !shared.contains(&"full_path") && present.iter().any(|p| p == "file") {
        targets.push("full_path".to_owned());
        sources.push("file".to_owned());
    }
    let copied = tx.execute(
        &format!(
            "INSERT INTO {target} (agent_id, {}) SELECT ?1, {} FROM agent_db.{source}",
            targets.join(", "),
            sources.join(", ")
        ),
        [agent_id],
    )?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    /// A small agent database with wazuh-db's table and column names (not its full schema).
    fn agent_db(path: &Path, with_sca: bool) {
        let c = Connection::open(path).expect("agent db");
        c.execute_batch(
            "CREATE TABLE fim_entry (full_path TEXT PRIMARY KEY, file TEXT, type TEXT NOT NULL, date INTEGER NOT NULL,
                 changes INTEGER NOT NULL DEFAULT 1, size INTEGER, perm TEXT, md5 TEXT, mtime INTEGER);
             INSERT INTO fim_entry (full_path, file, type, date, size, perm, md5, mtime)
                 VALUES ('/etc/passwd', '/etc/passwd', 'file', 1700000000, 1234, 'rw-r--r--', 'abc', 1690000000);
             CREATE TABLE scan_info (module TEXT PRIMARY KEY, first_start INTEGER DEFAULT 0, first_end INTEGER DEFAULT 0,
                 start_scan INTEGER DEFAULT 0, end_scan INTEGER DEFAULT 0, fim_first_check INTEGER DEFAULT 0,
                 fim_second_check INTEGER DEFAULT 0, fim_third_check INTEGER DEFAULT 0);
             INSERT INTO scan_info (module, start_scan, end_scan) VALUES ('fim', 1700000000, 1700000100);
             CREATE TABLE pm_event (id INTEGER PRIMARY KEY AUTOINCREMENT, date_first INTEGER, date_last INTEGER,
                 log TEXT, pci_dss TEXT, cis TEXT);
             INSERT INTO pm_event (date_first, date_last, log) VALUES (1700000000, 1700000000, 'Ending rootcheck scan.');",
        )
        .expect("tables");
        if with_sca {
            c.execute_batch(
                "CREATE TABLE sca_check (scan_id INTEGER, id INTEGER PRIMARY KEY, policy_id TEXT, title TEXT, result TEXT,
                     \"references\" TEXT, condition TEXT);
                 INSERT INTO sca_check (scan_id, id, policy_id, title, result, condition)
                     VALUES (1, 2001, 'cis_debian', 'Ensure x', 'failed', 'all');",
            )
            .expect("sca");
        }
    }

    #[test]
    fn agent_databases_are_copied_for_known_agents_and_replace_earlier_copies() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("oxsec.db")).expect("store");
        store
            .write_blocking(|tx| {
                tx.execute(
                    "INSERT INTO agents (id, name, register_ip, internal_key, date_add) VALUES (0, 'manager', '127.0.0.1', 'k', 'x'),
                     (1, 'agent1', 'any', 'k', 'x')",
                    [],
                )?;
                Ok(())
            })
            .expect("agents");
        let queue = dir.path().join("queue_db");
        std::fs::create_dir(&queue).expect("dir");
        agent_db(&queue.join("000.db"), false);
        agent_db(&queue.join("001.db"), true);
        agent_db(&queue.join("099.db"), false);
        std::fs::write(queue.join("global.db"), b"not an agent database").expect("global");

        let mut seen = Vec::new();
        let imported = store
            .with_connection_blocking(|c| import_agent_data(c, &queue, 42, &mut |done, all| seen.push((done, all))))
            .expect("import");
        assert_eq!(imported.agents, 2);
        assert_eq!(imported.rows, 3 + 3 + 1);
        assert_eq!(imported.unknown_agents, ["099.db"]);
        assert_eq!(seen, [(1, 3), (2, 3)]);

        let count = |sql: &str| -> i64 {
            store
                .read_blocking(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
                .expect("count")
        };
        assert_eq!(count("SELECT COUNT(*) FROM agent_databases"), 2);
        assert_eq!(count("SELECT size FROM fim_entries WHERE agent_id = 1"), 1234);
        assert_eq!(
            count("SELECT end_scan FROM agent_scan_info WHERE agent_id = 0 AND module = 'fim'"),
            1700000100
        );
        assert_eq!(
            count("SELECT id FROM sca_checks WHERE agent_id = 1 AND condition = 'all'"),
            2001
        );

        // The source directory gained no file (no -shm, no journal): imports read private copies.
        let mut names: Vec<String> = std::fs::read_dir(&queue)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["000.db", "001.db", "099.db", "global.db"]);
        // Importing again replaces, never duplicates.
        store
            .with_connection_blocking(|c| import_agent_data(c, &queue, 43, &mut |_, _| {}))
            .expect("again");
        assert_eq!(count("SELECT COUNT(*) FROM fim_entries"), 2);
        assert_eq!(count("SELECT created_at FROM agent_databases WHERE agent_id = 1"), 43);

        // Removing the agent removes what it reported.
        store
            .write_blocking(|tx| Ok(tx.execute("DELETE FROM agents WHERE id = 1", [])?))
            .expect("delete");
        assert_eq!(count("SELECT COUNT(*) FROM fim_entries WHERE agent_id = 1"), 0);
        assert_eq!(count("SELECT COUNT(*) FROM agent_databases"), 1);
    }

    #[test]
    fn a_damaged_agent_database_is_reported_and_changes_nothing_for_that_agent() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Store::open(&dir.path().join("oxsec.db")).expect("store");
        store
            .write_blocking(|tx| {
                tx.execute(
                    "INSERT INTO agents (id, name, register_ip, internal_key, date_add) VALUES (3, 'a3', 'any', 'k', 'x')",
                    [],
                )?;
                Ok(())
            })
            .expect("agent");
        let queue = dir.path().join("q");
        std::fs::create_dir(&queue).expect("dir");
        let c = Connection::open(queue.join("003.db")).expect("db");
        // A row the store refuses (type outside wazuh-db's CHECK) makes the agent's copy fail whole.
        c.execute_batch(
            "CREATE TABLE fim_entry (full_path TEXT PRIMARY KEY, type TEXT, date INTEGER);
             INSERT INTO fim_entry VALUES ('/a', 'file', 1), ('/b', 'bogus', 2);",
        )
        .expect("rows");
        drop(c);
        let done = store
            .with_connection_blocking(|c| import_agent_data(c, &queue, 1, &mut |_, _| {}))
            .expect("other agents go on");
        assert_eq!((done.agents, done.failed.len()), (0, 1));
        assert!(done.failed[0].contains("003.db"), "{:?}", done.failed);
        let count = |sql: &str| -> i64 {
            store
                .read_blocking(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
                .expect("count")
        };
        assert_eq!(count("SELECT COUNT(*) FROM fim_entries"), 0);
        assert_eq!(count("SELECT COUNT(*) FROM agent_databases"), 0);
    }
}
