//! `/syscollector/{agent_id}/…` and `/experimental/syscollector/…`: an agent's inventory (OS,
//! hardware, packages, processes, ports, network, hotfixes, users, groups, services, browser
//! extensions) as Wazuh serves it from wazuh-db's `sys_*` tables: its field names, its nesting of
//! dotted names, its dates, its per-agent paging and its merge of several agents' pages.

use oxsec_store::models::agent_data;
use oxsec_types::envelope::AffectedItems;
use oxsec_wql::sql::{compile, compile_per_group, Dialect, SqlValue};
use oxsec_wql::{Expr, Field, ListQuery, Schema};
use serde_json::Value;
use std::io::Write as _;

use super::agent_data::{known_or_failed, merge_by, require_database};
use crate::auth::authz::Authz;
use crate::error::ApiError;
use crate::list::{and_filters, equals, wql_error};
use crate::params::Params;
use crate::state::AppState;

/// How a field is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    /// INTEGER.
    I,
    /// TEXT.
    T,
    /// REAL (shown as an integer when whole, as wazuh-db's JSON does).
    R,
}
use Ty::{I, R, T};

/// One kind of inventory element: its URL name, table and fields (Wazuh's names, in Wazuh's order).
pub struct Element {
    pub name: &'static str,
    /// The store table (wazuh-db's).
    pub table: &'static str,
    /// Wazuh's field names and types; the column is the name with `_` for `.`.
    pub fields: &'static [(&'static str, Ty)],
}

const OS_FIELDS: &[(&str, Ty)] = &[
    ("hostname", T),
    ("os.version", T),
    ("os.name", T),
    ("architecture", T),
    ("os.major", T),
    ("os.minor", T),
    ("os.build", T),
    ("version", T),
    ("scan.time", T),
    ("scan.id", I),
    ("os_release", T),
    ("os.display_version", T),
    ("os.codename", T),
    ("os.platform", T),
    ("sysname", T),
    ("release", T),
];

/// Fields of a Windows agent's OS: syscollector reports no codename, platform, sysname or
/// release there, and Wazuh does not offer them.
const WINDOWS_OS_FIELDS: usize = 12;

