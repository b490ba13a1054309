//! Wazuh's ruleset regression vectors (`../shared/wazuh-ruleset/testing/tests/*.ini`), set up as
//! upstream's `runtests.py` does (the test decoders and rules of `testing/ruleset` join the user
//! directories). Until rules are evaluated, only the decoder each vector expects is checked,
//! for the `pass` cases; the share that matches is a ratchet that may only go up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oxsec_ruleset::analyze::RuleSet;
use oxsec_ruleset::decode::DecoderSet;
use oxsec_ruleset::{Catalog, Roots, RulesetConfig};

/// The share of `pass` vectors whose last event gets the expected decoder, at least.
const DECODER_FLOOR: f64 = 1.0;
/// The share of `pass` vectors whose last event fires the expected rule at the expected level
/// with the expected decoder, at least.
const RULE_FLOOR: f64 = 1.0;

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wazuh-ruleset");
    p.join("testing/tests").is_dir().then_some(p)
}

/// One `[section]`: its keys, repeated keys' values joined by newlines (configparser's way).
type Section = BTreeMap<String, String>;

/// Reads an `.ini` file as Python's RawConfigParser (strict=False, appending repeats) does.
fn parse_ini(text: &str) -> Vec<(String, Section)> {
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
            // A continuation line of the previous value.
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

fn copy_test_files(from: &Path, etc: &Path) {
    for kind in ["decoders", "rules"] {
        std::fs::create_dir_all(etc.join(kind)).expect("etc dir");
    }
    for e in std::fs::read_dir(from).expect("testing/ruleset").filter_map(Result::ok) {
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
        std::fs::copy(e.path(), etc.join(kind).join(&name)).expect("copy");
    }
}

#[test]
fn expected_decoders_of_the_upstream_vectors() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared/wazuh-ruleset is not present");
        return;
    };
    let data = tempfile::tempdir().expect("tmp");
    copy_test_files(&shared.join("testing/ruleset"), &data.path().join("etc"));
    // As runtests.py: rule 60000 takes the JSON-decoded Windows events the vectors feed.
    let ruleset = data.path().join("ruleset");
    for part in ["rules", "decoders", "lists"] {
        oxsec_ruleset::install::copy_tree(&shared.join(part), &ruleset.join(part), 0).expect("copy");
    }
    oxsec_ruleset::install::copy_tree(&shared.join("lists"), &data.path().join("etc/lists"), 0).expect("lists");
    let win = ruleset.join("rules/0575-win-base_rules.xml");
    let text = std::fs::read_to_string(&win).expect("0575");
    let patched = text.replacen(
        "<category>ossec</category>\n    <decoded_as>windows_eventchannel</decoded_as>",
        "<decoded_as>json</decoded_as>",
        1,
    );
    assert_ne!(patched, text, "rule 60000 is not as runtests.py expects");
    std::fs::write(&win, patched).expect("patch");
    let catalog = Catalog::load(
        Roots {
            ruleset: Some(ruleset),
            data_dir: data.path().to_owned(),
        },
        RulesetConfig::default(),
    );
    let decoders = DecoderSet::build(&catalog.decoders);
    let rules = RuleSet::build(&catalog.rules, &catalog.lists);
    let mut rule_matched = 0usize;
    let mut fail_total = 0usize;
    let mut fail_wrong: Vec<String> = Vec::new();
    let mut rule_misses: Vec<String> = Vec::new();
    let mut total = 0usize;
    let mut matched = 0usize;
    let mut misses: Vec<String> = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("testing/tests"))
        .expect("tests")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ini"))
        .filter(|p| !p.to_string_lossy().ends_with("geoip.ini"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("ini");
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (name, section) in parse_ini(&text) {
            let Some(expected) = section.get("decoder") else {
                continue;
            };
            for (key, lines) in &section {
                let passing = key.ends_with(" pass");
                if !key.starts_with("log ") || !(passing || key.ends_with(" fail")) {
                    continue;
                }
                // One logtest session per key: its lines in order, the last one judged.
                let session: Vec<&str> = lines.lines().filter(|l| !l.trim().is_empty()).collect();
                let Some((last, earlier)) = session.split_last() else {
                    continue;
                };
                if passing {
                    total += 1;
                }
                let mut memory = oxsec_ruleset::analyze::Memory::default();
                for line in earlier {
                    let event =
                        oxsec_ruleset::predecode::predecode(&format!("1:stdin:{line}"), "manager").expect("framed");
                    let decoded = decoders.decode(&event);
                    rules.process(&event, &decoded, &mut memory, 0);
                }
                let event = oxsec_ruleset::predecode::predecode(&format!("1:stdin:{last}"), "manager").expect("framed");
                let decoded = decoders.decode(&event);
                let got = decoded.name.clone().unwrap_or_default();
                if !passing {
                    // A `fail` case must not give the expected rule, level and decoder.
                    let fired = rules.process(&event, &decoded, &mut memory, 0);
                    let (id, level) = fired.map_or((String::new(), String::new()), |f| {
                        (f.id.to_string(), f.level.to_string())
                    });
                    let want = (
                        section.get("rule").cloned().unwrap_or_default(),
                        section.get("alert").cloned().unwrap_or_default(),
                    );
                    fail_total += 1;
                    // Like wazuh-logtest -U: an empty expected value can never be met.
                    let meetable = !want.0.is_empty() && !want.1.is_empty() && !expected.is_empty();
                    if meetable && (&id, &level, &got) == (&want.0, &want.1, expected) {
                        fail_wrong.push(format!(
                            "{stem} [{name}] {key}: gave the expected rule {id} although it must not"
                        ));
                    }
                    continue;
                }
                if &got == expected {
                    matched += 1;
                } else {
                    misses.push(format!("{stem} [{name}] {key}: expected {expected:?}, got {got:?}"));
                }
                let fired = rules.process(&event, &decoded, &mut memory, 0);
                let (id, level) = fired.map_or((String::new(), String::new()), |f| {
                    (f.id.to_string(), f.level.to_string())
                });
                let want = (
                    section.get("rule").cloned().unwrap_or_default(),
                    section.get("alert").cloned().unwrap_or_default(),
                );
                if (&id, &level, &got) == (&want.0, &want.1, expected) {
                    rule_matched += 1;
                } else {
                    rule_misses.push(format!(
                        "{stem} [{name}] {key}: expected rule {} level {}, got {id:?} level {level:?}",
                        want.0, want.1
                    ));
                }
            }
        }
    }
    let share = matched as f64 / total.max(1) as f64;
    eprintln!(
        "decoders: {matched}/{total} vectors ({:.1}%); {} decoder problems: {:?}",
        share * 100.0,
        decoders.problems.len(),
        decoders.problems.iter().take(5).collect::<Vec<_>>()
    );
    for m in misses.iter().take(40) {
        eprintln!("  {m}");
    }
    let rule_share = rule_matched as f64 / total.max(1) as f64;
    eprintln!(
        "rules: {rule_matched}/{total} vectors ({:.1}%); {} rule problems: {:?}",
        rule_share * 100.0,
        rules.problems.len(),
        rules.problems.iter().take(8).collect::<Vec<_>>()
    );
    for m in rule_misses.iter().take(60) {
        eprintln!("  {m}");
    }
    eprintln!(
        "fail cases: {} of {fail_total} wrongly give the expected result",
        fail_wrong.len()
    );
    for m in &fail_wrong {
        eprintln!("  {m}");
    }
    assert!(total > 1000, "only {total} vectors read");
    assert!(fail_total > 40, "only {fail_total} fail cases read");
    assert_eq!(
        fail_wrong,
        Vec::<String>::new(),
        "fail cases must not give the expected result"
    );
    assert!(rule_share >= RULE_FLOOR, "{rule_share:.3} below the floor {RULE_FLOOR}");
    assert_eq!(
        decoders.problems,
        Vec::<String>::new(),
        "every upstream decoder compiles"
    );
    assert!(share >= DECODER_FLOOR, "{:.3} below the floor {DECODER_FLOOR}", share);
}
