//! Throughput of the whole log pipeline against `wc -l` on the same file,
//! measured in the same run, best of N for each: on one thread
//! (`LogAnalyzer::push` over the file in 256 KiB reads, then `finish`, as
//! the watcher runs it, without arrival times) and on two
//! (`parallel::analyze_reader_two_threads` over the same reads, as `canopy analyze
//! FILE` runs it). The example checks that both give the same analysis.
//!
//! ```text
//! cat server/data/traces/h200/*.log > /tmp/one.log
//! for i in $(seq 11400); do cat /tmp/one.log; done > /tmp/big.log   # ~1 GiB
//! cargo run --release -p app --features ssr --example log_throughput -- /tmp/big.log
//! /usr/bin/time -v target/release/examples/log_throughput /tmp/big.log --no-wc
//! ```
//!
//! Options: `--runs N` (default 3), `--no-wc` (skip the `wc -l` baseline,
//! e.g. under a profiler), `--quiet` (no analysis summary), `--threads 1`
//! or `--threads 2` (run only that pipeline, e.g. under a profiler).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

use app::domain::logs::parallel::{READ_CHUNK, analyze_reader_two_threads};
use app::domain::logs::{Analysis, LogAnalyzer};

/// What the watcher would hand the analyzer per read, at most: the same
/// read size as the two-thread pipeline, so the two compare like for like.
const CHUNK: usize = READ_CHUNK;

fn main() {
    let mut path = None;
    let mut runs = 3usize;
    let mut wc = true;
    let mut quiet = false;
    // Which pipelines to run: 1, 2 or both (one alone is for profiling).
    let mut threads = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            "--no-wc" => wc = false,
            "--quiet" => quiet = true,
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: log_throughput FILE [--runs N] [--no-wc] [--quiet] [--threads 1|2]");
        std::process::exit(2);
    };
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len() as f64,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    // Warm the page cache so every measurement reads from memory (a plain
    // read, so a profile of one pipeline shows only that pipeline).
    if let Ok(mut f) = std::fs::File::open(&path) {
        let mut buf = vec![0; CHUNK];
        while matches!(f.read(&mut buf), Ok(n) if n > 0) {}
    }

    let mut wc_best = None;
    if wc {
        let mut best = f64::MAX;
        let mut out = String::new();
        for _ in 0..runs {
            let t0 = Instant::now();
            let o = Command::new("wc")
                .arg("-l")
                .arg(&path)
                .stderr(Stdio::inherit())
                .output();
            let dt = t0.elapsed().as_secs_f64();
            match o {
                Ok(o) if o.status.success() => {
                    best = best.min(dt);
                    out = String::from_utf8_lossy(&o.stdout).trim().to_string();
                }
                _ => {
                    eprintln!("wc -l failed; skipping the baseline");
                    best = f64::MAX;
                    break;
                }
            }
        }
        if best < f64::MAX {
            println!(
                "wc -l:    {out}: best of {runs} {best:.3} s = {:.0} MB/s",
                size / best / 1e6
            );
            wc_best = Some(best);
        }
    }

    let one = (threads != 2)
        .then(|| {
            measure("pipeline, 1 thread", runs, size, wc_best, || {
                pipeline(&path)
            })
        })
        .flatten();
    let two = (threads != 1)
        .then(|| {
            measure("pipeline, 2 threads", runs, size, wc_best, || {
                pipeline_two_threads(&path)
            })
        })
        .flatten();
    if let (Some(a), Some(b)) = (&one, &two)
        && format!("{a:?}") != format!("{b:?}")
    {
        eprintln!("the two pipelines disagree: this is a bug");
        std::process::exit(1);
    }
    if !quiet && let Some(a) = one {
        print!("{}", a.render_text());
    }
}

/// Best of `runs` wall-clock and on-CPU times of `run`, printed.
fn measure(
    name: &str,
    runs: usize,
    size: f64,
    wc_best: Option<f64>,
    run: impl Fn() -> Analysis,
) -> Option<Analysis> {
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut analysis = None;
    for _ in 0..runs {
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let a = run();
        let dt = t0.elapsed().as_secs_f64();
        if let (Some(c0), Some(c1)) = (cpu0, cpu_seconds()) {
            best_cpu = best_cpu.min(c1 - c0);
        }
        best = best.min(dt);
        analysis = Some(a);
    }
    let a = analysis?;
    print!(
        "{name}: {} lines: best of {runs} {best:.3} s = {:.0} MB/s",
        a.input.lines,
        size / best / 1e6
    );
    if best_cpu < f64::MAX {
        print!(" (CPU {best_cpu:.2} s)");
    }
    if let Some(w) = wc_best {
        print!("; / wc -l = {:.3} (1/{:.1})", w / best, best / w);
    }
    println!();
    Some(a)
}

/// Stream the file through a fresh analyzer, one reused 256 KiB buffer.
fn pipeline(path: &str) -> Analysis {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let mut buf = vec![0u8; CHUNK];
    let mut an = LogAnalyzer::new();
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        an.push(&buf[..n], None);
    }
    an.finish()
}

/// `canopy analyze FILE`: the file read in 256 KiB chunks on one thread
/// while the analyzer runs on another (`parallel::analyze_reader_two_threads`), no
/// arrival times.
fn pipeline_two_threads(path: &str) -> Analysis {
    match std::fs::File::open(path).and_then(analyze_reader_two_threads) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}

/// CPU seconds of this process, all threads (Linux `/proc/self/stat`,
/// utime + stime at 100 ticks/s; None elsewhere).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`, which may contain spaces.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}
