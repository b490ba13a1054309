//! `/agents…`: the agent registry, group membership, and the commands that need a live agent.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

use super::Routes;
use crate::auth::authz::Authz;
use crate::body::{required_str, JsonBody};
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::render::Envelope;
use crate::service::{agent_admin, agent_commands, agent_groups, agents, groups};
use crate::state::AppState;
use oxsec_types::{envelope, WazuhCode};

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/agents", get_agents)
        .post("/agents", add_agent)
        .delete("/agents", delete_agents)
        .put("/agents/group", put_multiple_agent_single_group)
        .delete("/agents/group", delete_multiple_agent_single_group)
        .put("/agents/group/{group_id}/restart", restart_agents_by_group)
        .post("/agents/insert", insert_agent)
        .post("/agents/insert/quick", post_new_agent)
        .get("/agents/no_group", get_agent_no_group)
        .put("/agents/node/{node_id}/restart", restart_agents_by_node)
        .get("/agents/outdated", get_agent_outdated)
        .put("/agents/reconnect", reconnect_agents)
        .put("/agents/restart", restart_agents)
        .get("/agents/stats/distinct", get_agent_fields)
        .get("/agents/summary", get_agents_summary)
        .get("/agents/summary/os", get_agent_summary_os)
        .get("/agents/summary/status", get_agent_summary_status)
        .get("/agents/uninstall", get_agent_uninstall_permission)
        .put("/agents/upgrade", put_upgrade_agents)
        .put("/agents/upgrade_custom", put_upgrade_custom_agents)
        .get("/agents/upgrade_result", get_agent_upgrade)
        .get(
            "/agents/{agent_id}/config/{component}/{configuration}",
            get_agent_config,
        )
        .get("/agents/{agent_id}/daemons/stats", get_daemon_stats)
        .delete("/agents/{agent_id}/group", delete_single_agent_multiple_groups)
        .get("/agents/{agent_id}/group/is_sync", get_sync_agent)
        .delete("/agents/{agent_id}/group/{group_id}", delete_single_agent_single_group)
        .put("/agents/{agent_id}/group/{group_id}", put_agent_single_group)
        .get("/agents/{agent_id}/key", get_agent_key)
        .put("/agents/{agent_id}/restart", restart_agent)
        .post("/agents/{agent_id}/state", post_agent_state)
        .get("/agents/{agent_id}/stats/{component}", get_component_stats)
}

/// oxsec extension: what an agent reports about itself (docs/AGENT-DATA.md).
async fn post_agent_state(
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    _p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Envelope> {
    let agent = crate::service::agent_data::agent_number(&agent_id)?;
    Ok(Envelope(crate::service::ingest::ingest(&state, agent, &body).await?))
}

fn json(result: oxsec_types::AffectedItems) -> ApiResult<Json<Value>> {
    Ok(Json(result.into_json()))
}

async fn get_agents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let schema = agents::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    agents::add_filters(&mut query, &params);
    Ok(Envelope(
        agents::list(&state, &authz, params.list("agents_list"), query).await?,
    ))
}

async fn add_agent(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = required_str(&body, "name")?;
    let ip = body.get("ip").and_then(Value::as_str);
    let force = agents::Force::from_body(body.get("force"))?;
    let data = agents::add(&state, name, ip, force).await?;
    Ok(Json(envelope::data(data)))
}

/// The filter parameters `DELETE /agents` and the upgrades take, as given (for messages).
const FILTER_PARAMS: &[&str] = &[
    "status",
    "older_than",
    "manager",
    "version",
    "group",
    "node_name",
    "name",
    "ip",
    "registerIP",
    "os.version",
    "os.name",
    "os.platform",
];

async fn delete_agents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let schema = agents::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    agents::add_filters(&mut query, &params);
    if !params.has("older_than") {
        // The contract's default, applied as upstream's framework receives it.
        query.q = Some(match query.q.take() {
            Some(q) => oxsec_wql::Expr::And(vec![agents::older_than("7d"), q]),
            None => agents::older_than("7d"),
        });
    }
    let filters: Vec<(String, Vec<String>)> = FILTER_PARAMS
        .iter()
        .filter_map(|p| {
            let v = if *p == "status" {
                params.list(p)
            } else {
                params.text(p).map(|v| vec![v])
            };
            let v = v.or_else(|| (*p == "older_than").then(|| vec!["7d".to_owned()]))?;
            Some(((*p).to_owned(), v))
        })
        .collect();
    let wanted = params.list("agents_list").unwrap_or_default();
    json(agent_admin::delete(&state, &authz, wanted, query, &filters, params.text("q")).await?)
}

async fn put_multiple_agent_single_group(
    State(state): State<AppState>,
    authz: Authz,
    params: Params,
) -> ApiResult<Json<Value>> {
    let group_id = params.text("group_id").unwrap_or_default();
    let replace = params.flag("force_single_group");
    json(agent_groups::assign(&state, &authz, &group_id, params.list("agents_list"), replace).await?)
}

async fn delete_multiple_agent_single_group(
    State(state): State<AppState>,
    authz: Authz,
    params: Params,
) -> ApiResult<Json<Value>> {
    let group_id = params.text("group_id").unwrap_or_default();
    json(agent_groups::unassign_agents(&state, &authz, &group_id, params.list("agents_list")).await?)
}

