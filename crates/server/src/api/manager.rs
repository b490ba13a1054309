//! `/manager…`: the manager's own operations.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::Routes;
use crate::auth::authz::Authz;
use crate::body::UploadBody;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::{active_config, manager, ossec_log};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/manager/status", get_status)
        .get("/manager/info", get_info)
        .get("/manager/configuration", get_configuration)
        .put("/manager/configuration", put_configuration)
        .get("/manager/configuration/validation", get_validation)
        .get(
            "/manager/configuration/{component}/{configuration}",
            get_active_configuration,
        )
        .get("/manager/daemons/stats", get_daemons_stats)
        .get("/manager/stats", get_stats)
        .get("/manager/stats/hourly", get_stats_hourly)
        .get("/manager/stats/weekly", get_stats_weekly)
        .get("/manager/stats/analysisd", get_stats_analysisd)
        .get("/manager/stats/remoted", get_stats_remoted)
        .get("/manager/api/config", get_api_config)
        .get("/manager/logs", get_logs)
        .get("/manager/logs/summary", get_logs_summary)
        .get("/manager/version/check", get_version_check)
        .put("/manager/analysisd/reload", put_reload_analysisd)
        .put("/manager/restart", put_restart)
}

async fn get_status(State(state): State<AppState>, _p: Params) -> Envelope {
    Envelope(node_scoped(&state, manager::status(&state)))
}

async fn get_info(State(state): State<AppState>, _p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(node_scoped(&state, manager::info(&state)?)))
}

async fn get_configuration(State(state): State<AppState>, authz: Authz, p: Params) -> ApiResult<Response> {
    if p.flag("raw") {
        let mut text = manager::configuration_text(&state)?;
        if !manager::may_see_secrets(&authz.perms) {
            text = manager::mask_secrets_in_text(&text);
        }
        return Ok(([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], text).into_response());
    }
    let section = p.text("section");
    let field = p.text("field");
    Ok(Envelope(node_scoped(
        &state,
        manager::configuration(
            &state,
            section.as_deref(),
            field.as_deref(),
            p.flag("distinct"),
            manager::may_see_secrets(&authz.perms),
        ),
    ))
    .into_response())
}

async fn put_configuration(
    State(state): State<AppState>,
    _p: Params,
    UploadBody(body): UploadBody,
) -> ApiResult<Envelope> {
    Ok(Envelope(node_scoped(
        &state,
        manager::update_configuration(&state, body.to_vec()).await?,
    )))
}

async fn get_validation(State(state): State<AppState>, _p: Params) -> Envelope {
    Envelope(manager::validation(&state))
}

async fn get_active_configuration(
    State(state): State<AppState>,
    authz: Authz,
    Path((component, configuration)): Path<(String, String)>,
    _p: Params,
) -> Envelope {
    Envelope(node_scoped(
        &state,
        active_config::active_configuration(
            &state,
            &manager::node_id(&state),
            &component,
            &configuration,
            manager::may_see_secrets(&authz.perms),
        ),
    ))
}

async fn get_daemons_stats(State(state): State<AppState>, p: Params) -> Envelope {
    Envelope(manager::daemons_stats(&state, p.list("daemons_list")))
}

async fn get_stats(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(manager::stats_totals(&state, p.text("date").as_deref())?))
}

async fn get_stats_hourly(State(state): State<AppState>, _p: Params) -> Envelope {
    Envelope(manager::stats_hourly(&state))
}

async fn get_stats_weekly(State(state): State<AppState>, _p: Params) -> Envelope {
    Envelope(manager::stats_weekly(&state))
}

/// With the cluster enabled Wazuh tells which node answered: " in specified node".
fn node_suffix(state: &AppState) -> &'static str {
    if crate::service::cluster::running(state) {
        " in specified node"
    } else {
        ""
    }
}

/// `result` with [`node_suffix`]'s messages.
fn node_scoped(state: &AppState, result: oxsec_types::envelope::AffectedItems) -> oxsec_types::envelope::AffectedItems {
    if crate::service::cluster::running(state) {
        result.in_specified_node()
    } else {
        result
    }
}

/// Wazuh marks the state-file endpoints deprecated in a response header.
pub(super) fn deprecated(resp: Envelope) -> Response {
    ([("Deprecated", "true")], resp).into_response()
}

async fn get_stats_analysisd(State(state): State<AppState>, _p: Params) -> Response {
    deprecated(Envelope(manager::stats_analysisd(&state)))
}

async fn get_stats_remoted(State(state): State<AppState>, _p: Params) -> Response {
    deprecated(Envelope(manager::stats_remoted(&state)))
}

async fn get_logs(State(state): State<AppState>, p: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&p)?;
    let (level, tag) = (p.text("level"), p.text("tag"));
    Ok(Envelope(
        ossec_log::list(
            state.ossec_log(),
            node_suffix(&state),
            level.as_deref(),
            tag.as_deref(),
            &query,
        )
        .await?,
    ))
}

async fn get_logs_summary(State(state): State<AppState>, _p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(
        ossec_log::summary(state.ossec_log(), node_suffix(&state)).await?,
    ))
}

async fn get_api_config(State(state): State<AppState>, _p: Params) -> Envelope {
    Envelope(manager::api_config(&state))
}

async fn get_version_check(State(state): State<AppState>, _p: Params) -> ApiResult<Json<Value>> {
    Ok(Json(oxsec_types::envelope::data(manager::version_check(&state)?)))
}

async fn put_reload_analysisd(State(state): State<AppState>, _p: Params) -> ApiResult<Envelope> {
    Ok(Envelope(manager::reload_analysisd(&state).await?))
}

async fn put_restart(State(state): State<AppState>, _p: Params) -> ApiResult<Response> {
    Ok((StatusCode::ACCEPTED, Envelope(manager::restart(&state).await?)).into_response())
}
