//! `/manager…`: the manager's own operations.

use axum::extract::State;

use super::Routes;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::manager;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default().put("/manager/analysisd/reload", put_reload_analysisd)
}

async fn put_reload_analysisd(State(state): State<AppState>, _p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(manager::reload_analysisd(&state).await?))
}
