//! `/rules…`: the loaded ruleset's rules and rule files.

use axum::extract::{Path, State};
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{ListQuery, Search, SortKey};

use super::ruleset_files::{self as files, Rules};
use super::Routes;
use crate::auth::authz::Authz;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::render::Envelope;
use crate::service::rules::{self, RuleFilters};
use crate::state::AppState;

/// Operations of this group.
pub fn routes() -> Routes {
    Routes::default()
        .get("/rules", get_rules)
        .get("/rules/groups", get_rules_groups)
        .get("/rules/requirement/{requirement}", get_requirement)
        .get("/rules/files", files::get_files::<Rules>)
        .get("/rules/files/{filename}", files::get_file::<Rules>)
        .put("/rules/files/{filename}", files::put_file::<Rules>)
        .delete("/rules/files/{filename}", files::delete_file::<Rules>)
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
