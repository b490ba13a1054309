//! First start: the data dir layout, the default users, and the initial administrator password.
//!
//! Unlike Wazuh there is no well-known default password: `wazuh` and `wazuh-wui` get the password in
//! `OXSEC_ADMIN_PASSWORD` when it is set, otherwise a random one that is printed once and written to
//! `<data_dir>/initial-admin-password` (0600).

use std::path::{Path, PathBuf};

use oxsec_store::models::{catalog, settings, user};
use oxsec_store::Store;

use crate::auth::password;
use crate::fsutil;
use crate::state::SecurityConfig;

/// Where things live inside the data dir.
pub struct Layout {
    /// The data dir itself.
    pub root: PathBuf,
}

impl Layout {
    /// The layout under `root`.
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_owned() }
    }

    /// The SQLite store.
    pub fn db(&self) -> PathBuf {
        self.root.join("oxsec.db")
    }

    /// Token signing keys.
    pub fn security_dir(&self) -> PathBuf {
        self.root.join("security")
    }

    /// Logs (`api.log`, later `ossec.log`, `alerts/`).
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// The file holding a generated administrator password.
    pub fn initial_password_file(&self) -> PathBuf {
        self.root.join("initial-admin-password")
    }

    /// Creates the directories (the data dir and secrets 0700).
    pub fn create(&self) -> std::io::Result<()> {
        fsutil::ensure_dir(&self.root, 0o700)?;
        fsutil::ensure_dir(&self.security_dir(), 0o700)?;
        fsutil::ensure_dir(&self.root.join("ssl"), 0o700)?;
        fsutil::ensure_dir(&self.logs_dir(), 0o750)
    }
}

/// Result of seeding.
pub enum Seeded {
    /// The store already had users.
    Existing,
    /// Users were created with the password from the environment.
    FromEnvironment,
    /// Users were created with a generated password, written to this file.
    Generated(PathBuf, String),
}

/// Creates the default users on an empty store.
pub fn seed_users(store: &Store, layout: &Layout, env_password: Option<String>) -> Result<Seeded, String> {
    let existing = store.read_blocking(user::count).map_err(|e| e.to_string())?;
    if existing > 0 {
        return Ok(Seeded::Existing);
    }
    let (pw, generated) = match env_password {
        Some(p) if !p.is_empty() => {
            if !password::meets_policy(&p) {
                return Err(
                    "OXSEC_ADMIN_PASSWORD must be 8-64 characters with an upper-case letter, a lower-case \
                            letter, a digit and a symbol"
                        .into(),
                );
            }
            (p, false)
        }
        _ => (password::generate(), true),
    };
    let hash = password::hash(&pw)?;
    let now = crate::timefmt::now_iso();
    store
        .write_blocking(|tx| {
            // The users every install starts with, as in Wazuh (ids and names fixed; clients rely
            // on them); their roles come with the default catalogue.
            for (id, name, run_as) in catalog::default_users() {
                user::insert(
                    tx,
                    &user::User {
                        id,
                        username: name,
                        password: hash.clone(),
                        allow_run_as: run_as,
                        created_at: now.clone(),
                    },
                )?;
            }
            catalog::seed_defaults(tx, &now)
        })
        .map_err(|e| e.to_string())?;
    if generated {
        let file = layout.initial_password_file();
        fsutil::write_atomic(&file, format!("{pw}\n").as_bytes(), 0o600)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        Ok(Seeded::Generated(file, pw))
    } else {
        Ok(Seeded::FromEnvironment)
    }
}

/// Adds whatever part of the default RBAC catalogue is missing (run at every start, as Wazuh does).
pub fn seed_catalog(store: &Store) -> Result<(), String> {
    let now = crate::timefmt::now_iso();
    store
        .write_blocking(|tx| catalog::seed_defaults(tx, &now))
        .map_err(|e| format!("cannot seed the RBAC catalogue: {e}"))
}

