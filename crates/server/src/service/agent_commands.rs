//! Operations that need a live agent connection: restart, reconnect, upgrades, remote configuration
//! and statistics. oxsec has no agent connection service yet (a later issue), so no agent is
//! reachable: each operation answers as Wazuh does for an agent that is not active. Upgrades of
//! agents whose registry status is active still get a task record, which fails at once with the
//! reason, so `GET /tasks/status` and `upgrade_result` tell the truth.

use oxsec_store::models::{agent_command, task};
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use serde_json::{json, Value};

use super::agents::{self, pad, Targets};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::state::AppState;

/// Why a command did not reach an agent.
const NOT_CONNECTED: &str = "The agent is not connected to this manager: oxsec has no agent connection service yet";

/// The statuses of the given agents (by id).
async fn statuses(state: &AppState, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, ApiError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let query = oxsec_wql::ListQuery {
        select: Some(vec!["status".into()]),
        limit: None,
        q: Some(oxsec_wql::Expr::Or(
            ids.iter()
                .map(|id| oxsec_wql::Expr::Cond {
                    field: "id".into(),
                    op: oxsec_wql::Op::Eq,
                    value: id.to_string(),
                })
                .collect(),
        )),
        ..Default::default()
    };
    let schema = agents::schema()?;
    let sql = oxsec_wql::sql::compile(&query, &schema, "agents", oxsec_wql::sql::Dialect::Sqlite)
        .map_err(crate::list::wql_error)?;
    let (_, rows) = state.store().read(move |c| oxsec_store::list::run(c, &sql)).await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((agents::item_id(r)?, r.get("status")?.as_str()?.to_owned())))
        .collect())
}

/// The restart and reconnect family: every existing agent fails with 1707 (not reachable).
pub async fn send_to_agents(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
    messages: [&str; 3],
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(messages[0], messages[1], messages[2]);
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, true).await?;
    for id in ids {
        result.fail(pad(id), ItemError::new(WazuhCode::AgentNotActive));
    }
    Ok(result)
}

/// `PUT /agents/restart` and its by-id/by-node/by-group forms.
pub async fn restart(state: &AppState, authz: &Authz, wanted: Option<Vec<String>>) -> Result<AffectedItems, ApiError> {
    send_to_agents(
        state,
        authz,
        wanted,
        [
            "Restart command was sent to all agents",
            "Restart command was not sent to some agents",
            "Restart command was not sent to any agent",
        ],
    )
    .await
}

/// `PUT /agents/reconnect`.
pub async fn reconnect(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
) -> Result<AffectedItems, ApiError> {
    send_to_agents(
        state,
        authz,
        wanted,
        [
            "Force reconnect command was sent to all agents",
            "Force reconnect command was not sent to some agents",
            "Force reconnect command was not sent to any agent",
        ],
    )
    .await
}

/// `PUT /agents/upgrade` and `/agents/upgrade_custom`: agents not active fail with 1707; active
/// ones get a task that fails at once because nothing can deliver the package.
pub async fn upgrade(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
    command: &'static str,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All upgrade tasks were created",
        "Some upgrade tasks were not created",
        "No upgrade task was created",
    );
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, true).await?;
    let status = statuses(state, &ids).await?;
    let (active, inactive): (Vec<i64>, Vec<i64>) = ids
        .into_iter()
        .partition(|id| status.get(id).is_some_and(|s| s == "active"));
    for id in inactive {
        result.fail(pad(id), ItemError::new(WazuhCode::AgentNotActive));
    }
    let node = crate::node_name().to_owned();
    let now = oxsec_store::now_secs();
    let created = state
        .store()
        .write(move |tx| {
            let mut out = Vec::new();
            for id in active {
                let t = task::NewTask {
                    agent_id: id,
                    node: &node,
                    module: "upgrade_module",
                    command,
                    now,
                    status: "Failed",
                    error_message: Some(NOT_CONNECTED),
                };
                out.push((id, task::insert(tx, &t)?));
            }
            Ok(out)
        })
        .await?;
    for (id, task_id) in created {
        result.push(json!({"agent": pad(id), "task_id": task_id}));
    }
    Ok(result)
}

/// `GET /agents/upgrade_result`.
pub async fn upgrade_result(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All upgrade tasks were returned",
        "Some upgrade tasks were not returned",
        "No upgrade task was returned",
    );
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, true).await?;
    let status = statuses(state, &ids).await?;
    let node = crate::node_name().to_owned();
    for id in ids {
        if status.get(&id).is_none_or(|s| s != "active") {
            result.fail(pad(id), ItemError::new(WazuhCode::AgentNotActive));
            continue;
        }
        match state.store().read(move |c| task::latest_of(c, id)).await? {
            Some(t) => {
                let mut item = json!({
                    "message": "Success",
                    "agent": pad(id),
                    "task_id": t.task_id,
                    "node": node,
                    "module": "upgrade_module",
                    "command": t.command,
                    "status": shown_status(&t.status),
                });
                if let Some(e) = t.error_message {
                    item["error_msg"] = Value::String(e);
                }
                item["create_time"] = Value::String(crate::timefmt::epoch_iso(t.create_time));
                if t.last_update_time > 0 {
                    item["update_time"] = Value::String(crate::timefmt::epoch_iso(t.last_update_time));
                }
                result.push(item);
            }
            None => result.fail(pad(id), ItemError::new(WazuhCode::NoUpgradeTask)),
        }
    }
    Ok(result)
}

