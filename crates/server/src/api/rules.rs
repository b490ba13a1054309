//! `/rules…`: the loaded ruleset's rules and rule files.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{ListQuery, Search, SortKey};

use super::Routes;
use crate::auth::authz::Authz;
use crate::body::UploadBody;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::render::Envelope;
use crate::service::rules::{self, RuleFilters};
use crate::service::ruleset::{self, FileAnswer, FileFilters, XmlFamily, RULES};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/rules", get_rules)
        .get("/rules/groups", get_rules_groups)
        .get("/rules/requirement/{requirement}", get_requirement)
        .get("/rules/files", get_rules_files)
        .get("/rules/files/{filename}", get_file)
        .put("/rules/files/{filename}", put_file)
        .delete("/rules/files/{filename}", delete_file)
}

async fn get_rules(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let requirements = [
        ("pci_dss", "pci_dss"),
        ("gdpr", "gdpr"),
        ("gpg13", "gpg13"),
        ("hipaa", "hipaa"),
        ("nist-800-53", "nist_800_53"),
        ("tsc", "tsc"),
        ("mitre", "mitre"),
    ]
    .into_iter()
    .filter_map(|(param, req)| params.text(param).map(|v| (req, v)))
    .collect();
    let filters = RuleFilters {
        ids: params.list("rule_ids"),
        status: params.text("status"),
        group: params.text("group"),
        level: params.text("level"),
        filenames: params.list("filename"),
        relative_dirname: params.text("relative_dirname"),
        requirements,
    };
    Ok(Envelope(rules::list(&state, &authz, filters, &query)?))
}

/// The paging of a plain value listing: `sort` may only be `-` (reverse) or `+`.
pub fn value_query(params: &Params) -> Result<ListQuery, ApiError> {
    let descending = match params.text("sort").as_deref() {
        None | Some("") | Some("+") => false,
        Some("-") => true,
        Some(other) => {
            return Err(ApiError::with_details(
                WazuhCode::InvalidSortField,
                format!("'{other}': these values sort only as a whole, with sort=+ or sort=-"),
            ))
        }
    };
    Ok(ListQuery {
        offset: params.int("offset").map_or(0, |o| o.max(0) as u64),
        limit: Some(
            params
                .int("limit")
                .map_or(crate::list::DEFAULT_LIMIT, |l| l.max(0) as u64),
        ),
        sort: vec![SortKey {
            field: String::new(),
            descending,
        }],
        search: params.text("search").map(|s| match s.strip_prefix('-') {
            Some(rest) => Search {
                text: rest.to_owned(),
                negate: true,
            },
            None => Search { text: s, negate: false },
        }),
        ..ListQuery::default()
    })
}

async fn get_rules_groups(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = value_query(&params)?;
    let result = AffectedItems::new(
        "All groups in rules were returned",
        "Some groups in rules were not returned",
        "No groups in rules were returned",
    );
    Ok(Envelope(rules::values(
        &state,
        &authz,
        |r| r.groups.clone(),
        &query,
        result,
    )))
}

async fn get_requirement(
    State(state): State<AppState>,
    authz: Authz,
    Path(requirement): Path<String>,
    params: Params,
) -> ApiResult<Envelope> {
    let query = value_query(&params)?;
    let requirement = requirement.to_lowercase().replace('-', "_");
    let Some(req) = oxsec_ruleset::rules::REQUIREMENTS.iter().find(|r| **r == requirement) else {
        return Err(ApiError::with_details(WazuhCode::InvalidQuery, requirement));
    };
    let result = AffectedItems::new("All selected rules were returned", "", "No rule was returned");
    Ok(Envelope(rules::values(
        &state,
        &authz,
        |r| r.requirement(req).to_vec(),
        &query,
        result,
    )))
}

async fn get_rules_files(State(state): State<AppState>, authz: Authz, params: Params) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&params)?;
    let filters = FileFilters {
        filenames: params.list("filename"),
        relative_dirname: params.text("relative_dirname"),
        status: params.text("status"),
    };
    Ok(Envelope(rules::files(&state, &authz, filters, &query)?))
}

async fn get_file(State(state): State<AppState>, Path(filename): Path<String>, params: Params) -> ApiResult<Response> {
    let relative_dirname = params.text("relative_dirname");
    Ok(xml_file(
        &RULES,
        &state,
        &filename,
        relative_dirname.as_deref(),
        params.flag("raw"),
    ))
}

/// A rule or decoder file: its text as XML with `raw=true`, else the envelope.
pub fn xml_file(
    family: &XmlFamily,
    state: &AppState,
    filename: &str,
    relative_dirname: Option<&str>,
    raw: bool,
) -> Response {
    match ruleset::file_item(family, state, filename, relative_dirname, raw) {
        FileAnswer::Raw(text) => ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], text).into_response(),
        FileAnswer::Items(result) => Envelope(result).into_response(),
    }
}

async fn put_file(
    State(state): State<AppState>,
    authz: Authz,
    Path(filename): Path<String>,
    params: Params,
    UploadBody(body): UploadBody,
) -> ApiResult<Envelope> {
    let dir = params.text("relative_dirname");
    Ok(Envelope(
        ruleset::upload_xml(
            &RULES,
            &state,
            &authz,
            &filename,
            dir.as_deref(),
            params.flag("overwrite"),
            &body,
        )
        .await?,
    ))
}

async fn delete_file(
    State(state): State<AppState>,
    Path(filename): Path<String>,
    params: Params,
) -> ApiResult<Envelope> {
    let dir = params.text("relative_dirname");
    Ok(Envelope(
        ruleset::delete_xml(&RULES, &state, &filename, dir.as_deref()).await?,
    ))
}
