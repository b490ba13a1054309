//! The RBAC catalogue: policies, security rules and their links to roles, and the default catalogue
//! every install has (Wazuh's, same ids, names and contents, so clients that rely on e.g. role 1 =
//! administrator keep working).

use rusqlite::{params, Connection};
use serde_json::Value;

use crate::{Error, Result};

/// Wazuh's default catalogue (users without passwords, roles, policies, rules and links), converted
/// from `framework/wazuh/rbac/default/*.yaml` at v4.14.7 with the ids Wazuh assigns.
pub const DEFAULT_CATALOG: &str = include_str!("../../seed/rbac-default.json");

/// Ids up to this value are reserved for the default catalogue.
pub const MAX_RESERVED_ID: i64 = 99;

/// Inserts every default role, policy, rule and link that is missing (by id); existing rows are left
/// as they are. User links are added only for users that exist.
pub fn seed_defaults(conn: &Connection, now: &str) -> Result<()> {
    let catalog: Value =
        serde_json::from_str(DEFAULT_CATALOG).map_err(|e| Error::Conflict(format!("default catalog: {e}")))?;
    let list = |key: &str| catalog.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let int = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).unwrap_or_default();
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    for r in list("roles") {
        conn.execute(
            "INSERT INTO roles (id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![int(&r, "id"), text(&r, "name"), now],
        )?;
    }
    for p in list("policies") {
        conn.execute(
            "INSERT INTO policies (id, name, policy, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![
                int(&p, "id"),
                text(&p, "name"),
                p.get("policy").map(Value::to_string).unwrap_or_default(),
                now
            ],
        )?;
    }
    for r in list("rules") {
        conn.execute(
            "INSERT INTO rules (id, name, rule, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![
                int(&r, "id"),
                text(&r, "name"),
                r.get("rule").map(Value::to_string).unwrap_or_default(),
                now
            ],
        )?;
    }
    for l in list("role_policies") {
        conn.execute(
            "INSERT INTO roles_policies (role_id, policy_id, level, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
            params![int(&l, "role_id"), int(&l, "policy_id"), int(&l, "level"), now],
        )?;
    }
    for l in list("role_rules") {
        conn.execute(
            "INSERT INTO roles_rules (role_id, rule_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![int(&l, "role_id"), int(&l, "rule_id"), now],
        )?;
    }
    for l in list("user_roles") {
        conn.execute(
            "INSERT INTO user_roles (user_id, role_id, level, created_at)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)
             ON CONFLICT DO NOTHING",
            params![int(&l, "user_id"), int(&l, "role_id"), int(&l, "level"), now],
        )?;
    }
    Ok(())
}

/// The default users (id, name, allow_run_as).
pub fn default_users() -> Vec<(i64, String, bool)> {
    let catalog: Value = serde_json::from_str(DEFAULT_CATALOG).unwrap_or(Value::Null);
    catalog
        .get("users")
        .and_then(Value::as_array)
        .map(|users| {
            users
                .iter()
                .map(|u| {
                    (
                        u.get("id").and_then(Value::as_i64).unwrap_or_default(),
                        u.get("username").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        u.get("allow_run_as").and_then(Value::as_bool).unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A policy row.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// The policy document.
    pub policy: Value,
}

/// The policies of `role_ids`, role by role in the given order and by level inside each role — the
/// order Wazuh merges them in.
pub fn policies_of_roles(conn: &Connection, role_ids: &[i64]) -> Result<Vec<Policy>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, p.policy FROM roles_policies rp JOIN policies p ON p.id = rp.policy_id
         WHERE rp.role_id = ?1 ORDER BY rp.level, rp.id",
    )?;
    let mut out = Vec::new();
    for role in role_ids {
        let rows = stmt.query_map([role], |r| {
            let text: String = r.get(2)?;
            Ok(Policy {
                id: r.get(0)?,
                name: r.get(1)?,
                policy: serde_json::from_str(&text).unwrap_or(Value::Null),
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_seeds_idempotently_with_wazuhs_ids() {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrate::apply(&mut conn).expect("migrate");
        conn.execute(
            "INSERT INTO users (id, username, password, created_at) VALUES (1, 'wazuh', 'x', 'now')",
            [],
        )
        .expect("user");
        seed_defaults(&conn, "now").expect("seed");
        seed_defaults(&conn, "now").expect("seed twice");
        let roles: i64 = conn
            .query_row("SELECT COUNT(*) FROM roles", [], |r| r.get(0))
            .expect("count");
        assert_eq!(roles, 7);
        let name: String = conn
            .query_row("SELECT name FROM roles WHERE id = 2", [], |r| r.get(0))
            .expect("role 2");
        assert_eq!(name, "readonly");
        let links: i64 = conn
            .query_row("SELECT COUNT(*) FROM user_roles", [], |r| r.get(0))
            .expect("links");
        assert_eq!(links, 1, "only existing users are linked");
        let admin = policies_of_roles(&conn, &[1]).expect("policies");
        assert_eq!(admin[0].name, "agents_all_resourceless");
        assert_eq!(default_users().len(), 2);
    }
}