/// Every element, by URL name.
pub const ELEMENTS: &[Element] = &[
    Element {
        name: "os",
        table: "sys_osinfo",
        fields: OS_FIELDS,
    },
    Element {
        name: "hardware",
        table: "sys_hwinfo",
        fields: &[
            ("board_serial", T),
            ("cpu.name", T),
            ("cpu.cores", I),
            ("cpu.mhz", R),
            ("ram.total", I),
            ("ram.free", I),
            ("ram.usage", I),
            ("scan.id", I),
            ("scan.time", T),
        ],
    },
    Element {
        name: "packages",
        table: "sys_programs",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("format", T),
            ("name", T),
            ("priority", T),
            ("section", T),
            ("size", I),
            ("vendor", T),
            ("install_time", T),
            ("version", T),
            ("architecture", T),
            ("multiarch", T),
            ("source", T),
            ("description", T),
            ("location", T),
        ],
    },
    Element {
        name: "processes",
        table: "sys_processes",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("pid", T),
            ("name", T),
            ("state", T),
            ("ppid", I),
            ("utime", I),
            ("stime", I),
            ("cmd", T),
            ("argvs", T),
            ("euser", T),
            ("ruser", T),
            ("suser", T),
            ("egroup", T),
            ("rgroup", T),
            ("sgroup", T),
            ("fgroup", T),
            ("priority", I),
            ("nice", I),
            ("size", I),
            ("vm_size", I),
            ("resident", I),
            ("share", I),
            ("start_time", I),
            ("pgrp", I),
            ("session", I),
            ("nlwp", I),
            ("tgid", I),
            ("tty", I),
            ("processor", I),
        ],
    },
    Element {
        name: "ports",
        table: "sys_ports",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("protocol", T),
            ("local.port", I),
            ("remote.ip", T),
            ("remote.port", I),
            ("tx_queue", I),
            ("rx_queue", I),
            ("inode", I),
            ("state", T),
            ("pid", I),
            ("process", T),
            ("local.ip", T),
        ],
    },
    Element {
        name: "netaddr",
        table: "sys_netaddr",
        fields: &[
            ("scan.id", I),
            ("iface", T),
            ("proto", T),
            ("address", T),
            ("netmask", T),
            ("broadcast", T),
        ],
    },
    Element {
        name: "netproto",
        table: "sys_netproto",
        fields: &[("scan.id", I), ("iface", T), ("type", T), ("gateway", T), ("dhcp", T)],
    },
    Element {
        name: "netiface",
        table: "sys_netiface",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("name", T),
            ("adapter", T),
            ("type", T),
            ("state", T),
            ("mtu", I),
            ("mac", T),
            ("tx.packets", I),
            ("rx.packets", I),
            ("tx.bytes", I),
            ("rx.bytes", I),
            ("tx.errors", I),
            ("rx.errors", I),
            ("tx.dropped", I),
            ("rx.dropped", I),
        ],
    },
    Element {
        name: "hotfixes",
        table: "sys_hotfixes",
        fields: &[("scan_id", I), ("scan_time", T), ("hotfix", T)],
    },
    Element {
        name: "users",
        table: "sys_users",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("user.name", T),
            ("user.full_name", T),
            ("user.home", T),
            ("user.id", I),
            ("user.uid_signed", I),
            ("user.uuid", T),
            ("user.groups", T),
            ("user.group_id", I),
            ("user.group_id_signed", I),
            ("user.created", R),
            ("user.roles", T),
            ("user.shell", T),
            ("user.type", T),
            ("user.is_hidden", I),
            ("user.is_remote", I),
            ("user.last_login", I),
            ("user.auth_failed_count", I),
            ("user.auth_failed_timestamp", R),
            ("user.password_expiration_date", I),
            ("user.password_hash_algorithm", T),
            ("user.password_inactive_days", I),
            ("user.password_last_change", R),
            ("user.password_max_days_between_changes", I),
            ("user.password_min_days_between_changes", I),
            ("user.password_status", T),
            ("user.password_warning_days_before_expiration", I),
            ("process_pid", I),
            ("host_ip", T),
            ("login.status", I),
            ("login.tty", T),
            ("login.type", T),
            ("checksum", T),
        ],
    },
    Element {
        name: "groups",
        table: "sys_groups",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("group.id", I),
            ("group.name", T),
            ("group.description", T),
            ("group.id_signed", I),
            ("group.uuid", T),
            ("group.is_hidden", I),
            ("group.users", T),
            ("checksum", T),
        ],
    },
    Element {
        name: "services",
        table: "sys_services",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("service.id", T),
            ("service.name", T),
            ("service.description", T),
            ("service.type", T),
            ("service.state", T),
            ("service.sub_state", T),
            ("service.enabled", T),
            ("service.start_type", T),
            ("service.restart", T),
            ("service.frequency", I),
            ("service.starts_on_mount", I),
            ("service.starts_on_path_modified", T),
            ("service.starts_on_not_empty_directory", T),
            ("service.inetd_compatibility", I),
            ("process.pid", I),
            ("process.executable", T),
            ("process.args", T),
            ("process.user_name", T),
            ("process.group_name", T),
            ("process.working_directory", T),
            ("process.root_directory", T),
            ("file.path", T),
            ("service.address", T),
            ("log_file.path", T),
            ("error_log_file.path", T),
            ("service.exit_code", I),
            ("service.win32_exit_code", I),
            ("service.following", T),
            ("service.object_path", T),
            ("service.target_ephemeral_id", I),
            ("service.target_type", T),
            ("service.target_address", T),
            ("checksum", T),
        ],
    },
    Element {
        name: "browser_extensions",
        table: "sys_browser_extensions",
        fields: &[
            ("scan.id", I),
            ("scan.time", T),
            ("browser.name", T),
            ("user.id", T),
            ("package.name", T),
            ("package.id", T),
            ("package.version", T),
            ("package.description", T),
            ("package.vendor", T),
            ("package.build_version", T),
            ("package.path", T),
            ("browser.profile_name", T),
            ("browser.profile_path", T),
            ("package.reference", T),
            ("package.permissions", T),
            ("package.type", T),
            ("package.enabled", I),
            ("package.autoupdate", I),
            ("package.visible", I),
            ("package.persistent", I),
            ("package.from_webstore", I),
            ("browser.profile_referenced", I),
            ("package.installed", T),
            ("file_hash.sha256", T),
            ("checksum", T),
        ],
    },
];

