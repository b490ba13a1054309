//! Import of an existing Wazuh manager's security state (users, roles, policies, rules and their
//! links), keeping ids: from its `rbac.db`, or from `.sql` files of `INSERT`/`DELETE` statements
//! against Wazuh's rbac schema (as in Wazuh's test environment). Wazuh's tables and column orders
//! are the store's own, so rows go in as they are; only statements on those tables are accepted.

use std::path::Path;

use rusqlite::Connection;

use crate::{Error, Result};

/// The rbac tables, children last (deletion order is the reverse).
const TABLES: &[(&str, &str)] = &[
    ("users", "id, username, password, allow_run_as, created_at"),
    ("roles", "id, name, created_at"),
    ("policies", "id, name, policy, created_at"),
    ("rules", "id, name, rule, created_at"),
    ("user_roles", "id, user_id, role_id, level, created_at"),
    ("roles_policies", "id, role_id, policy_id, level, created_at"),
    ("roles_rules", "id, role_id, rule_id, created_at"),
];

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Statements (or table copies) applied.
    pub statements: usize,
}

/// Splits SQL text into statements, skipping comments and honouring quoted strings.
fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = sql.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            cur.push(c);
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    cur.push('\'');
                    chars.next();
                } else {
                    in_str = false;
                }
            }
            continue;
        }
        match c {
            '\'' => {
                in_str = true;
                cur.push(c);
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            ';' => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_owned());
                }
                cur.clear();
            }
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

/// Applies `.sql` text in one transaction. Only INSERT into / DELETE from the rbac tables are run;
/// transaction and pragma statements are skipped; anything else is refused with its text.
pub fn apply_sql(conn: &mut Connection, sql: &str) -> Result<Imported> {
    // As Wazuh's own files do (PRAGMA foreign_keys=OFF): replacing a default role must not cascade
    // to its links.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = apply_sql_inner(conn, sql);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

fn apply_sql_inner(conn: &mut Connection, sql: &str) -> Result<Imported> {
    let tx = conn.transaction()?;
    let mut imported = Imported::default();
    for stmt in statements(sql) {
        let upper = stmt.to_ascii_uppercase();
        if upper.starts_with("PRAGMA")
            || upper.starts_with("BEGIN")
            || upper.starts_with("COMMIT")
            || upper.starts_with("END")
        {
            continue;
        }
        let words: Vec<&str> = upper.split_whitespace().collect();
        let table = match words.as_slice() {
            ["INSERT", "INTO", t, ..] | ["INSERT", "OR", "REPLACE", "INTO", t, ..] | ["DELETE", "FROM", t, ..] => {
                t.split('(').next().unwrap_or_default().to_ascii_lowercase()
            }
            _ => return Err(Error::Conflict(format!("unsupported statement in RBAC SQL: {stmt}"))),
        };
        if !TABLES.iter().any(|(t, _)| *t == table) {
            return Err(Error::Conflict(format!(
                "statement on a table that is not part of Wazuh's RBAC: {stmt}"
            )));
        }
        // Wazuh's files rely on SQLite replacing rows that already exist (the defaults).
        let stmt = if words[0] == "INSERT" && words[1] == "INTO" {
            format!("INSERT OR REPLACE{}", &stmt[6..])
        } else {
            stmt
        };
        tx.execute_batch(&stmt)
            .map_err(|e| Error::Conflict(format!("{e} in: {stmt}")))?;
        imported.statements += 1;
    }
    tx.commit()?;
    Ok(imported)
}

/// Copies every row of a Wazuh `rbac.db` into the store, replacing rows with the same ids.
pub fn copy_rbac_db(conn: &mut Connection, rbac_db: &Path) -> Result<Imported> {
    let path = rbac_db
        .to_str()
        .ok_or_else(|| Error::Io(format!("{} is not valid UTF-8", rbac_db.display())))?;
    conn.execute("ATTACH DATABASE ?1 AS wazuh", [path])?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = (|| {
        let tx = conn.transaction()?;
        let mut imported = Imported::default();
        for (table, columns) in TABLES {
            let sql = format!("INSERT OR REPLACE INTO main.{table} ({columns}) SELECT {columns} FROM wazuh.{table}");
            imported.statements += tx
                .execute(&sql, [])
                .map_err(|e| Error::Conflict(format!("{table}: {e}")))?;
        }
        tx.commit()?;
        Ok(imported)
    })();
    let _ = conn.execute("DETACH DATABASE wazuh", []);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

/// One line of Wazuh's `client.keys`: id, name, registration IP, key.
pub type KeyLine = (i64, String, String, String);

/// Parses `client.keys` text; removed agents (`!name`) and comment lines are skipped, malformed
/// lines are reported by number.
pub fn parse_client_keys(text: &str) -> Result<Vec<KeyLine>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [id, name, ip, key] = parts[..] else {
            return Err(Error::Conflict(format!(
                "client.keys line {}: expected 'id name ip key'",
                n + 1
            )));
        };
        if name.starts_with('!') || name.starts_with('#') {
            continue;
        }
        let id: i64 = id
            .parse()
            .map_err(|_| Error::Conflict(format!("client.keys line {}: '{id}' is not an agent id", n + 1)))?;
        out.push((id, name.to_owned(), ip.to_owned(), key.to_owned()));
    }
    Ok(out)
}

