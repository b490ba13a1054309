//! The oxsec API server: the Wazuh 4.x manager REST API over HTTPS.
//!
//! Request path: [`server`] accepts (TLS) → [`middleware::access_log`] → [`middleware::rate_limit`] →
//! routing ([`api`]) → [`middleware::contract`] (authentication, parameter validation against
//! [`spec`], `pretty`) → handler → [`service`] → store. Errors become HTTP in [`error`] only.

pub mod api;
pub mod app;
pub mod auth;
pub mod body;
pub mod bootstrap;
pub mod config;
pub mod error;
pub mod formats;
pub mod fsutil;
pub mod list;
pub mod logging;
pub mod middleware;
pub mod openapi;
pub mod params;
pub mod render;
pub mod server;
pub mod service;
pub mod spec;
pub mod state;
pub mod timefmt;
pub mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::bootstrap::{Layout, Seeded};
use crate::config::Config;
use crate::state::AppState;

/// `revision` in `GET /`: the oxsec build serving the API.
pub const REVISION: &str = concat!("oxsec-", env!("CARGO_PKG_VERSION"));

/// The node name a standalone Wazuh manager reports (its default cluster node name).
pub const DEFAULT_NODE_NAME: &str = "node01";

static NODE_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// This manager's node name: `<cluster><node_name>` of the data dir's `etc/ossec.conf`, as Wazuh
/// reads it, else [`DEFAULT_NODE_NAME`]. Fixed by the first server started in the process.
pub fn node_name() -> &'static str {
    NODE_NAME.get().map_or(DEFAULT_NODE_NAME, String::as_str)
}

/// Takes the node name from `<cluster><node_name>` of ossec.conf as read at start.
fn init_node_name(conf: &service::ossec_conf::OssecConf) {
    let name = conf
        .sections
        .get("cluster")
        .and_then(|c| c.get("node_name"))
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(name) = name {
        let _ = NODE_NAME.set(name.to_owned());
    }
}

/// `oxsec ruleset install`: copies a ruleset into the data dir (see
/// [`oxsec_ruleset::install::install`]). Warns when a configured `ruleset_dir` would hide it.
pub fn ruleset_install(config: &Config, from: &std::path::Path) -> Result<oxsec_ruleset::install::Installed, String> {
    if let Some(dir) = &config.ruleset_dir {
        eprintln!(
            "oxsec: note: ruleset_dir is set to {}; the server reads that one, not the installed copy",
            dir.display()
        );
    }
    oxsec_ruleset::install::install(from, &config.data_dir)
}

/// `oxsec mitre import`: stores MITRE's enterprise ATT&CK STIX bundle in the data dir's store
/// (what `/mitre/…` serves and alerts name techniques from). A running server serves it after
/// its next start or `PUT /manager/restart`.
pub fn mitre_import(config: &Config, bundle: &std::path::Path) -> Result<String, String> {
    let layout = Layout::new(&config.data_dir);
    layout
        .create()
        .map_err(|e| format!("cannot create the data dir {}: {e}", config.data_dir.display()))?;
    let store = oxsec_store::Store::open(&layout.db()).map_err(|e| format!("cannot open the store: {e}"))?;
    Ok(match service::mitre::import_file(&store, bundle)? {
        service::mitre::Imported::Unchanged => format!("{} is already imported", bundle.display()),
        service::mitre::Imported::Replaced { objects, references } => {
            format!(
                "imported {objects} ATT&CK objects and {references} references from {}",
                bundle.display()
            )
        }
    })
}

/// The TCP peer of a request, attached by the server to every request.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// This machine's host name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Decodes a query string into pairs (`+` is a space, `%XX` escapes decoded).
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = query else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A server ready to serve: state built, listeners bound.
pub struct Prepared {
    /// The application.
    pub app: axum::Router,
    /// The store the application uses.
    pub store: oxsec_store::Store,
    /// The bound listeners.
    pub listeners: Vec<TcpListener>,
    /// TLS, when enabled.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The addresses actually bound (useful with port 0).
    pub addrs: Vec<SocketAddr>,
    /// What first start did about the default users.
    pub seeded: Seeded,
    /// The state the application serves (for the background work `run` starts).
    state: AppState,
}