/// Prefixes Wazuh always shows as an object, even with one field present.
const ALWAYS_NESTED: &[&str] = &["scan", "os", "ram", "cpu", "local", "remote", "tx", "rx"];

/// Filters the experimental endpoints declare but Wazuh ignores (the parameter never reaches
/// the query), so oxsec ignores them too.
const IGNORED_EXPERIMENTAL_FILTERS: &[(&str, &str)] = &[("os", "os.name"), ("os", "os.version"), ("netiface", "name")];

impl Element {
    /// The element with this URL name.
    pub fn named(name: &str) -> Option<&'static Element> {
        ELEMENTS.iter().find(|e| e.name == name)
    }

    /// The list schema over `fields` (a prefix of the element's fields for a Windows OS).
    fn schema(&self, fields: &[(&str, Ty)]) -> Result<Schema, ApiError> {
        let mut b = Schema::builder();
        for (name, ty) in fields {
            // wazuh-db's column is the API name with `_` for `.` (ports' `pid` is `PID`, the same
            // column to SQLite).
            let column = format!("t.{}", name.replace('.', "_"));
            b = b.field(match ty {
                I => Field::integer(*name, column),
                T | R => Field::text(*name, column),
            });
        }
        let scan = if self.name == "hotfixes" { "scan_id" } else { "scan.id" };
        b.default_sort(scan)
            .tie_breaker("t.row_order")
            .build()
            .map_err(|e| ApiError::Internal(e.to_string()))
    }

    /// The element's fields for an agent running Windows or not.
    fn fields_for(&self, windows: bool) -> &'static [(&'static str, Ty)] {
        if self.name == "os" && windows {
            &self.fields[..WINDOWS_OS_FIELDS]
        } else {
            self.fields
        }
    }

    /// The request's filter parameters (those named like a field) as conditions.
    fn filters(&self, params: &Params, experimental: bool) -> Vec<Expr> {
        self.fields
            .iter()
            .filter(|(f, _)| !(experimental && IGNORED_EXPERIMENTAL_FILTERS.contains(&(self.name, *f))))
            .filter_map(|(f, _)| {
                params.text(f).map(|value| {
                    // Wazuh spaces a `v` that follows a letter in version filters (`1.0ubuntuv2`).
                    let value = if *f == "version" { space_before_v(&value) } else { value };
                    equals(f, value)
                })
            })
            .collect()
    }
}

