//! `/ciscat…`: an agent's CIS-CAT scan results, as Wazuh serves them from wazuh-db's
//! `ciscat_results`.

use oxsec_types::envelope::{AffectedItems, ItemError};
use oxsec_types::WazuhCode;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, Field, ListQuery, Op, Schema};

use super::agent_data::require_database;
use crate::error::ApiError;
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

/// `GET /ciscat/{agent_id}/results`.
pub async fn results(
    state: &AppState,
    agent: i64,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All CISCAT results were returned",
        "Some CISCAT results were not returned",
        "No CISCAT results were returned",
    );
    let exists = state
        .store()
        .read(move |c| oxsec_store::models::agent_data::agent_version(c, agent))
        .await?
        .is_some();
    if !exists {
        result.fail(super::agents::pad(agent), ItemError::new(WazuhCode::AgentNotFound));
        return Ok(result);
    }
    require_database(state, agent).await?;
    let mut conds: Vec<Expr> = FILTERS
        .iter()
        .filter_map(|f| {
            params.text(f).map(|value| Expr::Cond {
                field: (*f).to_owned(),
                op: Op::Eq,
                value,
            })
        })
        .collect();
    if !conds.is_empty() {
        if let Some(q) = query.q.take() {
            conds.push(q);
        }
        query.q = Some(Expr::And(conds));
    }
    let from = format!("(SELECT * FROM ciscat_results WHERE agent_id = {agent}) AS cis");
    let sql = compile(&query, &schema()?, &from, Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (total, items) = state
        .store()
        .read(move |c| oxsec_store::list::run_json(c, &sql, None))
        .await?;
    result.set_rendered_page(items, total);
    Ok(result)
}
