//! `/rules…`: the rules of the loaded ruleset, with Wazuh's filters.

use std::collections::BTreeSet;

use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::Value;

use super::ruleset;
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::state::AppState;

/// The filters of `GET /rules` besides the list query.
#[derive(Default)]
pub struct RuleFilters {
    /// `rule_ids`.
    pub ids: Option<Vec<String>>,
    /// `status`.
    pub status: Option<String>,
    /// `group`: one of the rule's groups.
    pub group: Option<String>,
    /// `level`: `5` or an inclusive range `2-4`.
    pub level: Option<String>,
    /// `filename`: exact names.
    pub filenames: Option<Vec<String>>,
    /// `relative_dirname`: contained in the rule's directory (upstream's test is a substring one).
    pub relative_dirname: Option<String>,
    /// Requirement filters: (requirement, value), e.g. (`pci_dss`, `10.2.4`).
    pub requirements: Vec<(&'static str, String)>,
}

/// The fields of a rule item.
pub fn schema() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut b = Schema::builder()
            .field(Field::text("filename", "filename").sorted_nocase())
            .field(Field::text("relative_dirname", "relative_dirname").sorted_nocase())
            .field(Field::integer("id", "id"))
            .field(Field::integer("level", "level"))
            .field(Field::text("status", "status").sorted_nocase())
            .field(Field::text("details", "details").sorted_nocase());
        for r in oxsec_ruleset::rules::ITEM_REQUIREMENTS
            .iter()
            .chain(&["groups", "description"])
        {
            b = b.field(Field::text(*r, *r).sorted_nocase());
        }
        b.default_sort("id")
            .always_present("id")
            .build()
            .expect("constant schema")
    })
}

fn level_matches(filter: Option<&str>, level: i64) -> bool {
    let Some(f) = filter else { return true };
    match f.split_once('-') {
        Some((lo, hi)) => match (lo.parse::<i64>(), hi.parse::<i64>()) {
            (Ok(lo), Ok(hi)) => lo <= level && level <= hi,
            _ => false,
        },
        None => f.parse::<i64>().is_ok_and(|l| l == level),
    }
}

/// `GET /rules`.
pub fn list(
    state: &AppState,
    authz: &Authz,
    filters: RuleFilters,
    query: &ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected rules were returned",
        "Some rules were not returned",
        "No rule was returned",
    );
    let loaded = state.ruleset();
    let readable = ruleset::RULES.readable(&loaded.catalog, authz);
    let visible: Vec<usize> = (0..loaded.catalog.rules.len())
        .filter(|i| {
            readable
                .as_ref()
                .is_none_or(|f| f.contains(loaded.catalog.rules[*i].filename.as_str()))
        })
        .collect();
    let ids: Option<Vec<i64>> = filters
        .ids
        .as_ref()
        .map(|ids| ids.iter().filter_map(|i| i.trim().parse::<i64>().ok()).collect());
    if let Some(ids) = &ids {
        let mut missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !visible.iter().any(|i| loaded.catalog.rules[*i].id == *id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for id in missing {
            result.fail(id, ItemError::new(WazuhCode::RuleNotFound));
        }
    }
    let unfiltered = ids.is_none()
        && filters.status.as_deref().is_none_or(|s| s == "all")
        && filters.level.is_none()
        && filters.group.is_none()
        && filters.filenames.is_none()
        && filters.relative_dirname.is_none()
        && filters.requirements.is_empty();
    if unfiltered && visible.len() == loaded.rules.len() {
        // The common case, served from the rendered rules without copying them.
        ruleset::set_page_from(&mut result, &loaded.rules, &loaded.rules_json, query, schema())?;
        return Ok(result);
    }
    let records: Vec<Value> = visible
        .into_iter()
        .filter(|i| {
            let r = &loaded.catalog.rules[*i];
            ids.as_ref().is_none_or(|ids| ids.contains(&r.id))
                && ruleset::status_matches(filters.status.as_deref(), r.status)
                && level_matches(filters.level.as_deref(), r.level)
                && filters.group.as_ref().is_none_or(|g| r.groups.contains(g))
                && filters.filenames.as_ref().is_none_or(|f| f.contains(&r.filename))
                && filters
                    .relative_dirname
                    .as_deref()
                    .is_none_or(|d| r.relative_dirname.contains(d.trim_end_matches('/')))
                && filters
                    .requirements
                    .iter()
                    .all(|(req, value)| r.requirement(req).iter().any(|v| v == value))
        })
        .map(|i| loaded.rules[i].clone())
        .collect();
    let page = ruleset::page(&records, query, schema())?;
    result.set_page(page.items, page.total);
    Ok(result)
}

/// Distinct values taken from every readable rule (`GET /rules/groups`, `/rules/requirement/…`),
/// sorted by code point as upstream; `search`, `sort=-` (reverse), `offset` and `limit` apply.
pub fn values(
    state: &AppState,
    authz: &Authz,
    of: impl Fn(&oxsec_ruleset::rules::Rule) -> Vec<String>,
    query: &ListQuery,
    mut result: AffectedItems,
) -> AffectedItems {
    let loaded = state.ruleset();
    let readable = ruleset::RULES.readable(&loaded.catalog, authz);
    let set: BTreeSet<String> = loaded
        .catalog
        .rules
        .iter()
        .filter(|r| readable.as_ref().is_none_or(|f| f.contains(r.filename.as_str())))
        .flat_map(of)
        .collect();
    let mut items: Vec<String> = set.into_iter().collect();
    if let Some(search) = &query.search {
        let needle = search.text.to_lowercase();
        items.retain(|v| v.to_lowercase().contains(&needle) != search.negate);
    }
    if query.sort.first().is_some_and(|k| k.descending) {
        items.reverse();
    }
    let total = items.len() as u64;
    let page: Vec<Value> = items
        .into_iter()
        .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
        .take(
            query
                .limit
                .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX)),
        )
        .map(Value::from)
        .collect();
    result.set_page(page, total);
    result
}
