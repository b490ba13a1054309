//! Server configuration: a superset of Wazuh's `api.yaml`, with `OXSEC_…` environment overrides.
//!
//! Loading is strict: an unknown key, in the file or in an `OXSEC_` variable, or a value of the
//! wrong type stops start-up with a message that names the key. Booleans accept YAML 1.1 spellings
//! (`yes`/`no`/`on`/`off`) because Wazuh's own `api.yaml` uses them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Environment variables with the `OXSEC_` prefix that are not configuration keys.
pub const NON_CONFIG_ENV: &[&str] = &[
    "OXSEC_ADMIN_PASSWORD",
    "OXSEC_LOG",
    "OXSEC_CONFIG",
    "OXSEC_BIN",
    "OXSEC_SHARED",
    "OXSEC_TEST_PSQL",
];

/// The top-level keys, which decide whether an `OXSEC_` variable is meant as configuration.
const TOP_LEVEL_KEYS: &[&str] = &[
    "host",
    "port",
    "drop_privileges",
    "experimental_features",
    "max_upload_size",
    "intervals",
    "https",
    "logs",
    "cors",
    "access",
    "upload_configuration",
    "authentication_pool_size",
    "data_dir",
    "ruleset_dir",
    "mitre_file",
    "alerts",
];

/// The whole configuration. Field docs are the reference; `docs/CONFIG.md` mirrors them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address(es) to listen on. Wazuh accepts one or a list.
    #[serde(deserialize_with = "one_or_many")]
    pub host: Vec<String>,
    /// TCP port of the API.
    pub port: u16,
    /// Accepted for compatibility with Wazuh's api.yaml; oxsec never runs as root-then-drops.
    #[serde(deserialize_with = "yaml_bool")]
    pub drop_privileges: bool,
    /// Enables the `/experimental/…` endpoints.
    #[serde(deserialize_with = "yaml_bool")]
    pub experimental_features: bool,
    /// Largest request body accepted, in bytes (413 beyond it).
    pub max_upload_size: u64,
    /// Timeouts.
    pub intervals: Intervals,
    /// TLS.
    pub https: Https,
    /// Logging.
    pub logs: Logs,
    /// Cross-origin resource sharing.
    pub cors: Cors,
    /// Rate limits and login lock-out.
    pub access: Access,
    /// Accepted for compatibility with Wazuh's api.yaml (what remote configuration uploads may
    /// contain); enforced by the endpoints that upload configuration.
    pub upload_configuration: Value,
    /// Size of Wazuh's authentication worker pool; accepted for compatibility.
    pub authentication_pool_size: u32,
    /// oxsec: where the store, keys, certificates and logs live.
    pub data_dir: PathBuf,
    /// oxsec: the shipped ruleset (a directory with `rules/`, `decoders/`, `lists/`, such as a
    /// Wazuh install's `ruleset/`); none means only the data dir's `etc/` files.
    pub ruleset_dir: Option<PathBuf>,
    /// oxsec: MITRE's enterprise ATT&CK STIX bundle (`enterprise-attack.json`), which names
    /// the techniques and tactics of alerts; none means alerts carry no `rule.mitre`.
    pub mitre_file: Option<PathBuf>,
    /// oxsec: how long the alert store keeps alerts.
    pub alerts: Alerts,
    /// Things worth telling the operator about the configuration (not keys; set by `load`).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: vec!["0.0.0.0".into()],
            port: 55000,
            drop_privileges: true,
            experimental_features: false,
            max_upload_size: 10 * 1024 * 1024,
            intervals: Intervals::default(),
            https: Https::default(),
            logs: Logs::default(),
            cors: Cors::default(),
            access: Access::default(),
            upload_configuration: Value::Object(Default::default()),
            authentication_pool_size: 2,
            data_dir: PathBuf::from("oxsec-data"),
            ruleset_dir: None,
            mitre_file: None,
            alerts: Alerts::default(),
            warnings: Vec::new(),
        }
    }
}

/// `intervals.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Intervals {
    /// Seconds a request may take before the API answers with a timeout error.
    pub request_timeout: u64,
}

