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
            // A default policy whose name a user policy already took is not created; its links
            // are skipped rather than failing the start.
            "INSERT INTO roles_policies (role_id, policy_id, level, created_at)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM policies WHERE id = ?2)
                                     AND EXISTS (SELECT 1 FROM roles WHERE id = ?1)
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

/// Which table of the catalogue an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `roles`.
    Role,
    /// `policies`.
    Policy,
    /// `rules` (security rules).
    Rule,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Role => "roles",
            Kind::Policy => "policies",
            Kind::Rule => "rules",
        }
    }

    fn body_column(self) -> Option<&'static str> {
        match self {
            Kind::Role => None,
            Kind::Policy => Some("policy"),
            Kind::Rule => Some("rule"),
        }
    }
}

/// One catalogue object as the API lists it: roles with their policy, user and rule ids; policies
/// and rules with their body and role ids.
pub fn list(conn: &Connection, kind: Kind) -> Result<Vec<Value>> {
    let body = kind.body_column().map(|c| format!(", {c}")).unwrap_or_default();
    let sql = format!("SELECT id, name{body} FROM {} ORDER BY id", kind.table());
    let mut stmt = conn.prepare(&sql)?;
    let rows: Vec<(i64, String, Option<String>)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, if body.is_empty() { None } else { r.get(2)? }))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let ids = |sql: &str, id: i64| -> Result<Vec<i64>> {
        let mut s = conn.prepare_cached(sql)?;
        let v = s.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(v)
    };
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, body_text) in rows {
        let mut item = serde_json::Map::new();
        item.insert("id".into(), Value::from(id));
        item.insert("name".into(), Value::from(name));
        match kind {
            Kind::Role => {
                item.insert(
                    "policies".into(),
                    ids(
                        "SELECT policy_id FROM roles_policies WHERE role_id = ?1 ORDER BY level, id",
                        id,
                    )?
                    .into(),
                );
                item.insert(
                    "users".into(),
                    ids("SELECT user_id FROM user_roles WHERE role_id = ?1 ORDER BY user_id", id)?.into(),
                );
                item.insert(
                    "rules".into(),
                    ids(
                        "SELECT rule_id FROM roles_rules WHERE role_id = ?1 ORDER BY rule_id",
                        id,
                    )?
                    .into(),
                );
            }
            Kind::Policy | Kind::Rule => {
                let key = kind.body_column().unwrap_or("policy");
                item.insert(
                    key.into(),
                    serde_json::from_str(body_text.as_deref().unwrap_or("null")).unwrap_or(Value::Null),
                );
                let sql = if kind == Kind::Policy {
                    "SELECT role_id FROM roles_policies WHERE policy_id = ?1 ORDER BY role_id"
                } else {
                    "SELECT role_id FROM roles_rules WHERE rule_id = ?1 ORDER BY role_id"
                };
                item.insert("roles".into(), ids(sql, id)?.into());
            }
        }
        out.push(Value::Object(item));
    }
    Ok(out)
}

/// The id Wazuh gives the next object: 100 while every id is reserved, else the highest + 1.
pub fn next_id(conn: &Connection, kind: Kind) -> Result<i64> {
    let max: i64 = conn.query_row(&format!("SELECT COALESCE(MAX(id), 0) FROM {}", kind.table()), [], |r| {
        r.get(0)
    })?;
    Ok(if max < MAX_RESERVED_ID { 100 } else { max + 1 })
}

