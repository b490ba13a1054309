//! Group membership of agents: assignment (one or many agents, append or `force_single_group`),
//! removal, and the listing of a group's agents. Wazuh's rules: an agent is in at most 128 groups,
//! one left without any group goes back to `default`, and `default` cannot be the last one removed.

use oxsec_store::models::group;
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use serde_json::Value;

use super::agents::{pad, Targets};
use super::groups;
use crate::auth::authz::{denied_item, Authz};
use crate::error::ApiError;
use crate::state::AppState;

/// Wazuh's `MAX_GROUPS_PER_MULTIGROUP`.
pub const MAX_GROUPS_PER_AGENT: usize = 128;

fn assign_code(r: group::AssignRefusal) -> WazuhCode {
    match r {
        group::AssignRefusal::AlreadyMember => WazuhCode::AgentAlreadyInGroup,
        group::AssignRefusal::TooManyGroups => WazuhCode::TooManyGroups,
        group::AssignRefusal::NotReplaceable => WazuhCode::ForceSingleGroupFailed,
    }
}

fn unassign_code(r: group::UnassignRefusal) -> WazuhCode {
    match r {
        group::UnassignRefusal::NotMember => WazuhCode::AgentNotInGroup,
        group::UnassignRefusal::OnlyDefault => WazuhCode::OnlyDefaultGroup,
    }
}

/// Refuses unless the caller may change the group's assignments and the group exists.
async fn require_modifiable(state: &AppState, authz: &Authz, group_id: &str) -> Result<(), ApiError> {
    if !authz.permits("group:id", group_id) {
        return Err(crate::auth::authz::denied("group:id"));
    }
    groups::require(state, group_id).await
}

/// Each agent's outcome as an affected id or a failed item with its code.
fn record(result: &mut AffectedItems, outcomes: Vec<(i64, Result<(), WazuhCode>)>) {
    for (id, outcome) in outcomes {
        match outcome {
            Ok(()) => result.push(Value::String(pad(id))),
            Err(code) => result.fail(pad(id), ItemError::new(code)),
        }
    }
}

/// `PUT /agents/group` and `PUT /agents/{agent_id}/group/{group_id}`.
pub async fn assign(
    state: &AppState,
    authz: &Authz,
    group_id: &str,
    agents: Option<Vec<String>>,
    replace: bool,
) -> Result<AffectedItems, ApiError> {
    let suffix = if replace {
        " and removed from the other groups"
    } else {
        ""
    };
    let mut result = AffectedItems::new(
        format!("All selected agents were assigned to {group_id}{suffix}"),
        format!("Some agents were not assigned to {group_id}{suffix}"),
        format!("No agents were assigned to {group_id}"),
    );
    require_modifiable(state, authz, group_id).await?;
    let Targets { ids, .. } = super::agents::targets(state, authz, agents, &mut result, true).await?;
    let group_name = group_id.to_owned();
    // With force_single_group the agent's current groups must all be ones the caller may modify.
    let perms = authz.clone();
    let outcomes = state
        .store()
        .write(move |tx| {
            let allowed = |g: &str| perms.permits("group:id", g);
            let mut out = Vec::new();
            for id in ids {
                out.push((
                    id,
                    group::assign(tx, id, &group_name, replace, MAX_GROUPS_PER_AGENT, &allowed)?.map_err(assign_code),
                ));
            }
            Ok(out)
        })
        .await?;
    record(&mut result, outcomes);
    Ok(result)
}

/// `DELETE /agents/{agent_id}/group/{group_id}`: a message, or the request's error.
pub async fn unassign_single(state: &AppState, agent_id: &str, group_id: &str) -> Result<String, ApiError> {
    let id = super::agents::parse_id(agent_id).ok_or_else(|| ApiError::code(WazuhCode::AgentNotFound))?;
    if !super::agents::exists(state, id).await? {
        return Err(ApiError::code(WazuhCode::AgentNotFound));
    }
    if id == 0 {
        return Err(ApiError::code(WazuhCode::ManagerAgent));
    }
    if !groups::exists(state, group_id).await? {
        return Err(ApiError::code(WazuhCode::GroupNotFound));
    }
    let g = group_id.to_owned();
    let reassigned = state
        .store()
        .write(move |tx| group::unassign(tx, id, &g))
        .await?
        .map_err(|r| ApiError::code(unassign_code(r)))?;
    let tail = if reassigned {
        " Agent reassigned to group default."
    } else {
        ""
    };
    Ok(format!("Agent '{}' removed from '{group_id}'.{tail}", pad(id)))
}