impl Default for Intervals {
    fn default() -> Self {
        Self { request_timeout: 10 }
    }
}

/// `https.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Https {
    /// Serve HTTPS (true) or plain HTTP (false).
    #[serde(deserialize_with = "yaml_bool")]
    pub enabled: bool,
    /// Private key (PEM). Relative paths are under `<data_dir>/ssl/`; generated if absent.
    pub key: PathBuf,
    /// Certificate chain (PEM). Relative paths are under `<data_dir>/ssl/`; generated if absent.
    pub cert: PathBuf,
    /// Require client certificates signed by `ca`.
    #[serde(deserialize_with = "yaml_bool")]
    pub use_ca: bool,
    /// CA bundle (PEM) for client certificates.
    pub ca: PathBuf,
    /// `auto` (TLS 1.2 and 1.3), `TLSv1.2`, `TLSv1.3` or `TLS` (same as auto).
    pub ssl_protocol: String,
    /// Colon-separated cipher suites (IANA or OpenSSL names); empty = rustls' safe defaults.
    pub ssl_ciphers: String,
}

impl Default for Https {
    fn default() -> Self {
        Self {
            enabled: true,
            key: "server.key".into(),
            cert: "server.crt".into(),
            use_ca: false,
            ca: "ca.crt".into(),
            ssl_protocol: "auto".into(),
            ssl_ciphers: String::new(),
        }
    }
}

/// `logs.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Logs {
    /// `disabled`, `info`, `warning`, `error`, `debug` or `debug2`.
    pub level: LogLevel,
    /// `plain`, `json`, or `plain,json` (both; JSON goes to `api.json`).
    pub format: String,
    /// Accepted for compatibility (Wazuh's log rotation by size).
    pub max_size: Value,
}

impl Default for Logs {
    fn default() -> Self {
        Self {
            level: LogLevel::Info,
            format: "plain".into(),
            max_size: Value::Null,
        }
    }
}

/// Wazuh's API log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Nothing is logged.
    Disabled,
    /// Requests and notable events.
    Info,
    /// Problems only.
    Warning,
    /// Errors only.
    Error,
    /// Detailed.
    Debug,
    /// Very detailed.
    Debug2,
}

impl LogLevel {
    /// The level as api.yaml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Disabled => "disabled",
            LogLevel::Info => "info",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Debug => "debug",
            LogLevel::Debug2 => "debug2",
        }
    }
}

/// `cors.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cors {
    /// Add CORS headers.
    #[serde(deserialize_with = "yaml_bool")]
    pub enabled: bool,
    /// Allowed origin.
    pub source_route: String,
    /// Headers exposed to the browser.
    pub expose_headers: String,
    /// Headers the browser may send.
    pub allow_headers: String,
    /// Allow credentials.
    #[serde(deserialize_with = "yaml_bool")]
    pub allow_credentials: bool,
}

impl Default for Cors {
    fn default() -> Self {
        Self {
            enabled: false,
            source_route: "*".into(),
            expose_headers: "*".into(),
            allow_headers: "*".into(),
            allow_credentials: false,
        }
    }
}

/// `alerts.*` (oxsec): retention of the alert store, enforced by a background task (hourly and
/// at start) in small batches, so ingestion never waits for it. alerts.json is not touched.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alerts {
    /// Days an alert is kept (0 = forever).
    pub retention_days: u64,
    /// Largest number of alerts kept; the oldest go first (0 = no limit).
    pub retention_max_alerts: u64,
    /// Largest size of the store's database in use, in MiB; the oldest alerts go first until it
    /// fits (0 = no limit).
    pub retention_max_megabytes: u64,
}

/// `access.*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Access {
    /// Failed logins from one IP within `block_time` before the IP is blocked.
    pub max_login_attempts: u32,
    /// Seconds an IP stays blocked (and the window failed logins are counted in).
    pub block_time: u64,
    /// Requests per minute the API accepts (0 = unlimited).
    pub max_request_per_minute: u32,
    /// Requests per minute `POST /events` accepts, within `max_request_per_minute` (Wazuh's
    /// fixed 30; 0 = only the general limit).
    pub max_event_requests_per_minute: u32,
}

