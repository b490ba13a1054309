//! The agent registry: listing with Wazuh's filters, registration, keys and `client.keys`.

use std::path::Path;

use oxsec_store::models::agent;
use oxsec_types::envelope::ItemError;
use oxsec_types::{AffectedItems, WazuhCode};
use oxsec_wql::sql::{compile, Dialect};
use oxsec_wql::{Expr, Field, ListQuery, Op, Schema};
use serde_json::{json, Value};

use crate::auth::authz::{denied_item, Authz};
use crate::error::ApiError;
use crate::state::AppState;

/// Seconds without a keep-alive after which an agent counts as disconnected (remoted's default).
pub const DISCONNECTION_SECONDS: i64 = 600;

const GROUPS_EXPR: &str =
    "(SELECT group_concat(g.group_name, ',') FROM (SELECT group_name FROM agent_groups WHERE agent_id = agents.id ORDER BY priority) g)";

/// An agent's groups as Wazuh shows them: a JSON list in assignment order, absent when none.
const GROUPS_JSON: &str = "(SELECT NULLIF(json_group_array(g.group_name), '[]') FROM \
     (SELECT group_name FROM agent_groups WHERE agent_id = agents.id ORDER BY priority) g)";

/// Wazuh's spelling of the id in output: zero-padded to three digits, as a string.
const ID_JSON: &str = "printf('\"%03d\"', agents.id)";

/// The fields of `GET /agents`, in Wazuh's names.
pub fn schema() -> Result<Schema, ApiError> {
    Schema::builder()
        .field(Field::integer("id", "agents.id").output_json(ID_JSON))
        .field(Field::text("name", "agents.name"))
        .field(Field::text("ip", "COALESCE(agents.ip, agents.register_ip)"))
        .field(Field::text("registerIP", "agents.register_ip"))
        .field(Field::text("status", "agents.connection_status"))
        .field(Field::integer("status_code", "agents.status_code"))
        .field(Field::text("os.name", "agents.os_name"))
        .field(Field::text("os.version", "agents.os_version"))
        .field(Field::text("os.major", "agents.os_major"))
        .field(Field::text("os.minor", "agents.os_minor"))
        .field(Field::text("os.codename", "agents.os_codename"))
        .field(Field::text("os.build", "agents.os_build"))
        .field(Field::text("os.platform", "agents.os_platform"))
        .field(Field::text("os.uname", "agents.os_uname"))
        .field(Field::text("os.arch", "agents.os_arch"))
        .field(Field::text("version", "agents.version"))
        .field(Field::text("manager", "agents.manager_host"))
        .field(Field::text("node_name", "agents.node_name"))
        .field(Field::date("dateAdd", "agents.date_add"))
        .field(Field::date("lastKeepAlive", "agents.last_keepalive"))
        .field(Field::date("disconnection_time", "agents.disconnection_time"))
        .field(
            Field::text("group", GROUPS_EXPR)
                .members(
                    "agent_groups WHERE agent_groups.agent_id = agents.id",
                    "agent_groups.group_name",
                )
                .output_json(GROUPS_JSON),
        )
        .field(Field::text("group_config_status", "agents.group_config_status"))
        .field(Field::text("configSum", "agents.config_sum"))
        .field(Field::text("mergedSum", "agents.merged_sum"))
        .default_sort("id")
        .always_present("id")
        .build()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Marks agents whose keep-alive is older than the disconnection time as disconnected: run at start
/// and every few seconds after, as Wazuh's manager does, so `status` is a stored, indexed column.
pub fn disconnect_stale(conn: &oxsec_store::rusqlite::Connection) -> oxsec_store::Result<usize> {
    let now = time::OffsetDateTime::now_utc();
    let cutoff = iso(now - time::Duration::seconds(DISCONNECTION_SECONDS));
    agent::disconnect_stale(conn, &cutoff, &iso(now))
}

/// How often stale agents are looked for.
pub const DISCONNECTION_SWEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// `YYYY-MM-DDTHH:MM:SS+00:00`, the registry's and Wazuh's agent timestamp format.
pub fn iso(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    t.format(&f).unwrap_or_default()
}

/// Filters `GET /agents` has besides `q`, as (parameter, field).
const FILTERS: &[(&str, &str)] = &[
    ("os.platform", "os.platform"),
    ("os.version", "os.version"),
    ("os.name", "os.name"),
    ("manager", "manager"),
    ("version", "version"),
    ("node_name", "node_name"),
    ("name", "name"),
    ("ip", "ip"),
    ("registerIP", "registerIP"),
    ("group_config_status", "group_config_status"),
];

/// Wazuh's `older_than`: the last keep-alive is older than the timeframe, or, for an agent that
/// never connected, its registration is.
pub fn older_than(timeframe: &str) -> Expr {
    let cond = |field: &str, op, value: &str| Expr::Cond {
        field: field.into(),
        op,
        value: value.into(),
    };
    if timeframe == "0s" {
        // Upstream: `0s` means no age condition.
        return cond("id", Op::Ne, "-1");
    }
    Expr::And(vec![
        cond("id", Op::Ne, "0"),
        Expr::Or(vec![
            Expr::And(vec![
                cond("lastKeepAlive", Op::Gt, timeframe),
                cond("status", Op::Ne, "never_connected"),
            ]),
            Expr::And(vec![
                cond("dateAdd", Op::Gt, timeframe),
                cond("status", Op::Eq, "never_connected"),
            ]),
        ]),
    ])
}

/// Adds the endpoint's filter parameters to the query's `q` (AND).
pub fn add_filters(query: &mut ListQuery, params: &crate::params::Params) {
    let mut conds: Vec<Expr> = Vec::new();
    for (param, field) in FILTERS {
        if let Some(v) = params.text(param) {
            conds.push(Expr::Cond {
                field: (*field).to_owned(),
                op: Op::Eq,
                value: v,
            });
        }
    }
    if let Some(statuses) = params.list("status").filter(|s| !s.iter().any(|x| x == "all")) {
        let ors: Vec<Expr> = statuses
            .into_iter()
            .map(|s| Expr::Cond {
                field: "status".into(),
                op: Op::Eq,
                value: s,
            })
            .collect();
        conds.push(Expr::Or(ors));
    }
    if let Some(group) = params.text("group") {
        conds.push(Expr::Cond {
            field: "group".into(),
            op: Op::Eq,
            value: group,
        });
    }
    if let Some(older) = params.text("older_than") {
        conds.push(older_than(&older));
    }
    crate::list::and_filters(query, conds);
}

/// Wazuh's spelling of an agent id: zero-padded to three digits.
pub fn pad(id: i64) -> String {
    format!("{id:03}")
}

/// An agent id as the path or a list gives it (`1`, `001`).
pub fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<u32>().ok().map(i64::from)
}