pub const TOKEN_TIMEOUT_KEY: &str = "security.auth_token_exp_timeout";
pub const RBAC_MODE_KEY: &str = "security.rbac_mode";

/// Reads the security settings from the store (defaults when unset).
pub fn load_security(store: &Store) -> Result<SecurityConfig, String> {
    store
        .read_blocking(|c| {
            let mut s = SecurityConfig::default();
            if let Some(v) = settings::get(c, TOKEN_TIMEOUT_KEY)?.and_then(|v| v.parse().ok()) {
                s.auth_token_exp_timeout = v;
            }
            if let Some(v) = settings::get(c, RBAC_MODE_KEY)? {
                s.rbac_mode = v;
            }
            Ok(s)
        })
        .map_err(|e| e.to_string())
}

/// Wazuh's `etc/shared/ar.conf`: the active-response commands every group's bundle carries.
const DEFAULT_AR_CONF: &str = "restart-ossec0 - restart-ossec.sh - 0\nrestart-ossec0 - restart-ossec.cmd - 0\n\
restart-wazuh0 - restart-ossec.sh - 0\nrestart-wazuh0 - restart-ossec.cmd - 0\nrestart-wazuh0 - restart-wazuh - 0\n\
restart-wazuh0 - restart-wazuh.exe - 0\n";

/// Gives every group of the store its directory in `etc/shared` (group `default` always exists),
/// with `ar.conf` and each bundle in place, as a Wazuh install has them. Run at every start.
pub fn seed_groups(store: &Store, data_dir: &Path) -> Result<(), String> {
    use crate::service::shared::SharedDir;
    let shared = SharedDir::new(data_dir);
    let now = crate::timefmt::now_iso();
    store
        .write_blocking(|tx| oxsec_store::models::group::insert(tx, "default", &now))
        .map_err(|e| format!("cannot create group default: {e}"))?;
    let names = store
        .read_blocking(oxsec_store::models::group::names)
        .map_err(|e| format!("cannot list groups: {e}"))?;
    let fail = |e: std::io::Error| format!("cannot prepare {}: {e}", data_dir.join("etc/shared").display());
    if !data_dir.join("etc/shared/ar.conf").exists() {
        shared
            .write_common("ar.conf", DEFAULT_AR_CONF.as_bytes())
            .map_err(fail)?;
    }
    for name in names {
        if !shared.group_dir(&name).join(crate::service::shared::MERGED).exists() {
            shared.create_group(&name).map_err(fail)?;
        }
    }
    Ok(())
}

