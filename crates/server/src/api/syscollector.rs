//! `/syscollector/{agent_id}/…` and `/experimental/syscollector/…`: agents' inventory.

use axum::extract::{Path, State};

use super::Routes;
use crate::auth::authz::Authz;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::render::Envelope;
use crate::service::agent_data;
use crate::service::syscollector::{self, Element};
use crate::state::AppState;

/// One agent's elements: path and element.
const AGENT_PATHS: &[(&str, &str)] = &[
    ("/syscollector/{agent_id}/os", "os"),
    ("/syscollector/{agent_id}/hardware", "hardware"),
    ("/syscollector/{agent_id}/packages", "packages"),
    ("/syscollector/{agent_id}/processes", "processes"),
    ("/syscollector/{agent_id}/ports", "ports"),
    ("/syscollector/{agent_id}/netaddr", "netaddr"),
    ("/syscollector/{agent_id}/netproto", "netproto"),
    ("/syscollector/{agent_id}/netiface", "netiface"),
    ("/syscollector/{agent_id}/hotfixes", "hotfixes"),
    ("/syscollector/{agent_id}/users", "users"),
    ("/syscollector/{agent_id}/groups", "groups"),
    ("/syscollector/{agent_id}/services", "services"),
    ("/syscollector/{agent_id}/browser_extensions", "browser_extensions"),
];

/// Every agent's elements (Wazuh has no experimental users, groups, services or extensions).
const ALL_AGENTS_PATHS: &[(&str, &str)] = &[
    ("/experimental/syscollector/os", "os"),
    ("/experimental/syscollector/hardware", "hardware"),
    ("/experimental/syscollector/packages", "packages"),
    ("/experimental/syscollector/processes", "processes"),
    ("/experimental/syscollector/ports", "ports"),
    ("/experimental/syscollector/netaddr", "netaddr"),
    ("/experimental/syscollector/netproto", "netproto"),
    ("/experimental/syscollector/netiface", "netiface"),
    ("/experimental/syscollector/hotfixes", "hotfixes"),
];

/// Operations of this group.
pub fn routes() -> Routes {
    let mut routes = Routes::default();
    for (path, name) in AGENT_PATHS {
        let name: &'static str = name;
        routes = routes.get(path, move |state: State<AppState>, agent: Path<String>, p: Params| {
            get_agent_items(name, state, agent, p)
        });
    }
    for (path, name) in ALL_AGENTS_PATHS {
        let name: &'static str = name;
        routes = routes.get(path, move |state: State<AppState>, authz: Authz, p: Params| {
            get_all_items(name, state, authz, p)
        });
    }
    routes
}

fn element(name: &str) -> Result<&'static Element, ApiError> {
    Element::named(name).ok_or_else(|| ApiError::Internal(format!("no syscollector element {name}")))
}

async fn get_agent_items(
    name: &'static str,
    State(state): State<AppState>,
    Path(agent_id): Path<String>,
    p: Params,
) -> ApiResult<Envelope> {
    let agent = agent_data::agent_number(&agent_id)?;
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(
        syscollector::agent_items(&state, element(name)?, agent, &p, query).await?,
    ))
}

async fn get_all_items(
    name: &'static str,
    State(state): State<AppState>,
    authz: Authz,
    p: Params,
) -> ApiResult<Envelope> {
    let query = crate::list::unchecked_list_query(&p)?;
    Ok(Envelope(
        syscollector::all_items(&state, &authz, element(name)?, p.list("agents_list"), &p, query).await?,
    ))
}
