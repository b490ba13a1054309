//! `/cluster…`: the cluster's operations. All but `GET /cluster/status` need a running cluster
//! (see `service::cluster`); the contract layer refuses them before authorization when it is not,
//! as Wazuh does. `{node_id}` operations run the manager's own operation when they address this
//! node; `nodes_list` operations answer for this node and report the others.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use oxsec_types::envelope::{AffectedItems, ItemError};
use oxsec_types::WazuhCode;

use super::Routes;
use crate::auth::authz::{self, Authz};
use crate::body::UploadBody;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::render::Envelope;
use crate::service::cluster::{self, Target};
use crate::service::{active_config, manager, ossec_log};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/cluster/status", get_status)
        .get("/cluster/local/info", get_local_info)
        .get("/cluster/local/config", get_local_config)
        .get("/cluster/nodes", get_nodes)
        .get("/cluster/healthcheck", get_healthcheck)
        .get("/cluster/ruleset/synchronization", get_ruleset_sync)
        .get("/cluster/api/config", get_api_config)
        .get("/cluster/configuration/validation", get_validation)
        .put("/cluster/restart", put_restart)
        .put("/cluster/analysisd/reload", put_reload)
        .get("/cluster/{node_id}/status", node_status)
        .get("/cluster/{node_id}/info", node_info)
        .get("/cluster/{node_id}/configuration", node_configuration)
        .put("/cluster/{node_id}/configuration", node_update_configuration)
        .get("/cluster/{node_id}/daemons/stats", node_daemons_stats)
        .get("/cluster/{node_id}/stats", node_stats)
        .get("/cluster/{node_id}/stats/hourly", node_stats_hourly)
        .get("/cluster/{node_id}/stats/weekly", node_stats_weekly)
        .get("/cluster/{node_id}/stats/analysisd", node_stats_analysisd)
        .get("/cluster/{node_id}/stats/remoted", node_stats_remoted)
        .get("/cluster/{node_id}/logs", node_logs)
        .get("/cluster/{node_id}/logs/summary", node_logs_summary)
        .get(
            "/cluster/{node_id}/configuration/{component}/{configuration}",
            node_active_configuration,
        )
}

async fn get_status(State(state): State<AppState>, _p: Params) -> Json<Value> {
    Json(oxsec_types::envelope::data(cluster::status(&state)))
}

/// Refuses callers who may not read this node.
fn ensure_local_readable(state: &AppState, authz: &Authz) -> Result<(), ApiError> {
    cluster::ensure_running(state)?;
    if may_read_node(authz, &cluster::local_name(state)) {
        Ok(())
    } else {
        Err(authz::denied("node:id"))
    }
}

async fn get_local_info(State(state): State<AppState>, authz: Authz, _p: Params) -> ApiResult<Envelope> {
    ensure_local_readable(&state, &authz)?;
    Ok(Envelope(cluster::local_info(&state)))
}

async fn get_local_config(State(state): State<AppState>, authz: Authz, _p: Params) -> ApiResult<Envelope> {
    ensure_local_readable(&state, &authz)?;
    Ok(Envelope(cluster::local_config(
        &state,
        manager::may_see_secrets(&authz.perms),
    )?))
}

/// The nodes a `nodes_list` operation addresses, sorted out: whether this node is one, and the
/// failures (nodes denied to the caller, unknown, or not reachable from here).
struct Targets {
    local: bool,
    failures: Vec<(String, ItemError)>,
    named: bool,
}

/// Whether the caller may read `node` (Wazuh asks this of every node an operation addresses,
/// whatever the operation's own action).
fn may_read_node(authz: &Authz, node: &str) -> bool {
    authz.perms.allows("cluster:read", "node:id", node, &|_| Vec::new()) && authz.permits("node:id", node)
}

/// The nodes named in `nodes_list` split into (readable, denied); every one denied is 403.
fn split_named(authz: &Authz, names: Vec<String>) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let (allowed, denied): (Vec<String>, Vec<String>) = names.into_iter().partition(|n| may_read_node(authz, n));
    if allowed.is_empty() && !denied.is_empty() {
        return Err(authz::denied("node:id"));
    }
    Ok((allowed, denied))
}

