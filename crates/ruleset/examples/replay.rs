//! Replays every log line of the upstream regression vectors through the engine (pre-decoding,
//! decoding, rule matching with correlation memory), repeated to at least a million events, on
//! one thread and then on every core; prints events per second and the process's peak memory.
//!
//! cargo run --release -p oxsec-ruleset --example replay [-- RULESET_DIR [EVENTS]]

use std::path::PathBuf;
use std::time::Instant;

use oxsec_ruleset::analyze::Memory;

// The allocator the oxsec binary runs with, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ruleset = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wazuh-ruleset"));
    let wanted: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let data = tempfile::tempdir().expect("tmp");
    let started = Instant::now();
    let engine = oxsec_ruleset::vectors::prepare(&ruleset, data.path()).expect("prepare");
    let load = started.elapsed();
    let cases = oxsec_ruleset::vectors::load_cases(&ruleset.join("testing/tests")).expect("cases");
    let lines: Vec<String> = cases.iter().flat_map(|c| c.lines.iter().cloned()).collect();
    let rounds = wanted.div_ceil(lines.len().max(1));
    let total = rounds * lines.len();
    println!(
        "ruleset loaded in {} ms; {} distinct lines, replayed {rounds} times = {total} events; RSS after load {} MiB",
        load.as_millis(),
        lines.len(),
        rss_kib("VmRSS:") / 1024
    );

    // The clock advances as if 50,000 events arrived each second, so correlation windows close
    // as they would on a busy manager.
    let run = |n: usize| {
        let mut memory = Memory::default();
        let mut fired = 0usize;
        let mut seen = 0i64;
        for _ in 0..n {
            for line in &lines {
                if !engine.process_at(line, &mut memory, seen / 50_000).0.is_empty() {
                    fired += 1;
                }
                seen += 1;
            }
        }
        fired
    };
    // The best of three runs: a shared VM's neighbours only ever slow a run down.
    let mut best = f64::MAX;
    let mut fired = 0;
    for _ in 0..3 {
        let t = Instant::now();
        fired = run(rounds);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "1 thread (best of 3): {total} events in {best:.2} s = {:.0} events/s ({fired} matched a rule)",
        total as f64 / best
    );

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| run(rounds.div_ceil(threads)));
        }
    });
    let secs = t.elapsed().as_secs_f64();
    let all = rounds.div_ceil(threads) * threads * lines.len();
    println!(
        "{threads} threads: {all} events in {secs:.2} s = {:.0} events/s; peak RSS {} MiB",
        all as f64 / secs,
        rss_kib("VmHWM:") / 1024
    );
}
