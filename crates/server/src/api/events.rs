//! `/events`: events sent to the analysis engine.

use axum::extract::State;
use serde_json::Value;

use super::Routes;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::render::Envelope;
use crate::service::events;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default().post("/events", post_events)
}

async fn post_events(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Envelope> {
    let list = body
        .get("events")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if list.len() > events::MAX_EVENTS {
        return Err(ApiError::Problem {
            title: "Events bulk size exceeded",
            detail: "The size of the events bulk is exceeding the limit".into(),
        });
    }
    let list = list.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
    Ok(Envelope(events::ingest(&state, list).await?))
}
