//! `/cluster…`. With `<cluster><disabled>yes</disabled>` (the default) oxsec answers as a Wazuh
//! manager whose cluster is not running: `GET /cluster/status` reports it, every other operation
//! fails with 3013 before permissions are looked at (upstream asks clusterd for the node list
//! first).
//!
//! With the cluster enabled, the node registers itself in the store's node registry (name, type,
//! address, version) at start and after each restart, and refreshes its heartbeat while it runs.
//! The node list, the health check and the resolution of `{node_id}` read the registry, so nodes
//! sharing one database see each other. Operations addressed to this node run here; nodes of the
//! registry that are not this one cannot be reached yet (3022), as oxsec forwards no requests.

use std::time::Duration;

use oxsec_store::models::cluster_node::{self, ClusterNode};
use oxsec_types::envelope::{AffectedItems, ItemError};
use oxsec_types::WazuhCode;
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::state::AppState;

/// How often a running node refreshes its heartbeat.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(10);

/// A node whose heartbeat is older than this many seconds is left out of the cluster.
pub const ALIVE_WINDOW_SECS: i64 = 30;

/// The Wazuh version nodes report (without Wazuh's leading `v`, as the cluster reports it).
pub const CLUSTER_VERSION: &str = "4.14.7";

/// Whether the operation at `path` (a contract path) needs a running cluster.
pub fn requires_running_cluster(path: &str) -> bool {
    path.starts_with("/cluster/") && path != "/cluster/status"
}

/// Whether this node's cluster service runs: it does whenever ossec.conf enables the cluster.
pub fn running(state: &AppState) -> bool {
    !state.ossec_conf().cluster().disabled
}

/// Fails with Wazuh's "cluster is not running" unless it runs.
pub fn ensure_running(state: &AppState) -> Result<(), ApiError> {
    if running(state) {
        Ok(())
    } else {
        Err(ApiError::code(WazuhCode::ClusterNotRunning))
    }
}

/// `GET /cluster/status`: `enabled` from ossec.conf, `running` from the service.
pub fn status(state: &AppState) -> Value {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let enabled = !state.ossec_conf().cluster().disabled;
    json!({"enabled": yes_no(enabled), "running": yes_no(running(state))})
}

/// This node's name in the cluster.
pub fn local_name(state: &AppState) -> String {
    state.ossec_conf().cluster().node_name
}

/// This node as the registry holds it.
fn local_node(state: &AppState, now: i64) -> ClusterNode {
    let c = state.ossec_conf().cluster();
    // Wazuh reports the master at the first address of <nodes>, where workers reach it.
    let address = if c.node_type == "master" {
        c.nodes.first().cloned().unwrap_or_else(|| c.bind_addr.clone())
    } else {
        c.bind_addr.clone()
    };
    ClusterNode {
        name: c.node_name,
        node_type: c.node_type,
        address,
        version: CLUSTER_VERSION.into(),
        registered_at: now,
        last_heartbeat: now,
    }
}

/// Registers this node when the cluster is enabled (at start and after a restart).
pub async fn register(state: &AppState) -> Result<(), ApiError> {
    if !running(state) {
        return Ok(());
    }
    let node = local_node(state, oxsec_store::now_secs());
    state
        .store()
        .write(move |tx| cluster_node::register(tx, &node))
        .await
        .map_err(ApiError::from)
}

/// Takes this node out of the registry (a clean stop), so the others stop listing it at once.
pub async fn leave(state: &AppState) {
    if !running(state) {
        return;
    }
    let name = local_name(state);
    if let Err(e) = state.store().write(move |tx| cluster_node::remove(tx, &name)).await {
        tracing::warn!(error = %e, "cannot take this node out of the cluster registry");
    }
}

/// Keeps this node's heartbeat fresh while the cluster is enabled; runs until aborted.
pub async fn heartbeat_loop(state: AppState) {
    let mut tick = tokio::time::interval(HEARTBEAT_INTERVAL);
    loop {
        tick.tick().await;
        if !running(&state) {
            continue;
        }
        let node = local_node(&state, oxsec_store::now_secs());
        let beat = state
            .store()
            .write(move |tx| {
                if !cluster_node::heartbeat(tx, &node.name, node.last_heartbeat)? {
                    cluster_node::register(tx, &node)?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = beat {
            tracing::warn!(error = %e, "cannot refresh this node's cluster heartbeat");
        }
    }
}

/// The nodes alive now: the master first, then by name.
pub async fn alive_nodes(state: &AppState) -> Result<Vec<ClusterNode>, ApiError> {
    let since = oxsec_store::now_secs() - ALIVE_WINDOW_SECS;
    let mut nodes = state
        .store()
        .read(move |c| cluster_node::alive(c, since))
        .await
        .map_err(ApiError::from)?;
    // This node answers, so it is alive even between heartbeats.
    let local = local_name(state);
    if !nodes.iter().any(|n| n.name == local) {
        nodes.insert(0, local_node(state, oxsec_store::now_secs()));
    }
    Ok(nodes)
}

/// Where an operation addressed to `node_id` goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// This node (Wazuh also takes `unknown` as the node answering).
    Local,
    /// Another node of the registry: oxsec cannot forward to it yet.
    Remote,
    /// No such node.
    Missing,
}

/// Resolves `node_id` against the registry.
pub async fn resolve(state: &AppState, node_id: &str) -> Result<Target, ApiError> {
    if node_id == local_name(state) || node_id == "unknown" {
        return Ok(Target::Local);
    }
    let nodes = alive_nodes(state).await?;
    Ok(if nodes.iter().any(|n| n.name == node_id) {
        Target::Remote
    } else {
        Target::Missing
    })
}

/// The answer for nodes that are not in the cluster: failed items with 1730 and the node
/// lookup's messages, as Wazuh answers.
pub fn missing_nodes(names: &[String]) -> AffectedItems {
    let mut result = AffectedItems::new(
        "All selected nodes information was returned",
        "Some nodes information was not returned",
        "No information was returned",
    );
    for name in names {
        result.fail(json!(name), ItemError::new(WazuhCode::NodeNotFound));
    }
    result
}

/// The refusal for a registered node this one cannot reach.
pub fn unreachable(node: &str) -> ApiError {
    ApiError::with_details(
        WazuhCode::UnknownNode,
        format!("node '{node}' is registered but oxsec does not forward requests to other nodes yet"),
    )
}

/// `GET /cluster/local/info`.
pub fn local_info(state: &AppState) -> AffectedItems {
    let c = state.ossec_conf().cluster();
    let mut result = AffectedItems::new(
        "All selected information was returned",
        "Some information was not returned",
        "No information was returned",
    );
    result.push(json!({"node": c.node_name, "cluster": c.name, "type": c.node_type}));
    result
}

/// `GET /cluster/local/config`: `<cluster>` as clusterd reads it: the file's order, then the
/// defaults of what it leaves out; `port` a number, `disabled` a boolean, `nodes` a list.
pub fn local_config(state: &AppState, reveal_secrets: bool) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected information was returned",
        "Some information was not returned",
        "No information was returned",
    );
    let mut config = read_cluster_block(&state.ossec_conf().text)?;
    if !reveal_secrets {
        if let Some(key) = config.get_mut("key") {
            *key = json!("*****");
        }
    }
    result.push(Value::Object(config));
    Ok(result)
}

