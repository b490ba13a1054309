//! The file operations rules and decoders share (`GET /rules/files`, `GET|PUT|DELETE
//! /rules/files/{filename}` and the same under `/decoders`): one handler each, generic over the
//! family of file, so the two groups cannot drift apart. Their routes are in `rules.rs` and
//! `decoders.rs`.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::auth::authz::Authz;
use crate::body::UploadBody;
use crate::error::ApiResult;
use crate::params::Params;
use crate::render::Envelope;
use crate::service::ruleset::{self, FileAnswer, FileFilters, XmlFamily, DECODERS, RULES};
use crate::state::AppState;

/// A family of ruleset XML files.
pub trait Family: Send + Sync + 'static {
    /// Its names, codes and messages.
    const FAMILY: &'static XmlFamily;
}

/// Rule files.
pub struct Rules;

impl Family for Rules {
    const FAMILY: &'static XmlFamily = &RULES;
}

/// Decoder files.
pub struct Decoders;

impl Family for Decoders {
    const FAMILY: &'static XmlFamily = &DECODERS;
}

/// A file's text with its media type, or the envelope.
pub fn file_response(answer: FileAnswer, content_type: &'static str) -> Response {
    match answer {
        FileAnswer::Raw(text) => ([(header::CONTENT_TYPE, content_type)], text).into_response(),
        FileAnswer::Items(result) => Envelope(result).into_response(),
    }
}

/// `GET /rules/files`, `GET /decoders/files`.
pub async fn get_files<F: Family>(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let filters = FileFilters {
        filenames: params.list("filename"),
        relative_dirname: params.text("relative_dirname"),
        status: params.text("status"),
    };
    Ok(Envelope(ruleset::files(F::FAMILY, &state, &authz, filters, &query)?))
}

/// `GET /rules/files/{filename}`, `GET /decoders/files/{filename}`.
pub async fn get_file<F: Family>(
    State(state): State<AppState>,
    Path(filename): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let dir = params.text("relative_dirname");
    let answer = ruleset::file_item(F::FAMILY, &state, &filename, dir.as_deref(), params.flag("raw"));
    Ok(file_response(answer, "application/xml; charset=utf-8"))
}

/// `PUT /rules/files/{filename}`, `PUT /decoders/files/{filename}`.
pub async fn put_file<F: Family>(
    State(state): State<AppState>,
    authz: Authz,
    Path(filename): Path<String>,
    params: Params,
    UploadBody(body): UploadBody,
) -> ApiResult<Envelope> {
    let dir = params.text("relative_dirname");
    let overwrite = params.flag("overwrite");
    Ok(Envelope(
        ruleset::upload_xml(F::FAMILY, &state, &authz, &filename, dir.as_deref(), overwrite, &body).await?,
    ))
}

/// `DELETE /rules/files/{filename}`, `DELETE /decoders/files/{filename}`.
pub async fn delete_file<F: Family>(
    State(state): State<AppState>,
    Path(filename): Path<String>,
    params: Params,
) -> ApiResult<Envelope> {
    let dir = params.text("relative_dirname");
    Ok(Envelope(
        ruleset::delete_xml(F::FAMILY, &state, &filename, dir.as_deref()).await?,
    ))
}