/// Whether an agent exists.
pub async fn exists(state: &AppState, id: i64) -> Result<bool, ApiError> {
    Ok(!state.store().read(move |c| agent::existing(c, &[id])).await?.is_empty())
}

/// The agents an operation acts on, after RBAC and existence checks.
pub struct Targets {
    /// Agents that exist and the caller may act on, ascending.
    pub ids: Vec<i64>,
}

/// Resolves the agents an operation names. Ids the caller may not act on become 4000 failed items
/// (a 403 when that is all of them), unknown ids 1701, and 000 becomes 1703 when the operation
/// refuses the manager. Without a list: every agent the caller may act on (000 left out when
/// refused).
pub async fn targets(
    state: &AppState,
    authz: &Authz,
    wanted: Option<Vec<String>>,
    result: &mut AffectedItems,
    refuse_manager: bool,
) -> Result<Targets, ApiError> {
    let everything = authz.permits_everything("agent:id");
    let Some(wanted) = wanted.filter(|w| !w.iter().any(|x| x == "all")) else {
        let mut ids: Vec<i64> = match visible_agents(state, authz).await? {
            Some(ids) => ids,
            None => {
                state
                    .store()
                    .read(|c| {
                        let mut stmt = c.prepare_cached("SELECT id FROM agents ORDER BY id")?;
                        let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                        Ok(ids)
                    })
                    .await?
            }
        };
        if refuse_manager {
            ids.retain(|i| *i != 0);
        }
        return Ok(Targets { ids });
    };
    let mut parsed: Vec<(String, Option<i64>)> = wanted.into_iter().map(|w| (w.clone(), parse_id(&w))).collect();
    parsed.sort_by_key(|(_, id)| *id);
    parsed.dedup_by_key(|(_, id)| *id);
    let numeric: Vec<i64> = parsed.iter().filter_map(|(_, id)| *id).collect();
    let (present, groups) = {
        let ids = numeric.clone();
        state
            .store()
            .read(move |c| Ok((agent::existing(c, &ids)?, agent::groups_of(c, &ids)?)))
            .await?
    };
    let no_groups: Vec<String> = Vec::new();
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    for (raw, id) in parsed {
        let Some(id) = id else {
            allowed.push((raw, None));
            continue;
        };
        let g = groups.get(&id).unwrap_or(&no_groups);
        if everything || authz.permits_agent(&pad(id), g) {
            allowed.push((raw, Some(id)));
        } else {
            refused.push(pad(id));
        }
    }
    if allowed.is_empty() && !refused.is_empty() {
        return Err(crate::auth::authz::denied("agent:id"));
    }
    for id in refused {
        result.fail(id, denied_item("agent:id"));
    }
    let mut ids = Vec::new();
    for (raw, id) in allowed {
        match id {
            Some(id) if present.binary_search(&id).is_ok() => {
                if id == 0 && refuse_manager {
                    result.fail(pad(0), ItemError::new(WazuhCode::ManagerAgent));
                } else {
                    ids.push(id);
                }
            }
            Some(id) => result.fail(pad(id), ItemError::new(WazuhCode::AgentNotFound)),
            None => result.fail(raw, ItemError::new(WazuhCode::AgentNotFound)),
        }
    }
    Ok(Targets { ids })
}

