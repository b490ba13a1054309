//! Shared state handed to every handler.

use std::sync::{Arc, RwLock};

use oxsec_store::Store;

use crate::auth::jwt::TokenKeys;
use crate::auth::rbac::{Mode, Permissions};
use crate::auth::tokens::{Floors, VerifiedTokens};
use crate::config::Config;
use crate::error::ApiError;
use crate::middleware::rate_limit::Limiter;

/// Security settings that change at run time (`/security/config`).
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityConfig {
    /// Token lifetime in seconds (Wazuh default 900).
    pub auth_token_exp_timeout: i64,
    /// `white` (deny unless allowed) or `black` (allow unless denied).
    pub rbac_mode: String,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            auth_token_exp_timeout: 900,
            rbac_mode: "white".into(),
        }
    }
}

/// Merged permissions by (role ids, RBAC mode), cleared whenever the catalogue changes.
type PermissionCache = std::sync::Mutex<std::collections::HashMap<(Vec<i64>, String), std::sync::Arc<Permissions>>>;

/// Cheap-to-clone handle on the server's state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Store,
    keys: TokenKeys,
    limiter: Limiter,
    security: RwLock<SecurityConfig>,
    hostname: String,
    verified: VerifiedTokens,
    floors: Floors,
    permissions: PermissionCache,
    /// Bumped by every catalogue change, so a permission set computed from an older catalogue is
    /// never cached after the change.
    rbac_generation: std::sync::atomic::AtomicU64,
    /// Rules, decoders and lists, swapped whole after a change.
    ruleset: crate::service::ruleset::Shared,
    /// Held by every upload or delete of a ruleset file through its reload, so two changes
    /// cannot interleave.
    ruleset_writes: tokio::sync::Mutex<()>,
    /// Logtest sessions.
    logtest: crate::service::logtest::Sessions,
    /// The manager's analysis of `POST /events`.
    analysis: crate::service::events::ManagerAnalysis,
    /// MITRE ATT&CK as imported into the store.
    mitre: RwLock<Arc<crate::service::mitre::MitreCatalog>>,
    /// When the server started, Unix seconds.
    started_at: i64,
    /// `etc/ossec.conf` as read at start or by the last restart.
    ossec_conf: RwLock<Arc<crate::service::ossec_conf::OssecConf>>,
    /// `logs/ossec.log`.
    ossec_log: crate::service::ossec_log::OssecLog,
    /// Bumped after every batch of alerts is stored: wakes the alert streams.
    alerts_stored: tokio::sync::watch::Sender<u64>,
    /// The alert classes read from the store so far (they are only ever added).
    alert_classes: std::sync::Mutex<Arc<crate::service::alerts::Classes>>,
}