/// Whether an object with that name, or (policies and rules) that exact body, exists other than `except`.
pub fn name_or_body_taken(
    conn: &Connection,
    kind: Kind,
    name: Option<&str>,
    body: Option<&Value>,
    except: i64,
) -> Result<bool> {
    if let Some(name) = name {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE name = ?1 AND id != ?2)",
            kind.table()
        );
        if conn.query_row(&sql, params![name, except], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    if let (Some(col), Some(body)) = (kind.body_column(), body) {
        let sql = format!("SELECT {col} FROM {} WHERE id != ?1", kind.table());
        let mut stmt = conn.prepare(&sql)?;
        let bodies: Vec<String> = stmt
            .query_map([except], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if bodies
            .iter()
            .any(|b| serde_json::from_str::<Value>(b).ok().as_ref() == Some(body))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Inserts an object; `body` is the policy or rule document (ignored for roles).
pub fn insert(conn: &Connection, kind: Kind, id: i64, name: &str, body: Option<&Value>, now: &str) -> Result<()> {
    match kind.body_column() {
        Some(col) => conn.execute(
            &format!(
                "INSERT INTO {} (id, name, {col}, created_at) VALUES (?1, ?2, ?3, ?4)",
                kind.table()
            ),
            params![id, name, body.map(Value::to_string).unwrap_or_default(), now],
        )?,
        None => conn.execute(
            &format!(
                "INSERT INTO {} (id, name, created_at) VALUES (?1, ?2, ?3)",
                kind.table()
            ),
            params![id, name, now],
        )?,
    };
    Ok(())
}

/// Updates the name and/or body of an object; false when it does not exist.
pub fn update(conn: &Connection, kind: Kind, id: i64, name: Option<&str>, body: Option<&Value>) -> Result<bool> {
    if !exists(conn, kind, id)? {
        return Ok(false);
    }
    if let Some(name) = name {
        conn.execute(
            &format!("UPDATE {} SET name = ?1 WHERE id = ?2", kind.table()),
            params![name, id],
        )?;
    }
    if let (Some(col), Some(body)) = (kind.body_column(), body) {
        conn.execute(
            &format!("UPDATE {} SET {col} = ?1 WHERE id = ?2", kind.table()),
            params![body.to_string(), id],
        )?;
    }
    Ok(true)
}

/// Whether the object exists.
pub fn exists(conn: &Connection, kind: Kind, id: i64) -> Result<bool> {
    Ok(conn.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)", kind.table()),
        [id],
        |r| r.get(0),
    )?)
}

/// Deletes an object (its links go with it).
pub fn delete(conn: &Connection, kind: Kind, id: i64) -> Result<bool> {
    Ok(conn.execute(&format!("DELETE FROM {} WHERE id = ?1", kind.table()), [id])? > 0)
}

/// The roles linked to a policy or rule (whose tokens a change must revoke).
pub fn roles_of(conn: &Connection, kind: Kind, id: i64) -> Result<Vec<i64>> {
    let sql = match kind {
        Kind::Role => return Ok(vec![id]),
        Kind::Policy => "SELECT role_id FROM roles_policies WHERE policy_id = ?1",
        Kind::Rule => "SELECT role_id FROM roles_rules WHERE rule_id = ?1",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let v = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(v)
}

/// Links a policy to a role at `position` (shifting later ones) or at the end; false if linked already.
pub fn link_policy(conn: &Connection, role_id: i64, policy_id: i64, position: Option<i64>, now: &str) -> Result<bool> {
    let linked: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM roles_policies WHERE role_id = ?1 AND policy_id = ?2)",
        params![role_id, policy_id],
        |r| r.get(0),
    )?;
    if linked {
        return Ok(false);
    }
    let count: i64 = conn.query_row(
        "SELECT COUNT(*) FROM roles_policies WHERE role_id = ?1",
        [role_id],
        |r| r.get(0),
    )?;
    let level = match position {
        Some(p) if p < count => {
            conn.execute(
                "UPDATE roles_policies SET level = level + 1 WHERE role_id = ?1 AND level >= ?2",
                params![role_id, p],
            )?;
            p
        }
        _ => count,
    };
    conn.execute(
        "INSERT INTO roles_policies (role_id, policy_id, level, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![role_id, policy_id, level, now],
    )?;
    Ok(true)
}

/// Unlinks a policy from a role, closing the gap in levels; false if it was not linked.
pub fn unlink_policy(conn: &Connection, role_id: i64, policy_id: i64) -> Result<bool> {
    let level: Option<i64> = conn
        .query_row(
            "SELECT level FROM roles_policies WHERE role_id = ?1 AND policy_id = ?2",
            params![role_id, policy_id],
            |r| r.get(0),
        )
        .ok();
    let Some(level) = level else { return Ok(false) };
    conn.execute(
        "DELETE FROM roles_policies WHERE role_id = ?1 AND policy_id = ?2",
        params![role_id, policy_id],
    )?;
    conn.execute(
        "UPDATE roles_policies SET level = level - 1 WHERE role_id = ?1 AND level > ?2",
        params![role_id, level],
    )?;
    Ok(true)
}

/// Links a security rule to a role; false if linked already.
pub fn link_rule(conn: &Connection, role_id: i64, rule_id: i64, now: &str) -> Result<bool> {
    Ok(conn.execute(
        "INSERT INTO roles_rules (role_id, rule_id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![role_id, rule_id, now],
    )? > 0)
}

/// Unlinks a security rule from a role; false if it was not linked.
pub fn unlink_rule(conn: &Connection, role_id: i64, rule_id: i64) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM roles_rules WHERE role_id = ?1 AND rule_id = ?2",
        params![role_id, rule_id],
    )? > 0)
}

/// The policies (`Kind::Policy`) or security rules (`Kind::Rule`) linked to a role.
pub fn linked_ids(conn: &Connection, kind: Kind, role_id: i64) -> Result<Vec<i64>> {
    let sql = match kind {
        Kind::Rule => "SELECT rule_id FROM roles_rules WHERE role_id = ?1 ORDER BY rule_id",
        _ => "SELECT policy_id FROM roles_policies WHERE role_id = ?1 ORDER BY level, id",
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let v = stmt
        .query_map([role_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(v)
}
