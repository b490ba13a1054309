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
}
