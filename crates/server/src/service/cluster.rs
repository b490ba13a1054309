//! `/cluster…`: oxsec runs as a standalone manager, so the cluster answers as Wazuh's does when
//! `wazuh-clusterd` is not running: `GET /cluster/status` reports it, every other operation fails
//! with 3013 before permissions are looked at (upstream asks clusterd for the node list first).

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;
use oxsec_types::WazuhCode;

/// Whether the operation at `path` (a contract path) needs a running cluster.
pub fn requires_running_cluster(path: &str) -> bool {
    path.starts_with("/cluster/") && path != "/cluster/status"
}

/// Whether this node's cluster service runs. oxsec has none yet: nodes do not talk to each
/// other, so even `<cluster><disabled>no</disabled>` leaves it stopped, as a Wazuh manager
/// whose clusterd failed to start.
pub fn running(_state: &AppState) -> bool {
    false
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
