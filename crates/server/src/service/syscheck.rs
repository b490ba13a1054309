//! `/syscheck…` reads: an agent's file-integrity entries and its last scan, as Wazuh serves them
//! from wazuh-db's `fim_entry` and `scan_info`.

use oxsec_store::models::agent_data;
use oxsec_types::envelope::AffectedItems;
use oxsec_types::envelope::ItemError;
use oxsec_types::WazuhCode;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, Field, ListQuery, Schema};
use serde_json::{json, Value};

use super::agent_data::{epoch_offset, iso_offset, require_agent, require_database};
use super::agents::{self, pad, Targets};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::list::{and_filters, equals};
use crate::params::Params;
use crate::state::AppState;

/// The fields of `GET /syscheck/{agent_id}` (all of them, or only `date`, `mtime` and `file`
/// with `summary=true`, as Wazuh).
pub fn schema(summary: bool) -> Result<Schema, ApiError> {
    let mut b = Schema::builder()
        .field(Field::date("date", iso_offset("fim.date")).output_json(never_is_null("fim.date")))
        .field(Field::date("mtime", iso_offset("fim.mtime")).output_json(never_is_null("fim.mtime")))
        .field(Field::text("file", "fim.file"));
    if !summary {
        b = b
            .field(Field::integer("size", "fim.size"))
            .field(Field::text("perm", "fim.perm"))
            .field(Field::text("uname", "fim.uname"))
            .field(Field::text("gname", "fim.gname"))
            .field(Field::text("md5", "fim.md5"))
            .field(Field::text("sha1", "fim.sha1"))
            .field(Field::text("sha256", "fim.sha256"))
            .field(Field::integer("inode", "fim.inode"))
            .field(Field::text("gid", "fim.gid"))
            .field(Field::text("uid", "fim.uid"))
            .field(Field::text("type", "fim.type"))
            .field(Field::integer("changes", "fim.changes"))
            .field(Field::text("attributes", "fim.attributes"))
            .field(Field::text("arch", "fim.arch"))
            .field(Field::text("value.name", "fim.value_name"))
            .field(Field::text("value.type", "fim.value_type"));
    }
    b.default_sort("mtime")
        .always_present("file")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A date column as JSON: absent when NULL, `null` when 0 (never), else Wazuh's date text.
fn never_is_null(column: &str) -> String {
    format!(
        "CASE WHEN {column} IS NULL THEN NULL WHEN {column} > 0 THEN json_quote({}) ELSE 'null' END",
        iso_offset(column)
    )
}

/// The filter parameters besides `q`, as (parameter, field): equality, `all` meaning none.
const FILTERS: &[(&str, &str)] = &[
    ("type", "type"),
    ("md5", "md5"),
    ("sha1", "sha1"),
    ("sha256", "sha256"),
    ("file", "file"),
    ("arch", "arch"),
    ("value.name", "value.name"),
    ("value.type", "value.type"),
];

/// Adds the filter parameters to `q`; `hash` matches any of the three digests.
fn add_filters(query: &mut ListQuery, params: &Params) {
    let mut conds: Vec<Expr> = FILTERS
        .iter()
        .filter_map(|(param, field)| params.text(param).filter(|v| v != "all").map(|v| equals(field, v)))
        .collect();
    if let Some(hash) = params.text("hash") {
        conds.push(Expr::Or(vec![
            equals("md5", hash.as_str()),
            equals("sha1", hash.as_str()),
            equals("sha256", hash.as_str()),
        ]));
    }
    and_filters(query, conds);
}

/// `GET /syscheck/{agent_id}`.
pub async fn files(
    state: &AppState,
    agent: i64,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "FIM findings of the agent were returned",
        "Some FIM findings of the agent were not returned",
        "No FIM information was returned",
    );
    require_database(state, agent).await?;
    let schema = schema(params.flag("summary"))?;
    add_filters(&mut query, params);
    // The agent id is a parsed number: the subquery cannot carry anything else.
    let from = format!("(SELECT * FROM fim_entries WHERE agent_id = {agent}) AS fim");
    let sql = compile(&query, &schema, &from, Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (total, items) = state
        .store()
        .read(move |c| oxsec_store::list::run_json(c, &sql, None))
        .await?;
    result.set_rendered_page(items, total);
    Ok(result)
}

/// `GET /syscheck/{agent_id}/last_scan`: when the last scan started and ended (`end` is null
/// while one runs).
pub async fn last_scan(state: &AppState, agent: i64) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Last syscheck scan of the agent was returned",
        "Last syscheck scan of the agent was not returned",
        "No last scan information was returned",
    );
    let version = require_agent(state, agent).await?;
    if version.is_none() {
        result.push(json!({"start": null, "end": null}));
        return Ok(result);
    }
    require_database(state, agent).await?;
    let (start, end) = state.store().read(move |c| agent_data::fim_scan(c, agent)).await?;
    let start_text = epoch_offset(start);
    let end_text = if start_text.is_none() || end < start {
        None
    } else {
        epoch_offset(end)
    };
    result.push(json!({"start": start_text, "end": end_text.map_or(Value::Null, Value::from)}));
    Ok(result)
}

/// `DELETE /syscheck/{agent_id}` and `DELETE /experimental/syscheck`: only agents older than
/// Wazuh 3.12 keep file-integrity data in the manager's database, so only theirs is cleared;
/// newer agents answer 1760 and never-connected ones 1015 (left out when no agent was named).
pub async fn clear(state: &AppState, authz: &Authz, wanted: Option<Vec<String>>) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Syscheck database was cleared on returned agents",
        "Syscheck database was not cleared on some agents",
        "No syscheck database was cleared",
    );
    let named = wanted.as_ref().is_some_and(|w| !w.iter().any(|x| x == "all"));
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, false).await?;
    let versions = {
        let ids = ids.clone();
        state.store().read(move |c| agent_data::versions(c, &ids)).await?
    };
    let mut cleared = Vec::new();
    for id in ids {
        let version = versions.get(&id).cloned().flatten();
        let refusal = match &version {
            None => Some(ItemError::new(WazuhCode::AgentVersionNull)),
            Some(v) if super::agent_data::version_numbers(v) >= vec![3, 12, 0] => Some(ItemError::with_details(
                WazuhCode::OnlyOlderAgents,
                "Agent version should be < v3.12.0.",
            )),
            Some(_) => None,
        };
        match refusal {
            None => cleared.push(id),
            Some(error) if named => result.fail(pad(id), error),
            Some(_) => {}
        }
    }
    super::agent_data::clear_each(state, cleared, agent_data::clear_fim, &mut result).await?;
    Ok(result)
}