impl AppState {
    /// Assembles the state.
    pub fn new(
        config: Config,
        store: Store,
        keys: TokenKeys,
        security: SecurityConfig,
        floors: Floors,
        analysis: crate::service::events::ManagerAnalysis,
        mitre: crate::service::mitre::MitreCatalog,
    ) -> Self {
        let limiter = Limiter::new(&config.access);
        let ruleset = RwLock::new(Arc::new(crate::service::ruleset::Loaded::empty(&config)));
        let ossec_conf = RwLock::new(Arc::new(crate::service::ossec_conf::load(&config)));
        let ossec_log =
            crate::service::ossec_log::OssecLog::new(&crate::bootstrap::Layout::new(&config.data_dir).logs_dir());
        Self {
            inner: Arc::new(Inner {
                ossec_conf,
                ossec_log,
                alerts_stored: tokio::sync::watch::channel(0).0,
                alert_classes: Default::default(),
                started_at: oxsec_store::now_secs(),
                ruleset,
                ruleset_writes: tokio::sync::Mutex::new(()),
                logtest: Default::default(),
                analysis,
                mitre: RwLock::new(Arc::new(mitre)),
                config,
                store,
                keys,
                limiter,
                security: RwLock::new(security),
                hostname: crate::hostname(),
                verified: VerifiedTokens::default(),
                floors,
                permissions: Default::default(),
                rbac_generation: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// Waits for exclusive use of the ruleset files (see `Inner::ruleset_writes`).
    pub async fn lock_ruleset_files(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.ruleset_writes.lock().await
    }

    /// `logs/ossec.log`, where oxsec's Wazuh-equivalent services report.
    pub fn ossec_log(&self) -> &crate::service::ossec_log::OssecLog {
        &self.inner.ossec_log
    }

    /// Tells the alert streams that new alerts are in the store.
    pub fn alerts_stored(&self) {
        self.inner.alerts_stored.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The alert classes known so far (see `service::alerts::classes`).
    pub fn alert_classes(&self) -> &std::sync::Mutex<Arc<crate::service::alerts::Classes>> {
        &self.inner.alert_classes
    }

    /// A receiver woken whenever alerts are stored.
    pub fn watch_alerts(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.alerts_stored.subscribe()
    }

    /// The configuration the server started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The ruleset as last loaded.
    pub fn ruleset(&self) -> Arc<crate::service::ruleset::Loaded> {
        match self.inner.ruleset.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads and compiles the ruleset again from disk and makes it current (on a blocking
    /// thread). Files that cannot be read are left out (and logged).
    pub async fn reload_ruleset(&self) -> Result<(), ApiError> {
        let loaded = self.load_ruleset().await?;
        self.install_ruleset(loaded);
        Ok(())
    }

    /// Like [`AppState::reload_ruleset`], but a ruleset with files that cannot be read or
    /// compiled is refused: the running one stays, and the problems are returned.
    pub async fn reload_sound_ruleset(&self) -> Result<Result<(), Vec<String>>, ApiError> {
        let loaded = self.load_ruleset().await?;
        if !loaded.catalog.problems.is_empty() {
            return Ok(Err(loaded.catalog.problems.clone()));
        }
        self.install_ruleset(loaded);
        Ok(Ok(()))
    }

    async fn load_ruleset(&self) -> Result<crate::service::ruleset::Loaded, ApiError> {
        let config = self.inner.config.clone();
        tokio::task::spawn_blocking(move || crate::service::ruleset::load(&config))
            .await
            .map_err(|e| ApiError::Internal(format!("ruleset load failed: {e}")))
    }

    /// Makes `loaded` current. Work already holding the old one finishes on it.
    fn install_ruleset(&self, loaded: crate::service::ruleset::Loaded) {
        use crate::service::ossec_log::tag;
        let log = self.ossec_log();
        for problem in &loaded.catalog.problems {
            log.warning(tag::ANALYSISD, problem);
        }
        log.info(
            tag::ANALYSISD,
            &format!("Total rules enabled: '{}'", loaded.rules.len()),
        );
        log.info(
            tag::ANALYSISD,
            &format!("Total decoders enabled: '{}'", loaded.decoders.len()),
        );
        let mut slot = match self.inner.ruleset.write() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Arc::new(loaded);
    }

    /// When the server started, Unix seconds.
    pub fn started_at(&self) -> i64 {
        self.inner.started_at
    }

    /// `etc/ossec.conf` as last read.
    pub fn ossec_conf(&self) -> Arc<crate::service::ossec_conf::OssecConf> {
        match self.inner.ossec_conf.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads `etc/ossec.conf` again and makes it current.
    pub fn reload_ossec_conf(&self) {
        let conf = Arc::new(crate::service::ossec_conf::load(&self.inner.config));
        let mut slot = match self.inner.ossec_conf.write() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = conf;
    }

    /// Logtest sessions.
    pub fn logtest(&self) -> &crate::service::logtest::Sessions {
        &self.inner.logtest
    }

    /// MITRE ATT&CK as last loaded from the store.
    pub fn mitre(&self) -> Arc<crate::service::mitre::MitreCatalog> {
        match self.inner.mitre.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Makes `catalog` the ATT&CK data served from now on.
    pub fn set_mitre(&self, catalog: crate::service::mitre::MitreCatalog) {
        let mut slot = match self.inner.mitre.write() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Arc::new(catalog);
    }

    /// The manager's event analysis.
    pub fn analysis(&self) -> &crate::service::events::ManagerAnalysis {
        &self.inner.analysis
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The token signing keys.
    pub fn keys(&self) -> &TokenKeys {
        &self.inner.keys
    }

    /// Rate limits and login lock-out.
    pub fn limiter(&self) -> &Limiter {
        &self.inner.limiter
    }

    /// The current security settings.
    pub fn security(&self) -> SecurityConfig {
        self.inner.security.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Replaces the security settings in memory (the caller persists them).
    pub fn set_security(&self, s: SecurityConfig) {
        if let Ok(mut guard) = self.inner.security.write() {
            *guard = s;
        }
    }

    /// Tokens whose signature was verified already.
    pub fn verified_tokens(&self) -> &VerifiedTokens {
        &self.inner.verified
    }

    /// The revocation floors.
    pub fn floors(&self) -> &Floors {
        &self.inner.floors
    }

    /// The merged permissions of `roles` under `mode`, from the store, cached until the RBAC
    /// catalogue changes ([`AppState::rbac_changed`]).
    pub async fn permissions(&self, roles: &[i64], mode: &str) -> Result<std::sync::Arc<Permissions>, ApiError> {
        use std::sync::atomic::Ordering;
        let key = (roles.to_vec(), mode.to_owned());
        if let Some(p) = self.inner.permissions.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(p);
        }
        let generation = self.inner.rbac_generation.load(Ordering::SeqCst);
        let ids = roles.to_vec();
        let policies = self
            .store()
            .read(move |c| oxsec_store::models::catalog::policies_of_roles(c, &ids))
            .await?;
        let merged = std::sync::Arc::new(Permissions::merge(
            policies.iter().map(|p| &p.policy),
            Mode::parse(mode),
        ));
        if let Ok(mut cache) = self.inner.permissions.lock() {
            // Cache only if no change happened while the policies were read.
            if self.inner.rbac_generation.load(Ordering::SeqCst) == generation {
                if cache.len() > 1000 {
                    cache.clear();
                }
                cache.insert(key, merged.clone());
            }
        }
        Ok(merged)
    }

    /// Forgets cached permissions after a change to roles, policies or their links.
    pub fn rbac_changed(&self) {
        self.inner
            .rbac_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut cache) = self.inner.permissions.lock() {
            cache.clear();
        }
    }

    /// This machine's host name.
    pub fn hostname(&self) -> &str {
        &self.inner.hostname
    }
}
