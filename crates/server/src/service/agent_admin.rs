//! Agent registry operations beyond listing: deletion, insertion with a given id/key, and the
//! summaries (`summary`, `summary/os`, `stats/distinct`, `outdated`, `no_group`, overview).

use std::collections::BTreeMap;

use oxsec_store::models::{agent, group};
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, ListQuery, Op};
use serde_json::{json, Map, Value};

use super::agents::{self, pad, Targets};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::state::AppState;

/// Python's `str()` of a filter value (`['never_connected']` for a list), as Wazuh's 1731 text shows it.
fn py_value(name: &str, v: &[String]) -> String {
    if name != "status" && v.len() == 1 {
        return v[0].clone();
    }
    format!(
        "[{}]",
        v.iter().map(|x| format!("'{x}'")).collect::<Vec<_>>().join(", ")
    )
}

/// `DELETE /agents`: deletes the named agents (`all`: every agent the caller may delete) that
/// also match the filters (`status`, `older_than`, …, `q`); the others fail with 1731.
/// `filters` are the (name, values) the request gave, for the 1731 message.
pub async fn delete(
    state: &AppState,
    authz: &Authz,
    wanted: Vec<String>,
    eligible_query: ListQuery,
    filters: &[(String, Vec<String>)],
    q_text: Option<String>,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected agents were deleted",
        "Some agents were not deleted",
        "No agents were deleted",
    );
    let every = wanted.iter().any(|w| w == "all");
    let wanted = if every { None } else { Some(wanted) };
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, true).await?;
    if ids.is_empty() {
        return Ok(result);
    }
    let schema = agents::schema()?;
    let mut query = eligible_query;
    query.select = Some(vec!["id".into()]);
    query.limit = None;
    query.offset = 0;
    query.distinct = false;
    query.sort = Vec::new();
    let sql = compile(&query, &schema, "agents", Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (_, rows) = state.store().read(move |c| oxsec_store::list::run(c, &sql)).await?;
    let eligible: std::collections::HashSet<i64> = rows.iter().filter_map(agents::item_id).collect();
    let (mut go, stay): (Vec<i64>, Vec<i64>) = ids.into_iter().partition(|id| eligible.contains(id));
    go.sort_unstable();
    if !stay.is_empty() {
        let mut text: Vec<String> = filters
            .iter()
            .map(|(k, v)| format!("{k}: {}", py_value(k, v)))
            .collect();
        if let Some(q) = q_text {
            text.push(format!("q: {q}"));
        }
        let err = ItemError::with_details(
            WazuhCode::AgentNotEligible,
            format!("some of the requirements are not met -> {}", text.join(", ")),
        );
        for id in stay {
            result.fail(pad(id), err.clone());
        }
    }
    let del = go.clone();
    state.store().write(move |tx| agent::delete(tx, &del)).await?;
    if !go.is_empty() {
        agents::write_client_keys(state).await?;
    }
    for id in go {
        result.push(Value::String(pad(id)));
    }
    if every {
        // Asked for every agent, upstream reports only those deleted and real errors.
        result.drop_failures(&[
            WazuhCode::AgentNotFound,
            WazuhCode::ManagerAgent,
            WazuhCode::AgentNotEligible,
        ]);
    }
    Ok(result)
}

/// `POST /agents/insert`: registers an agent with the id and key the caller gives (Wazuh's
/// `force` replaces an agent with the same name or IP when its conditions hold).
pub async fn insert(state: &AppState, body: &Value) -> Result<Value, ApiError> {
    let name = crate::body::required_str(body, "name")?.to_owned();
    let ip = body.get("ip").and_then(Value::as_str).unwrap_or("any").to_owned();
    let id = match body.get("id").and_then(Value::as_str) {
        Some(raw) => Some(agents::parse_id(raw).ok_or_else(|| ApiError::with_details(WazuhCode::AgentNotFound, raw))?),
        None => None,
    };
    let key = body.get("key").and_then(Value::as_str).map(str::to_owned);
    if let Some(k) = &key {
        if k.len() < 64 {
            return Err(ApiError::code(WazuhCode::AgentKeyTooShort));
        }
    }
    let force = agents::Force::from_body(body.get("force"))?;
    agents::register(state, &name, &ip, id, key, force).await
}