/// What an agent import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportedAgents {
    /// Agents inserted or replaced (the manager's own row is never imported).
    pub agents: usize,
    /// Groups known after the import.
    pub groups: usize,
    /// Label rows.
    pub labels: usize,
}

fn epoch_to_iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm), valid for the whole i64 range we meet.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Imports agents, groups, memberships and labels from a Wazuh `global.db` (any 4.x schema: only
/// the columns present are read) plus the keys of its `client.keys`, which win over the database's.
/// Agents only in `client.keys` come in as never connected. Runs in one transaction; `progress` is
/// called with the number of agents written so far.
pub fn import_agents(
    conn: &mut Connection,
    global_db: Option<&Path>,
    keys: &[KeyLine],
    now: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportedAgents> {
    use rusqlite::params;
    use std::collections::{BTreeMap, HashMap};

    #[derive(Default)]
    struct Row {
        text: HashMap<&'static str, Option<String>>,
        date_add: Option<i64>,
        last_keepalive: Option<i64>,
        disconnection_time: Option<i64>,
        status_code: i64,
        connection_status: Option<String>,
        groups_csv: Option<String>,
    }
    const TEXT: &[&str] = &[
        "name",
        "ip",
        "register_ip",
        "internal_key",
        "os_name",
        "os_version",
        "os_major",
        "os_minor",
        "os_codename",
        "os_build",
        "os_platform",
        "os_uname",
        "os_arch",
        "version",
        "config_sum",
        "merged_sum",
        "manager_host",
        "node_name",
        "group_config_status",
    ];
    let mut rows: BTreeMap<i64, Row> = BTreeMap::new();
    let mut group_names: Vec<String> = Vec::new();
    let mut belongs: Vec<(i64, String, i64)> = Vec::new();
    let mut labels: Vec<(i64, String, String)> = Vec::new();
    if let Some(path) = global_db {
        let src = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let columns = |table: &str| -> Result<Vec<String>> {
            let mut stmt = src.prepare(&format!("PRAGMA table_info(`{table}`)"))?;
            let cols = stmt.query_map([], |r| r.get::<_, String>(1))?;
            Ok(cols.collect::<rusqlite::Result<_>>()?)
        };
        let agent_cols = columns("agent")?;
        if agent_cols.is_empty() {
            return Err(Error::Conflict(format!(
                "{}: no `agent` table (not a Wazuh global.db)",
                path.display()
            )));
        }
        let has = |c: &str| agent_cols.iter().any(|x| x == c);
        let mut select = vec!["id".to_owned()];
        select.extend(TEXT.iter().filter(|c| has(c)).map(|c| format!("CAST(`{c}` AS TEXT)")));
        for c in ["date_add", "last_keepalive", "disconnection_time", "status_code"] {
            select.push(if has(c) { format!("`{c}`") } else { "NULL".into() });
        }
        select.push(if has("connection_status") {
            "connection_status".into()
        } else {
            "NULL".into()
        });
        select.push(if has("group") { "`group`".into() } else { "NULL".into() });
        let present: Vec<&'static str> = TEXT.iter().copied().filter(|c| has(c)).collect();
        let sql = format!("SELECT {} FROM agent WHERE id != 0", select.join(", "));
        let mut stmt = src.prepare(&sql)?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let id: i64 = r.get(0)?;
            let mut row = Row::default();
            for (i, c) in present.iter().enumerate() {
                row.text.insert(c, r.get::<_, Option<String>>(1 + i)?);
            }
            let base = 1 + present.len();
            let int = |i: usize| -> rusqlite::Result<Option<i64>> {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Integer(v) => Some(v),
                    rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(|s| s.parse().ok()),
                    _ => None,
                })
            };
            row.date_add = int(base)?;
            row.last_keepalive = int(base + 1)?.filter(|v| *v > 0);
            row.disconnection_time = int(base + 2)?.filter(|v| *v > 0);
            row.status_code = int(base + 3)?.unwrap_or(0);
            row.connection_status = r
                .get::<_, Option<String>>(base + 4)?
                .filter(|s| matches!(s.as_str(), "active" | "pending" | "disconnected" | "never_connected"));
            row.groups_csv = r.get(base + 5)?;
            rows.insert(id, row);
        }
        if !columns("group")?.is_empty() {
            let mut stmt = src.prepare("SELECT name FROM `group` WHERE name IS NOT NULL ORDER BY id")?;
            group_names = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        }
        let belongs_cols = columns("belongs")?;
        if !belongs_cols.is_empty() {
            let order = if belongs_cols.iter().any(|c| c == "priority") {
                "b.priority"
            } else {
                "b.rowid"
            };
            let sql = format!(
                "SELECT b.id_agent, g.name, {order} FROM belongs b JOIN `group` g ON g.id = b.id_group \
                 WHERE b.id_agent != 0 ORDER BY b.id_agent, {order}"
            );
            let mut stmt = src.prepare(&sql)?;
            belongs = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
        if !columns("labels")?.is_empty() {
            let mut stmt = src.prepare("SELECT id, key, value FROM labels WHERE id != 0")?;
            labels = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
    }
    for (id, name, ip, key) in keys {
        let row = rows.entry(*id).or_default();
        row.text.insert("name", Some(name.clone()));
        row.text.insert("register_ip", Some(ip.clone()));
        row.text.insert("internal_key", Some(key.clone()));
    }
    // Memberships: `belongs` when it has any, else the agent table's comma-separated `group`.
    let mut memberships: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    if belongs.is_empty() {
        for (id, row) in &rows {
            if let Some(csv) = &row.groups_csv {
                let list: Vec<String> = csv
                    .split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_owned)
                    .collect();
                memberships.insert(*id, list);
            }
        }
    } else {
        for (id, name, _) in belongs {
            memberships.entry(id).or_default().push(name);
        }
    }

    let tx = conn.transaction()?;
    let mut done = ImportedAgents::default();
    {
        let mut insert = tx.prepare(
            "INSERT OR REPLACE INTO agents (id, name, ip, register_ip, internal_key, os_name, os_version, os_major,
                 os_minor, os_codename, os_build, os_platform, os_uname, os_arch, version, config_sum, merged_sum,
                 manager_host, node_name, date_add, last_keepalive, group_config_status, disconnection_time,
                 connection_status, status_code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                     ?22, ?23, ?24, ?25)",
        )?;
        let mut member =
            tx.prepare("INSERT OR IGNORE INTO agent_groups (agent_id, group_name, priority) VALUES (?1, ?2, ?3)")?;
        let mut group = tx.prepare("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?1, ?2)")?;
        for g in &group_names {
            group.execute(params![g, now])?;
        }
        for (id, row) in &rows {
            let t = |c: &str| row.text.get(c).cloned().flatten();
            let Some(name) = t("name") else {
                return Err(Error::Conflict(format!("agent {id:03} has no name")));
            };
            tx.execute("DELETE FROM agent_groups WHERE agent_id = ?1", [id])?;
            tx.execute("DELETE FROM agent_labels WHERE agent_id = ?1", [id])?;
            insert.execute(params![
                id,
                name,
                t("ip"),
                t("register_ip").unwrap_or_else(|| "any".into()),
                t("internal_key").unwrap_or_default(),
                t("os_name"),
                t("os_version"),
                t("os_major"),
                t("os_minor"),
                t("os_codename"),
                t("os_build"),
                t("os_platform"),
                t("os_uname"),
                t("os_arch"),
                t("version"),
                t("config_sum"),
                t("merged_sum"),
                t("manager_host"),
                t("node_name")
                    .filter(|n| n != "unknown")
                    .unwrap_or_else(|| "node01".into()),
                row.date_add
                    .filter(|d| *d > 0)
                    .map_or_else(|| now.to_owned(), epoch_to_iso),
                row.last_keepalive.map(epoch_to_iso),
                t("group_config_status").unwrap_or_else(|| "not synced".into()),
                row.disconnection_time.map(epoch_to_iso),
                // Without a stored status, one from the keep-alive: the sweep at the next start
                // turns a stale one into `disconnected`.
                row.connection_status.clone().unwrap_or_else(|| {
                    if row.last_keepalive.is_some() {
                        "active"
                    } else {
                        "never_connected"
                    }
                    .to_owned()
                }),
                row.status_code,
            ])?;
            for (i, g) in memberships.get(id).into_iter().flatten().enumerate() {
                group.execute(params![g, now])?;
                member.execute(params![id, g, i as i64])?;
            }
            done.agents += 1;
            if done.agents % 10_000 == 0 {
                progress(done.agents);
            }
        }
        let mut label = tx.prepare("INSERT OR REPLACE INTO agent_labels (agent_id, key, value) VALUES (?1, ?2, ?3)")?;
        for (id, k, v) in &labels {
            if rows.contains_key(id) {
                done.labels += label.execute(params![id, k, v])?;
            }
        }
    }
    done.groups = tx.query_row("SELECT COUNT(*) FROM groups", [], |r| r.get::<_, i64>(0))? as usize;
    tx.commit()?;
    progress(done.agents);
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r"/* comment; with semicolon */
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
INSERT INTO users VALUES(99,'testing','pbkdf2:sha256:1$s$00',0,'1970-01-01 00:00:00');
INSERT INTO roles VALUES(99,'it''s','1970-01-01 00:00:00');
INSERT INTO user_roles VALUES(99,99,99,0,'1970-01-01 00:00:00');
DELETE FROM user_roles WHERE user_id=98;
COMMIT";

    #[test]
    fn wazuh_fixture_sql_applies_and_other_sql_is_refused() {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrate::apply(&mut conn).expect("migrate");
        let done = apply_sql(&mut conn, FIXTURE).expect("apply");
        assert_eq!(done.statements, 4);
        let name: String = conn
            .query_row("SELECT name FROM roles WHERE id = 99", [], |r| r.get(0))
            .expect("role");
        assert_eq!(name, "it's");
        assert!(apply_sql(&mut conn, "DROP TABLE users;").is_err());
        assert!(apply_sql(&mut conn, "INSERT INTO settings VALUES('a','b');").is_err());
        let users: i64 = conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .expect("count");
        assert_eq!(users, 1, "a refused file changes nothing");
    }
}

