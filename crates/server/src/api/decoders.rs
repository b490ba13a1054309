//! `/decoders…`: the loaded ruleset's decoders and decoder files.

use axum::extract::State;

use super::ruleset_files::{self as files, Decoders};
use super::Routes;
use crate::auth::authz::Authz;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::decoders::{self, DecoderFilters};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/decoders", get_decoders)
        .get("/decoders/parents", get_parents)
        .get("/decoders/files", files::get_files::<Decoders>)
        .get("/decoders/files/{filename}", files::get_file::<Decoders>)
        .put("/decoders/files/{filename}", files::put_file::<Decoders>)
        .delete("/decoders/files/{filename}", files::delete_file::<Decoders>)
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