/// The id of an agent item as listed (`"001"`).
pub fn item_id(item: &Value) -> Option<i64> {
    item.get("id").and_then(Value::as_str).and_then(parse_id)
}

/// Restricts a list query to the agents of one group.
pub fn restrict_to_group(query: &mut ListQuery, group: &str) {
    let cond = Expr::Cond {
        field: "group".into(),
        op: Op::Eq,
        value: group.to_owned(),
    };
    query.q = Some(match query.q.take() {
        Some(q) => Expr::And(vec![cond, q]),
        None => cond,
    });
}

/// `GET /agents`.
pub async fn list(
    state: &AppState,
    authz: &Authz,
    ids: Option<Vec<String>>,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "All selected agents information was returned",
        "Some agents information was not returned",
        "No agent information was returned",
    );
    let schema = schema()?;
    if query.offset >= i64::MAX as u64 {
        // Upstream hands the offset to wazuh-db, whose SQLite refuses one beyond its integers.
        return Err(ApiError::with_details(
            WazuhCode::WazuhDbError,
            format!("offset {} is beyond the database's range", query.offset),
        ));
    }
    restrict_to_scope(state, authz, ids, &mut query, &mut result).await?;
    let sql = compile(&query, &schema, "agents", Dialect::Sqlite).map_err(crate::list::wql_error)?;
    let unfiltered = sql.where_sql.is_empty();
    let (total, items) = state
        .store()
        .read(move |c| {
            // Without a filter the total is every agent: the kept status counts give it at once.
            let known = if unfiltered { Some(agent::count_all(c)?) } else { None };
            oxsec_store::list::run_json(c, &sql, known)
        })
        .await?;
    result.set_rendered_page(items, total);
    Ok(result)
}

/// Restricts a listing to the agents the caller may read and, when `ids` names some, to those
/// (ids refused or unknown become failed items of `result`).
pub async fn restrict_to_scope(
    state: &AppState,
    authz: &Authz,
    ids: Option<Vec<String>>,
    query: &mut ListQuery,
    result: &mut AffectedItems,
) -> Result<(), ApiError> {
    let scope: Option<Vec<i64>> = if let Some(ids) = ids {
        let (allowed, refused) = authz.split_ids("agent:id", ids)?;
        for id in refused {
            result.fail(id, denied_item("agent:id"));
        }
        let wanted: Vec<i64> = allowed.iter().filter_map(|i| i.parse().ok()).collect();
        let existing: Vec<i64> = {
            let w = wanted.clone();
            state.store().read(move |c| agent::existing(c, &w)).await?
        };
        for id in wanted.iter().filter(|i| existing.binary_search(i).is_err()) {
            result.fail(pad(*id), ItemError::new(WazuhCode::AgentNotFound));
        }
        Some(existing)
    } else {
        visible_agents(state, authz).await?
    };
    if let Some(scope) = scope {
        let ors: Vec<Expr> = scope
            .iter()
            .map(|id| Expr::Cond {
                field: "id".into(),
                op: Op::Eq,
                value: id.to_string(),
            })
            .collect();
        let cond = if ors.is_empty() {
            Expr::Cond {
                field: "id".into(),
                op: Op::Eq,
                value: "-1".into(),
            }
        } else {
            Expr::Or(ors)
        };
        query.q = Some(match query.q.take() {
            Some(q) => Expr::And(vec![cond, q]),
            None => cond,
        });
    }
    Ok(())
}

