//! `GET /tasks/status`: the task records (agent upgrades) with Wazuh's fields and filters.

use oxsec_types::AffectedItems;
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, Field, ListQuery, Op, Schema};
use serde_json::Value;

use crate::error::ApiError;

/// Fields of a task, in Wazuh's order.
pub fn schema() -> Result<Schema, ApiError> {
    Schema::builder()
        .field(Field::integer("task_id", "task_id"))
        .field(Field::integer("agent_id", "agent_id"))
        .field(Field::text("node", "node"))
        .field(Field::text("module", "module"))
        .field(Field::text("command", "command"))
        .field(Field::date("create_time", "datetime(create_time, 'unixepoch')"))
        .field(Field::date(
            "last_update_time",
            "datetime(last_update_time, 'unixepoch')",
        ))
        .field(Field::text("status", "status"))
        .field(Field::text("error_message", "error_message"))
        .default_sort("task_id")
        .always_present("task_id")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Adds the endpoint's filters (lists OR'ed within, AND'ed together) to the query.
pub fn add_filters(query: &mut ListQuery, filters: &[(&str, Option<Vec<String>>)]) {
    let mut conds = Vec::new();
    for (field, values) in filters {
        let Some(values) = values else { continue };
        let ors: Vec<Expr> = values
            .iter()
            .map(|v| Expr::Cond {
                field: (*field).to_owned(),
                op: Op::Eq,
                value: match v.parse::<i64>() {
                    Ok(n) => n.to_string(),
                    Err(_) => v.clone(),
                },
            })
            .collect();
        conds.push(Expr::Or(ors));
    }
    crate::list::and_filters(query, conds);
}

/// Runs the listing.
pub async fn status(state: &crate::state::AppState, query: ListQuery) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All specified task's status were returned",
        "Some status were not returned",
        "No status was returned",
    );
    let sql = compile(&query, &schema()?, "tasks", Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let (total, items) = state.store().read(move |c| oxsec_store::list::run(c, &sql)).await?;
    let items = items
        .into_iter()
        .map(|mut item| {
            if let Some(id) = item.get("agent_id").and_then(Value::as_i64) {
                item["agent_id"] = Value::String(super::agents::pad(id));
            }
            for key in ["create_time", "last_update_time"] {
                if let Some(t) = item.get(key).and_then(Value::as_str) {
                    item[key] = Value::String(format!("{}Z", t.replace(' ', "T")));
                }
            }
            item
        })
        .collect();
    result.set_page(items, total);
    Ok(result)
}
