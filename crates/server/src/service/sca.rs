//! `/sca…`: an agent's Security Configuration Assessment policies (with their last scan's
//! score) and each policy's checks with their compliance mappings and rules, as Wazuh serves
//! them from wazuh-db's `sca_*` tables.

use oxsec_types::envelope::AffectedItems;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Field, ListQuery, Schema};

use super::agent_data::{iso_offset, known_or_failed, require_database};
use crate::error::ApiError;
use crate::list::{and_filters, equals};
use crate::params::Params;
use crate::state::AppState;

/// The fields of `GET /sca/{agent_id}`.
pub fn policies_schema() -> Result<Schema, ApiError> {
    Schema::builder()
        .field(Field::text("policy_id", "sca.policy_id"))
        .field(Field::text("name", "sca.name"))
        .field(Field::text("description", "sca.description"))
        .field(Field::text("references", "sca.refs"))
        .field(Field::integer("pass", "sca.pass"))
        .field(Field::integer("fail", "sca.fail"))
        .field(Field::integer("score", "sca.score"))
        .field(Field::integer("invalid", "sca.invalid"))
        .field(Field::integer("total_checks", "sca.total_checks"))
        .field(Field::text("hash_file", "sca.hash_file"))
        .field(Field::date("end_scan", iso_offset("sca.end_scan")))
        .field(Field::date("start_scan", iso_offset("sca.start_scan")))
        .default_sort("-policy_id")
        .always_present("policy_id")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// The fields of `GET /sca/{agent_id}/checks/{policy_id}`: the check's own, and its
/// compliance mappings and rules as lists of objects (filterable by `compliance.key`,
/// `compliance.value`, `rules.type`, `rules.rule`).
pub fn checks_schema() -> Result<Schema, ApiError> {
    checks_schema_over(false)
}

/// The check fields; `joined`: over the checks joined with their compliance and rules rows
/// (one row per combination, what Wazuh's `distinct` lists), where the list fields are plain
/// columns.
fn checks_schema_over(joined: bool) -> Result<Schema, ApiError> {
    let mut b = Schema::builder()
        .field(Field::text("policy_id", "c.policy_id"))
        .field(Field::integer("id", "c.id"));
    for f in [
        "title",
        "description",
        "rationale",
        "remediation",
        "file",
        "process",
        "directory",
        "registry",
        "command",
    ] {
        b = b.field(Field::text(f, format!("c.{f}")));
    }
    b = b.field(Field::text("references", "c.\"references\""));
    for f in ["result", "reason", "condition"] {
        b = b.field(Field::text(f, format!("c.{f}")));
    }
    if joined {
        for f in ["compliance.key", "compliance.value", "rules.type", "rules.rule"] {
            b = b.field(Field::text(f, format!("c.{}", f.replace('.', "_"))));
        }
        return b
            .default_sort("id")
            .distinct_keeps_empty()
            .build()
            .map_err(|e| ApiError::Internal(e.to_string()));
    }
    let compliance = "sca_check_compliance cc WHERE cc.agent_id = c.agent_id AND cc.id_check = c.id";
    let rules = "sca_check_rules cr WHERE cr.agent_id = c.agent_id AND cr.id_check = c.id";
    // Filter-only here: the lists themselves are attached to the page afterwards.
    b.field(
        Field::text("compliance.key", "NULL")
            .members(compliance, "cc.key")
            .output_json("NULL"),
    )
    .field(
        Field::text("compliance.value", "NULL")
            .members(compliance, "cc.value")
            .output_json("NULL"),
    )
    .field(
        Field::text("rules.type", "NULL")
            .members(rules, "cr.type")
            .output_json("NULL"),
    )
    .field(
        Field::text("rules.rule", "NULL")
            .members(rules, "cr.rule")
            .output_json("NULL"),
    )
    .default_sort("id")
    .always_present("id")
    .build()
    .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /sca/{agent_id}`: the policies with their last scan (`name`, `description` and
/// `references` filter).
pub async fn policies(
    state: &AppState,
    agent: i64,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected SCA information was returned",
        "Some SCA information was not returned",
        "No SCA information was returned",
    );
    if !known_or_failed(state, agent, &mut result).await? {
        return Ok(result);
    }
    require_database(state, agent).await?;
    let conds = ["name", "description", "references"]
        .iter()
        .filter_map(|f| params.text(f).map(|v| equals(f, v)))
        .collect();
    and_filters(&mut query, conds);
    // The agent id is a parsed number.
    let from = format!(
        "(SELECT si.policy_id AS policy_id, p.name AS name, p.description AS description, p.\"references\" AS refs, \
         si.pass AS pass, si.fail AS fail, si.score AS score, si.invalid AS invalid, si.total_checks AS total_checks, \
         p.hash_file AS hash_file, si.end_scan AS end_scan, si.start_scan AS start_scan \
         FROM sca_policies p JOIN sca_scan_info si ON si.agent_id = p.agent_id AND si.policy_id = p.id \
         WHERE p.agent_id = {agent}) AS sca"
    );
    let sql = compile(&query, &policies_schema()?, &from, Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (total, items) = state
        .store()
        .read(move |c| oxsec_store::list::run_json(c, &sql, None))
        .await?;
    result.set_rendered_page(items, total);
    Ok(result)
}

/// Filters of `GET /sca/{agent_id}/checks/{policy_id}`; `all` means no filter (except for
/// `condition`, as Wazuh).
const CHECK_FILTERS: &[&str] = &[
    "title",
    "description",
    "rationale",
    "remediation",
    "file",
    "process",
    "directory",
    "registry",
    "command",
    "references",
    "result",
    "reason",
    "condition",
];

/// `GET /sca/{agent_id}/checks/{policy_id}`.
pub async fn checks(
    state: &AppState,
    agent: i64,
    policy_id: &str,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected SCA/policy information was returned",
        "Some SCA/policy information was not returned",
        "No SCA/policy information was returned",
    );
    if !known_or_failed(state, agent, &mut result).await? {
        return Ok(result);
    }
    require_database(state, agent).await?;
    let mut conds = vec![equals("policy_id", policy_id)];
    for f in CHECK_FILTERS {
        if let Some(v) = params.text(f).filter(|v| *f == "condition" || v != "all") {
            conds.push(equals(f, v));
        }
    }
    and_filters(&mut query, conds);
    if query.distinct {
        return distinct_checks(state, agent, query, result).await;
    }
    // Which lists the items get, and with which keys: all of them without `select`, else only
    // the selected `compliance.*` / `rules.*` keys (as Wazuh).
    let lists: Vec<(&str, Vec<&str>)> = [("compliance", ["key", "value"]), ("rules", ["type", "rule"])]
        .into_iter()
        .map(|(list, keys)| {
            let wanted: Vec<&str> = keys
                .into_iter()
                .filter(|k| {
                    query
                        .select
                        .as_ref()
                        .is_none_or(|sel| sel.iter().any(|f| *f == format!("{list}.{k}")))
                })
                .collect();
            (list, wanted)
        })
        .filter(|(_, keys)| !keys.is_empty())
        .collect();
    if let Some(sel) = query.select.as_mut() {
        // The list fields output nothing themselves; keep at least the id to attach to.
        sel.retain(|f| !f.starts_with("compliance.") && !f.starts_with("rules."));
        if sel.is_empty() {
            sel.push("id".to_owned());
        }
    }
    let from = format!("(SELECT * FROM sca_checks WHERE agent_id = {agent}) AS c");
    let sql = compile(&query, &checks_schema()?, &from, Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let list_specs: Vec<(String, Vec<String>)> = lists
        .iter()
        .map(|(l, k)| ((*l).to_owned(), k.iter().map(|s| (*s).to_owned()).collect()))
        .collect();
    let (total, items) = state
        .store()
        .read(move |c| {
            let (total, mut items) = oxsec_store::list::run(c, &sql)?;
            for item in &mut items {
                let Some(id) = item.get("id").and_then(serde_json::Value::as_i64) else {
                    continue;
                };
                for (list, keys) in &list_specs {
                    let rows = oxsec_store::models::agent_data::sca_check_list(c, agent, id, list)?;
                    let values: Vec<serde_json::Value> = rows
                        .into_iter()
                        .map(|(a, b)| {
                            let mut o = serde_json::Map::new();
                            let names = if list == "compliance" {
                                ["key", "value"]
                            } else {
                                ["type", "rule"]
                            };
                            for (name, value) in names.into_iter().zip([a, b]) {
                                if keys.iter().any(|k| k == name) {
                                    o.insert(name.to_owned(), serde_json::Value::from(value));
                                }
                            }
                            serde_json::Value::Object(o)
                        })
                        .collect();
                    if let Some(obj) = item.as_object_mut() {
                        obj.insert(list.clone(), serde_json::Value::Array(values));
                    }
                }
            }
            Ok((total, items))
        })
        .await?;
    result.set_page(items, total);
    Ok(result)
}

/// `distinct=true` on checks: Wazuh lists the distinct combinations of the selected fields over
/// the checks joined with their compliance and rules rows, with dotted keys left flat.
async fn distinct_checks(
    state: &AppState,
    agent: i64,
    query: ListQuery,
    mut result: AffectedItems,
) -> Result<AffectedItems, ApiError> {
    let from = format!(
        "(SELECT k.*, cc.key AS compliance_key, cc.value AS compliance_value, cr.type AS rules_type, cr.rule AS rules_rule \
         FROM sca_checks k \
         LEFT JOIN sca_check_compliance cc ON cc.agent_id = k.agent_id AND cc.id_check = k.id \
         LEFT JOIN sca_check_rules cr ON cr.agent_id = k.agent_id AND cr.id_check = k.id \
         WHERE k.agent_id = {agent}) AS c"
    );
    let sql = compile(&query, &checks_schema_over(true)?, &from, Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (total, items) = state.store().read(move |c| oxsec_store::list::run(c, &sql)).await?;
    let flat = items
        .into_iter()
        .map(|item| match item {
            serde_json::Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (key, value) in map {
                    match value {
                        serde_json::Value::Object(inner) => {
                            for (k, v) in inner {
                                out.insert(format!("{key}.{k}"), v);
                            }
                        }
                        other => {
                            out.insert(key, other);
                        }
                    }
                }
                serde_json::Value::Object(out)
            }
            other => other,
        })
        .collect();
    result.set_page(flat, total);
    Ok(result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn schemas_build_and_compile() {
        let schema = super::checks_schema().expect("schema");
        let q = oxsec_wql::ListQuery::default();
        oxsec_wql::sql::compile(
            &q,
            &schema,
            "(SELECT * FROM sca_checks) AS c",
            oxsec_wql::sql::Dialect::Sqlite,
        )
        .expect("compiles");
    }
}
