//! Throughput of the whole log pipeline (normalise -> recognise -> errors ->
//! timing -> `finish`) over the real H200 trace logs, concatenated in memory
//! and fed in watcher-sized chunks.
//!
//! Wiring (Cargo.toml of `app`): `[[bench]] name = "log_pipeline"
//! harness = false` and `divan` under `[dev-dependencies]`.

use app::domain::logs::LogAnalyzer;
use app::domain::logs::parallel::halves;
use divan::counter::BytesCount;
use divan::{Bencher, black_box};

/// The watcher hands the analyzer at most this much per check.
const CHUNK: usize = 64 * 1024;
/// Repeat the traces up to about this size so one iteration is measurable.
const TARGET_BYTES: usize = 16 * 1024 * 1024;

fn main() {
    divan::main();
}

/// Every `*.log` under `server/data/traces/h200`, concatenated and repeated
/// (or the file that `CANOPY_BENCH_LOG` names, to measure one kind of log).
fn corpus() -> Vec<u8> {
    if let Some(path) = std::env::var_os("CANOPY_BENCH_LOG") {
        return std::fs::read(&path).expect("CANOPY_BENCH_LOG names a readable file");
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/traces/h200");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("trace directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    names.sort();
    let mut one = Vec::new();
    for p in &names {
        one.extend_from_slice(&std::fs::read(p).expect("trace log"));
    }
    assert!(!one.is_empty(), "no trace logs found in {dir}");
    let mut all = Vec::with_capacity(TARGET_BYTES + one.len());
    while all.len() < TARGET_BYTES {
        all.extend_from_slice(&one);
    }
    all
}

#[divan::bench]
fn pipeline(bencher: Bencher) {
    let data = corpus();
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| {
            let mut analyzer = LogAnalyzer::new();
            for (i, chunk) in black_box(&data).chunks(CHUNK).enumerate() {
                analyzer.push(chunk, Some(i as f64 * 0.1));
            }
            analyzer.finish()
        });
}

/// The front thread of `canopy analyze` alone: reads split into lines with
/// their facts (see `parallel::halves`).
#[divan::bench]
fn front_thread(bencher: Bencher) {
    let data = corpus();
    let mut split = halves::SplitInput::default();
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| halves::split(black_box(&data), &mut split));
}

/// The back thread of `canopy analyze` alone: the analyzer over lines the
/// front thread split beforehand.
#[divan::bench]
fn back_thread(bencher: Bencher) {
    let data = corpus();
    let mut split = halves::SplitInput::default();
    halves::split(&data, &mut split);
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench_local(|| halves::analyze(black_box(&split)));
}
