//! API users (`users`) and their role links (`user_roles`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// A row of `users`.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Wazuh-compatible numeric id (1 = `wazuh`, 2 = `wazuh-wui`).
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Password hash in PHC format (argon2id), or an imported Wazuh hash until the next login.
    pub password: String,
    /// Whether the user may log in with an authorization context (`run_as`).
    pub allow_run_as: bool,
    /// Creation time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: String,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        password: r.get(2)?,
        allow_run_as: r.get(3)?,
        created_at: r.get(4)?,
    })
}

const COLUMNS: &str = "id, username, password, allow_run_as, created_at";

/// The user called `username`, if any.
pub fn find_by_username(conn: &Connection, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username = ?1");
    Ok(conn.query_row(&sql, [username], from_row).optional()?)
}

/// The user with `id`, if any.
pub fn find_by_id(conn: &Connection, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = ?1");
    Ok(conn.query_row(&sql, [id], from_row).optional()?)
}

/// How many users exist.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

/// Inserts a user with a chosen id (reserved ids < 100 belong to the default catalog).
pub fn insert(conn: &Connection, user: &User) -> Result<()> {
    conn.execute(
        "INSERT INTO users (id, username, password, allow_run_as, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            user.id,
            user.username,
            user.password,
            user.allow_run_as,
            user.created_at
        ],
    )?;
    Ok(())
}

/// Replaces a user's password hash.
pub fn set_password(conn: &Connection, id: i64, hash: &str) -> Result<()> {
    conn.execute("UPDATE users SET password = ?1 WHERE id = ?2", params![hash, id])?;
    Ok(())
}

/// The ids of the roles linked to a user, in link order (`level`), as Wazuh lists them in tokens.
pub fn role_ids(conn: &Connection, user_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT role_id FROM user_roles WHERE user_id = ?1 ORDER BY level, id")?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every user with its role ids (in link order), ordered by id.
pub fn list_with_roles(conn: &Connection) -> Result<Vec<(User, Vec<i64>)>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let users: Vec<User> = stmt.query_map([], from_row)?.collect::<rusqlite::Result<_>>()?;
    let mut links = conn.prepare_cached("SELECT user_id, role_id FROM user_roles ORDER BY user_id, level, id")?;
    let mut roles: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for row in links.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (user, role) = row?;
        roles.entry(user).or_default().push(role);
    }
    Ok(users
        .into_iter()
        .map(|u| {
            let r = roles.remove(&u.id).unwrap_or_default();
            (u, r)
        })
        .collect())
}

/// The id Wazuh gives the next user: 100 while every id is reserved, else the highest id + 1.
pub fn next_id(conn: &Connection) -> Result<i64> {
    let max: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM users", [], |r| r.get(0))?;
    Ok(if max < crate::models::catalog::MAX_RESERVED_ID {
        100
    } else {
        max + 1
    })
}

/// Deletes a user (its role links go with it).
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM users WHERE id = ?1", [id])? > 0)
}

/// Links a role at `position` (shifting later links), or at the end when `position` is `None` or
/// past the end. Returns false when the link already exists.
pub fn link_role(conn: &Connection, user_id: i64, role_id: i64, position: Option<i64>, now: &str) -> Result<bool> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM user_roles WHERE user_id = ?1 AND role_id = ?2)",
        params![user_id, role_id],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(false);
    }
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM user_roles WHERE user_id = ?1", [user_id], |r| {
        r.get(0)
    })?;
    let level = match position {
        Some(p) if p <= count => {
            conn.execute(
                "UPDATE user_roles SET level = level + 1 WHERE user_id = ?1 AND level >= ?2",
                params![user_id, p],
            )?;
            p
        }
        _ => count,
    };
    conn.execute(
        "INSERT INTO user_roles (user_id, role_id, level, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user_id, role_id, level, now],
    )?;
    Ok(true)
}

/// Removes a role link; false when there was none.
pub fn unlink_role(conn: &Connection, user_id: i64, role_id: i64) -> Result<bool> {
    Ok(conn.execute(
        "DELETE FROM user_roles WHERE user_id = ?1 AND role_id = ?2",
        params![user_id, role_id],
    )? > 0)
}
