//! `/lists…`: the CDB lists under `etc/lists`.

use axum::extract::{Path, State};
use axum::response::Response;

use super::ruleset_files::file_response;
use super::Routes;
use crate::auth::authz::Authz;
use crate::body::UploadBody;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::lists;
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/lists", get_lists)
        .get("/lists/files", get_files)
        .get("/lists/files/{filename}", get_file)
        .put("/lists/files/{filename}", put_file)
        .delete("/lists/files/{filename}", delete_file)
}

async fn get_lists(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let dir = params.text("relative_dirname");
    Ok(Envelope(lists::list(
        &state,
        &authz,
        params.list("filename"),
        dir.as_deref(),
        &query,
    )?))
}

async fn get_files(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let dir = params.text("relative_dirname");
    Ok(Envelope(lists::files(
        &state,
        &authz,
        params.list("filename"),
        dir.as_deref(),
        &query,
    )?))
}

async fn get_file(State(state): State<AppState>, Path(filename): Path<String>, params: Params) -> ApiResult<Response> {
    let answer = lists::file(&state, &filename, params.flag("raw"));
    Ok(file_response(answer, "text/plain; charset=utf-8"))
}

async fn put_file(
    State(state): State<AppState>,
    authz: Authz,
    Path(filename): Path<String>,
    params: Params,
    UploadBody(body): UploadBody,
) -> ApiResult<Envelope> {
    Ok(Envelope(
        lists::upload(&state, &authz, &filename, params.flag("overwrite"), &body).await?,
    ))
}

async fn delete_file(State(state): State<AppState>, Path(filename): Path<String>) -> ApiResult<Envelope> {
    Ok(Envelope(lists::delete(&state, &filename).await?))
}
