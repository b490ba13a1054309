//! RBAC roles (`roles`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// A row of `roles`.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// Wazuh-compatible id (1 = administrator).
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Creation time.
    pub created_at: String,
}

/// Inserts a role with a chosen id.
pub fn insert(conn: &Connection, role: &Role) -> Result<()> {
    conn.execute(
        "INSERT INTO roles (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![role.id, role.name, role.created_at],
    )?;
    Ok(())
}

/// The role with `id`, if any.
pub fn find_by_id(conn: &Connection, id: i64) -> Result<Option<Role>> {
    Ok(conn
        .query_row("SELECT id, name, created_at FROM roles WHERE id = ?1", [id], |r| {
            Ok(Role {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
            })
        })
        .optional()?)
}

/// Whether a role exists.
pub fn exists(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM roles WHERE id = ?1)", [id], |r| r.get(0))?)
}
