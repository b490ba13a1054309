//! Property tests that feed arbitrary patterns and events to the matchers and to the whole
//! pipeline (pre-decoding, decoding, rules) and require that nothing panics and every offset
//! stays inside its input. `OXSEC_FUZZ_CASES=N` raises the number of cases (the default keeps
//! the test command fast); a long run is how crashes are hunted, and any input found is kept
//! below as a named regression case.

use std::sync::OnceLock;

use oxsec_ruleset::matcher::{OsMatch, OsRegex, Pcre2};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("OXSEC_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

/// Pattern pieces that reach every branch of the matchers: classes with and without
/// quantifiers, parentheses, anchors, alternatives, escapes, multi-byte text.
fn pattern() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\\w".to_owned()),
        Just("\\d+".to_owned()),
        Just("\\S*".to_owned()),
        Just("\\s".to_owned()),
        Just("\\.+".to_owned()),
        Just("\\p*".to_owned()),
        Just("\\W".to_owned()),
        Just("\\(".to_owned()),
        Just("\\\\".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("|".to_owned()),
        Just("^".to_owned()),
        Just("$".to_owned()),
        Just("\\".to_owned()),
        "[a-c:= é.-]{1,3}",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// Patterns that open with single-byte tokens and a literal run (tag-like, `\pName\p(\.+)`),
/// where the search starts only where the run occurs.
fn opening_pattern() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\\p".to_owned()),
        Just("\\w".to_owned()),
        Just("\\d".to_owned()),
        Just("ab".to_owned()),
        Just("ba".to_owned()),
        Just("a".to_owned()),
        Just("<".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("\\.+".to_owned()),
        Just("\\S+".to_owned()),
        Just("\\d*".to_owned()),
        Just("|".to_owned()),
        Just("$".to_owned()),
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        "[a-c:= é.()\\-0-9]{0,40}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn os_regex_never_panics(p in pattern(), s in input(), captures in any::<bool>()) {
        if let Ok(re) = OsRegex::new(&p, captures) {
            if let Some(m) = re.find(&s) {
                prop_assert!(m.end <= s.len());
                prop_assert!(m.captures.iter().all(|c| c.len() <= s.len()));
            }
        }
    }

    #[test]
    fn shortcuts_change_no_result(
        p in prop_oneof![pattern(), opening_pattern()],
        s in prop_oneof![input(), "[ab<>1 /]{0,40}".prop_map(String::into_bytes)],
        captures in any::<bool>(),
    ) {
        if let Ok(re) = OsRegex::new(&p, captures) {
            prop_assert_eq!(re.find(&s), re.find_every_start(&s), "pattern {:?}", p);
        }
    }

    #[test]
    fn os_match_and_pcre2_never_panic(p in pattern(), s in input()) {
        if let Ok(m) = OsMatch::new(&p) {
            let _ = m.is_match(&s);
        }
        if let Ok(re) = Pcre2::new(&p) {
            if let Some(m) = re.find(&s) {
                prop_assert!(m.end <= s.len());
            }
        }
    }

    #[test]
    fn the_pipeline_never_panics(event in prop_oneof![
        "[A-Za-z0-9 :\\[\\]{}\"=,./-]{0,120}",
        proptest::collection::vec(any::<char>(), 0..80).prop_map(|c| c.into_iter().collect::<String>()),
        Just("Dec 29 10:00:01 host sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2".to_owned()),
        Just("{\"win\":{\"system\":{\"eventID\":\"4625\"}},\"a\":[1,{\"b\":null}]}".to_owned()),
    ]) {
        let Some(engine) = engine() else { return Ok(()) };
        let mut memory = oxsec_ruleset::analyze::Memory::default();
        for _ in 0..2 {
            let _ = engine.process(&event, &mut memory);
        }
    }
}

/// The shared upstream ruleset with the test files, loaded once for every case.
fn engine() -> Option<&'static oxsec_ruleset::vectors::Engine> {
    static ENGINE: OnceLock<Option<(tempfile::TempDir, oxsec_ruleset::vectors::Engine)>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wazuh-ruleset");
            if !shared.join("rules").is_dir() {
                return None;
            }
            let data = tempfile::tempdir().ok()?;
            let engine = oxsec_ruleset::vectors::prepare(&shared, data.path()).ok()?;
            Some((data, engine))
        })
        .as_ref()
        .map(|(_, e)| e)
}

/// Inputs earlier runs found interesting, kept as fixed cases.
#[test]
fn recorded_cases() {
    for (p, s) in [("(\\S*)$|a", "é"), ("\\.+(", ""), ("^\\S*\\.(\\d*)$", "=   =")] {
        for captures in [false, true] {
            if let Ok(re) = OsRegex::new(p, captures) {
                let _ = re.find(s.as_bytes());
            }
        }
    }
}
