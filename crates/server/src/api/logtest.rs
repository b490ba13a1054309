//! `/logtest…`: wazuh-logtest over the API.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{Map, Value};

use super::Routes;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::service::logtest;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .put("/logtest", put_logtest)
        .delete("/logtest/sessions/{token}", delete_session)
}

/// Logtest's own answer, `{"error": 0, "data": …}`, as Wazuh's API passes it on.
fn answer(data: Value) -> Json<Value> {
    let mut m = Map::new();
    m.insert("error".into(), Value::from(0));
    m.insert("data".into(), data);
    Json(Value::Object(m))
}

async fn put_logtest(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let request = logtest::Request {
        token: text("token"),
        event: text("event").unwrap_or_default(),
        log_format: text("log_format").unwrap_or_default(),
        location: text("location").unwrap_or_default(),
    };
    // Matching a long event can take milliseconds: off the async workers.
    let data = tokio::task::spawn_blocking(move || logtest::run(&state, request))
        .await
        .map_err(|e| ApiError::Internal(format!("logtest failed: {e}")))??;
    Ok(answer(data))
}

async fn delete_session(
    State(state): State<AppState>,
    Path(token): Path<String>,
    _p: Params,
) -> ApiResult<Json<Value>> {
    Ok(answer(logtest::end_session(&state, &token)?))
}
