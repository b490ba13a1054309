//! `/rootcheck…` reads: an agent's rootcheck events and its last scan, as Wazuh serves them from
//! wazuh-db's `pm_event`.
//!
//! An event is `outstanding` when it was last seen less than a day before the scan's end marker
//! (`Ending rootcheck scan.`), else `solved`; without that marker no event is listed, and the
//! scan markers themselves never are.

use oxsec_store::models::agent_data;
use oxsec_types::envelope::AffectedItems;
use oxsec_types::WazuhCode;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Field, ListQuery, Schema};
use serde_json::{json, Value};

use super::agent_data::{epoch_z, iso_z, require_agent, require_database};
use super::agents::{self, Targets};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::list::{and_filters, equals};
use crate::params::Params;
use crate::state::AppState;

/// The fields of `GET /rootcheck/{agent_id}`.
pub fn schema() -> Result<Schema, ApiError> {
    Schema::builder()
        .field(Field::text("status", "pm.status"))
        .field(Field::text("log", "pm.log"))
        .field(Field::date("date_first", iso_z("pm.date_first")))
        .field(Field::date("date_last", iso_z("pm.date_last")))
        .field(Field::text("pci_dss", "pm.pci_dss"))
        .field(Field::text("cis", "pm.cis"))
        .default_sort("-date_last")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The events of agent `agent` with their status (a table expression aliased `pm`).
fn events_of(agent: i64) -> String {
    let end = format!(
        "(SELECT date_last FROM rootcheck_events WHERE agent_id = {agent} AND log = 'Ending rootcheck scan.' \
         ORDER BY id LIMIT 1)"
    );
    format!(
        "(SELECT CASE WHEN e.date_last > {end} - 86400 THEN 'outstanding' ELSE 'solved' END AS status, \
         e.date_first, e.date_last, e.log, e.pci_dss, e.cis FROM rootcheck_events e \
         WHERE e.agent_id = {agent} AND {end} IS NOT NULL AND e.log NOT IN \
         ('Starting rootcheck scan.', 'Ending rootcheck scan.', 'Starting syscheck scan.', 'Ending syscheck scan.')) AS pm"
    )
}

/// `GET /rootcheck/{agent_id}`: `status` (all, outstanding, solved), `pci_dss` and `cis` filter.
pub async fn events(
    state: &AppState,
    agent: i64,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected rootcheck information was returned",
        "Some rootcheck information was not returned",
        "No rootcheck information was returned",
    );
    require_agent(state, agent).await?;
    require_database(state, agent).await?;
    let mut conds = Vec::new();
    match params.text("status").as_deref() {
        None | Some("all") => {}
        Some(s @ ("outstanding" | "solved")) => conds.push(equals("status", s.to_owned())),
        Some(other) => return Err(ApiError::with_details(WazuhCode::InvalidRootcheckStatus, other)),
    }
    for field in ["pci_dss", "cis"] {
        if let Some(v) = params.text(field).filter(|v| v != "all") {
            conds.push(equals(field, v));
        }
    }
    and_filters(&mut query, conds);
    let sql = compile(&query, &schema()?, &events_of(agent), Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (total, items) = state
        .store()
        .read(move |c| oxsec_store::list::run_json(c, &sql, None))
        .await?;
    result.set_rendered_page(items, total);
    Ok(result)
}

/// `GET /rootcheck/{agent_id}/last_scan`. As wazuh-db, asking creates the agent's database.
pub async fn last_scan(state: &AppState, agent: i64) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Last rootcheck scan of the agent was returned",
        "Last rootcheck scan of the agent was not returned",
        "No last scan information was returned",
    );
    require_agent(state, agent).await?;
    let now = oxsec_store::now_secs();
    let (start, end) = state
        .store()
        .write(move |tx| {
            agent_data::ensure_database(tx, agent, now)?;
            agent_data::rootcheck_scan(tx, agent)
        })
        .await?;
    let end = match (start, end) {
        (Some(s), Some(e)) if e >= s => Value::from(epoch_z(e)),
        _ => Value::Null,
    };
    result.push(json!({"start": start.map(epoch_z), "end": end}));
    Ok(result)
}

/// `DELETE /rootcheck/{agent_id}` and `DELETE /experimental/rootcheck`: every existing agent's
/// events are cleared (and it gets a database, as wazuh-db gives it one).
pub async fn clear(state: &AppState, authz: &Authz, wanted: Option<Vec<String>>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Rootcheck database was cleared on returned agents",
        "Rootcheck database was not cleared on some agents",
        "No rootcheck database was cleared",
    );
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, false).await?;
    super::agent_data::clear_each(state, ids, agent_data::clear_rootcheck, &mut result).await?;
    Ok(result)
}
