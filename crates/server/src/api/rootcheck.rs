//! `/rootcheck…`: what the rootcheck scans reported for an agent.

use axum::extract::{Path, State};

use super::Routes;
use crate::auth::authz::Authz;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::{agent_data, rootcheck};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/rootcheck/{agent_id}", get_events)
        .get("/rootcheck/{agent_id}/last_scan", get_last_scan)
        .delete("/rootcheck/{agent_id}", delete_agent)
        .delete("/experimental/rootcheck", delete_experimental)
        .put("/rootcheck", put_scan)
}

async fn delete_agent(
    State(state): State<AppState>,
    authz: Authz,
    Path(agent_id): Path<String>,
    _p: Params,
) -> ApiResult<Envelope> {
    Ok(Envelope(rootcheck::clear(&state, &authz, Some(vec![agent_id])).await?))
}

async fn delete_experimental(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(rootcheck::clear(&state, &authz, p.list("agents_list")).await?))
}

async fn get_events(State(state): State<AppState>, Path(agent_id): Path<String>, p: Params) -> ApiResult<Envelope> {
    let agent = agent_data::agent_number(&agent_id)?;
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(rootcheck::events(&state, agent, &p, query).await?))
}

async fn get_last_scan(State(state): State<AppState>, Path(agent_id): Path<String>, _p: Params) -> ApiResult<Envelope> {
    let agent = agent_data::agent_number(&agent_id)?;
    Ok(Envelope(rootcheck::last_scan(&state, agent).await?))
}

async fn put_scan(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(
        crate::service::agent_commands::restart_scans(
            &state,
            &authz,
            p.list("agents_list"),
            "rootcheck",
            [
                "Rootcheck scan was restarted on returned agents",
                "Rootcheck scan was not restarted on some agents",
                "No rootcheck scan was restarted",
            ],
        )
        .await?,
    ))
}
