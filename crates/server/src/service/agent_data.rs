//! What agents report about themselves (file integrity, rootcheck; SCA and CIS-CAT next): the
//! reads Wazuh serves from each agent's wazuh-db database, here from the store's tables of the
//! same columns. An agent that never connected has no database: Wazuh answers 2007 then.

use oxsec_store::models::agent_data;
use oxsec_types::envelope::{AffectedItems, ItemError};
use oxsec_types::WazuhCode;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// The agent id of a path parameter (`001` → 1); the contract has checked it is digits.
pub fn agent_number(agent_id: &str) -> Result<i64, ApiError> {
    agent_id
        .parse::<i64>()
        .map_err(|_| ApiError::code(WazuhCode::AgentNotFound))
}

/// Fails with Wazuh's 2007 unless the agent has a database.
pub async fn require_database(state: &AppState, agent: i64) -> Result<(), ApiError> {
    if state.store().read(move |c| agent_data::has_database(c, agent)).await? {
        Ok(())
    } else {
        Err(ApiError::with_details(
            WazuhCode::NoAgentDatabase,
            format!(
                "There is no database for agent {agent:03}. Please check if the agent has connected to the manager"
            ),
        ))
    }
}

/// Fails with 1701 unless the agent exists; its version otherwise (`None`: never connected).
pub async fn require_agent(state: &AppState, agent: i64) -> Result<Option<String>, ApiError> {
    state
        .store()
        .read(move |c| agent_data::agent_version(c, agent))
        .await?
        .ok_or_else(|| ApiError::code(WazuhCode::AgentNotFound))
}

/// Whether `agent` exists; an unknown agent becomes a failed item of `result` (the endpoints
/// where Wazuh answers 200 for it).
pub async fn known_or_failed(state: &AppState, agent: i64, result: &mut AffectedItems) -> Result<bool, ApiError> {
    let exists = state
        .store()
        .read(move |c| agent_data::agent_version(c, agent))
        .await?
        .is_some();
    if !exists {
        result.fail(super::agents::pad(agent), ItemError::new(WazuhCode::AgentNotFound));
    }
    Ok(exists)
}

/// Runs `clear` on each of `ids` in one transaction and lists them as affected.
pub async fn clear_each(
    state: &AppState,
    ids: Vec<i64>,
    clear: fn(&oxsec_store::rusqlite::Connection, i64, i64) -> oxsec_store::Result<()>,
    result: &mut AffectedItems,
) -> Result<(), ApiError> {
    let now = oxsec_store::now_secs();
    let done = ids.clone();
    state
        .store()
        .write(move |tx| {
            for id in &done {
                clear(tx, *id, now)?;
            }
            Ok(())
        })
        .await?;
    for id in ids {
        result.push(serde_json::json!(super::agents::pad(id)));
    }
    Ok(())
}

/// SQL rendering a Unix-seconds column as Wazuh's `YYYY-MM-DDTHH:MM:SS+00:00`.
pub fn iso_offset(column: &str) -> String {
    format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {column}, 'unixepoch')")
}

