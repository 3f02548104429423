//! Throughput of the whole log pipeline (`LogAnalyzer::push` over the file in
//! 256 KiB chunks, then `finish`) against `wc -l` on the same file, measured
//! in the same run, best of N for both.
//!
//! ```text
//! cat server/data/traces/h200/*.log > /tmp/one.log
//! for i in $(seq 11400); do cat /tmp/one.log; done > /tmp/big.log   # ~1 GiB
//! cargo run --release -p app --features ssr --example log_throughput -- /tmp/big.log
//! /usr/bin/time -v target/release/examples/log_throughput /tmp/big.log --no-wc
//! ```
//!
//! Options: `--runs N` (default 3), `--no-wc` (skip the `wc -l` baseline,
//! e.g. under a profiler), `--quiet` (no analysis summary).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

use app::domain::logs::{Analysis, LogAnalyzer};

/// What the watcher would hand the analyzer per read, at most.
const CHUNK: usize = 256 * 1024;

fn main() {
    let mut path = None;
    let mut runs = 3usize;
    let mut wc = true;
    let mut quiet = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            "--no-wc" => wc = false,
            "--quiet" => quiet = true,
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: log_throughput FILE [--runs N] [--no-wc] [--quiet]");
        std::process::exit(2);
    };
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len() as f64,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    // Warm the page cache so both measurements read from memory.
    let _ = pipeline(&path);

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

    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut analysis = None;
    for _ in 0..runs {
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let a = pipeline(&path);
        let dt = t0.elapsed().as_secs_f64();
        if let (Some(c0), Some(c1)) = (cpu0, cpu_seconds()) {
            best_cpu = best_cpu.min(c1 - c0);
        }
        best = best.min(dt);
        analysis = Some(a);
    }
    let Some(a) = analysis else { return };
    print!(
        "pipeline: {} lines: best of {runs} {best:.3} s = {:.0} MB/s",
        a.input.lines,
        size / best / 1e6
    );
    if best_cpu < f64::MAX {
        print!(
            " (on-CPU {best_cpu:.3} s = {:.0} MB/s)",
            size / best_cpu / 1e6
        );
    }
    println!();
    if let Some(w) = wc_best {
        println!(
            "ratio:    pipeline / wc -l = {:.3} (1/{:.1})",
            w / best,
            best / w
        );
    }
    if !quiet {
        print!("{}", a.render_text());
    }
}

/// Stream the file through a fresh analyzer, one reused 256 KiB buffer;
/// each chunk gets its own (synthetic, deterministic) arrival time.
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
    let mut i = 0u64;
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
        an.push(&buf[..n], Some(i as f64 * 0.01));
        i += 1;
    }
    an.finish()
}

/// Seconds this process has spent on a CPU (Linux schedstat; None elsewhere).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}