/// Reads a Wazuh install tree's agents (`queue/db/global.db`, `etc/client.keys`) and group files
/// (`etc/shared`) into the store and the data dir. Returns a report line, or `None` when the tree
/// has none of them.
fn import_agents_tree(store: &Store, data_dir: &Path, tree: &Path) -> Result<Option<String>, String> {
    use crate::service::shared::SharedDir;
    let global_db = tree.join("queue/db/global.db");
    let keys_file = tree.join("etc/client.keys");
    let shared_src = tree.join("etc/shared");
    if !global_db.is_file() && !keys_file.is_file() && !shared_src.is_dir() {
        return Ok(None);
    }
    let keys = if keys_file.is_file() {
        let text = std::fs::read_to_string(&keys_file).map_err(|e| format!("{}: {e}", keys_file.display()))?;
        oxsec_store::import::parse_client_keys(&text).map_err(|e| format!("{}: {e}", keys_file.display()))?
    } else {
        Vec::new()
    };
    let now = crate::timefmt::now_iso();
    let db = global_db.is_file().then_some(global_db.as_path());
    let mut progress = |n: usize| {
        if n > 0 && n % 10_000 == 0 {
            eprintln!("  ... {n} agents");
        }
    };
    let done = store
        .with_connection_blocking(|c| oxsec_store::import::import_agents(c, db, &keys, &now, &mut progress))
        .map_err(|e| format!("{}: {e}", tree.display()))?;
    // Group files: each group directory's regular files (the bundle is rebuilt, not copied) and the
    // common files at the top of etc/shared. Names that could leave the directory are skipped.
    let shared = SharedDir::new(data_dir);
    let mut files = 0usize;
    if shared_src.is_dir() {
        let read_dir = |p: &Path| std::fs::read_dir(p).map_err(|e| format!("{}: {e}", p.display()));
        for entry in read_dir(&shared_src)? {
            let entry = entry.map_err(|e| e.to_string())?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if kind.is_file() && crate::service::groups::valid_file_name(&name) {
                let data = std::fs::read(entry.path()).map_err(|e| format!("{}: {e}", entry.path().display()))?;
                shared.write_common(&name, &data).map_err(|e| e.to_string())?;
                files += 1;
            } else if kind.is_dir() && crate::service::groups::valid_group_name(&name) {
                shared.create_group(&name).map_err(|e| e.to_string())?;
                for f in read_dir(&entry.path())? {
                    let f = f.map_err(|e| e.to_string())?;
                    let Some(fname) = f.file_name().to_str().map(str::to_owned) else {
                        continue;
                    };
                    if fname == crate::service::shared::MERGED
                        || !f.file_type().map_err(|e| e.to_string())?.is_file()
                        || !crate::service::groups::valid_file_name(&fname)
                    {
                        continue;
                    }
                    let data = std::fs::read(f.path()).map_err(|e| format!("{}: {e}", f.path().display()))?;
                    crate::fsutil::write_atomic(&shared.group_dir(&name).join(&fname), &data, 0o660)
                        .map_err(|e| e.to_string())?;
                    files += 1;
                }
                store
                    .write_blocking(|tx| oxsec_store::models::group::insert(tx, &name, &now))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    seed_groups(store, data_dir)?;
    let names = store
        .read_blocking(oxsec_store::models::group::names)
        .map_err(|e| e.to_string())?;
    for name in &names {
        shared.rebuild_merged(name).map_err(|e| e.to_string())?;
    }
    crate::service::agents::write_client_keys_blocking(store, data_dir).map_err(|e| e.to_string())?;
    let agent_data = import_agent_data(store, &tree.join("queue/db"))?;
    Ok(Some(format!(
        "{}: {} agents, {} groups, {} labels, {} group files{agent_data}",
        tree.display(),
        done.agents,
        names.len(),
        done.labels,
        files
    )))
}

/// Copies the agents' own databases (`queue/db/NNN.db`) of agents the store knows; the report's
/// tail (empty when the directory has none).
fn import_agent_data(store: &Store, queue_db: &Path) -> Result<String, String> {
    if !queue_db.is_dir() {
        return Ok(String::new());
    }
    let mut progress = |done: usize, all: usize| {
        if done % 100 == 0 || done == all {
            eprintln!("  ... agent databases: {done} of {all}");
        }
    };
    // 000.db is the manager's own: agent 000 exists before the server first starts.
    let manager = crate::service::agents::manager_info();
    store
        .write_blocking(|tx| oxsec_store::models::agent::upsert_manager(tx, &manager))
        .map_err(|e| format!("cannot register the manager as agent 000: {e}"))?;
    let now = oxsec_store::now_secs();
    let done = store
        .with_connection_blocking(|c| {
            oxsec_store::import_agent_data::import_agent_data(c, queue_db, now, &mut progress)
        })
        .map_err(|e| e.to_string())?;
    let mut line = format!(", {} agent databases ({} rows)", done.agents, done.rows);
    if !done.failed.is_empty() {
        line.push_str(&format!(
            "; NOT imported (unchanged in the store): {}",
            done.failed.join("; ")
        ));
    }
    if !done.unknown_agents.is_empty() {
        line.push_str(&format!(
            "; skipped {} of agents not in the store: {}",
            done.unknown_agents.len(),
            done.unknown_agents.join(", ")
        ));
    }
    Ok(line)
}

/// What `oxsec import wazuh` found at a source path.
fn import_source(store: &Store, data_dir: &Path, path: &Path) -> Result<String, String> {
    if path.is_dir() {
        let mut lines = Vec::new();
        let rbac_db = path.join("api/configuration/security/rbac.db");
        if rbac_db.is_file() {
            let done = store
                .with_connection_blocking(|c| oxsec_store::import::copy_rbac_db(c, &rbac_db))
                .map_err(|e| format!("{}: {e}", rbac_db.display()))?;
            lines.push(format!("{}: {} rows imported", rbac_db.display(), done.statements));
        }
        if let Some(line) = import_agents_tree(store, data_dir, path)? {
            lines.push(line);
        }
        if lines.is_empty() {
            return Err(format!(
                "{}: not a Wazuh install dir (none of api/configuration/security/rbac.db, queue/db/global.db, \
                 etc/client.keys, etc/shared)",
                path.display()
            ));
        }
        return Ok(lines.join("\n"));
    }
    let rbac_db = path.to_owned();
    let is_sql = path.extension().is_some_and(|e| e == "sql");
    if is_sql {
        let sql = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let done = store
            .with_connection_blocking(|c| oxsec_store::import::apply_sql(c, &sql))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(format!("{}: {} statements applied", path.display(), done.statements))
    } else if rbac_db.is_file() {
        let done = store
            .with_connection_blocking(|c| oxsec_store::import::copy_rbac_db(c, &rbac_db))
            .map_err(|e| format!("{}: {e}", rbac_db.display()))?;
        Ok(format!("{}: {} rows imported", rbac_db.display(), done.statements))
    } else {
        Err(format!(
            "{}: not a Wazuh install dir, an rbac.db or a .sql file",
            path.display()
        ))
    }
}

/// `oxsec import wazuh`: brings a Wazuh manager's security state (users, roles, policies, rules and
/// links, keeping ids; its password hashes keep working) into the data dir, creating it if needed.
/// Returns one line per source.
pub fn import_wazuh(
    config: &crate::config::Config,
    sources: &[std::path::PathBuf],
    admin_password: Option<String>,
    security: Option<SecurityConfig>,
) -> Result<Vec<String>, String> {
    let layout = Layout::new(&config.data_dir);
    layout
        .create()
        .map_err(|e| format!("cannot create the data dir {}: {e}", config.data_dir.display()))?;
    let store = Store::open(&layout.db()).map_err(|e| format!("cannot open the store: {e}"))?;
    let mut report = Vec::new();
    if let Seeded::Generated(file, pw) = seed_users(&store, &layout, admin_password)? {
        report.push(format!(
            "initial password for wazuh and wazuh-wui: {pw} (saved to {})",
            file.display()
        ));
    }
    seed_catalog(&store)?;
    for source in sources {
        report.push(import_source(&store, &config.data_dir, source)?);
    }
    if let Some(s) = security {
        store
            .write_blocking(|tx| {
                settings::set(tx, TOKEN_TIMEOUT_KEY, &s.auth_token_exp_timeout.to_string())?;
                settings::set(tx, RBAC_MODE_KEY, &s.rbac_mode)
            })
            .map_err(|e| e.to_string())?;
    }
    Ok(report)
}

/// `oxsec dev seed-agents`: adds synthetic agents to the data dir's store.
pub fn seed_agents(config: &crate::config::Config, count: u64) -> Result<u64, String> {
    let layout = Layout::new(&config.data_dir);
    layout
        .create()
        .map_err(|e| format!("cannot create the data dir {}: {e}", config.data_dir.display()))?;
    let store = Store::open(&layout.db()).map_err(|e| format!("cannot open the store: {e}"))?;
    let now = time::OffsetDateTime::now_utc();
    let ago = |secs: i64| crate::service::agents::iso(now - time::Duration::seconds(secs));
    store
        .write_blocking(|tx| oxsec_store::models::agent::seed(tx, count, &ago))
        .map_err(|e| e.to_string())
}

/// Fills every agent's inventory, file-integrity entries and SCA results with realistic data
/// (`oxsec dev seed-inventory`); the number of rows written.
pub fn seed_inventory(config: &crate::config::Config, packages: u32) -> Result<u64, String> {
    let layout = Layout::new(&config.data_dir);
    let store = Store::open(&layout.db()).map_err(|e| format!("cannot open the store: {e}"))?;
    let sizes = oxsec_store::models::inventory::SeedSizes {
        packages,
        ..Default::default()
    };
    let mut progress = |done: usize, all: usize| {
        if done % 1000 < 200 || done == all {
            eprintln!("  ... agents: {done} of {all}");
        }
    };
    store
        .with_connection_blocking(|c| oxsec_store::models::inventory::seed(c, sizes, &mut progress))
        .map_err(|e| e.to_string())
}

/// What `oxsec import alerts` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportedAlerts {
    /// Alerts stored.
    pub stored: u64,
    /// Alerts the store already had (same id).
    pub present: u64,
    /// Lines that are not alerts (blank, torn, or without an `id`).
    pub skipped: u64,
}

/// Alerts per import transaction: large, since each transaction rewrites the index pages it
/// touches.
const IMPORT_BATCH: usize = 50_000;

/// Stores the alerts of a Wazuh `alerts.json` (one JSON alert per line), in transactions of
/// 50,000; `progress` is told the bytes read so far and the file's size. Searchable at once by a
/// running server (they go to the store, not to this server's own alerts.json).
pub fn import_alerts(
    config: &crate::config::Config,
    file: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ImportedAlerts, String> {
    use std::io::BufRead;
    let layout = Layout::new(&config.data_dir);
    layout
        .create()
        .map_err(|e| format!("cannot create the data dir {}: {e}", config.data_dir.display()))?;
    let store = Store::open(&layout.db()).map_err(|e| format!("cannot open the store: {e}"))?;
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = std::io::BufReader::with_capacity(1 << 20, f);
    // One thread reads and parses while this one stores: on two cores, both halves overlap.
    type Batch = (Vec<oxsec_store::models::alert::NewAlert>, u64, u64);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, String>>(2);
    let name = file.display().to_string();
    let parser = std::thread::spawn(move || {
        let mut offset = 0u64;
        let mut skipped = 0u64;
        let mut batch = Vec::with_capacity(IMPORT_BATCH);
        let mut line = String::new();
        loop {
            line.clear();
            let read = match reader.read_line(&mut line) {
                Ok(n) => n,
                Err(e) => {
                    let _ = tx.send(Err(format!("{name}: {e}")));
                    return;
                }
            };
            if read > 0 {
                let text = line.trim_end_matches(['\n', '\r']);
                match oxsec_store::models::alert::NewAlert::from_line(text, offset) {
                    Some(alert) => batch.push(alert),
                    None => skipped += u64::from(!text.trim().is_empty()),
                }
                offset += read as u64;
            }
            if batch.len() >= IMPORT_BATCH || read == 0 {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(IMPORT_BATCH));
                if tx.send(Ok((full, offset, std::mem::take(&mut skipped)))).is_err() || read == 0 {
                    return;
                }
            }
        }
    });
    let mut done = ImportedAlerts::default();
    for received in rx {
        let (alerts, offset, skipped) = received?;
        let n = alerts.len() as u64;
        let stored = store
            .write_blocking(move |tx| oxsec_store::models::alert::import_many(tx, &alerts))
            .map_err(|e| e.to_string())? as u64;
        done.stored += stored;
        done.present += n - stored;
        done.skipped += skipped;
        progress(offset, size);
    }
    parser
        .join()
        .map_err(|_| format!("{}: the reading thread failed", file.display()))?;
    Ok(done)
}
