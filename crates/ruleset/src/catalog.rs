//! A loaded ruleset: every file, rule, decoder and list, read once and shared.

use crate::config::RulesetConfig;
use crate::decoders::{self, Decoder};
use crate::files::{list_files, FileEntry, Roots};
use crate::lists::{self, CdbList};
use crate::rules::{self, Rule};

/// Everything the ruleset endpoints list.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Where relative directories point.
    pub roots: Roots,
    /// The `<ruleset>` options in force.
    pub config: RulesetConfig,
    /// Rule files, enabled and disabled.
    pub rule_files: Vec<FileEntry>,
    /// Decoder files, enabled and disabled.
    pub decoder_files: Vec<FileEntry>,
    /// The rules of every listed rule file, in file order.
    pub rules: Vec<Rule>,
    /// The decoders of every listed decoder file, in file order.
    pub decoders: Vec<Decoder>,
    /// The CDB lists under `etc/lists`.
    pub lists: Vec<CdbList>,
    /// Files that could not be read, each with the reason (they contribute nothing).
    pub problems: Vec<String>,
}

impl Catalog {
    /// A catalog with nothing in it (before the first load).
    pub fn empty(roots: Roots) -> Catalog {
        Catalog {
            roots,
            config: RulesetConfig::empty(),
            rule_files: Vec::new(),
            decoder_files: Vec::new(),
            rules: Vec::new(),
            decoders: Vec::new(),
            lists: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Reads the ruleset the configuration names.
    pub fn load(roots: Roots, config: RulesetConfig) -> Catalog {
        let rule_files = list_files(
            &roots,
            config.rule_include.as_deref(),
            &config.rule_exclude,
            &config.rule_dirs,
        );
        let decoder_files = list_files(
            &roots,
            config.decoder_include.as_deref(),
            &config.decoder_exclude,
            &config.decoder_dirs,
        );
        let mut problems = Vec::new();
        let mut rules = Vec::new();
        for f in &rule_files {
            match read(&roots, f).map(|text| rules::parse_file(&text, f).map_err(|e| e.to_string())) {
                Ok(Ok(mut found)) => rules.append(&mut found),
                Ok(Err(e)) | Err(e) => problems.push(format!("{}/{}: {e}", f.relative_dirname, f.filename)),
            }
        }
        let mut decoders = Vec::new();
        for f in &decoder_files {
            match read(&roots, f).map(|text| decoders::parse_file(&text, f).map_err(|e| e.to_string())) {
                Ok(Ok(mut found)) => decoders.append(&mut found),
                Ok(Err(e)) | Err(e) => problems.push(format!("{}/{}: {e}", f.relative_dirname, f.filename)),
            }
        }
        // A list that cannot be read stays listed with its problem: the API reports it (1800)
        // rather than pretending it does not exist.
        let mut cdb = Vec::new();
        for (rel, name) in lists::find(&roots.data_dir.join("etc").join("lists")) {
            let path = roots.data_dir.join(&rel).join(&name);
            let parsed = std::fs::read_to_string(&path)
                .map_err(|e| e.to_string())
                .and_then(|text| lists::parse(&text).map_err(|e| e.to_string()));
            let (items, problem) = match parsed {
                Ok(items) => (items, None),
                Err(e) => {
                    problems.push(format!("{rel}/{name}: {e}"));
                    (Vec::new(), Some(e))
                }
            };
            cdb.push(CdbList {
                filename: name,
                relative_dirname: rel,
                items,
                problem,
            });
        }
        Catalog {
            roots,
            config,
            rule_files,
            decoder_files,
            rules,
            decoders,
            lists: cdb,
            problems,
        }
    }
}

fn read(roots: &Roots, f: &FileEntry) -> Result<String, String> {
    let path = roots
        .file(&f.relative_dirname, &f.filename)
        .ok_or_else(|| "outside the ruleset and etc directories".to_owned())?;
    std::fs::read_to_string(&path).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The upstream ruleset shipped beside the repository for tests.
    fn shared_ruleset() -> Option<PathBuf> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wazuh-ruleset");
        p.join("rules").is_dir().then_some(p)
    }

    #[test]
    fn the_upstream_ruleset_loads_completely() {
        let Some(ruleset) = shared_ruleset() else {
            eprintln!("skipped: ../shared/wazuh-ruleset is not present");
            return;
        };
        let data = tempfile::tempdir().expect("tmp");
        let c = Catalog::load(
            Roots {
                ruleset: Some(ruleset),
                data_dir: data.path().to_owned(),
            },
            RulesetConfig::default(),
        );
        assert_eq!(c.problems, Vec::<String>::new());
        assert_eq!(c.rule_files.len(), 168);
        assert_eq!(c.decoder_files.len(), 120);
        // Upstream's API lists 4513 rules and 1576 decoders with etc/'s two sample files, which
        // hold one rule and one decoder.
        assert_eq!(c.rules.len(), 4512);
        assert_eq!(c.decoders.len(), 1575);
        let disabled: Vec<&str> = c
            .rule_files
            .iter()
            .filter(|f| f.status == crate::Status::Disabled)
            .map(|f| f.filename.as_str())
            .collect();
        assert_eq!(disabled, ["0215-policy_rules.xml"]);
        let r = c.rules.iter().find(|r| r.id == 5714).expect("5714");
        assert_eq!(r.to_json()["details"]["info"][0]["name"], "2001-0144");
    }
}