impl Default for Access {
    fn default() -> Self {
        Self {
            max_login_attempts: 50,
            block_time: 300,
            max_request_per_minute: 300,
            max_event_requests_per_minute: 30,
        }
    }
}

/// A configuration that cannot be used; the message names the key.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Command-line overrides, applied last.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--host`.
    pub host: Option<String>,
    /// `--port`.
    pub port: Option<u16>,
    /// `--ruleset`.
    pub ruleset_dir: Option<PathBuf>,
}

impl Config {
    /// Loads `file` (if any), then `OXSEC_…` variables from `env`, then `overrides`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let mut tree = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError(format!("cannot read configuration file {}: {e}", path.display())))?;
                let yaml: Value = serde_norway::from_str(&text)
                    .map_err(|e| ConfigError(format!("{}: not valid YAML: {e}", path.display())))?;
                match yaml {
                    Value::Null => Value::Object(Default::default()),
                    v @ Value::Object(_) => v,
                    _ => {
                        return Err(ConfigError(format!(
                            "{}: the top level must be a mapping of keys",
                            path.display()
                        )))
                    }
                }
            }
            None => Value::Object(Default::default()),
        };
        let mut warnings = Vec::new();
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("OXSEC_") else {
                continue;
            };
            if NON_CONFIG_ENV.contains(&name.as_str()) {
                continue;
            }
            // A variable naming no configuration section is probably meant for something else
            // (a script's own OXSEC_ variable): say so, but do not refuse to start. A wrong key
            // inside a real section is a typo and is refused like one in the file.
            let top = rest.split("__").next().unwrap_or_default().to_ascii_lowercase();
            if !TOP_LEVEL_KEYS.contains(&top.as_str()) {
                warnings.push(format!("{name} is not a configuration key; ignored"));
                continue;
            }
            apply_env(&mut tree, &name, rest, &value)?;
        }
        let mut config: Config = serde_path_to_error::deserialize(tree).map_err(|e| {
            let path = e.path().to_string();
            ConfigError(format!("{path}: {}", e.into_inner()))
        })?;
        if let Some(d) = &overrides.data_dir {
            config.data_dir = d.clone();
        }
        if let Some(h) = &overrides.host {
            config.host = vec![h.clone()];
        }
        if let Some(p) = overrides.port {
            config.port = p;
        }
        if let Some(r) = &overrides.ruleset_dir {
            config.ruleset_dir = Some(r.clone());
        }
        config.validate()?;
        config.warnings = warnings;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.host.is_empty() {
            return Err(ConfigError("host: at least one address is needed".into()));
        }
        for h in &self.host {
            if h.parse::<std::net::IpAddr>().is_err() && h != "localhost" {
                return Err(ConfigError(format!("host: '{h}' is not an IP address")));
            }
        }
        if self.max_upload_size == 0 {
            return Err(ConfigError("max_upload_size: must be greater than 0".into()));
        }
        if self.intervals.request_timeout == 0 {
            return Err(ConfigError("intervals.request_timeout: must be greater than 0".into()));
        }
        match self.https.ssl_protocol.to_ascii_lowercase().as_str() {
            "auto" | "tls" | "tlsv1.2" | "tlsv1.3" => {}
            other => {
                return Err(ConfigError(format!(
                    "https.ssl_protocol: '{other}' is not supported; use auto, TLS, TLSv1.2 or TLSv1.3"
                )))
            }
        }
        for f in self.logs.format.split(',') {
            if !matches!(f.trim(), "plain" | "json") {
                return Err(ConfigError(format!("logs.format: '{f}' is not plain or json")));
            }
        }
        if self.access.block_time == 0 {
            return Err(ConfigError("access.block_time: must be greater than 0".into()));
        }
        Ok(())
    }

    /// Resolves a TLS file name from `https.*` against `<data_dir>/ssl/`.
    pub fn ssl_path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.data_dir.join("ssl").join(p)
        }
    }

    /// Whether the JSON access log is wanted.
    pub fn log_json(&self) -> bool {
        self.logs.format.split(',').any(|f| f.trim() == "json")
    }

    /// Whether the plain access log is wanted.
    pub fn log_plain(&self) -> bool {
        self.logs.format.split(',').any(|f| f.trim() == "plain")
    }
}

