//! Parsing MITRE's enterprise ATT&CK bundle (`../shared/mitre/enterprise-attack-v15.json`) into
//! the objects, references and relations oxsec stores. The whole import (this, the store
//! transaction and the catalog build) is timed by scripts/bench-mitre.sh. Target: under 2 s (issue #8).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};

fn parse(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mitre/enterprise-attack-v15.json");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipped: {} is not present", path.display());
        return;
    };
    let mut group = c.benchmark_group("mitre");
    group.sample_size(10);
    group.bench_function("parse enterprise ATT&CK v15 bundle", |b| {
        b.iter(|| {
            let data = oxsec_ruleset::mitre::parse_bundle(&bytes).expect("bundle");
            assert!(data.objects.len() > 1000);
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