/// `GET /agents/summary/os`: the distinct `os.platform` values of the caller's agents.
pub async fn summary_os(state: &AppState, authz: &Authz) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Showing the operative system of all specified agents",
        "Could not get the operative system of some agents",
        "Could not get the operative system of the agents",
    );
    let query = ListQuery {
        select: Some(vec!["os.platform".into()]),
        distinct: true,
        limit: None,
        sort: oxsec_wql::parse_sort("os.platform").map_err(crate::list::wql_error)?,
        q: Some(Expr::Cond {
            field: "id".into(),
            op: Op::Ne,
            value: "0".into(),
        }),
        ..ListQuery::default()
    };
    let items = agents::list(state, authz, None, query).await?.into_json();
    let platforms: Vec<Value> = items["data"]["affected_items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i.pointer("/os/platform").cloned())
        .collect();
    let total = platforms.len() as u64;
    result.set_page(platforms, total);
    Ok(result)
}

/// `GET /agents/stats/distinct`: distinct combinations of `fields` with their counts.
pub async fn distinct(
    state: &AppState,
    authz: &Authz,
    fields: Vec<String>,
    query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected agents information was returned",
        "Some agents information was not returned",
        "No agent information was returned",
    );
    let schema = agents::schema()?;
    let fields = if fields.is_empty() {
        schema.fields().iter().map(|f| f.name.clone()).collect()
    } else {
        fields
    };
    for f in &fields {
        if schema.field(f).is_none() {
            return Err(ApiError::with_details(WazuhCode::InvalidSelectField, f.clone()));
        }
    }
    // Every matching agent's selected fields, counted by combination in the store (the caller's
    // agents only).
    let mut all = ListQuery {
        select: Some(fields.clone()),
        search: None,
        sort: Vec::new(),
        ..query.clone()
    };
    agents::restrict_to_scope(state, authz, None, &mut all, &mut result).await?;
    let sql =
        oxsec_wql::sql::compile_counts(&all, &schema, "agents", Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let combos = state
        .store()
        .read(move |c| oxsec_store::list::run_counts(c, &sql))
        .await?;
    let agents_total: u64 = combos.iter().map(|(_, n)| n).sum();
    let counts: Vec<(Value, u64)> = combos
        .into_iter()
        .map(|(row, n)| {
            let mut key = Map::new();
            for f in &fields {
                let mut v = lookup(&row, f);
                if v.is_null() {
                    v = if f == "group" {
                        json!(["N/A"])
                    } else {
                        Value::String("N/A".into())
                    };
                }
                insert_path(&mut key, f, v);
            }
            (Value::Object(key), n)
        })
        .collect();
    let records: Vec<Value> = counts
        .into_iter()
        .map(|(mut k, n)| {
            k["count"] = json!(n);
            k
        })
        .collect();
    let mut builder = oxsec_wql::Schema::builder();
    for f in &fields {
        builder = builder.field(oxsec_wql::Field::text(f.clone(), f.clone()));
    }
    let page_schema = builder
        .field(oxsec_wql::Field::integer("count", "count"))
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let page_query = ListQuery {
        q: None,
        select: None,
        distinct: false,
        ..query
    };
    let page = oxsec_wql::memory::execute(&records, &page_query, &page_schema).map_err(crate::list::wql_error)?;
    // Upstream reports the number of agents counted, not the number of combinations.
    result.set_page(page.items, agents_total);
    Ok(result)
}

fn lookup(v: &Value, path: &str) -> Value {
    let mut cur = v;
    for part in path.split('.') {
        match cur.get(part) {
            Some(next) => cur = next,
            None => return Value::Null,
        }
    }
    cur.clone()
}

fn insert_path(map: &mut Map<String, Value>, path: &str, v: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), v);
        }
        Some((head, rest)) => {
            let entry = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert_path(inner, rest, v);
            }
        }
    }
}

/// Restricts a query to agents without any group.
pub fn restrict_to_no_group(query: &mut ListQuery) {
    let cond = Expr::And(vec![
        Expr::Cond {
            field: "id".into(),
            op: Op::Ne,
            value: "0".into(),
        },
        Expr::Cond {
            field: "group".into(),
            op: Op::Eq,
            value: "null".into(),
        },
    ]);
    query.q = Some(match query.q.take() {
        Some(q) => Expr::And(vec![cond, q]),
        None => cond,
    });
}

/// Restricts a query to agents older than the manager (`version < Wazuh v4.14.7`), excluding 000.
pub fn restrict_to_outdated(query: &mut ListQuery) {
    let manager = format!("Wazuh v{}", oxsec_types::WAZUH_API_VERSION);
    let conds = vec![
        Expr::Cond {
            field: "id".into(),
            op: Op::Ne,
            value: "0".into(),
        },
        Expr::Cond {
            field: "version".into(),
            // Upstream compares the text, not the version: any other version counts as outdated.
            op: Op::Ne,
            value: manager,
        },
    ];
    let cond = Expr::And(conds);
    query.q = Some(match query.q.take() {
        Some(q) => Expr::And(vec![cond, q]),
        None => cond,
    });
}

