//! `/groups…`: agent groups and their files.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::Routes;
use crate::auth::authz::Authz;
use crate::body::{required_str, JsonBody, RawBody};
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::groups::{self, FileContent};
use crate::service::{agents, groups as svc};
use crate::state::AppState;
use oxsec_types::envelope;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/groups", get_list_group)
        .post("/groups", post_group)
        .delete("/groups", delete_groups)
        .get("/groups/{group_id}/agents", get_agents_in_group)
        .get("/groups/{group_id}/configuration", get_group_config)
        .put("/groups/{group_id}/configuration", put_group_config)
        .get("/groups/{group_id}/files", get_group_files)
        .get("/groups/{group_id}/files/{file_name}", get_group_file)
}

async fn get_list_group(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let query = crate::list::list_query(&params, svc::groups_schema())?;
    let hash = params.text("hash").unwrap_or_else(|| "md5".into());
    let result = svc::list(&state, &authz, params.list("groups_list"), &hash, query).await?;
    Ok(Json(result.into_json()))
}

async fn post_group(State(state): State<AppState>, _p: Params, JsonBody(body): JsonBody) -> ApiResult<Json<Value>> {
    let name = required_str(&body, "group_id")?;
    let message = svc::create(&state, name).await?;
    Ok(Json(envelope::message(&message)))
}

async fn delete_groups(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Json<Value>> {
    let wanted = params.list("groups_list").unwrap_or_default();
    Ok(Json(svc::delete(&state, &authz, wanted).await?.into_json()))
}

async fn get_agents_in_group(
    State(state): State<AppState>,
    authz: Authz,
    Path(group_id): Path<String>,
    params: Params,
) -> ApiResult<Envelope> {
    svc::require(&state, &group_id).await?;
    let schema = agents::schema()?;
    let mut query = crate::list::list_query(&params, &schema)?;
    agents::add_filters(&mut query, &params);
    agents::restrict_to_group(&mut query, &group_id);
    Ok(Envelope(agents::list(&state, &authz, None, query).await?))
}

async fn get_group_config(
    State(state): State<AppState>,
    Path(group_id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let offset = params.int("offset").map_or(0, |o| o.max(0) as usize);
    let limit = params.int("limit").map(|l| l.max(0) as usize);
    Ok(Json(envelope::data(
        svc::configuration(&state, &group_id, offset, limit).await?,
    )))
}

async fn put_group_config(
    State(state): State<AppState>,
    Path(group_id): Path<String>,
    _p: Params,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let message = svc::put_configuration(&state, &group_id, &body).await?;
    Ok(Json(envelope::message(&message)))
}

async fn get_group_files(
    State(state): State<AppState>,
    Path(group_id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let query = crate::list::list_query(&params, svc::files_schema())?;
    let hash = params.text("hash").unwrap_or_else(|| "md5".into());
    Ok(Json(svc::files(&state, &group_id, &hash, query).await?.into_json()))
}

async fn get_group_file(
    State(state): State<AppState>,
    Path((group_id, file_name)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let kind = params.text("type");
    match groups::file(&state, &group_id, &file_name, kind.as_deref(), params.flag("raw")).await? {
        FileContent::Raw(text) => {
            let kind = if file_name.ends_with(".conf") {
                "application/xml; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            };
            Ok(([(header::CONTENT_TYPE, kind)], text).into_response())
        }
        FileContent::Json(data) => Ok(Json(envelope::data(data)).into_response()),
    }
}