/// Prepares the data dir, store, keys, TLS and listeners. `admin_password` is used only when the
/// store has no users yet.
pub async fn prepare(mut config: Config, admin_password: Option<String>) -> Result<Prepared, String> {
    // The installed ruleset copy is fixed for this run: a later `oxsec ruleset install` switches
    // the link, and the server picks it up at its next start.
    if config.ruleset_dir.is_none() {
        config.ruleset_dir = service::ruleset::installed_copy(&config.data_dir);
    }
    let layout = Layout::new(&config.data_dir);
    layout
        .create()
        .map_err(|e| format!("cannot create the data dir {}: {e}", config.data_dir.display()))?;
    let store = oxsec_store::Store::open(&layout.db()).map_err(|e| format!("cannot open the store: {e}"))?;
    let seeded = bootstrap::seed_users(&store, &layout, admin_password)?;
    bootstrap::seed_catalog(&store)?;
    let manager = service::agents::manager_info();
    store
        .write_blocking(|tx| oxsec_store::models::agent::upsert_manager(tx, &manager))
        .map_err(|e| format!("cannot register the manager as agent 000: {e}"))?;
    bootstrap::seed_groups(&store, &config.data_dir)?;
    store
        .write_blocking(|tx| service::agents::disconnect_stale(tx))
        .map_err(|e| format!("cannot update agent statuses: {e}"))?;
    let keys = auth::jwt::TokenKeys::load_or_create(&layout.security_dir())?;
    let security = bootstrap::load_security(&store)?;
    // Revocation rows whose tokens have all expired are dropped at start.
    store
        .write_blocking(|tx| oxsec_store::models::revocation::purge_expired(tx, oxsec_store::now_secs()))
        .map_err(|e| format!("cannot tidy token revocations: {e}"))?;
    let all = store
        .read_blocking(|c| oxsec_store::models::revocation::load_all(c, oxsec_store::now_secs()))
        .map_err(|e| format!("cannot read token revocations: {e}"))?;
    let floors = auth::tokens::Floors::load(all.users, all.roles, all.global);
    let tls = if config.https.enabled {
        Some(tls::server_config(&config).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let mut listeners = Vec::new();
    let mut addrs = Vec::new();
    for host in &config.host {
        let host = if host == "localhost" {
            "127.0.0.1"
        } else {
            host.as_str()
        };
        let listener = TcpListener::bind((host, config.port))
            .await
            .map_err(|e| format!("cannot listen on {host}:{}: {e}", config.port))?;
        addrs.push(listener.local_addr().map_err(|e| e.to_string())?);
        listeners.push(listener);
    }
    service::ruleset::prepare_dirs(&config)?;
    if service::ossec_conf::ensure_exists(&config)
        .map_err(|e| format!("cannot write {}: {e}", service::ossec_conf::path(&config).display()))?
    {
        tracing::info!(
            "wrote the default manager configuration to {}",
            service::ossec_conf::path(&config).display()
        );
    }
    let alert_log = service::alert_log::AlertLog::open(&layout.logs_dir())
        .map_err(|e| format!("cannot open {}/alerts/alerts.json: {e}", layout.logs_dir().display()))?;
    let analysis = service::events::ManagerAnalysis::new(alert_log);
    let caught_up = service::events::catch_up(&store, &analysis)?;
    if caught_up > 0 {
        tracing::warn!("stored {caught_up} alerts from alerts.json the store had missed");
    }
    if let Some(path) = &config.mitre_file {
        match service::mitre::import_file(&store, path).map_err(|e| format!("mitre_file {e}"))? {
            service::mitre::Imported::Unchanged => {}
            service::mitre::Imported::Replaced { objects, references } => tracing::info!(
                "MITRE ATT&CK: imported {objects} objects and {references} references from {}",
                path.display()
            ),
        }
    }
    let mitre = service::mitre::load(&store)?;
    let state = AppState::new(config, store.clone(), keys, security, floors, analysis, mitre);
    init_node_name(&state.ossec_conf());
    log_start(&state, &addrs);
    state.reload_ruleset().await.map_err(|e| e.to_string())?;
    if state.ruleset().options.logtest_enabled {
        state
            .ossec_log()
            .info(service::ossec_log::tag::ANALYSISD, "(7200): Logtest started");
    }
    service::cluster::register(&state)
        .await
        .map_err(|e| format!("cannot register this cluster node: {e}"))?;
    let app = app::build(state.clone())?;
    Ok(Prepared {
        app,
        store,
        listeners,
        tls,
        addrs,
        seeded,
        state,
    })
}

/// The start lines of ossec.log, one per service as Wazuh's daemons write them.
fn log_start(state: &AppState, addrs: &[std::net::SocketAddr]) {
    use service::ossec_log::tag;
    let log = state.ossec_log();
    let pid = std::process::id();
    log.info(tag::DB, &format!("Started (pid: {pid})."));
    log.info(
        tag::DB,
        &format!(
            "Database {} open, schema version {}",
            state.store().path().display(),
            oxsec_store::schema_version()
        ),
    );
    log.info(tag::ANALYSISD, &format!("Started (pid: {pid})."));
    log.info(
        tag::ANALYSISD,
        &format!("MITRE ATT&CK: {} techniques loaded", state.mitre().technique_count()),
    );
    let scheme = if state.config().https.enabled { "https" } else { "http" };
    for addr in addrs {
        log.info(tag::APID, &format!("Listening on {scheme}://{addr}"));
    }
}

/// Serves a prepared server until `shutdown` resolves.
pub async fn run(prepared: Prepared, shutdown: impl Future<Output = ()> + Send + 'static) {
    let store = prepared.store.clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(service::agents::DISCONNECTION_SWEEP);
        loop {
            tick.tick().await;
            if let Err(e) = store.write(|tx| service::agents::disconnect_stale(tx)).await {
                tracing::warn!(error = %e, "cannot update agent statuses");
            }
        }
    });
    let heartbeat = tokio::spawn(service::cluster::heartbeat_loop(prepared.state.clone()));
    let retention = tokio::spawn(service::alerts::retention_loop(prepared.state.clone()));
    server::serve(prepared.app, prepared.listeners, prepared.tls, shutdown).await;
    sweeper.abort();
    heartbeat.abort();
    retention.abort();
    service::cluster::leave(&prepared.state).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_decode() {
        let p = query_pairs(Some("q=status%3Dactive%3Bname~a+b&limit=5&pretty&x=%ZZ"));
        assert_eq!(p[0], ("q".into(), "status=active;name~a b".into()));
        assert_eq!(p[1], ("limit".into(), "5".into()));
        assert_eq!(p[2], ("pretty".into(), String::new()));
        assert_eq!(p[3], ("x".into(), "%ZZ".into()));
    }
}