pub fn space_before_v(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    let mut prev: Option<char> = None;
    for c in value.chars() {
        if c == 'v' && prev.is_some_and(|p| p.is_ascii_alphabetic()) {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

fn messages() -> AffectedItems {
    AffectedItems::new(
        "All specified syscollector information was returned",
        "Some syscollector information was not returned",
        "No syscollector information was returned",
    )
}

/// Whose rows a query reads.
enum Scope {
    /// Every agent's.
    Every,
    /// Agents with ids in this range (inclusive).
    Between(i64, i64),
    /// These agents'.
    Ids(Vec<i64>),
}

impl Scope {
    /// The scope in two halves by agent id, read concurrently: each agent's page is its own, so
    /// the halves' rows concatenate in agent order. `ids` are the agents in scope, ascending.
    fn halves(self, ids: &[i64]) -> Vec<Scope> {
        let Some(&mid) = ids.get(ids.len() / 2).filter(|_| ids.len() >= 2) else {
            return vec![self];
        };
        match self {
            Scope::Every | Scope::Between(..) => vec![Scope::Between(i64::MIN, mid - 1), Scope::Between(mid, i64::MAX)],
            Scope::Ids(mut list) => {
                let upper = list.split_off(list.len() / 2);
                vec![Scope::Ids(list), Scope::Ids(upper)]
            }
        }
    }
}

/// The element's rows in `scope`, for a `from` clause.
fn rows_of(element: &Element, scope: &Scope) -> String {
    let table = element.table;
    match scope {
        Scope::Every => format!("(SELECT rowid AS row_order, * FROM {table}) AS t"),
        Scope::Between(lo, hi) => {
            format!("(SELECT rowid AS row_order, * FROM {table} WHERE agent_id BETWEEN {lo} AND {hi}) AS t")
        }
        Scope::Ids(agents) => {
            let ids: Vec<String> = agents.iter().map(i64::to_string).collect();
            format!(
                "(SELECT rowid AS row_order, * FROM {table} WHERE agent_id IN ({})) AS t",
                ids.join(", ")
            )
        }
    }
}

/// Rows of an element's query paged per agent: (matching total, output columns, (agent, row)
/// in agent order). The scope is read in two concurrent halves.
async fn fetch_per_agent(
    state: &AppState,
    element: &Element,
    query: &ListQuery,
    schema: &Schema,
    scope: Scope,
    ids: &[i64],
) -> Result<(u64, Vec<String>, Vec<(i64, Vec<SqlValue>)>), ApiError> {
    let mut reads = Vec::new();
    let mut columns = Vec::new();
    for part in scope.halves(ids) {
        let sql = compile_per_group(query, schema, &rows_of(element, &part), Dialect::Sqlite, "t.agent_id")
            .map_err(wql_error)?;
        columns = sql.columns.clone();
        let store = state.store().clone();
        reads.push(tokio::spawn(async move {
            store.read(move |c| oxsec_store::list::run_values(c, &sql)).await
        }));
    }
    let mut total = 0;
    let mut rows = Vec::new();
    for read in reads {
        let (n, page) = read
            .await
            .map_err(|e| ApiError::Internal(format!("inventory read: {e}")))??;
        total += n;
        rows.extend(page.into_iter().map(|row| {
            let agent = match row.last() {
                Some(SqlValue::Integer(a)) => *a,
                _ => 0,
            };
            (agent, row)
        }));
    }
    Ok((total, columns, rows))
}

/// `GET /syscollector/{agent_id}/{element}`.
pub async fn agent_items(
    state: &AppState,
    element: &'static Element,
    agent: i64,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = messages();
    if !known_or_failed(state, agent, &mut result).await? {
        return Ok(result);
    }
    require_database(state, agent).await?;
    let windows = state
        .store()
        .read(move |c| agent_data::windows_agents(c, &[agent]))
        .await?
        .contains(&agent);
    let schema = element.schema(element.fields_for(windows))?;
    and_filters(&mut query, element.filters(params, false));
    let sql = compile(
        &query,
        &schema,
        &rows_of(element, &Scope::Ids(vec![agent])),
        Dialect::Sqlite,
    )
    .map_err(wql_error)?;
    let columns = sql.columns.clone();
    let (total, rows) = state
        .store()
        .read(move |c| oxsec_store::list::run_values(c, &sql))
        .await?;
    let mut rows: Vec<(i64, Vec<SqlValue>)> = rows.into_iter().map(|row| (agent, row)).collect();
    merge_rows(&mut rows, &columns, &query.sort);
    result.set_rendered_page(render(&columns, &rows), total);
    Ok(result)
}

/// Orders rows of several agents as Wazuh merges its per-agent results (see `merge_by`).
fn merge_rows(rows: &mut [(i64, Vec<SqlValue>)], columns: &[String], sort: &[oxsec_wql::SortKey]) {
    let column = sort
        .first()
        .and_then(|key| columns.iter().position(|c| *c == key.field));
    merge_by(
        rows,
        sort,
        |(agent, _)| *agent,
        |(_, row)| column.and_then(|i| row.get(i)).and_then(plain),
    );
}

/// The items of `rows` as a JSON array, written straight from the values.
fn render(columns: &[String], rows: &[(i64, Vec<SqlValue>)]) -> Vec<u8> {
    let layout = Layout::new(columns);
    let mut out = Vec::with_capacity(rows.len() * 256 + 2);
    out.push(b'[');
    for (i, (agent, row)) in rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        layout.write(row, *agent, &mut out);
    }
    out.push(b']');
    out
}

/// `GET /experimental/syscollector/{element}`: the element of every agent the caller may read
/// (or of `agents_list`), each agent paged on its own and the pages merged as Wazuh merges them.
/// An agent without a database fails the whole request (2007), as in Wazuh.
pub async fn all_items(
    state: &AppState,
    authz: &Authz,
    element: &'static Element,
    wanted: Option<Vec<String>>,
    params: &Params,
    mut query: ListQuery,
) -> Result<AffectedItems, ApiError> {
    let mut result = messages();
    // Every agent's rows, with no list of ids to match, when the caller asks for all and may
    // read all.
    let everyone = wanted.as_ref().is_none_or(|w| w.iter().any(|x| x == "all")) && authz.permits_everything("agent:id");
    let super::agents::Targets { ids } = super::agents::targets(state, authz, wanted, &mut result, false).await?;
    if ids.is_empty() {
        return Ok(result);
    }
    let is_os = element.name == "os";
    let (missing, windows) = {
        let ids = ids.clone();
        state
            .store()
            .read(move |c| {
                let windows = if is_os {
                    agent_data::windows_agents(c, &ids)?
                } else {
                    Default::default()
                };
                Ok((agent_data::first_without_database(c, &ids)?, windows))
            })
            .await?
    };
    if let Some(agent) = missing {
        require_database(state, agent).await?;
    }
    and_filters(&mut query, element.filters(params, true));
    // A Windows agent's OS has fewer fields: its agents are queried with their own schema.
    let mut total = 0;
    let mut rows: Vec<(i64, Vec<SqlValue>)> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    let mut windows_columns: Vec<String> = Vec::new();
    if is_os {
        // A Windows agent's OS has fewer fields: its agents are queried with their own schema.
        let (win, other): (Vec<i64>, Vec<i64>) = ids.iter().partition(|id| windows.contains(id));
        for (agents, is_windows) in [(other, false), (win, true)] {
            if agents.is_empty() {
                continue;
            }
            let schema = element.schema(element.fields_for(is_windows))?;
            let (n, cols, page) =
                fetch_per_agent(state, element, &query, &schema, Scope::Ids(agents.clone()), &agents).await?;
            total += n;
            rows.extend(page);
            if is_windows {
                windows_columns = cols;
            } else {
                columns = cols;
            }
        }
    } else {
        let schema = element.schema(element.fields_for(false))?;
        let scope = if everyone {
            Scope::Every
        } else {
            Scope::Ids(ids.clone())
        };
        (total, columns, rows) = fetch_per_agent(state, element, &query, &schema, scope, &ids).await?;
    }
    if element.name == "os" {
        // Two schemas: the Windows agents' rows lack the last columns; each row is written
        // with its own agent's columns.
        rows.sort_by_key(|(agent, _)| *agent);
        // Both schemas give the fields they share the same positions.
        let shared = if columns.is_empty() { &windows_columns } else { &columns };
        merge_rows(&mut rows, shared, &query.sort);
        let (linux, windows_layout) = (Layout::new(&columns), Layout::new(&windows_columns));
        let mut out = Vec::with_capacity(rows.len() * 256 + 2);
        out.push(b'[');
        for (i, (agent, row)) in rows.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let layout = if windows.contains(agent) {
                &windows_layout
            } else {
                &linux
            };
            layout.write(row, *agent, &mut out);
        }
        out.push(b']');
        result.set_rendered_page(out, total);
        return Ok(result);
    }
    merge_rows(&mut rows, &columns, &query.sort);
    result.set_rendered_page(render(&columns, &rows), total);
    Ok(result)
}

/// How a query's rows are written as Wazuh's items: NULLs left out, dates `YYYY/MM/DD HH:MM:SS`
/// in ISO form, whole reals as integers, a dotted prefix as an object only when the row has
/// several of its fields (or it is one Wazuh always nests), objects first (prefixes and their
/// fields in alphabetical order), then the plain fields, then the agent id. Built once per query.
struct Layout<'a> {
    columns: &'a [String],
    /// Per column: the index of its prefix in `prefixes` and its field, for dotted names.
    dotted: Vec<Option<(usize, &'a str)>>,
    /// Distinct prefixes, and whether Wazuh always nests each.
    prefixes: Vec<(&'a str, bool)>,
    /// Dotted columns by (prefix, field).
    nested_order: Vec<usize>,
}

impl<'a> Layout<'a> {
    fn new(columns: &'a [String]) -> Self {
        let mut prefixes: Vec<(&str, bool)> = Vec::new();
        let dotted: Vec<Option<(usize, &str)>> = columns
            .iter()
            .map(|name| {
                let (prefix, field) = name.split_once('.')?;
                let index = match prefixes.iter().position(|(p, _)| *p == prefix) {
                    Some(i) => i,
                    None => {
                        prefixes.push((prefix, ALWAYS_NESTED.contains(&prefix)));
                        prefixes.len() - 1
                    }
                };
                Some((index, field))
            })
            .collect();
        let mut nested_order: Vec<usize> = (0..columns.len()).filter(|i| dotted[*i].is_some()).collect();
        nested_order.sort_by_key(|i| dotted[*i].map(|(p, f)| (prefixes[p].0, f)));
        Self {
            columns,
            dotted,
            prefixes,
            nested_order,
        }
    }

    fn write(&self, values: &[SqlValue], agent: i64, out: &mut Vec<u8>) {
        let present = |i: usize| values.get(i).is_some_and(is_present);
        let mut counts = vec![0u8; self.prefixes.len()];
        for (i, d) in self.dotted.iter().enumerate() {
            if let (Some((p, _)), true) = (d, present(i)) {
                counts[*p] = counts[*p].saturating_add(1);
            }
        }
        let nests = |p: usize| self.prefixes[p].1 || counts[p] > 1;
        out.push(b'{');
        let mut first = true;
        let mut open: Option<usize> = None;
        for &i in &self.nested_order {
            let Some((p, field)) = self.dotted[i] else { continue };
            if !present(i) || !nests(p) {
                continue;
            }
            if open == Some(p) {
                out.push(b',');
            } else {
                if open.is_some() {
                    out.push(b'}');
                }
                key(out, self.prefixes[p].0, &mut first);
                out.push(b'{');
                open = Some(p);
            }
            write_str(out, field);
            out.push(b':');
            write_value(out, &values[i]);
        }
        if open.is_some() {
            out.push(b'}');
        }
        for (i, name) in self.columns.iter().enumerate() {
            if !present(i) || self.dotted[i].is_some_and(|(p, _)| nests(p)) {
                continue;
            }
            key(out, name, &mut first);
            write_value(out, &values[i]);
        }
        key(out, "agent_id", &mut first);
        let _ = write!(out, "\"{agent:03}\"");
        out.push(b'}');
    }
}

/// Whether wazuh-db shows a value (it drops NULLs).
fn is_present(v: &SqlValue) -> bool {
    match v {
        SqlValue::Null => false,
        SqlValue::Real(f) => f.is_finite(),
        _ => true,
    }
}

fn key(out: &mut Vec<u8>, name: &str, first: &mut bool) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, name);
    out.push(b':');
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_value(out: &mut Vec<u8>, value: &SqlValue) {
    match value {
        SqlValue::Text(s) => match wazuh_db_date(s) {
            Some(date) => write_str(out, &date),
            None => write_str(out, s),
        },
        SqlValue::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        other => match plain(other) {
            Some(v) => {
                let _ = serde_json::to_writer(&mut *out, &v);
            }
            None => out.extend_from_slice(b"null"),
        },
    }
}

/// A stored value as Wazuh shows it (`None` for NULL).
fn plain(value: &SqlValue) -> Option<Value> {
    match value {
        SqlValue::Null => None,
        SqlValue::Text(s) => Some(Value::String(wazuh_db_date(s).unwrap_or_else(|| s.clone()))),
        SqlValue::Integer(i) => Some(Value::from(*i)),
        SqlValue::Real(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(Value::from(*f as i64)),
        SqlValue::Real(f) => serde_json::Number::from_f64(*f).map(Value::Number),
    }
}

/// `YYYY/MM/DD HH:MM:SS` (how syscollector stamps scans and installs) as `YYYY-MM-DDTHH:MM:SS+00:00`.
fn wazuh_db_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'/',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    shape_ok.then(|| format!("{}-{}-{}T{}+00:00", &s[0..4], &s[5..7], &s[8..10], &s[11..19]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxsec_store::models::inventory;
    use serde_json::json;

    #[test]
    fn items_nest_as_wazuh_nests_them() {
        let columns: Vec<String> = [
            "scan.id",
            "scan.time",
            "user.name",
            "user.id",
            "user.created",
            "login.status",
            "login.tty",
            "checksum",
            "cpu.mhz",
        ]
        .map(String::from)
        .to_vec();
        let values = [
            SqlValue::Integer(0),
            SqlValue::Text("2026/11/20 10:00:00".into()),
            SqlValue::Text("root".into()),
            SqlValue::Integer(0),
            SqlValue::Real(0.0),
            SqlValue::Integer(1),
            SqlValue::Null,
            SqlValue::Text("c".into()),
            SqlValue::Real(2394.464),
        ];
        let mut out = Vec::new();
        Layout::new(&columns).write(&values, 5, &mut out);
        let shaped: Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(
            shaped,
            json!({
                "cpu": {"mhz": 2394.464},
                "scan": {"id": 0, "time": "2026-11-20T10:00:00+00:00"},
                "user": {"created": 0, "id": 0, "name": "root"},
                "login.status": 1,
                "checksum": "c",
                "agent_id": "005",
            })
        );
        let keys: Vec<&String> = shaped.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["cpu", "scan", "user", "login.status", "checksum", "agent_id"]);
    }

    #[test]
    fn version_filters_space_a_v_after_a_letter() {
        assert_eq!(space_before_v("1.0ubuntuv2"), "1.0ubuntu v2");
        assert_eq!(space_before_v("v1.2"), "v1.2");
        assert_eq!(space_before_v("2v"), "2v");
    }

    #[test]
    fn every_field_has_its_column() {
        for e in ELEMENTS {
            let table = inventory::table(e.table).expect("table");
            for (name, ty) in e.fields {
                let column = name.replace('.', "_");
                let kind = table
                    .kind(&column)
                    .or_else(|| table.kind(&column.to_uppercase()))
                    .unwrap_or_else(|| panic!("{}.{column}", e.table));
                let expected = match ty {
                    I => inventory::Kind::Integer,
                    T => inventory::Kind::Text,
                    R => inventory::Kind::Real,
                };
                assert_eq!(kind, expected, "{}.{column}", e.table);
            }
            e.schema(e.fields).expect("schema");
        }
    }
}
