//! `/cluster…`: the cluster's operations. All but `GET /cluster/status` need a running cluster
//! (see `service::cluster`); the contract layer refuses them before authorization, as Wazuh does,
//! and their handler refuses them again so no route can answer without one.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::Routes;
use crate::error::ApiResult;
use crate::params::Params;
use crate::service::cluster;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    let mut routes = Routes::default().get("/cluster/status", get_status);
    for path in [
        "/cluster/local/info",
        "/cluster/local/config",
        "/cluster/nodes",
        "/cluster/healthcheck",
        "/cluster/ruleset/synchronization",
        "/cluster/api/config",
        "/cluster/{node_id}/status",
        "/cluster/{node_id}/info",
        "/cluster/{node_id}/configuration",
        "/cluster/{node_id}/daemons/stats",
        "/cluster/{node_id}/stats",
        "/cluster/{node_id}/stats/hourly",
        "/cluster/{node_id}/stats/weekly",
        "/cluster/{node_id}/stats/analysisd",
        "/cluster/{node_id}/stats/remoted",
        "/cluster/{node_id}/logs",
        "/cluster/{node_id}/logs/summary",
        "/cluster/configuration/validation",
        "/cluster/{node_id}/configuration/{component}/{configuration}",
    ] {
        routes = routes.get(path, needs_cluster);
    }
    routes
        .put("/cluster/{node_id}/configuration", needs_cluster)
        .put("/cluster/restart", needs_cluster)
        .put("/cluster/analysisd/reload", needs_cluster)
}

async fn get_status(State(state): State<AppState>, _p: Params) -> Json<Value> {
    Json(oxsec_types::envelope::data(cluster::status(&state)))
}

async fn needs_cluster(State(state): State<AppState>, _p: Params) -> ApiResult<Json<Value>> {
    cluster::ensure_running(&state)?;
    Err(crate::error::ApiError::Internal(
        "cluster operations are not implemented for a running cluster".into(),
    ))
}
