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
