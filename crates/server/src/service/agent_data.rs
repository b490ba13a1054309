//! What agents report about themselves (file integrity, rootcheck; SCA and CIS-CAT next): the
//! reads Wazuh serves from each agent's wazuh-db database, here from the store's tables of the
//! same columns. An agent that never connected has no database: Wazuh answers 2007 then.

use oxsec_store::models::agent_data;
use oxsec_types::envelope::{AffectedItems, ItemError};
use oxsec_types::WazuhCode;

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

/// The numbers of a Wazuh version text (`Wazuh v3.9.2` → [3, 9, 2]).
pub fn version_numbers(version: &str) -> Vec<u64> {
    let text = version.rsplit(['v', ' ']).next().unwrap_or(version);
    text.split('.').map_while(|p| p.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number() {
        assert_eq!(version_numbers("Wazuh v3.9.2"), [3, 9, 2]);
        assert!(version_numbers("Wazuh v3.9.2") < vec![3, 12, 0]);
        assert!(version_numbers("Wazuh v4.14.7") >= vec![3, 12, 0]);
        assert!(version_numbers("Wazuh v3.12.0") >= vec![3, 12, 0]);
    }
}