#[cfg(test)]
mod rbac_db_tests {
    use super::*;

    #[test]
    fn a_wazuh_rbac_db_is_copied_keeping_ids() {
        let dir = tempfile::tempdir().expect("tempdir");
        let wazuh = dir.path().join("rbac.db");
        let w = Connection::open(&wazuh).expect("wazuh db");
        // The shape of Wazuh's rbac.db tables (extra columns there are ignored).
        w.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, password TEXT, allow_run_as BOOLEAN, created_at DATETIME);
             CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT, created_at DATETIME);
             CREATE TABLE policies (id INTEGER PRIMARY KEY, name TEXT, policy TEXT, created_at DATETIME);
             CREATE TABLE rules (id INTEGER PRIMARY KEY, name TEXT, rule TEXT, created_at DATETIME);
             CREATE TABLE user_roles (id INTEGER PRIMARY KEY, user_id INTEGER, role_id INTEGER, level INTEGER, created_at DATETIME);
             CREATE TABLE roles_policies (id INTEGER PRIMARY KEY, role_id INTEGER, policy_id INTEGER, level INTEGER, created_at DATETIME);
             CREATE TABLE roles_rules (id INTEGER PRIMARY KEY, role_id INTEGER, rule_id INTEGER, created_at DATETIME);
             INSERT INTO users VALUES (105, 'analyst', 'pbkdf2:sha256:150000$x$00', 0, '2024-01-01 00:00:00');
             INSERT INTO roles VALUES (104, 'soc', '2024-01-01 00:00:00');
             INSERT INTO user_roles VALUES (1, 105, 104, 0, '2024-01-01 00:00:00');",
        )
        .expect("wazuh schema");
        drop(w);
        let mut conn = Connection::open_in_memory().expect("store");
        crate::migrate::apply(&mut conn).expect("migrate");
        copy_rbac_db(&mut conn, &wazuh).expect("import");
        let (name, role): (String, i64) = conn
            .query_row(
                "SELECT u.username, ur.role_id FROM users u JOIN user_roles ur ON ur.user_id = u.id WHERE u.id = 105",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("imported user");
        assert_eq!((name.as_str(), role), ("analyst", 104));
    }
}