/// `DELETE /agents/{agent_id}/group`: removes one agent from several groups (all when none named).
pub async fn unassign_groups(
    state: &AppState,
    authz: &Authz,
    agent_id: &str,
    wanted: Option<Vec<String>>,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Specified agent was removed from returned groups",
        "Specified agent was not removed from some groups",
        "Specified agent was not removed from any group",
    );
    let id = super::agents::parse_id(agent_id).ok_or_else(|| ApiError::code(WazuhCode::AgentNotFound))?;
    if id == 0 {
        return Err(ApiError::code(WazuhCode::ManagerAgent));
    }
    if !super::agents::exists(state, id).await? {
        return Err(ApiError::code(WazuhCode::AgentNotFound));
    }
    // Without a list: every group the caller may modify (upstream expands to all groups, so
    // the ones the agent is not in fail with 1734 and are then left out, as 1710 and 1745 are).
    let every = wanted.is_none();
    let wanted = match wanted {
        Some(w) => w,
        None => state.store().read(group::names).await?,
    };
    let (allowed, refused) = authz.split_ids("group:id", wanted)?;
    if !every {
        for g in refused {
            result.fail(g, denied_item("group:id"));
        }
    }
    // `default` last: an agent emptied of groups returns to it, so removing it first would be undone.
    let mut order: Vec<String> = allowed.iter().filter(|g| *g != "default").cloned().collect();
    if allowed.iter().any(|g| g == "default") {
        order.push("default".into());
    }
    let all = state.store().read(group::names).await?;
    let outcomes = state
        .store()
        .write(move |tx| {
            let mut out = Vec::new();
            for g in order {
                if !all.contains(&g) {
                    out.push((g, Err(WazuhCode::GroupNotFound)));
                    continue;
                }
                let r = group::unassign(tx, id, &g)?.map(drop).map_err(unassign_code);
                out.push((g, r));
            }
            Ok(out)
        })
        .await?;
    let mut removed = Vec::new();
    for (g, outcome) in outcomes {
        match outcome {
            Ok(()) => removed.push(g),
            Err(code) => result.fail(g, ItemError::new(code)),
        }
    }
    removed.sort();
    for g in removed {
        result.push(Value::String(g));
    }
    if every {
        result.drop_failures(&[
            WazuhCode::GroupNotFound,
            WazuhCode::AgentNotInGroup,
            WazuhCode::OnlyDefaultGroup,
        ]);
    }
    Ok(result)
}

/// `DELETE /agents/group`: removes several agents from one group.
pub async fn unassign_agents(
    state: &AppState,
    authz: &Authz,
    group_id: &str,
    agents: Option<Vec<String>>,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        format!("All selected agents were removed from group {group_id}"),
        format!("Some agents were not removed from group {group_id}"),
        format!("No agent was removed from group {group_id}"),
    );
    require_modifiable(state, authz, group_id).await?;
    let every = agents.as_ref().is_none_or(|a| a.iter().any(|x| x == "all"));
    let Targets { mut ids, .. } = super::agents::targets(state, authz, agents, &mut result, true).await?;
    if every {
        // Upstream expands `all` to every agent the caller may modify and leaves out the 1734 of
        // those not in the group: the members among them give the same result.
        let g = group_id.to_owned();
        let members = state.store().read(move |c| group::members(c, &g)).await?;
        ids.retain(|id| members.binary_search(id).is_ok());
    }
    let g = group_id.to_owned();
    let outcomes = state
        .store()
        .write(move |tx| {
            let mut out = Vec::new();
            for id in ids {
                out.push((id, group::unassign(tx, id, &g)?.map(drop).map_err(unassign_code)));
            }
            Ok(out)
        })
        .await?;
    record(&mut result, outcomes);
    Ok(result)
}
