//! The `<ruleset>` section of an ossec.conf: which directories and files make the ruleset.

use crate::lenient;

/// The options of `<ruleset>` the API uses (Wazuh's `rule_include`/`decoder_include` keep only
/// their last occurrence; the others are lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesetConfig {
    /// `rule_dir`: directories of rule files, relative (`ruleset/rules`, `etc/rules`).
    pub rule_dirs: Vec<String>,
    /// `rule_exclude`: rule file names that are listed but not loaded.
    pub rule_exclude: Vec<String>,
    /// `rule_include`: one extra rule file.
    pub rule_include: Option<String>,
    /// `decoder_dir`.
    pub decoder_dirs: Vec<String>,
    /// `decoder_exclude`.
    pub decoder_exclude: Vec<String>,
    /// `decoder_include`.
    pub decoder_include: Option<String>,
}

impl Default for RulesetConfig {
    /// Wazuh's shipped ossec.conf.
    fn default() -> Self {
        RulesetConfig {
            rule_dirs: vec!["ruleset/rules".into(), "etc/rules".into()],
            rule_exclude: vec!["0215-policy_rules.xml".into()],
            rule_include: None,
            decoder_dirs: vec!["ruleset/decoders".into(), "etc/decoders".into()],
            decoder_exclude: Vec::new(),
            decoder_include: None,
        }
    }
}

impl RulesetConfig {
    /// No directories, no files.
    pub fn empty() -> RulesetConfig {
        RulesetConfig {
            rule_dirs: Vec::new(),
            rule_exclude: Vec::new(),
            rule_include: None,
            decoder_dirs: Vec::new(),
            decoder_exclude: Vec::new(),
            decoder_include: None,
        }
    }

    /// The `<ruleset>` sections of an ossec.conf (several merge), or `None` when it has none.
    pub fn from_ossec_conf(text: &str) -> Result<Option<RulesetConfig>, oxsec_xml::XmlError> {
        let roots = lenient::parse(text)?;
        let mut found = false;
        let mut c = RulesetConfig::empty();
        let sections = roots
            .iter()
            .filter(|r| r.name == "ossec_config")
            .flat_map(|r| r.children_named("ruleset"));
        for section in sections {
            found = true;
            for opt in &section.children {
                let value = opt.text.trim().to_owned();
                if value.is_empty() {
                    continue;
                }
                match opt.name.as_str() {
                    "rule_dir" => c.rule_dirs.push(value),
                    "rule_exclude" => c.rule_exclude.push(value),
                    "rule_include" => c.rule_include = Some(value),
                    "decoder_dir" => c.decoder_dirs.push(value),
                    "decoder_exclude" => c.decoder_exclude.push(value),
                    "decoder_include" => c.decoder_include = Some(value),
                    _ => {}
                }
            }
        }
        Ok(found.then_some(c))
    }
}

/// The analysis options of an ossec.conf beyond `<ruleset>`: `<alerts><log_alert_level>` and
/// `<rule_test>` (logtest), with Wazuh's defaults and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisOptions {
    /// Lowest rule level written as an alert (default 3).
    pub log_alert_level: i64,
    /// Whether logtest answers at all (default yes).
    pub logtest_enabled: bool,
    /// Logtest sessions kept at once; the least recently used goes first (default 64, at most 500).
    pub logtest_max_sessions: usize,
    /// Seconds of inactivity after which a logtest session is dropped (default 15 minutes, at
    /// most a year).
    pub logtest_session_timeout: u64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            log_alert_level: 3,
            logtest_enabled: true,
            logtest_max_sessions: 64,
            logtest_session_timeout: 900,
        }
    }
}

impl AnalysisOptions {
    /// Reads the options of an ossec.conf; what is absent or out of range keeps Wazuh's
    /// default (or limit), as wazuh-analysisd reads them.
    pub fn from_ossec_conf(text: &str) -> Result<AnalysisOptions, oxsec_xml::XmlError> {
        let roots = lenient::parse(text)?;
        let mut o = AnalysisOptions::default();
        for config in roots.iter().filter(|r| r.name == "ossec_config") {
            for level in config
                .children_named("alerts")
                .flat_map(|a| a.children_named("log_alert_level"))
            {
                if let Ok(n) = level.text.trim().parse::<i64>() {
                    o.log_alert_level = n.clamp(0, 16);
                }
            }
            for section in config.children_named("rule_test") {
                for opt in &section.children {
                    let value = opt.text.trim();
                    match opt.name.as_str() {
                        "enabled" => o.logtest_enabled = value != "no",
                        "max_sessions" => {
                            if let Ok(n) = value.parse::<usize>() {
                                o.logtest_max_sessions = n.clamp(1, 500);
                            }
                        }
                        "session_timeout" => {
                            if let Some(n) = seconds(value) {
                                o.logtest_session_timeout = n.clamp(1, 31_536_000);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(o)
    }
}

/// Wazuh's time values: a number of seconds, or with an `s`, `m`, `h`, `d` or `w` suffix.
pub fn seconds(value: &str) -> Option<u64> {
    let (digits, unit) = match value.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&value[..i], c),
        _ => (value, 's'),
    };
    let n: u64 = digits.parse().ok()?;
    let factor = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    n.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_merge_and_includes_keep_the_last() {
        let conf = "<ossec_config><ruleset><rule_dir>ruleset/rules</rule_dir><rule_include>a.xml</rule_include>\
                    <rule_include>b.xml</rule_include></ruleset></ossec_config>\n\
                    <ossec_config><ruleset><rule_exclude>x.xml</rule_exclude><decoder_dir>etc/decoders</decoder_dir>\
                    </ruleset></ossec_config>";
        let c = RulesetConfig::from_ossec_conf(conf).expect("parse").expect("section");
        assert_eq!(c.rule_dirs, ["ruleset/rules"]);
        assert_eq!(c.rule_include.as_deref(), Some("b.xml"));
        assert_eq!(c.rule_exclude, ["x.xml"]);
        assert_eq!(c.decoder_dirs, ["etc/decoders"]);
        assert_eq!(RulesetConfig::from_ossec_conf("<ossec_config/>").expect("parse"), None);
    }

    #[test]
    fn analysis_options_read_with_defaults_and_limits() {
        let conf = "<ossec_config><alerts><log_alert_level>5</log_alert_level></alerts>\
                    <rule_test><max_sessions>9000</max_sessions><session_timeout>2m</session_timeout></rule_test></ossec_config>";
        let o = AnalysisOptions::from_ossec_conf(conf).expect("parse");
        assert_eq!(o.log_alert_level, 5);
        assert_eq!(o.logtest_max_sessions, 500, "clamped to Wazuh's maximum");
        assert_eq!(o.logtest_session_timeout, 120);
        assert!(o.logtest_enabled);
        let defaults = AnalysisOptions::from_ossec_conf("<ossec_config/>").expect("parse");
        assert_eq!(defaults, AnalysisOptions::default());
        assert_eq!(seconds("bogus"), None);
        assert_eq!(seconds("30"), Some(30));
    }
}
