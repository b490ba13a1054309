//! `/ciscat…`: CIS-CAT results of an agent.

use axum::extract::{Path, State};

use super::Routes;
use crate::auth::authz::Authz;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::{agent_data, ciscat};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/ciscat/{agent_id}/results", get_results)
        .get("/experimental/ciscat/results", get_all_results)
}

async fn get_all_results(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(
        ciscat::all_results(&state, &authz, p.list("agents_list"), &p, query).await?,
    ))
}

async fn get_results(State(state): State<AppState>, Path(agent_id): Path<String>, p: Params) -> ApiResult<Envelope> {
    let agent = agent_data::agent_number(&agent_id)?;
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(ciscat::results(&state, agent, &p, query).await?))
}
