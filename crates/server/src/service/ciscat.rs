//! `/ciscat…`: an agent's CIS-CAT scan results, as Wazuh serves them from wazuh-db's
//! `ciscat_results`.

use oxsec_types::envelope::AffectedItems;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, Field, ListQuery, Schema};

use super::agent_data::{known_or_failed, merge_pages, require_database};
use crate::error::ApiError;
use crate::list::{and_filters, equals};
use crate::params::Params;
use crate::state::AppState;

/// The fields of `GET /ciscat/{agent_id}/results` (each item also names its agent).
pub fn schema() -> Result<Schema, ApiError> {
    let mut b = Schema::builder()
        .field(Field::integer("scan.id", "cis.scan_id"))
        .field(Field::text("scan.time", "cis.scan_time"))
        .field(Field::text("benchmark", "cis.benchmark"))
        .field(Field::text("profile", "cis.profile"));
    for f in ["pass", "fail", "error", "notchecked", "unknown", "score"] {
        b = b.field(Field::integer(f, format!("cis.{f}")));
    }
    b.field(Field::text("agent_id", "printf('%03d', cis.agent_id)"))
        .default_sort("scan.id")
        .always_present("agent_id")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Filters besides `q`.
const FILTERS: &[&str] = &[
    "benchmark",
    "profile",
    "pass",
    "fail",
    "error",
    "notchecked",
    "score",
    "unknown",
];

fn messages() -> AffectedItems {
    AffectedItems::new(
        "All CISCAT results were returned",
        "Some CISCAT results were not returned",
        "No CISCAT results were returned",
    )
}

/// `GET /ciscat/{agent_id}/results`.
pub async fn results(
    state: &AppState,
    agent: i64,
    params: &Params,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = messages();
    if !known_or_failed(state, agent, &mut result).await? {
        return Ok(result);
    }
    let (total, items) = agent_results(state, agent, params, query).await?;
    result.set_page(items, total);
    Ok(result)
}

/// `GET /experimental/ciscat/results`: every agent's results (the ones the caller may read, or
/// those of `agents_list`), each agent paged on its own as Wazuh pages them; an agent without
/// data fails the whole request (2007), as in Wazuh.
pub async fn all_results(
    state: &AppState,
    authz: &crate::auth::authz::Authz,
    wanted: Option<Vec<String>>,
    params: &Params,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = messages();
    let super::agents::Targets { ids } = super::agents::targets(state, authz, wanted, &mut result, false).await?;
    let mut items = Vec::new();
    let mut total = 0;
    for id in ids {
        let (n, page) = agent_results(state, id, params, query.clone()).await?;
        total += n;
        items.extend(page.into_iter().map(|item| (id, item)));
    }
    merge_pages(&mut items, &query.sort);
    let items = items.into_iter().map(|(_, item)| item).collect();
    result.set_page(items, total);
    Ok(result)
}

/// One agent's results page: (matching total, items).
async fn agent_results(
    state: &AppState,
    agent: i64,
    params: &Params,
    mut query: ListQuery,
) -> Result<(u64, Vec<serde_json::Value>), ApiError> {
    require_database(state, agent).await?;
    let conds: Vec<Expr> = FILTERS
        .iter()
        .filter_map(|f| params.text(f).map(|value| equals(f, value)))
        .collect();
    and_filters(&mut query, conds);
    let from = format!("(SELECT * FROM ciscat_results WHERE agent_id = {agent}) AS cis");
    let sql = compile(&query, &schema()?, &from, Dialect::Sqlite).map_err(crate::list::wql_error)?;
    Ok(state.store().read(move |c| oxsec_store::list::run(c, &sql)).await?)
}
