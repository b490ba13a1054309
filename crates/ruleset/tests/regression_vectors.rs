//! Wazuh's ruleset regression vectors (`../shared/wazuh-ruleset/testing/tests/*.ini`), run as
//! upstream's `runtests.py` runs them (see `oxsec_ruleset::vectors`). Prints a per-file report
//! (passed, failed, the first differing case) and holds the engine to the recorded pass rate
//! (`docs/CONFORMANCE.md`): the floor below may only go up.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Share of cases (pass and fail) met, at least: the figure in docs/CONFORMANCE.md.
const FLOOR: f64 = 1.0;

#[test]
fn upstream_ruleset_vectors() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wazuh-ruleset");
    if !shared.join("testing/tests").is_dir() {
        eprintln!("skipped: {} is not present", shared.display());
        return;
    }
    let data = tempfile::tempdir().expect("tmp");
    let engine = oxsec_ruleset::vectors::prepare(&shared, data.path()).expect("prepare");
    assert_eq!(
        engine.decoders.problems,
        Vec::<String>::new(),
        "every upstream decoder compiles"
    );
    let cases = oxsec_ruleset::vectors::load_cases(&shared.join("testing/tests")).expect("cases");
    // Per file: passed, failed, first failure.
    let mut report: BTreeMap<String, (usize, usize, Option<String>)> = BTreeMap::new();
    for case in &cases {
        let outcome = case.run(&engine);
        let entry = report.entry(case.file.clone()).or_default();
        if outcome.ok {
            entry.0 += 1;
        } else {
            entry.1 += 1;
            entry.2.get_or_insert_with(|| {
                format!(
                    "[{}] {}: expected (rule, level, decoder) {:?}, got {:?}",
                    case.section, case.key, case.expected, outcome.got
                )
            });
        }
    }
    let passed: usize = report.values().map(|r| r.0).sum();
    let total = cases.len();
    eprintln!("{:<40} {:>6} {:>6}  first failure", "file", "passed", "failed");
    for (file, (p, f, first)) in &report {
        eprintln!("{file:<40} {p:>6} {f:>6}  {}", first.as_deref().unwrap_or(""));
    }
    let share = passed as f64 / total.max(1) as f64;
    eprintln!("total: {passed}/{total} ({:.2}%)", share * 100.0);
    assert!(total > 1300, "only {total} cases read");
    assert!(
        share >= FLOOR,
        "{passed}/{total} = {share:.4}, below the recorded {FLOOR}"
    );
}
