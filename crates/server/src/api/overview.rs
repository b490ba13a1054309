//! `/overview/agents` and `/tasks/status`.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::Routes;
use crate::auth::authz::Authz;
use crate::error::ApiResult;
use crate::params::Params;
use crate::service::{agent_admin, tasks};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/overview/agents", get_overview_agents)
        .get("/tasks/status", get_tasks_status)
}

async fn get_overview_agents(State(state): State<AppState>, authz: Authz, _p: Params) -> ApiResult<Json<Value>> {
    Ok(Json(oxsec_types::envelope::data(
        agent_admin::overview(&state, &authz).await?,
    )))
}

async fn get_tasks_status(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let schema = tasks::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    tasks::add_filters(
        &mut query,
        &[
            ("agent_id", params.list("agents_list")),
            ("task_id", params.list("tasks_list")),
            ("command", params.text("command").map(|v| vec![v])),
            ("node", params.text("node").map(|v| vec![v])),
            ("module", params.text("module").map(|v| vec![v])),
            ("status", params.text("status").map(|v| vec![v])),
        ],
    );
    Ok(Json(tasks::status(&state, query).await?.into_json()))
}
