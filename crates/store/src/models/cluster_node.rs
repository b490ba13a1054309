//! The cluster's node registry: who is in the cluster and when each node last said it is alive.

use rusqlite::{params, Connection};

use crate::Result;

/// One registered node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNode {
    /// `<cluster><node_name>`, unique in the cluster.
    pub name: String,
    /// `master` or `worker`.
    pub node_type: String,
    /// The address other nodes and clients reach it at.
    pub address: String,
    /// The Wazuh version it speaks, e.g. `4.14.7`.
    pub version: String,
    /// When it first registered (Unix seconds).
    pub registered_at: i64,
    /// Its latest heartbeat (Unix seconds).
    pub last_heartbeat: i64,
}

/// Registers `node`, or updates it when a node of that name is already known (a restart keeps
/// its first registration time).
pub fn register(conn: &Connection, node: &ClusterNode) -> Result<()> {
    conn.execute(
        "INSERT INTO cluster_nodes (name, node_type, address, version, registered_at, last_heartbeat)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (name) DO UPDATE SET node_type = excluded.node_type, address = excluded.address,
                                          version = excluded.version,
                                          last_heartbeat = excluded.last_heartbeat",
        params![
            node.name,
            node.node_type,
            node.address,
            node.version,
            node.registered_at,
            node.last_heartbeat
        ],
    )?;
    Ok(())
}

/// Records that `name` is alive at `now`. Returns false when the node is not registered (it was
/// removed), so the caller can register it again.
pub fn heartbeat(conn: &Connection, name: &str, now: i64) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE cluster_nodes SET last_heartbeat = ?2 WHERE name = ?1",
        params![name, now],
    )?;
    Ok(changed == 1)
}

/// Removes `name` (a node leaving the cluster on purpose).
pub fn remove(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM cluster_nodes WHERE name = ?1", [name])?;
    Ok(())
}

/// Nodes whose latest heartbeat is at or after `alive_since`: the master first, then by name.
pub fn alive(conn: &Connection, alive_since: i64) -> Result<Vec<ClusterNode>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, node_type, address, version, registered_at, last_heartbeat FROM cluster_nodes
         WHERE last_heartbeat >= ?1 ORDER BY node_type <> 'master', name",
    )?;
    let rows = stmt.query_map([alive_since], |r| {
        Ok(ClusterNode {
            name: r.get(0)?,
            node_type: r.get(1)?,
            address: r.get(2)?,
            version: r.get(3)?,
            registered_at: r.get(4)?,
            last_heartbeat: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Agents reporting to `node` that are connected (the manager's own entry, 000, is not counted).
pub fn active_agents(conn: &Connection, node: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM agents WHERE node_name = ?1 AND connection_status = 'active' AND id <> 0",
        [node],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn node(name: &str, node_type: &str, at: i64) -> ClusterNode {
        ClusterNode {
            name: name.into(),
            node_type: node_type.into(),
            address: "10.0.0.1".into(),
            version: "4.14.7".into(),
            registered_at: at,
            last_heartbeat: at,
        }
    }

    #[test]
    fn nodes_that_stop_beating_drop_out_and_master_comes_first() {
        let dir = tempfile::tempdir().expect("store");
        let store = Store::open(&dir.path().join("db.sqlite")).expect("store");
        store
            .write_blocking(|tx| {
                register(tx, &node("worker2", "worker", 100))?;
                register(tx, &node("master-node", "master", 100))?;
                register(tx, &node("worker1", "worker", 100))?;
                Ok(())
            })
            .expect("store");
        assert!(store.write_blocking(|tx| heartbeat(tx, "worker1", 200)).expect("store"));
        assert!(store
            .write_blocking(|tx| heartbeat(tx, "master-node", 200))
            .expect("store"));
        assert!(!store.write_blocking(|tx| heartbeat(tx, "gone", 200)).expect("store"));
        let names = |since| {
            store
                .read_blocking(|c| alive(c, since))
                .expect("store")
                .into_iter()
                .map(|n| n.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(0), ["master-node", "worker1", "worker2"]);
        assert_eq!(names(150), ["master-node", "worker1"]);
    }

    #[test]
    fn re_registering_keeps_the_first_registration_time() {
        let dir = tempfile::tempdir().expect("store");
        let store = Store::open(&dir.path().join("db.sqlite")).expect("store");
        store
            .write_blocking(|tx| register(tx, &node("m", "master", 100)))
            .expect("store");
        let mut again = node("m", "master", 300);
        again.address = "10.0.0.2".into();
        store.write_blocking(|tx| register(tx, &again)).expect("store");
        let got = store.read_blocking(|c| alive(c, 0)).expect("store");
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].registered_at, got[0].last_heartbeat), (100, 300));
        assert_eq!(got[0].address, "10.0.0.2");
        store.write_blocking(|tx| remove(tx, "m")).expect("store");
        assert!(store.read_blocking(|c| alive(c, 0)).expect("store").is_empty());
    }
}