async fn restart_agents_by_group(
    State(state): State<AppState>,
    _authz: Authz,
    Path(group_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    groups::require(&state, &group_id).await?;
    // Upstream restarts the group's active agents and leaves the others out silently; none is
    // reachable here (no agent connection service), so none is affected.
    json(oxsec_types::AffectedItems::new(
        "Restart command was sent to all agents",
        "Restart command was not sent to some agents",
        "Restart command was not sent to any agent",
    ))
}

async fn restart_agents_by_node(
    State(state): State<AppState>,
    authz: Authz,
    Path(node_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    if node_id != crate::node_name() {
        return Err(ApiError::with_details(WazuhCode::NodeNotFound, node_id));
    }
    json(agent_commands::restart(&state, &authz, None).await?)
}

async fn insert_agent(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    Ok(Json(envelope::data(agent_admin::insert(&state, &body).await?)))
}

async fn post_new_agent(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let name = params.text("agent_name").unwrap_or_default();
    Ok(Json(envelope::data(
        agents::add(&state, &name, None, agents::Force::DISABLED).await?,
    )))
}

async fn get_agent_no_group(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let schema = agents::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    agent_admin::restrict_to_no_group(&mut query);
    Ok(Envelope(agents::list(&state, &authz, None, query).await?))
}

async fn get_agent_outdated(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let schema = agents::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    agent_admin::restrict_to_outdated(&mut query);
    Ok(Envelope(agents::list(&state, &authz, None, query).await?))
}

async fn reconnect_agents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    json(agent_commands::reconnect(&state, &authz, params.list("agents_list")).await?)
}

async fn restart_agents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    json(agent_commands::restart(&state, &authz, params.list("agents_list")).await?)
}

async fn restart_agent(
    State(state): State<AppState>,
    authz: Authz,
    Path(agent_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    json(agent_commands::restart(&state, &authz, Some(vec![agent_id])).await?)
}

async fn get_agent_fields(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let fields = params.list("fields").unwrap_or_default();
    let schema = agents::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    // Sorting applies to the distinct rows (fields and count), not to the agents.
    query.sort = Vec::new();
    let mut page = query.clone();
    if let Some(sort) = params.text("sort") {
        page.sort = oxsec_wql::parse_sort(&sort).map_err(crate::list::wql_error)?;
    }
    page.q = query.q.take();
    json(agent_admin::distinct(&state, &authz, fields, page).await?)
}

async fn get_agents_summary(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let data = agent_admin::summary(&state, &authz, params.list("agents_list")).await?;
    Ok(Json(envelope::data(data)))
}

async fn get_agent_summary_os(State(state): State<AppState>, authz: Authz, _p: Params) -> ApiResult<Json<Value>> {
    json(agent_admin::summary_os(&state, &authz).await?)
}

async fn get_agent_summary_status(State(state): State<AppState>, authz: Authz, _p: Params) -> ApiResult<Json<Value>> {
    Ok(Json(envelope::data(agents::summary_status(&state, &authz).await?)))
}

async fn get_agent_uninstall_permission(_p: Params) -> ApiResult<Json<Value>> {
    Ok(Json(envelope::message("User has permission to uninstall agents")))
}

async fn put_upgrade_agents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    json(agent_commands::upgrade(&state, &authz, params.list("agents_list"), "upgrade").await?)
}

async fn put_upgrade_custom_agents(
    State(state): State<AppState>,
    authz: Authz,
    params: Params,
) -> ApiResult<Json<Value>> {
    json(agent_commands::upgrade(&state, &authz, params.list("agents_list"), "upgrade_custom").await?)
}

async fn get_agent_upgrade(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    json(agent_commands::upgrade_result(&state, &authz, params.list("agents_list")).await?)
}

async fn get_agent_config(
    State(state): State<AppState>,
    Path((agent_id, _component, _configuration)): Path<(String, String, String)>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    Ok(Json(envelope::data(agent_commands::config(&state, &agent_id).await?)))
}

async fn get_daemon_stats(
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    json(
        agent_commands::stats(
            &state,
            &agent_id,
            [
                "Statistical information for each daemon was successfully read",
                "Could not read statistical information for some daemons",
                "Could not read statistical information for any daemon",
            ],
        )
        .await?,
    )
}

async fn get_component_stats(
    State(state): State<AppState>,
    Path((agent_id, _component)): Path<(String, String)>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    json(
        agent_commands::stats(
            &state,
            &agent_id,
            [
                "Statistical information for each component was successfully read",
                "Could not read statistical information for some components",
                "Could not read statistical information for any component",
            ],
        )
        .await?,
    )
}

async fn delete_single_agent_multiple_groups(
    State(state): State<AppState>,
    authz: Authz,
    Path(agent_id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    json(agent_groups::unassign_groups(&state, &authz, &agent_id, params.list("groups_list")).await?)
}

async fn get_sync_agent(
    State(state): State<AppState>,
    authz: Authz,
    Path(agent_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    json(agent_commands::is_sync(&state, &authz, &agent_id).await?)
}

async fn delete_single_agent_single_group(
    State(state): State<AppState>,
    Path((agent_id, group_id)): Path<(String, String)>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    let message = agent_groups::unassign_single(&state, &agent_id, &group_id).await?;
    Ok(Json(envelope::message(&message)))
}

async fn put_agent_single_group(
    State(state): State<AppState>,
    authz: Authz,
    Path((agent_id, group_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let replace = params.flag("force_single_group");
    json(agent_groups::assign(&state, &authz, &group_id, Some(vec![agent_id]), replace).await?)
}

async fn get_agent_key(
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    let id = agents::parse_id(&agent_id).unwrap_or(-1);
    json(agents::key(&state, id).await?)
}
