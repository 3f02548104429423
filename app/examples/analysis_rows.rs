//! The analysis of each log named on the command line, as JSON rows, for
//! differential checks of the log pipeline (`scripts/logs-diffcheck.sh`):
//! two builds that print the same rows for the same logs read them the
//! same way.
//!
//! Each log gives two rows: `PATH<TAB>plain<TAB>JSON`, the analysis of the
//! file in 4 KiB reads without arrival times (as `canopy analyze FILE`), and
//! `PATH<TAB>timed<TAB>JSON`, in 512-byte reads 50 ms apart (as the watcher
//! reads a live log). A third row, `PATH<TAB>TWO-THREADS-DIFFER`, says that
//! the two-thread driver disagreed with one thread on the plain reading (a
//! bug). A log that cannot be read is an error row, and the rest go on.
//!
//! ```text
//! cargo run --release -p app --example analysis_rows -- LOG... > rows.tsv
//! ```

use std::io::Write;

use app::domain::logs::parallel::analyze_reader_two_threads;
use app::domain::logs::{Analysis, LogAnalyzer};

fn main() {
    let mut out = std::io::stdout().lock();
    for path in std::env::args().skip(1) {
        let rows = match std::fs::read(&path) {
            Ok(bytes) => rows(&path, &bytes),
            Err(e) => format!("{path}\tunreadable\t{e}\n"),
        };
        if out.write_all(rows.as_bytes()).is_err() {
            // (The reader went away: nothing more to say.)
            return;
        }
    }
}

/// The rows of one log (see the module docs).
fn rows(path: &str, bytes: &[u8]) -> String {
    let plain = analysis(bytes.chunks(4096).map(|c| (c, None)));
    let two = analyze_reader_two_threads(bytes);
    let timed = analysis(
        bytes
            .chunks(512)
            .enumerate()
            .map(|(i, c)| (c, Some(i as f64 * 0.05))),
    );
    let mut rows = String::new();
    // (Compared as JSON: an analysis that holds a NaN, a loss that went
    // to NaN, is not `==` to itself.)
    if two.as_ref().map(json).ok() != Some(json(&plain)) {
        rows.push_str(&format!("{path}\tTWO-THREADS-DIFFER\n"));
    }
    for (kind, a) in [("plain", &plain), ("timed", &timed)] {
        rows.push_str(&format!("{path}\t{kind}\t{}\n", json(a)));
    }
    rows
}

fn json(a: &Analysis) -> String {
    serde_json::to_string(a).unwrap_or_else(|e| format!("unserialisable: {e}"))
}

fn analysis<'a>(reads: impl Iterator<Item = (&'a [u8], Option<f64>)>) -> Analysis {
    let mut analyzer = LogAnalyzer::new();
    for (bytes, arrival) in reads {
        analyzer.push(bytes, arrival);
    }
    analyzer.finish()
}
