//! `/agents…`: the agent registry (more operations arrive with the agents issue).

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

use super::Routes;
use crate::auth::authz::Authz;
use crate::body::{required_str, JsonBody};
use crate::error::ApiResult;
use crate::params::Params;
use crate::service::agents;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/agents", get_agents)
        .post("/agents", add_agent)
        .get("/agents/summary/status", get_agent_summary_status)
        .get("/agents/{agent_id}/key", get_agent_key)
}

async fn get_agents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let schema = agents::schema(&agents::cutoff())?;
    let mut query = crate::list::list_query(&params, &schema)?;
    agents::add_filters(&mut query, &params);
    let result = agents::list(&state, &authz, params.list("agents_list"), query).await?;
    Ok(Json(result.into_json()))
}

async fn add_agent(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = required_str(&body, "name")?;
    let ip = body.get("ip").and_then(Value::as_str);
    let data = agents::add(&state, name, ip).await?;
    Ok(Json(oxsec_types::envelope::data(data)))
}

async fn get_agent_summary_status(State(state): State<AppState>, authz: Authz, _p: Params) -> ApiResult<Json<Value>> {
    Ok(Json(oxsec_types::envelope::data(
        agents::summary_status(&state, &authz).await?,
    )))
}

async fn get_agent_key(
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    let id = agent_id.parse::<i64>().unwrap_or(-1);
    Ok(Json(agents::key(&state, id).await?.into_json()))
}
