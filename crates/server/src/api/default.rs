//! `GET /` (API information) and oxsec's `GET /openapi.json`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::Routes;
use crate::params::Params;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/", default_info)
        .get("/openapi.json", get_openapi)
}

/// Wazuh's API info: same fields, same order.
async fn default_info(State(state): State<AppState>, _params: Params) -> Json<Value> {
    Json(oxsec_types::envelope::data(json!({
        "title": "Wazuh API REST",
        "api_version": oxsec_types::WAZUH_API_VERSION,
        "revision": crate::REVISION,
        "license_name": "Apache 2.0",
        "license_url": "https://www.apache.org/licenses/LICENSE-2.0",
        "hostname": state.hostname(),
        "timestamp": crate::timefmt::now_iso(),
    })))
}

/// The OpenAPI document of exactly the operations this server answers.
async fn get_openapi(_params: Params) -> Json<Value> {
    Json(crate::openapi::served_document().clone())
}
