//! Loading the full upstream ruleset (`../shared/wazuh-ruleset`): every rule, decoder and list
//! file read, parsed and rendered as the API shows it. Target: under 300 ms (issue #6).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use oxsec_ruleset::{Catalog, Roots, RulesetConfig};

fn load(c: &mut Criterion) {
    let ruleset = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wazuh-ruleset");
    if !ruleset.join("rules").is_dir() {
        eprintln!("skipped: {} is not present", ruleset.display());
        return;
    }
    let data = tempfile::tempdir().expect("tmp");
    oxsec_ruleset::install::copy_tree(&ruleset.join("lists"), &data.path().join("etc/lists"), 0).expect("lists");
    let roots = Roots {
        ruleset: Some(ruleset),
        data_dir: data.path().to_owned(),
    };
    let mut group = c.benchmark_group("ruleset");
    group.sample_size(20);
    group.bench_function("load upstream 4.14.7 (catalog + API items)", |b| {
        b.iter(|| {
            let catalog = Catalog::load(roots.clone(), RulesetConfig::default());
            let rules: Vec<_> = catalog.rules.iter().map(|r| r.to_json()).collect();
            let decoders: Vec<_> = catalog.decoders.iter().map(|d| d.to_json()).collect();
            assert_eq!((rules.len(), decoders.len(), catalog.lists.len()), (4512, 1575, 7));
        })
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