/// Sets the key named by an `OXSEC_` variable. Nesting uses a double underscore:
/// `OXSEC_HTTPS__ENABLED=no`, `OXSEC_ACCESS__MAX_REQUEST_PER_MINUTE=600`.
fn apply_env(tree: &mut Value, var: &str, rest: &str, raw: &str) -> Result<(), ConfigError> {
    let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError(format!(
            "{var}: empty key segment; nest keys with '__' (e.g. OXSEC_HTTPS__ENABLED)"
        )));
    }
    // Parse the value as YAML so numbers, booleans and lists keep their types.
    let value: Value = serde_norway::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
    let mut node = tree;
    for (i, seg) in path.iter().enumerate() {
        let Value::Object(map) = node else {
            return Err(ConfigError(format!(
                "{var}: '{}' is not a section",
                path[..i].join(".")
            )));
        };
        if i + 1 == path.len() {
            map.insert(seg.clone(), value);
            return Ok(());
        }
        node = map
            .entry(seg.clone())
            .or_insert_with(|| Value::Object(Default::default()));
    }
    Ok(())
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

fn yaml_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Value::deserialize(d)? {
        Value::Bool(b) => Ok(b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "yes" | "true" | "on" | "y" => Ok(true),
            "no" | "false" | "off" | "n" => Ok(false),
            _ => Err(serde::de::Error::custom(format!(
                "'{s}' is not a boolean (use yes/no or true/false)"
            ))),
        },
        other => Err(serde::de::Error::custom(format!(
            "{other} is not a boolean (use yes/no or true/false)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(yaml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("api.yaml");
        std::fs::write(&path, yaml).expect("write");
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::load(Some(&path), env, &Overrides::default())
    }

    #[test]
    fn wazuh_test_environment_api_yaml_loads() {
        let c = load_str(
            "host: [0.0.0.0]\nport: 55000\nhttps:\n enabled: yes\n key: \"server.key\"\n use_ca: False\n\
             logs:\n level: \"info\"\n format: \"plain\"\ncors:\n enabled: no\naccess:\n  max_login_attempts: 10000\n\
             drop_privileges: yes\nexperimental_features: yes\n",
            &[],
        )
        .expect("loads");
        assert!(c.https.enabled);
        assert!(c.experimental_features);
        assert_eq!(c.access.max_login_attempts, 10000);
        assert_eq!(c.access.max_request_per_minute, 300);
    }

    #[test]
    fn unknown_key_is_named() {
        let e = load_str("https:\n  enabeld: yes\n", &[]).expect_err("must fail");
        assert!(e.0.contains("enabeld"), "{e}");
    }

    #[test]
    fn bad_value_is_named() {
        let e = load_str("port: abc\n", &[]).expect_err("must fail");
        assert!(e.0.contains("port") || e.0.contains("u16"), "{e}");
        let e = load_str("https:\n  ssl_protocol: SSLv3\n", &[]).expect_err("must fail");
        assert!(e.0.contains("https.ssl_protocol"), "{e}");
    }

    #[test]
    fn env_overrides_file() {
        let c = load_str(
            "port: 1000\n",
            &[("OXSEC_PORT", "2000"), ("OXSEC_HTTPS__ENABLED", "no")],
        )
        .expect("loads");
        assert_eq!(c.port, 2000);
        assert!(!c.https.enabled);
        let e = load_str("", &[("OXSEC_HTTPS__NOPE", "1")]).expect_err("unknown key in a known section");
        assert!(e.0.contains("nope"), "{e}");
        let c = load_str("", &[("OXSEC_SOMETHING_ELSE", "1")]).expect("not a section: ignored");
        assert_eq!(c.warnings.len(), 1);
        // Variables that are not configuration keys are left alone.
        load_str("", &[("OXSEC_ADMIN_PASSWORD", "x")]).expect("ignored");
    }
}