/// The agents a restricted caller may read (`None` when it may read every agent). Group entries of
/// its policies need each agent's groups, so this reads the memberships.
pub(crate) async fn visible_agents(state: &AppState, authz: &Authz) -> Result<Option<Vec<i64>>, ApiError> {
    if authz.permits_everything("agent:id") {
        return Ok(None);
    }
    let (ids, groups) = state
        .store()
        .read(|c| {
            let ids: Vec<i64> = c
                .prepare("SELECT id FROM agents ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let groups = agent::groups_of(c, &ids)?;
            Ok((ids, groups))
        })
        .await?;
    Ok(Some(
        ids.into_iter()
            .filter(|id| authz.permits_agent(&pad(*id), groups.get(id).map(Vec::as_slice).unwrap_or(&[])))
            .collect(),
    ))
}

/// `GET /agents/summary/status`.
pub async fn summary_status(state: &AppState, authz: &Authz) -> Result<Value, ApiError> {
    // Counted over the agents the caller may read, as upstream's RBAC-filtered summary. An
    // unrestricted caller gets index counts; a restricted one a pass over its own agents.
    let scope = visible_agents(state, authz).await?;
    let counts = match scope {
        None => state.store().read(agent::status_counts).await?,
        Some(ids) => {
            let (status, config) = state
                .store()
                .read(move |c| {
                    // Ids are integers from the store, not request text.
                    let list = if ids.is_empty() {
                        "-1".to_owned()
                    } else {
                        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                    };
                    let filter = format!(" WHERE id IN ({list}) AND id != 0");
                    Ok((
                        agent::count_by(c, "connection_status", &filter)?,
                        agent::count_by(c, "group_config_status", &filter)?,
                    ))
                })
                .await?;
            let get = |v: &[(String, i64)], k: &str| v.iter().find(|(s, _)| s == k).map_or(0, |(_, n)| *n);
            agent::StatusCounts {
                active: get(&status, "active"),
                disconnected: get(&status, "disconnected"),
                never_connected: get(&status, "never_connected"),
                pending: get(&status, "pending"),
                total: status.iter().map(|(_, n)| n).sum(),
                synced: get(&config, "synced"),
            }
        }
    };
    Ok(json!({
        "connection": {
            "active": counts.active,
            "disconnected": counts.disconnected,
            "never_connected": counts.never_connected,
            "pending": counts.pending,
            "total": counts.total,
        },
        "configuration": {
            "synced": counts.synced,
            "not_synced": counts.total - counts.synced,
            "total": counts.total,
        },
    }))
}

/// Wazuh's limit on agent names (characters are already checked by the contract's format).
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 128
}

/// Validates an IP as Wazuh accepts it at registration (`any`, IPv4/IPv6, optional CIDR).
fn valid_ip(ip: &str) -> bool {
    if ip.eq_ignore_ascii_case("any") {
        return true;
    }
    let (addr, mask) = ip.split_once('/').map_or((ip, None), |(a, m)| (a, Some(m)));
    let Ok(parsed) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    match mask {
        None => true,
        Some(m) => m
            .parse::<u8>()
            .is_ok_and(|m| m <= if parsed.is_ipv4() { 32 } else { 128 }),
    }
}