/// `GET /agents/summary`: counts by status, OS platform and group of the caller's agents (000
/// left out), keyed alphabetically as upstream's wazuh-db answers.
pub async fn summary(state: &AppState, authz: &Authz, wanted: Option<Vec<String>>) -> Result<Value, ApiError> {
    let mut scope = ListQuery {
        q: Some(Expr::Cond {
            field: "id".into(),
            op: Op::Ne,
            value: "0".into(),
        }),
        ..ListQuery::default()
    };
    let mut ignored = AffectedItems::default();
    agents::restrict_to_scope(state, authz, wanted, &mut scope, &mut ignored).await?;
    let schema = agents::schema()?;
    let counts_of = |field: &str| -> Result<_, ApiError> {
        let q = ListQuery {
            select: Some(vec![field.to_owned()]),
            ..scope.clone()
        };
        oxsec_wql::sql::compile_counts(&q, &schema, "agents", Dialect::Sqlite).map_err(crate::list::wql_error)
    };
    let by_status = counts_of("status")?;
    let by_platform = counts_of("os.platform")?;
    let members = compile(
        &ListQuery {
            select: Some(vec!["id".into()]),
            ..scope.clone()
        },
        &schema,
        "agents",
        Dialect::Sqlite,
    )
    .map_err(crate::list::wql_error)?;
    let (by_status, by_platform, by_group) = state
        .store()
        .read(move |c| {
            Ok((
                oxsec_store::list::run_counts(c, &by_status)?,
                oxsec_store::list::run_counts(c, &by_platform)?,
                group::member_counts(c, &members)?,
            ))
        })
        .await?;
    let mut status: BTreeMap<String, u64> = ["active", "disconnected", "never_connected", "pending"]
        .iter()
        .map(|s| ((*s).to_owned(), 0))
        .collect();
    for (row, n) in by_status {
        if let Some(s) = row["status"].as_str() {
            *status.entry(s.to_owned()).or_default() += n;
        }
    }
    let mut os: BTreeMap<String, u64> = BTreeMap::new();
    for (row, n) in by_platform {
        if let Some(p) = row
            .pointer("/os/platform")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
        {
            *os.entry(p.to_owned()).or_default() += n;
        }
    }
    let groups: BTreeMap<String, u64> = by_group.into_iter().collect();
    Ok(json!({"status": status, "os": os, "groups": groups}))
}

/// `GET /overview/agents`.
pub async fn overview(state: &AppState, authz: &Authz) -> Result<Value, ApiError> {
    let status = agents::summary_status(state, authz).await?;
    let not_manager = || ListQuery {
        q: Some(Expr::Cond {
            field: "id".into(),
            op: Op::Ne,
            value: "0".into(),
        }),
        limit: None,
        ..ListQuery::default()
    };
    let items = |r: AffectedItems| r.into_json()["data"]["affected_items"].clone();
    let nodes = items(distinct(state, authz, vec!["node_name".into()], not_manager()).await?);
    let os_fields = vec!["os.name".into(), "os.platform".into(), "os.version".into()];
    let oses = items(distinct(state, authz, os_fields, not_manager()).await?);
    let versions = items(distinct(state, authz, vec!["version".into()], not_manager()).await?);
    let (names, counts) = state
        .store()
        .read(|c| Ok((group::names(c)?, group::counts(c)?)))
        .await?;
    let dir = super::shared::SharedDir::new(&state.config().data_dir);
    let groups: Vec<Value> = names
        .iter()
        .filter(|n| authz.permits("group:id", n))
        .map(|n| {
            let (merged, conf) = dir.sums(n);
            json!({"name": n, "count": counts.get(n).copied().unwrap_or(0), "mergedSum": merged, "configSum": conf})
        })
        .collect();
    let last = ListQuery {
        sort: oxsec_wql::parse_sort("-dateAdd").map_err(crate::list::wql_error)?,
        limit: Some(1),
        q: Some(Expr::Cond {
            field: "id".into(),
            op: Op::Ne,
            value: "0".into(),
        }),
        ..ListQuery::default()
    };
    let last = agents::list(state, authz, None, last).await?.into_json();
    Ok(json!({
        "nodes": nodes,
        "groups": groups,
        "agent_os": oses,
        "agent_status": status,
        "agent_version": versions,
        "last_registered_agent": last["data"]["affected_items"].clone(),
    }))
}
