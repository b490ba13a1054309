//! Wazuh's ruleset regression vectors (`testing/tests/*.ini` of a Wazuh ruleset) and the way
//! upstream's `runtests.py` runs them: the test decoders and rules of `testing/ruleset` join the
//! user directories, rule 60000 takes JSON-decoded Windows events, each `log N pass|fail` key is
//! one logtest session whose lines run in order and whose last line is judged on (rule id, level,
//! decoder name). Used by the conformance test, the benchmark and `oxsec` tooling alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::analyze::Memory;
use crate::{Catalog, Roots, RulesetConfig};

/// One test case: a session of log lines and what its last line must (or must not) give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The `.ini` file's stem, e.g. `sshd`.
    pub file: String,
    /// The section name.
    pub section: String,
    /// The key, e.g. `log 1 pass`.
    pub key: String,
    /// `pass` (must give the expectation) or `fail` (must not).
    pub passing: bool,
    /// The session's lines, in order.
    pub lines: Vec<String>,
    /// Expected rule id, level and decoder name (as written; empty when not given).
    pub expected: (String, String, String),
}

/// What a session's last line gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Rule id, level and decoder name (empty strings when none).
    pub got: (String, String, String),
    /// Whether the case is met as `wazuh-logtest -U` judges it.
    pub ok: bool,
}

impl Case {
    /// Runs the session and judges its last line.
    pub fn run(&self, engine: &Engine) -> Outcome {
        let mut memory = Memory::default();
        let mut got = (String::new(), String::new(), String::new());
        for line in &self.lines {
            got = engine.process(line, &mut memory);
        }
        // An empty expected value can never be met (logtest -U exits non-zero).
        let meetable = !self.expected.0.is_empty() && !self.expected.1.is_empty() && !self.expected.2.is_empty();
        let met = meetable && got == self.expected;
        Outcome {
            ok: met == self.passing,
            got,
        }
    }
}

pub use crate::engine::Engine;

impl Engine {
    /// Processes one line as logtest does (`location` stdin): (rule id, level, decoder name).
    pub fn process(&self, line: &str, memory: &mut Memory) -> (String, String, String) {
        self.process_at(line, memory, 0)
    }

    /// [`Engine::process`] at processing time `now` (seconds).
    pub fn process_at(&self, line: &str, memory: &mut Memory, now: i64) -> (String, String, String) {
        let Ok(a) = self.analyze(&format!("1:stdin:{line}"), "manager", memory, now) else {
            return (String::new(), String::new(), String::new());
        };
        let (id, level) = a.fired.map_or((String::new(), String::new()), |f| {
            (f.id.to_string(), f.level.to_string())
        });
        (id, level, a.decoded.name.unwrap_or_default())
    }
}

/// Sets up the data dir `data` as runtests.py sets up a manager for the vectors of the ruleset
/// at `ruleset` (a directory with `rules/`, `decoders/`, `lists/` and `testing/`), and loads it.
pub fn prepare(ruleset: &Path, data: &Path) -> std::io::Result<Engine> {
    let etc = data.join("etc");
    for kind in ["decoders", "rules"] {
        std::fs::create_dir_all(etc.join(kind))?;
    }
    for e in std::fs::read_dir(ruleset.join("testing/ruleset"))?.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with("test_") {
            continue;
        }
        let kind = if name.ends_with("decoders.xml") {
            "decoders"
        } else if name.ends_with("rules.xml") {
            "rules"
        } else {
            continue;
        };
        std::fs::copy(e.path(), etc.join(kind).join(&name))?;
    }
    let shipped = data.join("ruleset");
    for part in ["rules", "decoders", "lists"] {
        crate::install::copy_tree(&ruleset.join(part), &shipped.join(part), 0)?;
    }
    crate::install::copy_tree(&ruleset.join("lists"), &etc.join("lists"), 0)?;
    // Rule 60000 takes the JSON-decoded Windows events the vectors feed.
    let win = shipped.join("rules/0575-win-base_rules.xml");
    if let Ok(text) = std::fs::read_to_string(&win) {
        let patched = text.replacen(
            "<category>ossec</category>\n    <decoded_as>windows_eventchannel</decoded_as>",
            "<decoded_as>json</decoded_as>",
            1,
        );
        std::fs::write(&win, patched)?;
    }
    let catalog = Catalog::load(
        Roots {
            ruleset: Some(shipped),
            data_dir: data.to_owned(),
        },
        RulesetConfig::default(),
    );
    Ok(Engine::build(&catalog))
}

/// Every case of the `.ini` files in `dir` (GeoIP files left out, as upstream does by default),
/// files in name order.
pub fn load_cases(dir: &Path) -> std::io::Result<Vec<Case>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ini"))
        .filter(|p| !p.to_string_lossy().ends_with("geoip.ini"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path)?;
        let file = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (section, keys) in parse_ini(&text) {
            let get = |k: &str| keys.get(k).cloned().unwrap_or_default();
            let expected = (get("rule"), get("alert"), get("decoder"));
            for (key, value) in &keys {
                let passing = key.ends_with(" pass");
                if !key.starts_with("log ") || !(passing || key.ends_with(" fail")) {
                    continue;
                }
                let lines: Vec<String> = value
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                cases.push(Case {
                    file: file.clone(),
                    section: section.clone(),
                    key: key.clone(),
                    passing,
                    lines,
                    expected: expected.clone(),
                });
            }
        }
    }
    Ok(cases)
}

/// One `[section]`: its keys (lower-cased), values of repeated keys joined by newlines.
pub type Section = BTreeMap<String, String>;

/// Reads an `.ini` file as Python's RawConfigParser (strict=False, repeated keys appended)
/// does: `key = value` or `key: value`, indented continuation lines, `;`/`#` comments.
pub fn parse_ini(text: &str) -> Vec<(String, Section)> {
    let mut out: Vec<(String, Section)> = Vec::new();
    let mut last_key: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with(';') || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.is_empty() {
            last_key = None;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let (Some(k), Some((_, s))) = (&last_key, out.last_mut()) {
                if let Some(v) = s.get_mut(k) {
                    v.push('\n');
                    v.push_str(trimmed);
                }
            }
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            out.push((name.to_owned(), Section::new()));
            last_key = None;
            continue;
        }
        let Some(split) = line.find(['=', ':']) else { continue };
        let key = line[..split].trim().to_lowercase();
        let value = line[split + 1..].trim().to_owned();
        if let Some((_, s)) = out.last_mut() {
            s.entry(key.clone())
                .and_modify(|v| {
                    v.push('\n');
                    v.push_str(&value);
                })
                .or_insert(value);
            last_key = Some(key);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_files_read_as_configparser_reads_them() {
        let ini = "; comment\n[brute force]\nlog 1 pass = line one\nlog 1 pass = line two\n  continued\nrule = 5712\nAlert: 10\n\n[other]\nlog 2 fail = x=y\n";
        let parsed = parse_ini(ini);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].1["log 1 pass"], "line one\nline two\ncontinued");
        assert_eq!(parsed[0].1["alert"], "10");
        assert_eq!(parsed[1].1["log 2 fail"], "x=y");
    }
}
