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

/// What `oxsec import wazuh` found at a source path.
fn import_source(store: &Store, path: &Path) -> Result<String, String> {
    let rbac_db = if path.is_dir() {
        path.join("api/configuration/security/rbac.db")
    } else {
        path.to_owned()
    };
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
            "{}: not a Wazuh install dir (no api/configuration/security/rbac.db), an rbac.db or a .sql file",
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
        report.push(import_source(&store, source)?);
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
