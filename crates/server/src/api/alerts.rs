//! `/alerts` (oxsec extension): searching the stored alerts.

use axum::extract::State;

use super::Routes;
use crate::auth::authz::Authz;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::alerts;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/alerts", get_alerts)
        .get("/alerts/summary", get_summary)
}

async fn get_summary(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(alerts::summary(&state, &authz, &p).await?))
}

async fn get_alerts(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Envelope> {
    let query = crate::list::list_query(&p, &alerts::schema()?)?;
    Ok(Envelope(alerts::list(&state, &authz, &p, query).await?))
}