/// How `upgrade_result` words a stored task status (as Wazuh's upgrade module does).
fn shown_status(stored: &str) -> &str {
    match stored {
        "Pending" => "In queue",
        "In progress" => "Updating",
        "Done" => "Updated",
        "Failed" => "Error",
        "Cancelled" => "Task cancelled since the manager was restarted",
        "Timeout" => "Timeout reached while waiting for the response from the agent, check the result manually on the agent for more information",
        "Legacy" => "Legacy upgrade: check the result manually since the agent cannot report the result of the task",
        other => other,
    }
}

/// `GET /agents/{agent_id}/config/{component}/{configuration}`: only active agents answer (1740).
pub async fn config(state: &AppState, agent_id: &str) -> Result<Value, ApiError> {
    let id = agents::parse_id(agent_id).ok_or_else(|| ApiError::code(WazuhCode::AgentNotFound))?;
    if !agents::exists(state, id).await? {
        return Err(ApiError::code(WazuhCode::AgentNotFound));
    }
    Err(ApiError::code(WazuhCode::AgentOnlyActive))
}

/// `GET /agents/{agent_id}/daemons/stats` and `/stats/{component}`: the agent must be reachable.
pub async fn stats(state: &AppState, agent_id: &str, messages: [&str; 3]) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(messages[0], messages[1], messages[2]);
    let id = agents::parse_id(agent_id).ok_or_else(|| ApiError::code(WazuhCode::AgentNotFound))?;
    if !agents::exists(state, id).await? {
        return Err(ApiError::code(WazuhCode::AgentNotFound));
    }
    result.fail(pad(id), ItemError::new(WazuhCode::AgentNotActive));
    Ok(result)
}

/// `GET /agents/{agent_id}/group/is_sync`: whether the agent's last reported bundle checksum is
/// the current one of its group.
pub async fn is_sync(state: &AppState, authz: &Authz, agent_id: &str) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Sync info was returned for all selected agents",
        "Sync info was not returned for some selected agents",
        "No sync info was returned",
    );
    let Targets { ids } = agents::targets(state, authz, Some(vec![agent_id.to_owned()]), &mut result, true).await?;
    let dir = super::shared::SharedDir::new(&state.config().data_dir);
    for id in ids {
        let (groups, merged) = state
            .store()
            .read(move |c| {
                let groups = oxsec_store::models::group::of_agent(c, id)?;
                let merged: Option<String> = agent_merged_sum(c, id)?;
                Ok((groups, merged))
            })
            .await?;
        let synced = match (groups.as_slice(), merged) {
            ([single], Some(sum)) => dir.sums(single).0.is_some_and(|s| s == sum),
            _ => false,
        };
        result.push(json!({"id": pad(id), "synced": synced}));
    }
    Ok(result)
}

fn agent_merged_sum(c: &oxsec_store::rusqlite::Connection, id: i64) -> oxsec_store::Result<Option<String>> {
    oxsec_store::models::agent::merged_sum(c, id)
}

/// Whether a request names no agents (`agents_list` omitted or `all`): Wazuh then leaves out
/// the agents an operation's excluded codes would fail.
fn implicit(wanted: &Option<Vec<String>>) -> bool {
    wanted.as_ref().is_none_or(|w| w.iter().any(|x| x == "all"))
}

/// `PUT /syscheck` and `PUT /rootcheck`: each active agent (and the manager) is asked to restart
/// its syscheck module, which runs both scans; Wazuh sends the same `syscheck restart` for either.
/// The command waits in the agent's queue for the connection service; agents not connected fail
/// with 1707 (left out when the request names no agents, as Wazuh excludes 1701 and 1707 then).
pub async fn restart_scans(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
    module: &'static str,
    messages: [&str; 3],
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(messages[0], messages[1], messages[2]);
    let skip_inactive = implicit(&wanted);
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, false).await?;
    let found = {
        let ids = ids.clone();
        state.store().read(move |c| agent_command::recipients(c, &ids)).await?
    };
    let (connected, not_connected): (Vec<_>, Vec<_>) = found.iter().partition(|r| r.id == 0 || r.status == "active");
    let active: Vec<i64> = connected.iter().map(|r| r.id).collect();
    let inactive: Vec<i64> = not_connected.iter().map(|r| r.id).collect();
    if !skip_inactive {
        for id in inactive {
            result.fail(pad(id), ItemError::new(WazuhCode::AgentNotActive));
        }
    }
    queue(state, &active, module, |_| Some("syscheck restart".to_owned())).await?;
    for id in active {
        result.push(json!(pad(id)));
    }
    Ok(result)
}

