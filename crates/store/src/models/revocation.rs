//! Token revocation floors.
//!
//! A token is revoked when its `nbf` is earlier than a floor that applies to it: its user's, one of
//! its roles', or the global one. Floors are whole seconds like `nbf`; new tokens are issued with
//! `nbf` no earlier than the floor, so a login in the same second as a revocation still works.

use rusqlite::{params, Connection};

use crate::Result;

const GLOBAL_KEY: &str = "tokens_invalid_before";

/// Rejects tokens of `user_id` issued before `floor`, until `until` (when they have all expired).
pub fn revoke_user(conn: &Connection, user_id: i64, floor: i64, until: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO users_token_blacklist (user_id, nbf_invalid_until, is_valid_until) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET nbf_invalid_until = excluded.nbf_invalid_until,
                                             is_valid_until = excluded.is_valid_until",
        params![user_id, floor, until],
    )?;
    Ok(())
}

/// Rejects tokens carrying `role_id` issued before `floor`.
pub fn revoke_role(conn: &Connection, role_id: i64, floor: i64, until: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO roles_token_blacklist (role_id, nbf_invalid_until, is_valid_until) VALUES (?1, ?2, ?3)
         ON CONFLICT (role_id) DO UPDATE SET nbf_invalid_until = excluded.nbf_invalid_until,
                                             is_valid_until = excluded.is_valid_until",
        params![role_id, floor, until],
    )?;
    Ok(())
}

/// Rejects every token issued before `floor`.
pub fn revoke_all(conn: &Connection, floor: i64) -> Result<()> {
    crate::models::settings::set(conn, GLOBAL_KEY, &floor.to_string())
}

/// Drops rows whose tokens have all expired.
pub fn purge_expired(conn: &Connection, now: i64) -> Result<()> {
    conn.execute("DELETE FROM users_token_blacklist WHERE is_valid_until <= ?1", [now])?;
    conn.execute("DELETE FROM roles_token_blacklist WHERE is_valid_until <= ?1", [now])?;
    Ok(())
}

/// Every live floor, for an in-memory copy.
#[derive(Debug, Default)]
pub struct AllFloors {
    /// (user id, floor).
    pub users: Vec<(i64, i64)>,
    /// (role id, floor).
    pub roles: Vec<(i64, i64)>,
    /// The floor for every token.
    pub global: i64,
}

/// Loads [`AllFloors`] still in force at `now`.
pub fn load_all(conn: &Connection, now: i64) -> Result<AllFloors> {
    let global = crate::models::settings::get(conn, GLOBAL_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let pairs = |sql: &str| -> Result<Vec<(i64, i64)>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    Ok(AllFloors {
        users: pairs("SELECT user_id, nbf_invalid_until FROM users_token_blacklist WHERE is_valid_until > ?1")?,
        roles: pairs("SELECT role_id, nbf_invalid_until FROM roles_token_blacklist WHERE is_valid_until > ?1")?,
        global,
    })
}
