//! The manager's `etc/ossec.conf`: read once at start (and again by `PUT /manager/restart`), held
//! as its text, Wazuh's JSON rendering and the few settings oxsec acts on.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::config::Config;

/// `<cluster>` as Wazuh reads it (`read_cluster_config`): without the section the cluster is
/// disabled; with it, enabled unless `<disabled>yes</disabled>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSettings {
    /// `<disabled>`.
    pub disabled: bool,
    /// `<name>`, the cluster's name.
    pub name: String,
    /// `<node_name>`.
    pub node_name: String,
    /// `<node_type>`: `master` or `worker` (`client` is read as `worker`, as Wazuh does).
    pub node_type: String,
    /// `<nodes><node>`: the master's addresses.
    pub nodes: Vec<String>,
    /// `<bind_addr>`.
    pub bind_addr: String,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            disabled: true,
            name: "wazuh".into(),
            node_name: crate::DEFAULT_NODE_NAME.into(),
            node_type: "master".into(),
            nodes: vec!["NODE_IP".into()],
            bind_addr: "0.0.0.0".into(),
        }
    }
}

/// `<global><update_check>` and `<global><cti-url>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateCheck {
    /// Whether the manager may ask the CTI service for new versions (Wazuh's default: yes).
    pub enabled: bool,
    /// The CTI service's base URL.
    pub cti_url: String,
}

/// Wazuh's CTI service, used when `<cti-url>` is not set.
pub const DEFAULT_CTI_URL: &str = "https://cti.wazuh.com";

/// The configuration as last read.
#[derive(Debug, Clone, Default)]
pub struct OssecConf {
    /// The file's text (`GET /manager/configuration?raw=true`); empty when there is no file.
    pub text: String,
    /// Every `<ossec_config>` block's sections as Wazuh's `_ossecconf2json` renders them.
    pub sections: Map<String, Value>,
    /// Why the file could not be read or parsed, if it could not.
    pub problem: Option<String>,
}

impl OssecConf {
    /// The cluster settings.
    pub fn cluster(&self) -> ClusterSettings {
        let Some(Value::Object(c)) = self.sections.get("cluster") else {
            return ClusterSettings::default();
        };
        let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_owned);
        let node_type = match text("node_type").as_deref() {
            Some("client") | Some("worker") => "worker".to_owned(),
            _ => "master".to_owned(),
        };
        ClusterSettings {
            disabled: text("disabled").as_deref() == Some("yes"),
            name: text("name").unwrap_or_else(|| "wazuh".into()),
            node_name: text("node_name").unwrap_or_else(|| "node01".into()),
            node_type,
            nodes: match c.get("nodes") {
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                Some(Value::String(one)) => vec![one.clone()],
                _ => vec!["NODE_IP".into()],
            },
            bind_addr: text("bind_addr").unwrap_or_else(|| "0.0.0.0".into()),
        }
    }

    /// The update check settings.
    pub fn update_check(&self) -> UpdateCheck {
        let global = self.sections.get("global");
        let text = |k: &str| global.and_then(|g| g.get(k)).and_then(Value::as_str);
        UpdateCheck {
            enabled: text("update_check") != Some("no"),
            cti_url: text("cti-url")
                .unwrap_or(DEFAULT_CTI_URL)
                .trim_end_matches('/')
                .to_owned(),
        }
    }
}

/// The configuration written on first start (Wazuh 4.14's manager defaults, update check off).
pub const DEFAULT_TEXT: &str = include_str!("../defaults/ossec.conf");

/// Writes [`DEFAULT_TEXT`] as etc/ossec.conf unless the data dir has one; whether it did.
pub fn ensure_exists(config: &Config) -> std::io::Result<bool> {
    let path = path(config);
    if path.exists() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        crate::fsutil::ensure_dir(dir, 0o750)?;
    }
    crate::fsutil::write_atomic(&path, DEFAULT_TEXT.as_bytes(), 0o640)?;
    Ok(true)
}

/// `<data_dir>/etc/ossec.conf`.
pub fn path(config: &Config) -> PathBuf {
    config.data_dir.join("etc").join("ossec.conf")
}

/// Renders configuration text as Wazuh's API does: every `<ossec_config>` root, in order.
pub fn render(text: &str) -> Result<Map<String, Value>, oxsec_xml::XmlError> {
    let roots = oxsec_ruleset::lenient::parse(text)?;
    let mut sections = Map::new();
    for root in roots.iter().filter(|r| r.name == "ossec_config") {
        oxsec_xml::json::config_block(root, &mut sections);
    }
    Ok(sections)
}

/// Reads the configuration; a missing or broken file gives empty sections and says why.
pub fn load(config: &Config) -> OssecConf {
    let path = path(config);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            return OssecConf {
                problem: Some(format!("{}: {e}", path.display())),
                ..OssecConf::default()
            }
        }
    };
    match render(&text) {
        Ok(sections) => OssecConf {
            text,
            sections,
            problem: None,
        },
        Err(e) => OssecConf {
            text,
            sections: Map::new(),
            problem: Some(format!("{}: {e}", path.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn conf(text: &str) -> OssecConf {
        OssecConf {
            sections: render(text).unwrap(),
            text: text.into(),
            problem: None,
        }
    }

    #[test]
    fn the_default_configuration_has_every_section_a_manager_has() {
        let c = conf(DEFAULT_TEXT);
        for section in [
            "alerts",
            "auth",
            "cis-cat",
            "cluster",
            "command",
            "global",
            "localfile",
            "osquery",
            "remote",
            "rootcheck",
            "ruleset",
            "sca",
            "syscheck",
            "syscollector",
            "vulnerability-detection",
            "indexer",
        ] {
            assert!(c.sections.contains_key(section), "{section}");
        }
        assert!(c.cluster().disabled);
        assert!(!c.update_check().enabled, "oxsec never calls out for updates");
        assert_eq!(
            c.sections["localfile"].as_array().map(Vec::len),
            Some(7),
            "both blocks are read"
        );
        let ruleset = oxsec_ruleset::RulesetConfig::from_ossec_conf(DEFAULT_TEXT)
            .unwrap()
            .unwrap();
        assert_eq!(
            ruleset,
            oxsec_ruleset::RulesetConfig::default(),
            "the same ruleset as without a file"
        );
    }

    #[test]
    fn cluster_is_disabled_without_its_section_and_enabled_with_it() {
        assert!(conf("<ossec_config><global/></ossec_config>").cluster().disabled);
        let c = conf(
            "<ossec_config><cluster><node_name>n1</node_name><node_type>client</node_type></cluster></ossec_config>",
        )
        .cluster();
        assert!(!c.disabled);
        assert_eq!((c.node_name.as_str(), c.node_type.as_str()), ("n1", "worker"));
        let c = conf("<ossec_config><cluster><disabled>yes</disabled></cluster></ossec_config>").cluster();
        assert!(c.disabled);
    }

    #[test]
    fn update_check_defaults_to_enabled_against_wazuh_cti() {
        let u = conf("<ossec_config><global/></ossec_config>").update_check();
        assert!(u.enabled);
        assert_eq!(u.cti_url, DEFAULT_CTI_URL);
        let u = conf("<ossec_config><global><update_check>no</update_check><cti-url>http://cti:4041/</cti-url></global></ossec_config>")
            .update_check();
        assert!(!u.enabled);
        assert_eq!(u.cti_url, "http://cti:4041");
    }
}