/// Queues `message(agent)` for each agent that gets one, in one transaction.
async fn queue(
    state: &AppState,
    agents: &[i64],
    module: &'static str,
    message: impl Fn(i64) -> Option<String>,
) -> Result<(), ApiError> {
    let batch: Vec<(i64, String)> = agents.iter().filter_map(|a| message(*a).map(|m| (*a, m))).collect();
    if batch.is_empty() {
        return Ok(());
    }
    let now = oxsec_store::now_secs();
    state
        .store()
        .write(move |tx| {
            for (agent, message) in &batch {
                agent_command::enqueue(tx, *agent, module, message, now)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// An active response to run: the body of `PUT /active-response`.
pub struct ActiveResponse {
    pub command: String,
    pub arguments: Vec<String>,
    pub alert: Value,
}

/// The first version whose agents take active responses as JSON (Wazuh's `AR_LEGACY_VERSION`).
const AR_JSON_SINCE: [u64; 3] = [4, 2, 0];

/// `PUT /active-response`: the command goes to each active agent's queue, as the JSON message
/// (4.2.0 and later) or the legacy line Wazuh would send it. The manager (000) is left out
/// silently, as in Wazuh; agents not connected fail with 1707, agents whose own configuration
/// disables active response with 1750, and a command that is neither a `!script` nor defined in
/// `etc/shared/ar.conf` with 1652 (checked per agent after those, in Wazuh's order).
pub async fn active_response(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
    ar: ActiveResponse,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "AR command was sent to all agents",
        "AR command was not sent to some agents",
        "AR command was not sent to any agent",
    );
    let Targets { ids } = agents::targets(state, authz, wanted, &mut result, false).await?;
    let ids: Vec<i64> = ids.into_iter().filter(|id| *id != 0).collect();
    let found = state.store().read(move |c| agent_command::recipients(c, &ids)).await?;
    let known = defined_commands(state).await;
    let command_error = if ar.command.is_empty() {
        Some(WazuhCode::ActiveResponseNoCommand)
    } else if !ar.command.starts_with('!') && !known.contains(&ar.command) {
        Some(WazuhCode::ActiveResponseUnknownCommand)
    } else {
        None
    };
    let node = super::cluster::running(state).then(|| super::cluster::local_name(state));
    let mut sends = Vec::new();
    for r in found {
        let failure = if r.status != "active" {
            Some(WazuhCode::AgentNotActive)
        } else if r.active_response_disabled {
            Some(WazuhCode::ActiveResponseDisabled)
        } else {
            command_error
        };
        if let Some(code) = failure {
            result.fail(pad(r.id), ItemError::new(code));
            continue;
        }
        let json_capable = r
            .version
            .as_deref()
            .is_some_and(|v| super::agent_data::version_numbers(v).as_slice() >= AR_JSON_SINCE.as_slice());
        let message = if json_capable {
            json!({
                "version": 1,
                "origin": {"name": node, "module": "framework"},
                "command": ar.command,
                "parameters": {"extra_args": ar.arguments, "alert": ar.alert},
            })
            .to_string()
        } else if ar.arguments.is_empty() {
            format!("{} - -", ar.command)
        } else {
            let args: Vec<String> = ar.arguments.iter().map(|a| shell_escape(a)).collect();
            format!("{} {}", ar.command, args.join(" "))
        };
        sends.push((r.id, message));
    }
    let ids: Vec<i64> = sends.iter().map(|(id, _)| *id).collect();
    let messages: std::collections::HashMap<i64, String> = sends.into_iter().collect();
    queue(state, &ids, "active-response", |id| messages.get(&id).cloned()).await?;
    for id in ids {
        result.push(json!(pad(id)));
    }
    Ok(result)
}

/// The command names of `etc/shared/ar.conf` (`name - script - timeout` lines).
async fn defined_commands(state: &AppState) -> Vec<String> {
    let path = state.config().data_dir.join("etc/shared/ar.conf");
    let text = tokio::fs::read_to_string(path).await.unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split(" - ").next())
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

/// An argument as Wazuh escapes it for the legacy active-response line.
fn shell_escape(arg: &str) -> String {
    const SPECIAL: &[char] = &[
        '"', '\'', '\t', ';', '`', '>', '<', '|', '#', '*', '[', ']', '{', '}', '&', '$', '!', ':', '(', ')',
    ];
    let mut out = String::with_capacity(arg.len());
    for c in arg.chars() {
        if SPECIAL.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_arguments_are_escaped_as_wazuh_escapes_them() {
        assert_eq!(shell_escape("(from_the_server)"), "\\(from_the_server\\)");
        assert_eq!(shell_escape("a;b"), "a\\;b");
        assert_eq!(shell_escape("-"), "-");
    }
}