/// Wazuh's `force` options of a registration: whether, and when, an agent holding the same id,
/// IP or name is replaced (authd's rules). Without `force` in the body nothing is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Force {
    enabled: bool,
    /// Seconds an agent must have been disconnected; `None` when that check is off.
    disconnected_for: Option<i64>,
    /// Seconds since its registration; 0 for no check.
    registered_for: i64,
}

impl Force {
    /// No replacement.
    pub const DISABLED: Force = Force {
        enabled: false,
        disconnected_for: None,
        registered_for: 0,
    };

    /// The body's `force` object with the contract's defaults (enabled, disconnected for 1h,
    /// registered 1h ago).
    pub fn from_body(force: Option<&Value>) -> Result<Force, ApiError> {
        let Some(force) = force else {
            return Ok(Force::DISABLED);
        };
        let seconds = |v: Option<&Value>| -> Result<i64, ApiError> {
            let text = v.and_then(Value::as_str).unwrap_or("1h");
            // The contract's `timeframe` format has already been checked; this is the backstop.
            oxsec_wql::timeframe_seconds(text).ok_or_else(|| {
                ApiError::Param(crate::spec::ParamError::Invalid {
                    name: "force".into(),
                    value: text.into(),
                    message: format!("'{text}' is not a 'timeframe'"),
                })
            })
        };
        let disconnected = force.get("disconnected_time");
        let disconnected_on = disconnected
            .and_then(|d| d.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(true);
        Ok(Force {
            enabled: force.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            disconnected_for: if disconnected_on {
                Some(seconds(disconnected.and_then(|d| d.get("value")))?)
            } else {
                None
            },
            registered_for: seconds(force.get("after_registration_time"))?,
        })
    }

    /// Whether an agent in this state may be replaced at `now` (Unix seconds).
    fn allows(&self, agent: &agent::ReplacementInfo, now: i64) -> bool {
        if !self.enabled {
            return false;
        }
        let secs = |iso: &str| crate::timefmt::iso_epoch(iso).unwrap_or(0);
        if let Some(min) = self.disconnected_for {
            if agent.status != "never_connected" {
                let since = agent.disconnection_time.as_deref().map_or(0, secs);
                // As authd: a disconnected agent must have been so long enough, and one that was
                // never disconnected (active) is not replaced.
                if since == 0 || (agent.status == "disconnected" && now - since < min) {
                    return false;
                }
            }
        }
        self.registered_for <= 0 || now - secs(&agent.date_add) >= self.registered_for
    }
}

/// `POST /agents`: registers an agent, returns its id and key.
pub async fn add(state: &AppState, name: &str, ip: Option<&str>, force: Force) -> Result<Value, ApiError> {
    register(state, name, ip.unwrap_or("any"), None, None, force).await
}

/// Registers an agent: the next id and a random key unless given. An agent holding the same id,
/// IP or name (checked in that order, as authd does) is replaced when `force` allows it, else the
/// registration fails with 1708, 1706 or 1705.
pub async fn register(
    state: &AppState,
    name: &str,
    ip: &str,
    id: Option<i64>,
    key: Option<String>,
    force: Force,
) -> Result<Value, ApiError> {
    if !valid_name(name) {
        return Err(ApiError::with_details(WazuhCode::InvalidAgentName, name));
    }
    let register_ip = ip.to_owned();
    if !valid_ip(&register_ip) {
        return Err(ApiError::with_details(WazuhCode::AgentIpTaken, register_ip));
    }
    let key = key.unwrap_or_else(random_key);
    let name_owned = name.to_owned();
    let now_time = time::OffsetDateTime::now_utc();
    let now = iso(now_time);
    let now_secs = now_time.unix_timestamp();
    let k = key.clone();
    let id = state
        .store()
        .write(move |tx| {
            // Each holder is looked up after the previous one was replaced: one agent may hold
            // both the IP and the name.
            for clash in [
                WazuhCode::AgentIdTaken,
                WazuhCode::AgentIpTaken,
                WazuhCode::AgentNameTaken,
            ] {
                let holder = match clash {
                    WazuhCode::AgentIdTaken => match id {
                        Some(i) if !agent::existing(tx, &[i])?.is_empty() => Some(i),
                        _ => None,
                    },
                    WazuhCode::AgentIpTaken if !register_ip.eq_ignore_ascii_case("any") => {
                        agent::id_by_register_ip(tx, &register_ip)?
                    }
                    WazuhCode::AgentNameTaken => agent::id_by_name(tx, &name_owned)?,
                    _ => None,
                };
                let Some(holder) = holder else { continue };
                let replaceable = holder != 0
                    && agent::replacement_info(tx, holder)?.is_some_and(|info| force.allows(&info, now_secs));
                if !replaceable {
                    return Ok(Err(clash));
                }
                agent::delete(tx, &[holder])?;
            }
            let id = match id {
                Some(id) => id,
                None => agent::next_id(tx)?,
            };
            let a = agent::NewAgent {
                id,
                name: name_owned,
                register_ip,
                ip: None,
                key: k,
                date_add: now,
                groups: vec!["default".into()],
            };
            agent::insert(tx, &a)?;
            Ok(Ok(id))
        })
        .await?
        .map_err(ApiError::code)?;
    write_client_keys(state).await?;
    Ok(json!({"id": pad(id), "key": encoded_key(id, name, ip, &key)}))
}

fn random_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Wazuh's agent key: base64 of `"<id> <name> <ip> <key>"`.
pub fn encoded_key(id: i64, name: &str, ip: &str, key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{} {name} {ip} {key}", pad(id)))
}

/// `GET /agents/{agent_id}/key`.
pub async fn key(state: &AppState, id: i64) -> Result<AffectedItems, ApiError> {
    let mut result = AffectedItems::new(
        "Obtained keys for all selected agents",
        "Some agent keys were not obtained",
        "No agent keys were obtained",
    );
    let found = state.store().read(move |c| agent::key_of(c, id)).await?;
    match found {
        Some((id, name, ip, key)) => result.push(json!({"id": pad(id), "key": encoded_key(id, &name, &ip, &key)})),
        None if id == 0 => result.fail(pad(id), ItemError::new(WazuhCode::ManagerAgent)),
        None => result.fail(pad(id), ItemError::new(WazuhCode::AgentNotFound)),
    }
    Ok(result)
}

/// Rewrites `<data_dir>/etc/client.keys` (Wazuh's format, atomically) from the registry.
pub async fn write_client_keys(state: &AppState) -> Result<(), ApiError> {
    let keys = state.store().read(agent::all_keys).await?;
    save_client_keys(&state.config().data_dir, &keys).map_err(|e| ApiError::Internal(e.to_string()))
}

/// [`write_client_keys`] outside the server (import).
pub fn write_client_keys_blocking(store: &oxsec_store::Store, data_dir: &Path) -> Result<(), String> {
    let keys = store.read_blocking(agent::all_keys).map_err(|e| e.to_string())?;
    save_client_keys(data_dir, &keys).map_err(|e| e.to_string())
}

fn save_client_keys(data_dir: &Path, keys: &[(i64, String, String, String)]) -> std::io::Result<()> {
    let text: String = keys
        .iter()
        .map(|(id, name, ip, key)| format!("{} {name} {ip} {key}\n", pad(*id)))
        .collect();
    let path = data_dir.join("etc").join("client.keys");
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::fsutil::ensure_dir(dir, 0o750)?;
    crate::fsutil::write_atomic(&path, text.as_bytes(), 0o640)
}

/// The manager's row (agent 000) from this machine's facts.
pub fn manager_info() -> oxsec_store::models::agent::ManagerInfo {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let field = |k: &str| {
        release
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(|v| v.trim_matches('"').to_owned())
    };
    let version = field("VERSION_ID");
    let mut parts = version.as_deref().unwrap_or_default().split('.');
    let (major, minor) = (parts.next().map(str::to_owned), parts.next().map(str::to_owned));
    let arch = std::env::consts::ARCH.to_owned();
    let host = crate::hostname();
    let uname = format!(
        "Linux |{host} |{} |x86_64",
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
    );
    oxsec_store::models::agent::ManagerInfo {
        name: host,
        version: format!("Wazuh v{}", oxsec_types::WAZUH_API_VERSION),
        os: [
            field("NAME"),
            field("VERSION").or(version.clone()),
            major,
            minor,
            field("VERSION_CODENAME"),
            field("ID"),
            Some(uname),
            Some(arch),
        ],
        now: iso(time::OffsetDateTime::now_utc()),
    }
}
