//! Agent groups (`groups`) and membership (`agent_groups`). The group files themselves live on disk
//! (`etc/shared/<group>/`) and are the server's business, not the store's.

use rusqlite::{params, Connection, OptionalExtension};

use crate::Result;

/// Whether the group exists.
pub fn exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM groups WHERE name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Every group name, sorted.
pub fn names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM groups ORDER BY name")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Creates a group (no-op when it exists).
pub fn insert(conn: &Connection, name: &str, now: &str) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO groups (name, created_at) VALUES (?1, ?2)",
        params![name, now],
    )?;
    Ok(())
}

/// Deletes a group and its memberships; returns the ids of the agents that belonged to it.
pub fn delete(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    let members = members(conn, name)?;
    conn.execute("DELETE FROM agent_groups WHERE group_name = ?1", [name])?;
    conn.execute("DELETE FROM groups WHERE name = ?1", [name])?;
    Ok(members)
}

/// Ids of the agents in a group, ascending.
pub fn members(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT agent_id FROM agent_groups WHERE group_name = ?1 ORDER BY agent_id")?;
    let rows = stmt.query_map([name], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Number of agents in each group, by name.
pub fn counts(conn: &Connection) -> Result<std::collections::HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached("SELECT group_name, COUNT(*) FROM agent_groups GROUP BY group_name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An agent's groups in assignment order.
pub fn of_agent(conn: &Connection, agent_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT group_name FROM agent_groups WHERE agent_id = ?1 ORDER BY priority")?;
    let rows = stmt.query_map([agent_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces an agent's groups (in this order) and marks its configuration as not synced.
pub fn set_agent_groups(conn: &Connection, agent_id: i64, groups: &[String]) -> Result<()> {
    conn.execute("DELETE FROM agent_groups WHERE agent_id = ?1", [agent_id])?;
    let mut stmt =
        conn.prepare_cached("INSERT INTO agent_groups (agent_id, group_name, priority) VALUES (?1, ?2, ?3)")?;
    for (i, g) in groups.iter().enumerate() {
        stmt.execute(params![agent_id, g, i as i64])?;
    }
    conn.execute(
        "UPDATE agents SET group_config_status = 'not synced' WHERE id = ?1",
        [agent_id],
    )?;
    Ok(())
}

/// Why an agent was not added to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignRefusal {
    /// Already a member (append mode).
    AlreadyMember,
    /// Already in the maximum number of groups.
    TooManyGroups,
    /// Replace mode, but a current group may not be left by this caller.
    NotReplaceable,
}

/// Adds an agent to a group, or with `replace` makes it the agent's only group.
/// `may_leave` says whether the caller may take the agent out of a group (replace mode).
pub fn assign(
    conn: &Connection,
    agent_id: i64,
    group: &str,
    replace: bool,
    max_groups: usize,
    may_leave: &dyn Fn(&str) -> bool,
) -> Result<Result<(), AssignRefusal>> {
    let current = of_agent(conn, agent_id)?;
    if replace {
        if !current.iter().all(|g| may_leave(g)) {
            return Ok(Err(AssignRefusal::NotReplaceable));
        }
    } else if current.iter().any(|g| g == group) {
        return Ok(Err(AssignRefusal::AlreadyMember));
    }
    if current.len() >= max_groups {
        return Ok(Err(AssignRefusal::TooManyGroups));
    }
    let next: Vec<String> = if replace {
        vec![group.to_owned()]
    } else {
        current.into_iter().chain(std::iter::once(group.to_owned())).collect()
    };
    set_agent_groups(conn, agent_id, &next)?;
    Ok(Ok(()))
}

/// Why an agent was not removed from a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnassignRefusal {
    /// Not a member.
    NotMember,
    /// `default` is its only group.
    OnlyDefault,
}

/// Removes an agent from a group; an agent left without groups returns to `default`.
/// Returns whether that reassignment happened.
pub fn unassign(conn: &Connection, agent_id: i64, group: &str) -> Result<Result<bool, UnassignRefusal>> {
    let current = of_agent(conn, agent_id)?;
    if !current.iter().any(|g| g == group) {
        return Ok(Err(UnassignRefusal::NotMember));
    }
    let reassigned = current.len() == 1;
    if reassigned && group == "default" {
        return Ok(Err(UnassignRefusal::OnlyDefault));
    }
    let next: Vec<String> = if reassigned {
        vec!["default".to_owned()]
    } else {
        current.into_iter().filter(|g| g != group).collect()
    };
    set_agent_groups(conn, agent_id, &next)?;
    Ok(Ok(reassigned))
}

/// Deletes a group; its agents keep their other groups (configuration marked not synced), and
/// those left without any return to `default`.
pub fn delete_and_reassign(conn: &Connection, name: &str) -> Result<()> {
    for agent in delete(conn, name)? {
        if of_agent(conn, agent)?.is_empty() {
            set_agent_groups(conn, agent, &["default".to_owned()])?;
        } else {
            conn.execute(
                "UPDATE agents SET group_config_status = 'not synced' WHERE id = ?1",
                [agent],
            )?;
        }
    }
    Ok(())
}

/// Marks the configuration of a group's agents as not synced (its files changed).
pub fn mark_members_not_synced(conn: &Connection, name: &str) -> Result<()> {
    conn.execute(
        "UPDATE agents SET group_config_status = 'not synced'
         WHERE id IN (SELECT agent_id FROM agent_groups WHERE group_name = ?1)",
        [name],
    )?;
    Ok(())
}

/// Ids of agents without any group, ascending.
pub fn agents_without_group(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM agents a WHERE id != 0 AND NOT EXISTS (SELECT 1 FROM agent_groups g WHERE g.agent_id = a.id)
         ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Members per group among the agents a listing compiled over `agents` selects, by group name.
pub fn member_counts(conn: &Connection, agents: &oxsec_wql::sql::SqlQuery) -> Result<Vec<(String, u64)>> {
    let sql = format!(
        "SELECT membership.group_name, COUNT(*) FROM agent_groups AS membership \
         JOIN agents ON agents.id = membership.agent_id{} GROUP BY membership.group_name",
        agents.where_sql
    );
    let params: Vec<crate::list::Param<'_>> = agents.count_params().iter().map(crate::list::Param).collect();
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, n) = row?;
        out.push((name, u64::try_from(n).unwrap_or(0)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::agent;

    #[test]
    fn membership_keeps_order_and_group_deletion_frees_agents() {
        let mut conn = Connection::open_in_memory().expect("db");
        crate::migrate::apply(&mut conn).expect("migrate");
        assert!(
            exists(&conn, "default").expect("default"),
            "migrations create group default"
        );
        insert(&conn, "web", "2026-01-01T00:00:00+00:00").expect("insert");
        let a = agent::NewAgent {
            id: 1,
            name: "a".into(),
            register_ip: "any".into(),
            key: "k".into(),
            date_add: "2026-01-01T00:00:00+00:00".into(),
            groups: vec!["default".into()],
            ..Default::default()
        };
        agent::insert(&conn, &a).expect("agent");
        set_agent_groups(&conn, 1, &["web".into(), "default".into()]).expect("set");
        assert_eq!(of_agent(&conn, 1).expect("of"), ["web", "default"]);
        assert_eq!(delete(&conn, "web").expect("delete"), [1]);
        assert_eq!(of_agent(&conn, 1).expect("of"), ["default"]);
        assert!(!exists(&conn, "web").expect("gone"));
    }
}