async fn targets(state: &AppState, authz: &Authz, nodes_list: Option<Vec<String>>) -> Result<Targets, ApiError> {
    cluster::ensure_running(state)?;
    let alive = cluster::alive_nodes(state).await?;
    let local = cluster::local_name(state);
    let named = nodes_list.is_some();
    let (wanted, denied) = match nodes_list {
        Some(names) => split_named(authz, names)?,
        None => {
            let readable: Vec<String> = alive
                .iter()
                .map(|n| n.name.clone())
                .filter(|n| may_read_node(authz, n))
                .collect();
            if readable.is_empty() {
                return Err(authz::denied("node:id"));
            }
            (readable, Vec::new())
        }
    };
    let mut t = Targets {
        local: false,
        failures: denied.into_iter().map(|n| (n, authz::denied_item("node:id"))).collect(),
        named,
    };
    for name in wanted {
        if name == local || name == "unknown" {
            t.local = true;
        } else if alive.iter().any(|n| n.name == name) {
            t.failures.push((name.clone(), ItemError::new(WazuhCode::UnknownNode)));
        } else {
            t.failures.push((name, ItemError::new(WazuhCode::NodeNotFound)));
        }
    }
    Ok(t)
}

impl Targets {
    /// `result` (this node's answer, when it was addressed) with the other nodes' failures; the
    /// node lookup's own messages when this node was not addressed, as Wazuh answers.
    fn merge(self, result: Option<AffectedItems>) -> AffectedItems {
        let mut out = match result {
            Some(r) if self.local => r,
            _ => cluster::missing_nodes(&[]),
        };
        for (name, error) in self.failures {
            out.fail(json!(name), error);
        }
        out
    }
}

async fn get_nodes(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    cluster::ensure_running(&state)?;
    let alive = cluster::alive_nodes(&state).await?;
    let mut result = AffectedItems::new(
        "All selected nodes information was returned",
        "Some nodes information was not returned",
        "No information was returned",
    );
    let wanted: Vec<_> = match p.list("nodes_list") {
        Some(names) => {
            let (allowed, denied) = split_named(&authz, names)?;
            for name in denied {
                result.fail(json!(name), authz::denied_item("node:id"));
            }
            let mut wanted = Vec::new();
            for name in allowed {
                match alive.iter().find(|n| n.name == name) {
                    Some(n) => wanted.push(n.clone()),
                    None => result.fail(json!(name), ItemError::new(WazuhCode::NodeNotFound)),
                }
            }
            wanted
        }
        None => alive.into_iter().filter(|n| may_read_node(&authz, &n.name)).collect(),
    };
    let node_type = p.text("type");
    let records: Vec<Value> = wanted
        .iter()
        .filter(|n| node_type.as_deref().is_none_or(|t| t == n.node_type))
        .map(cluster::node_item)
        .collect();
    let query = crate::list::unchecked_list_query(&p)?;
    let page = crate::service::ruleset::page(&records, &query, cluster::nodes_schema())?;
    result.set_page(page.items, page.total);
    Ok(Envelope(result))
}

async fn get_healthcheck(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    cluster::ensure_running(&state)?;
    let alive = cluster::alive_nodes(&state).await?;
    let (nodes, denied) = match p.list("nodes_list") {
        // Names the cluster does not have are left out, as Wazuh does here.
        Some(names) => {
            let (allowed, denied) = split_named(&authz, names)?;
            (
                alive.into_iter().filter(|n| allowed.contains(&n.name)).collect(),
                denied,
            )
        }
        None => (
            alive.into_iter().filter(|n| may_read_node(&authz, &n.name)).collect(),
            Vec::new(),
        ),
    };
    let mut result = cluster::healthcheck(&state, nodes).await?;
    for name in denied {
        result.fail(json!(name), authz::denied_item("node:id"));
    }
    Ok(Envelope(result))
}

async fn get_ruleset_sync(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let t = targets(&state, &authz, p.list("nodes_list")).await?;
    let mut result = AffectedItems::new(
        "Nodes ruleset synchronization status was successfully read",
        "Could not read ruleset synchronization status in some nodes",
        "Could not read ruleset synchronization status",
    );
    // Nodes share the ruleset through the store and the data dir, so this node is in step.
    result.push(json!({"name": cluster::local_name(&state), "synced": true}));
    Ok(Envelope(t.merge(Some(result))))
}

async fn get_api_config(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let t = targets(&state, &authz, p.list("nodes_list")).await?;
    let result = manager::api_config(&state).with_messages(
        "API configuration was successfully read in all specified nodes",
        "Not all API configurations could be read",
        "Could not read API configuration in any node",
    );
    Ok(Envelope(t.merge(Some(result))))
}

async fn get_validation(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let t = targets(&state, &authz, p.list("nodes_list")).await?;
    let result = manager::validation(&state).with_messages(
        "Validation was successfully checked in all nodes",
        "Could not check validation in some nodes",
        "Could not check validation in any node",
    );
    Ok(Envelope(t.merge(Some(result))))
}

