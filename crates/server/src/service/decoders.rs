//! `/decoders…`: the decoders of the loaded ruleset, with Wazuh's filters.

use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::Value;

use super::ruleset::{self, DECODERS};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::state::AppState;

/// The filters of `GET /decoders` and `GET /decoders/parents` besides the list query.
#[derive(Default)]
pub struct DecoderFilters {
    /// `decoder_names`: exact names; each one no readable decoder has is a failed item.
    pub names: Option<Vec<String>>,
    /// `status`.
    pub status: Option<String>,
    /// `filename`: exact names.
    pub filenames: Option<Vec<String>>,
    /// `relative_dirname`: exact.
    pub relative_dirname: Option<String>,
    /// Only decoders without a parent (`GET /decoders/parents`).
    pub parents_only: bool,
}

/// The fields of a decoder item.
pub fn schema() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::builder()
            .field(Field::text("filename", "filename").sorted_nocase())
            .field(Field::text("relative_dirname", "relative_dirname").sorted_nocase())
            .field(Field::text("status", "status").sorted_nocase())
            .field(Field::text("name", "name").sorted_nocase())
            .field(Field::integer("position", "position"))
            .field(Field::text("details", "details").sorted_nocase())
            .default_sort("filename,position")
            .always_present("filename")
            .always_present("position")
            .build()
            .expect("constant schema")
    })
}

/// `GET /decoders` and `GET /decoders/parents`.
pub fn list(
    state: &AppState,
    authz: &Authz,
    filters: DecoderFilters,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected decoders were returned",
        "Some decoders were not returned",
        "No decoder was returned",
    );
    let loaded = state.ruleset();
    let readable = DECODERS.readable(&loaded.catalog, authz);
    let visible: Vec<usize> = (0..loaded.catalog.decoders.len())
        .filter(|i| {
            readable
                .as_ref()
                .is_none_or(|f| f.contains(loaded.catalog.decoders[*i].filename.as_str()))
        })
        .collect();
    if let Some(names) = &filters.names {
        let mut missing: Vec<&String> = names
            .iter()
            .filter(|n| !visible.iter().any(|i| loaded.catalog.decoders[*i].name == **n))
            .collect();
        missing.sort();
        missing.dedup();
        for name in missing {
            result.fail(name.as_str(), ItemError::new(WazuhCode::DecoderNotFound));
        }
    }
    let unfiltered = filters.names.is_none()
        && filters.status.as_deref().is_none_or(|s| s == "all")
        && filters.filenames.is_none()
        && filters.relative_dirname.is_none()
        && !filters.parents_only;
    if unfiltered && visible.len() == loaded.decoders.len() {
        ruleset::set_page_from(&mut result, &loaded.decoders, &loaded.decoders_json, query, schema())?;
        return Ok(result);
    }
    let records: Vec<Value> = visible
        .into_iter()
        .filter(|i| {
            let d = &loaded.catalog.decoders[*i];
            filters.names.as_ref().is_none_or(|n| n.contains(&d.name))
                && ruleset::status_matches(filters.status.as_deref(), d.status)
                && filters.filenames.as_ref().is_none_or(|f| f.contains(&d.filename))
                && filters
                    .relative_dirname
                    .as_deref()
                    .is_none_or(|r| r.trim_end_matches('/') == d.relative_dirname)
                && (!filters.parents_only || d.parent().is_none())
        })
        .map(|i| loaded.decoders[i].clone())
        .collect();
    let page = ruleset::page(&records, query, schema())?;
    result.set_page(page.items, page.total);
    Ok(result)
}
