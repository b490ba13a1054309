//! The agent registry (`agents`, `agent_groups`).

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// Fields of a new or imported agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAgent {
    /// Id (0 is the manager).
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Registration address (`any` or an IP/CIDR).
    pub register_ip: String,
    /// Last connection address.
    pub ip: Option<String>,
    /// The agent key (hex).
    pub key: String,
    /// Registration time (ISO-8601).
    pub date_add: String,
    /// Groups in assignment order.
    pub groups: Vec<String>,
}

/// The id Wazuh gives the next agent: one above the highest ever used.
pub fn next_id(conn: &Connection) -> Result<i64> {
    let highest: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM agents", [], |r| r.get(0))?;
    let removed = crate::models::settings::get(conn, HIGHEST_REMOVED_ID)?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    Ok(highest.max(removed) + 1)
}

/// Settings key of the highest id a deleted agent had: ids are not handed out again (Wazuh keeps
/// removed agents' lines in client.keys, so a new or replacing agent gets a fresh id).
const HIGHEST_REMOVED_ID: &str = "agents.highest_removed_id";

/// Whether an agent with this name exists.
pub fn name_taken(conn: &Connection, name: &str) -> Result<bool> {
    Ok(
        conn.query_row("SELECT EXISTS (SELECT 1 FROM agents WHERE name = ?1)", [name], |r| {
            r.get(0)
        })?,
    )
}

/// Whether an agent (other than the manager) registered with this exact IP exists.
pub fn register_ip_taken(conn: &Connection, ip: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM agents WHERE register_ip = ?1 AND id != 0)",
        [ip],
        |r| r.get(0),
    )?)
}

/// Inserts an agent and its groups.
pub fn insert(conn: &Connection, a: &NewAgent) -> Result<()> {
    conn.execute(
        "INSERT INTO agents (id, name, register_ip, ip, internal_key, date_add) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![a.id, a.name, a.register_ip, a.ip, a.key, a.date_add],
    )?;
    for (i, g) in a.groups.iter().enumerate() {
        conn.execute(
            "INSERT INTO agent_groups (agent_id, group_name, priority) VALUES (?1, ?2, ?3)",
            params![a.id, g, i as i64],
        )?;
    }
    Ok(())
}

/// The manager's own row, kept current at every start.
#[derive(Debug, Clone, Default)]
pub struct ManagerInfo {
    /// Host name.
    pub name: String,
    /// `Wazuh v4.14.7`.
    pub version: String,
    /// OS fields: name, version, major, minor, codename, platform, uname, arch.
    pub os: [Option<String>; 8],
    /// Start time (ISO-8601).
    pub now: String,
}

/// Creates or refreshes agent 000, the manager itself (always active).
pub fn upsert_manager(conn: &Connection, m: &ManagerInfo) -> Result<()> {
    let [os_name, os_version, os_major, os_minor, os_codename, os_platform, os_uname, os_arch] = &m.os;
    conn.execute(
        "INSERT INTO agents (id, name, ip, register_ip, internal_key, version, manager_host, node_name, date_add,
                             last_keepalive, group_config_status, os_name, os_version, os_major, os_minor,
                             os_codename, os_platform, os_uname, os_arch, connection_status)
         VALUES (0, ?1, '127.0.0.1', '127.0.0.1', '', ?2, ?1, 'node01', ?3, '9999-12-31T23:59:59+00:00', 'not synced',
                 ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'active')
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version,
             manager_host = excluded.manager_host, os_name = excluded.os_name, os_version = excluded.os_version,
             os_major = excluded.os_major, os_minor = excluded.os_minor, os_codename = excluded.os_codename,
             os_platform = excluded.os_platform, os_uname = excluded.os_uname, os_arch = excluded.os_arch",
        params![
            m.name,
            m.version,
            m.now,
            os_name,
            os_version,
            os_major,
            os_minor,
            os_codename,
            os_platform,
            os_uname,
            os_arch
        ],
    )?;
    Ok(())
}