async fn put_restart(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Response> {
    let t = targets(&state, &authz, p.list("nodes_list")).await?;
    let result = if t.local {
        let restarted = manager::restart(&state).await?;
        // Wazuh's single-master broadcast answers with the node lookup's message.
        Some(if t.named {
            restarted.with_messages(
                "Restart request sent to all specified nodes",
                "Could not send restart request to some specified nodes",
                "Could not send restart request to any node",
            )
        } else {
            restarted.with_messages(
                "All selected nodes information was returned",
                "Some nodes information was not returned",
                "No information was returned",
            )
        })
    } else {
        None
    };
    Ok((StatusCode::ACCEPTED, Envelope(t.merge(result))).into_response())
}

async fn put_reload(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let t = targets(&state, &authz, p.list("nodes_list")).await?;
    let result = if t.local {
        Some(manager::reload_analysisd(&state).await?.with_messages(
            "Reload request sent to all specified nodes",
            "Could not send reload request to some specified nodes",
            "Could not send reload request to any node",
        ))
    } else {
        None
    };
    Ok(Envelope(t.merge(result)))
}

/// Runs `local` when `node_id` is this node; answers for the others as Wazuh does.
async fn on_node<F>(state: &AppState, authz: &Authz, node_id: &str, local: F) -> ApiResult<Response>
where
    F: std::future::Future<Output = ApiResult<Response>>,
{
    cluster::ensure_running(state)?;
    if !may_read_node(authz, node_id) {
        return Err(authz::denied("node:id"));
    }
    match cluster::resolve(state, node_id).await? {
        Target::Local => local.await,
        Target::Remote => Err(cluster::unreachable(node_id)),
        Target::Missing => Ok(Envelope(cluster::missing_nodes(&[node_id.to_owned()])).into_response()),
    }
}

fn envelope(result: AffectedItems) -> ApiResult<Response> {
    Ok(Envelope(result).into_response())
}

async fn node_status(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(manager::status(&state).in_specified_node())
    })
    .await
}

async fn node_info(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(manager::info(&state)?.in_specified_node())
    })
    .await
}

async fn node_configuration(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        if p.flag("raw") {
            let mut text = manager::configuration_text(&state)?;
            if !manager::may_see_secrets(&authz.perms) {
                text = manager::mask_secrets_in_text(&text);
            }
            return Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], text).into_response());
        }
        let section = p.text("section");
        let field = p.text("field");
        envelope(
            manager::configuration(
                &state,
                section.as_deref(),
                field.as_deref(),
                false,
                manager::may_see_secrets(&authz.perms),
            )
            .in_specified_node(),
        )
    })
    .await
}

async fn node_update_configuration(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
    UploadBody(body): UploadBody,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(
            manager::update_configuration(&state, body.to_vec())
                .await?
                .in_specified_node(),
        )
    })
    .await
}

async fn node_daemons_stats(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(manager::daemons_stats(&state, p.list("daemons_list")))
    })
    .await
}

async fn node_stats(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(manager::stats_totals(&state, p.text("date").as_deref())?)
    })
    .await
}

async fn node_stats_hourly(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(manager::stats_hourly(&state))
    })
    .await
}

async fn node_stats_weekly(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(manager::stats_weekly(&state))
    })
    .await
}

async fn node_stats_analysisd(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        Ok(super::manager::deprecated(Envelope(manager::stats_analysisd(&state))))
    })
    .await
}

async fn node_stats_remoted(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        Ok(super::manager::deprecated(Envelope(manager::stats_remoted(&state))))
    })
    .await
}

async fn node_logs(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        let query = crate::list::unchecked_list_query(&p)?;
        envelope(
            ossec_log::list(
                state.ossec_log(),
                " in specified node",
                p.text("level").as_deref(),
                p.text("tag").as_deref(),
                &query,
            )
            .await?,
        )
    })
    .await
}

async fn node_logs_summary(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(ossec_log::summary(state.ossec_log(), " in specified node").await?)
    })
    .await
}

async fn node_active_configuration(
    State(state): State<AppState>,
    authz: Authz,
    Path((node_id, component, configuration)): Path<(String, String, String)>,
    _p: Params,
) -> ApiResult<Response> {
    on_node(&state, &authz, &node_id, async {
        envelope(
            active_config::active_configuration(
                &state,
                &cluster::local_name(&state),
                &component,
                &configuration,
                manager::may_see_secrets(&authz.perms),
            )
            .in_specified_node(),
        )
    })
    .await
}
