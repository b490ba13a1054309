//! `/sca…`: Security Configuration Assessment results of an agent.

use axum::extract::{Path, State};

use super::Routes;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::{agent_data, sca};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/sca/{agent_id}", get_policies)
        .get("/sca/{agent_id}/checks/{policy_id}", get_checks)
}

async fn get_policies(State(state): State<AppState>, Path(agent_id): Path<String>, p: Params) -> ApiResult<Envelope> {
    let agent = agent_data::agent_number(&agent_id)?;
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(sca::policies(&state, agent, &p, query).await?))
}

async fn get_checks(
    State(state): State<AppState>,
    Path((agent_id, policy_id)): Path<(String, String)>,
    p: Params,
) -> ApiResult<Envelope> {
    let agent = agent_data::agent_number(&agent_id)?;
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(sca::checks(&state, agent, &policy_id, &p, query).await?))
}