/// An agent's (id, name, register IP, key), for `client.keys` and `GET /agents/{id}/key`.
pub fn key_of(conn: &Connection, id: i64) -> Result<Option<(i64, String, String, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, name, register_ip, internal_key FROM agents WHERE id = ?1 AND id != 0",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

/// Every agent's key line, by id (the content of `client.keys`).
pub fn all_keys(conn: &Connection) -> Result<Vec<(i64, String, String, String)>> {
    let mut stmt = conn.prepare("SELECT id, name, register_ip, internal_key FROM agents WHERE id != 0 ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Groups of each agent id in `ids` (assignment order).
pub fn groups_of(conn: &Connection, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT group_name FROM agent_groups WHERE agent_id = ?1 ORDER BY priority")?;
    for id in ids {
        let groups: Vec<String> = stmt.query_map([id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if !groups.is_empty() {
            out.insert(*id, groups);
        }
    }
    Ok(out)
}

/// Counts agents grouped by an SQL expression (the computed status, a column), optionally restricted
/// by `filter` (a `WHERE …` clause built by the caller from trusted values, never request text).
pub fn count_by(conn: &Connection, expr: &str, filter: &str) -> Result<Vec<(String, i64)>> {
    let sql = format!("SELECT {expr} AS k, COUNT(*) FROM agents{filter} GROUP BY k");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![], |r| {
        Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts `count` synthetic agents (ids after the highest) in one transaction, for tests and
/// benchmarks: mixed OS, versions, groups, and keep-alives that give every status.
pub fn seed(conn: &Connection, count: u64, now_iso: &dyn Fn(i64) -> String) -> Result<u64> {
    const OS: &[(&str, &str, &str, &str)] = &[
        ("Ubuntu", "22.04.4 LTS", "ubuntu", "jammy"),
        ("Ubuntu", "20.04.6 LTS", "ubuntu", "focal"),
        ("CentOS Stream", "9", "centos", ""),
        ("Microsoft Windows Server 2022", "10.0.20348", "windows", ""),
        ("Debian GNU/Linux", "12", "debian", "bookworm"),
        ("macOS", "14.4", "darwin", "Sonoma"),
    ];
    const VERSIONS: &[&str] = &["Wazuh v4.14.7", "Wazuh v4.9.2", "Wazuh v4.7.5", "Wazuh v3.13.2"];
    const GROUPS: &[&str] = &["default", "web", "db", "dmz", "windows"];
    let first = next_id(conn)?;
    let mut agent = conn.prepare(
        "INSERT INTO agents (id, name, ip, register_ip, internal_key, os_name, os_version, os_major, os_platform,
                             os_codename, os_arch, version, manager_host, node_name, date_add, last_keepalive,
                             group_config_status, connection_status, disconnection_time)
         VALUES (?1, ?2, ?3, 'any', ?4, ?5, ?6, ?7, ?8, ?9, 'x86_64', ?10, 'manager', 'node01', ?11, ?12, ?13, ?14,
                 ?15)",
    )?;
    let mut group = conn.prepare("INSERT INTO agent_groups (agent_id, group_name, priority) VALUES (?1, ?2, ?3)")?;
    for n in 0..count {
        let id = first + n as i64;
        let (os, ver, platform, codename) = OS[(n % OS.len() as u64) as usize];
        let major = ver.split('.').next().unwrap_or_default();
        // 1 in 10 never connected, 1 in 5 disconnected for a day, the rest active.
        let (keepalive, status, disconnected) = match n % 10 {
            0 => (None, "never_connected", None),
            1 | 2 => (Some(now_iso(86_400)), "disconnected", Some(now_iso(86_400 - 600))),
            _ => (Some(now_iso(30)), "active", None),
        };
        let ip = format!("10.{}.{}.{}", (id >> 16) & 255, (id >> 8) & 255, id & 255);
        agent.execute(params![
            id,
            format!("agent-{id:06}"),
            ip,
            format!("{:064x}", id as u128 * 0x9e37_79b9_7f4a_7c15),
            os,
            ver,
            major,
            platform,
            codename,
            VERSIONS[(n / 7 % VERSIONS.len() as u64) as usize],
            now_iso(86_400 * 30),
            keepalive,
            if n % 3 == 0 { "not synced" } else { "synced" },
            status,
            disconnected,
        ])?;
        group.execute(params![id, "default", 0])?;
        if n % 2 == 0 {
            group.execute(params![id, GROUPS[1 + (n / 2 % (GROUPS.len() as u64 - 1)) as usize], 1])?;
        }
    }
    Ok(count)
}

/// Deletes agents (their groups and labels go with them); returns how many rows went.
pub fn delete(conn: &Connection, ids: &[i64]) -> Result<usize> {
    let mut stmt = conn.prepare_cached("DELETE FROM agents WHERE id = ?1 AND id != 0")?;
    let mut n = 0;
    let mut highest = 0;
    for id in ids {
        let gone = stmt.execute([id])?;
        if gone > 0 {
            highest = highest.max(*id);
        }
        n += gone;
    }
    if highest > 0 && next_id(conn)? <= highest {
        crate::models::settings::set(conn, HIGHEST_REMOVED_ID, &highest.to_string())?;
    }
    Ok(n)
}

/// What Wazuh's `force` rules look at in an agent that a registration would replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacementInfo {
    /// `connection_status`.
    pub status: String,
    /// When it was last disconnected (ISO-8601), if ever.
    pub disconnection_time: Option<String>,
    /// Registration time (ISO-8601).
    pub date_add: String,
}

/// The agent (not the manager) holding this name, if any.
pub fn id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM agents WHERE name = ?1 AND id != 0", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The agent (not the manager) registered with this IP, if any.
pub fn id_by_register_ip(conn: &Connection, ip: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM agents WHERE register_ip = ?1 AND id != 0 ORDER BY id LIMIT 1",
            [ip],
            |r| r.get(0),
        )
        .optional()?)
}

/// The state Wazuh's `force` rules need of an agent.
pub fn replacement_info(conn: &Connection, id: i64) -> Result<Option<ReplacementInfo>> {
    Ok(conn
        .query_row(
            "SELECT connection_status, disconnection_time, date_add FROM agents WHERE id = ?1",
            [id],
            |r| {
                Ok(ReplacementInfo {
                    status: r.get(0)?,
                    disconnection_time: r.get(1)?,
                    date_add: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The bundle checksum an agent last reported (`mergedSum`).
pub fn merged_sum(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT merged_sum FROM agents WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Which of `ids` exist, ascending.
pub fn existing(conn: &Connection, ids: &[i64]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM agents WHERE id = ?1")?;
    let mut out = Vec::new();
    for id in ids {
        if stmt.exists([id])? {
            out.push(*id);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// An agent's labels (key, value), by key.
pub fn labels_of(conn: &Connection, id: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM agent_labels WHERE agent_id = ?1 ORDER BY key")?;
    let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every agent id with its groups (assignment order), for RBAC scoping by group: one pass.
pub fn all_with_groups(conn: &Connection) -> Result<Vec<(i64, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, g.group_name FROM agents a LEFT JOIN agent_groups g ON g.agent_id = a.id
         ORDER BY a.id, g.priority",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: Vec<(i64, Vec<String>)> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let group: Option<String> = r.get(1)?;
        match out.last_mut() {
            Some((last, groups)) if *last == id => groups.extend(group),
            _ => out.push((id, group.into_iter().collect())),
        }
    }
    Ok(out)
}

/// Agents by connection status and configuration sync, as `GET /agents/summary/status` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    /// Keep-alive within the disconnection time (the manager always).
    pub active: i64,
    /// Keep-alive older than the disconnection time.
    pub disconnected: i64,
    /// Registered, never connected.
    pub never_connected: i64,
    /// Connected, start-up information not received yet.
    pub pending: i64,
    /// All agents.
    pub total: i64,
    /// Group configuration in sync.
    pub synced: i64,
}

/// Counts every agent but the manager (upstream's summary leaves 000 out) by status, from the
/// counts the triggers of `agent_status_counts` keep.
pub fn status_counts(conn: &Connection) -> Result<StatusCounts> {
    let mut counts = StatusCounts::default();
    let mut stmt = conn.prepare_cached("SELECT connection_status, group_config_status, n FROM agent_status_counts")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (status, config, n) = row?;
        match status.as_str() {
            "active" => counts.active += n,
            "disconnected" => counts.disconnected += n,
            "never_connected" => counts.never_connected += n,
            "pending" => counts.pending += n,
            _ => {}
        }
        if config == "synced" {
            counts.synced += n;
        }
        counts.total += n;
    }
    Ok(counts)
}

/// Every agent, the manager included, from the kept status counts.
pub fn count_all(conn: &Connection) -> Result<u64> {
    let others: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(n), 0) FROM agent_status_counts")?
        .query_row([], |r| r.get(0))?;
    let manager: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM agents WHERE id = 0")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(others + manager).unwrap_or(0))
}

/// Marks active and pending agents whose last keep-alive is older than `cutoff` as disconnected
/// since `now` (both ISO text); returns how many changed. The manager is never disconnected.
pub fn disconnect_stale(conn: &Connection, cutoff: &str, now: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE agents SET connection_status = 'disconnected', disconnection_time = ?2
         WHERE connection_status IN ('active', 'pending') AND last_keepalive < ?1 AND id != 0",
        params![cutoff, now],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_gives_every_status_and_unique_names() {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrate::apply(&mut conn).expect("migrate");
        let ago = |s: i64| format!("2026-01-01T00:{:02}:00+00:00", 59 - (s / 86_400).min(59));
        assert_eq!(seed(&conn, 30, &ago).expect("seed"), 30);
        let never: i64 = conn
            .query_row("SELECT COUNT(*) FROM agents WHERE last_keepalive IS NULL", [], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(never, 3);
        let names: i64 = conn
            .query_row("SELECT COUNT(DISTINCT name) FROM agents", [], |r| r.get(0))
            .expect("names");
        assert_eq!(names, 30);
        assert_eq!(
            seed(&conn, 5, &ago).expect("again"),
            5,
            "ids continue after the highest"
        );
        assert_eq!(next_id(&conn).expect("next"), 36);
    }

    #[test]
    fn stale_agents_are_disconnected_and_counted_by_status() {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrate::apply(&mut conn).expect("migrate");
        let ago = |s: i64| format!("2026-01-01T{:02}:00:00+00:00", 23 - s / 3_600);
        seed(&conn, 10, &ago).expect("seed");
        let set = |id: i64, keepalive: &str, status: &str| {
            conn.execute(
                "UPDATE agents SET last_keepalive = ?2, connection_status = ?3 WHERE id = ?1",
                params![id, keepalive, status],
            )
            .expect("update")
        };
        set(4, "2026-01-01T10:00:00+00:00", "pending");
        set(5, "2026-01-01T12:00:00+00:00", "active");
        let before = status_counts(&conn).expect("counts");
        assert_eq!((before.never_connected, before.total), (1, 10));
        // Only active/pending agents older than the cutoff change; 000 never does.
        assert_eq!(
            disconnect_stale(&conn, "2026-01-01T11:00:00+00:00", "2026-01-01T11:10:00+00:00").expect("sweep"),
            1
        );
        let after = status_counts(&conn).expect("counts");
        assert_eq!(after.disconnected, before.disconnected + 1);
        assert_eq!(after.pending, before.pending - 1);
        let (status, since): (String, String) = conn
            .query_row(
                "SELECT connection_status, disconnection_time FROM agents WHERE id = 4",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        assert_eq!(
            (status.as_str(), since.as_str()),
            ("disconnected", "2026-01-01T11:10:00+00:00")
        );
        // The kept counts follow inserts, REPLACEs, updates and deletes.
        conn.pragma_update(None, "recursive_triggers", "ON").expect("pragma");
        conn.execute_batch(
            "INSERT OR REPLACE INTO agents (id, name, register_ip, internal_key, date_add, connection_status)
                 VALUES (3, 'again', 'any', 'k', '2026-01-01T00:00:00+00:00', 'pending');
             UPDATE agents SET group_config_status = 'synced' WHERE id = 7;
             DELETE FROM agents WHERE id IN (1, 2);",
        )
        .expect("changes");
        let scanned = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect("count") };
        let kept = status_counts(&conn).expect("counts");
        assert_eq!(kept.total, scanned("SELECT COUNT(*) FROM agents WHERE id != 0"));
        assert_eq!(
            count_all(&conn).expect("all") as i64,
            scanned("SELECT COUNT(*) FROM agents")
        );
        assert_eq!(
            kept.pending,
            scanned("SELECT COUNT(*) FROM agents WHERE id != 0 AND connection_status = 'pending'")
        );
        assert_eq!(
            kept.synced,
            scanned("SELECT COUNT(*) FROM agents WHERE id != 0 AND group_config_status = 'synced'")
        );
    }
}
