//! `/active-response`: running an active-response command on agents.

use axum::extract::State;
use serde_json::Value;

use super::Routes;
use crate::auth::authz::Authz;
use crate::body::{required_str, JsonBody};
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::agent_commands::{self, ActiveResponse};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default().put("/active-response", put_command)
}

async fn put_command(
    State(state): State<AppState>,
    authz: Authz,
    p: Params,
    JsonBody(body): JsonBody,
) -> ApiResult<Envelope> {
    // The contract checked the body against the spec (command required, its format, arguments
    // strings, no other keys).
    let ar = ActiveResponse {
        command: required_str(&body, "command")?.to_owned(),
        arguments: body
            .get("arguments")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        alert: body
            .get("alert")
            .cloned()
            .unwrap_or_else(|| Value::Object(Default::default())),
    };
    Ok(Envelope(
        agent_commands::active_response(&state, &authz, p.list("agents_list"), ar).await?,
    ))
}