fn read_cluster_block(text: &str) -> Result<Map<String, Value>, ApiError> {
    let invalid = |what: &str| ApiError::with_details(WazuhCode::InvalidClusterConfig, what.to_owned());
    let roots = oxsec_ruleset::lenient::parse(text).map_err(|e| invalid(&e.to_string()))?;
    let block = roots
        .iter()
        .filter(|r| r.name == "ossec_config")
        .flat_map(|r| r.children_named("cluster"))
        .last();
    let mut config = Map::new();
    for el in block.map(|b| b.children.as_slice()).unwrap_or_default() {
        let text = el.text.trim();
        let value = match el.name.as_str() {
            "nodes" => json!(el
                .children_named("node")
                .map(|n| n.text.trim().to_owned())
                .collect::<Vec<_>>()),
            "port" => json!(text
                .parse::<i64>()
                .map_err(|_| invalid("Cluster port must be an integer."))?),
            "disabled" => match text {
                "yes" => json!(true),
                "no" => json!(false),
                _ => return Err(invalid("Allowed values for 'disabled' field are 'yes' and 'no'.")),
            },
            "node_type" if text == "client" => json!("worker"),
            _ if text.is_empty() => Value::Null,
            _ => json!(text),
        };
        config.insert(el.name.clone(), value);
    }
    for (key, default) in [
        ("name", json!("wazuh")),
        ("node_name", json!("node01")),
        ("node_type", json!("master")),
        ("key", json!("")),
        ("port", json!(1516)),
        ("bind_addr", json!("0.0.0.0")),
        ("nodes", json!(["NODE_IP"])),
        ("hidden", json!("no")),
        ("disabled", json!(false)),
    ] {
        config.entry(key).or_insert(default);
    }
    Ok(config)
}

/// The fields of `GET /cluster/nodes` items.
pub fn nodes_schema() -> &'static oxsec_wql::Schema {
    static SCHEMA: std::sync::OnceLock<oxsec_wql::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = |n: &str| oxsec_wql::Field::text(n, n).sorted_nocase();
        oxsec_wql::Schema::builder()
            .field(text("name"))
            .field(text("type"))
            .field(text("version"))
            .field(text("ip"))
            .max_limit(oxsec_wql::WAZUH_MAX_LIMIT)
            .build()
            .expect("constant schema")
    })
}

/// A node as `GET /cluster/nodes` lists it.
pub fn node_item(node: &ClusterNode) -> Value {
    json!({"name": node.name, "type": node.node_type, "version": node.version, "ip": node.address})
}

/// `GET /cluster/healthcheck`: each node's `info`, by name. oxsec nodes share their state
/// through the store, so there are no file synchronisation rounds to report under `status`.
pub async fn healthcheck(state: &AppState, nodes: Vec<ClusterNode>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected nodes healthcheck information was returned",
        "Some nodes healthcheck information was not returned",
        "No healthcheck information was returned",
    );
    let mut nodes = nodes;
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    for node in nodes {
        let name = node.name.clone();
        let active = state
            .store()
            .read(move |c| cluster_node::active_agents(c, &name))
            .await
            .map_err(ApiError::from)?;
        let mut info = node_item(&node);
        info["n_active_agents"] = json!(active);
        result.push(json!({ "info": info }));
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_block_reads_as_clusterd_reads_it() {
        let c = read_cluster_block(
            "<ossec_config><cluster><node_type>client</node_type><name>prod</name><key></key><port>1516</port>\
             <nodes><node>10.0.0.1</node><node>10.0.0.2</node></nodes><disabled>no</disabled></cluster></ossec_config>",
        )
        .expect("valid");
        assert_eq!(
            Value::Object(c),
            json!({"node_type": "worker", "name": "prod", "key": null, "port": 1516,
                   "nodes": ["10.0.0.1", "10.0.0.2"], "disabled": false,
                   "node_name": "node01", "bind_addr": "0.0.0.0", "hidden": "no"})
        );
        assert!(read_cluster_block("<ossec_config><cluster><port>x</port></cluster></ossec_config>").is_err());
    }
}
