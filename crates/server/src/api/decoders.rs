//! `/decoders…`: the loaded ruleset's decoders and decoder files.

use axum::extract::{Path, State};
use axum::response::Response;

use super::Routes;
use crate::api::rules::xml_file;
use crate::auth::authz::Authz;
use crate::body::UploadBody;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::decoders::{self, DecoderFilters};
use crate::service::ruleset::{self, FileFilters, DECODERS};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/decoders", get_decoders)
        .get("/decoders/parents", get_parents)
        .get("/decoders/files", get_files)
        .get("/decoders/files/{filename}", get_file)
        .put("/decoders/files/{filename}", put_file)
        .delete("/decoders/files/{filename}", delete_file)
}

async fn get_decoders(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let filters = DecoderFilters {
        names: params.list("decoder_names"),
        status: params.text("status"),
        filenames: params.list("filename"),
        relative_dirname: params.text("relative_dirname"),
        parents_only: false,
    };
    Ok(Envelope(decoders::list(&state, &authz, filters, &query)?))
}

async fn get_parents(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let filters = DecoderFilters {
        parents_only: true,
        ..DecoderFilters::default()
    };
    Ok(Envelope(decoders::list(&state, &authz, filters, &query)?))
}

async fn get_files(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let filters = FileFilters {
        filenames: params.list("filename"),
        relative_dirname: params.text("relative_dirname"),
        status: params.text("status"),
    };
    Ok(Envelope(decoders::files(&state, &authz, filters, &query)?))
}

async fn get_file(State(state): State<AppState>, Path(filename): Path<String>, params: Params) -> ApiResult<Response> {
    let relative_dirname = params.text("relative_dirname");
    Ok(xml_file(
        &DECODERS,
        &state,
        &filename,
        relative_dirname.as_deref(),
        params.flag("raw"),
    ))
}

async fn put_file(
    State(state): State<AppState>,
    authz: Authz,
    Path(filename): Path<String>,
    params: Params,
    UploadBody(body): UploadBody,
) -> ApiResult<Envelope> {
    let dir = params.text("relative_dirname");
    let overwrite = params.flag("overwrite");
    Ok(Envelope(
        ruleset::upload_xml(&DECODERS, &state, &authz, &filename, dir.as_deref(), overwrite, &body).await?,
    ))
}

async fn delete_file(
    State(state): State<AppState>,
    Path(filename): Path<String>,
    params: Params,
) -> ApiResult<Envelope> {
    let dir = params.text("relative_dirname");
    Ok(Envelope(
        ruleset::delete_xml(&DECODERS, &state, &filename, dir.as_deref()).await?,
    ))
}