/// SQL rendering a Unix-seconds column as `YYYY-MM-DDTHH:MM:SSZ` (rootcheck's dates).
pub fn iso_z(column: &str) -> String {
    format!("strftime('%Y-%m-%dT%H:%M:%SZ', {column}, 'unixepoch')")
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SS+00:00`; 0 (never) is `None`.
pub fn epoch_offset(secs: i64) -> Option<String> {
    (secs > 0).then(|| {
        time::OffsetDateTime::from_unix_timestamp(secs)
            .map(crate::service::agents::iso)
            .unwrap_or_default()
    })
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn epoch_z(secs: i64) -> String {
    crate::timefmt::epoch_iso(secs)
}

/// Orders several agents' pages (each agent's rows in its own SQL order) as Wazuh's result
/// merge does: without `sort` by agent id; with one sort field by its value, compared as numbers
/// when the first item's value is a number and as text otherwise; with several, by the first
/// one's text. Items lacking the value come first either way; ties keep their order.
pub fn merge_pages(items: &mut [(i64, Value)], sort: &[oxsec_wql::SortKey]) {
    let Some(key) = sort.first() else {
        merge_by(items, sort, |(agent, _)| *agent, |_| None);
        return;
    };
    let path: Vec<&str> = key.field.split('.').collect();
    // A dotted field is nested, or kept flat when it was the only one of its prefix.
    merge_by(
        items,
        sort,
        |(agent, _)| *agent,
        |(_, item)| {
            path.iter()
                .try_fold(item, |v, p| v.get(p))
                .or_else(|| item.get(&key.field))
                .cloned()
        },
    );
}

/// [`merge_pages`] over any item: `agent` gives an item's agent, `value` its value of the first
/// sort field.
pub fn merge_by<T>(
    items: &mut [T],
    sort: &[oxsec_wql::SortKey],
    agent: impl Fn(&T) -> i64,
    value: impl Fn(&T) -> Option<Value>,
) {
    let Some(key) = sort.first() else {
        items.sort_by_cached_key(|item| super::agents::pad(agent(item)));
        return;
    };
    let numeric = sort.len() == 1
        && items
            .first()
            .and_then(&value)
            .is_some_and(|v| v.is_number() || v.is_boolean());
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let as_number = |v: &Value| match v {
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        other => other.as_f64().or_else(|| as_text(other).parse().ok()),
    };
    items.sort_by(|a, b| {
        use std::cmp::Ordering;
        match (value(a).filter(|v| !v.is_null()), value(b).filter(|v| !v.is_null())) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = if numeric {
                    as_number(&x).partial_cmp(&as_number(&y)).unwrap_or(Ordering::Equal)
                } else {
                    as_text(&x).cmp(&as_text(&y))
                };
                if key.descending {
                    order.reverse()
                } else {
                    order
                }
            }
        }
    });
}

/// The numbers of a Wazuh version text (`Wazuh v3.9.2` → [3, 9, 2]).
pub fn version_numbers(version: &str) -> Vec<u64> {
    let text = version.rsplit(['v', ' ']).next().unwrap_or(version);
    text.split('.').map_while(|p| p.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_merge_as_wazuh_merges_them() {
        use serde_json::json;
        let sort = |s: &str| oxsec_wql::parse_sort(s).expect("sort");
        let mut items = vec![
            (2, json!({"local": {"port": 80}, "inode": 1})),
            (1, json!({"local": {"port": 9}, "inode": 2})),
            (1, json!({"inode": 3})),
            (3, json!({"local": {"port": 8080}, "inode": 4})),
        ];
        let order = |items: &[(i64, Value)]| {
            items
                .iter()
                .map(|(_, i)| i["inode"].as_i64().unwrap_or(0))
                .collect::<Vec<_>>()
        };
        merge_pages(&mut items, &[]);
        assert_eq!(order(&items), [2, 3, 1, 4]);
        // One field: numbers compare as numbers; the item without a value first, also descending.
        merge_pages(&mut items, &sort("-local.port"));
        assert_eq!(order(&items), [3, 4, 1, 2]);
        // Several fields: the first one's text decides (Wazuh's 80, 8080, 9).
        items.rotate_left(1);
        merge_pages(&mut items, &sort("local.port,inode"));
        assert_eq!(order(&items), [3, 1, 4, 2]);
    }

    #[test]
    fn versions_compare_by_number() {
        assert_eq!(version_numbers("Wazuh v3.9.2"), [3, 9, 2]);
        assert!(version_numbers("Wazuh v3.9.2") < vec![3, 12, 0]);
        assert!(version_numbers("Wazuh v4.14.7") >= vec![3, 12, 0]);
        assert!(version_numbers("Wazuh v3.12.0") >= vec![3, 12, 0]);
    }
}
