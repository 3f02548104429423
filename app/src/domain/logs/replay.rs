//! Recorded runs: the `.timing.tsv` files next to each trace log
//! ("seconds since start<TAB>total bytes so far", with `# start_unix`,
//! `# cmd`, `# exit <rc> <seconds>` comment rows) and a helper that replays a
//! log through the analyzer with those arrival times, reproducing what the
//! watcher saw live.

use super::analyzer::{Analysis, LogAnalyzer};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimingTrace {
    pub start_unix: Option<f64>,
    pub cmd: Option<String>,
    /// Exit code and total seconds, from the `# exit` row.
    pub exit: Option<(i32, f64)>,
    /// (seconds since start, total bytes so far), in file order.
    pub points: Vec<(f64, u64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TimingError {
    /// A data row that is not `<seconds>\t<bytes>`.
    BadRow {
        line: usize,
        text: String,
    },
    /// Byte offsets went backwards.
    NotMonotonic {
        line: usize,
    },
    Empty,
}

impl std::fmt::Display for TimingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimingError::BadRow { line, text } => write!(
                f,
                "timing file line {line}: expected '<seconds>\\t<bytes>', got {text:?}"
            ),
            TimingError::NotMonotonic { line } => {
                write!(f, "timing file line {line}: byte offset goes backwards")
            }
            TimingError::Empty => write!(f, "timing file has no data rows"),
        }
    }
}

impl std::error::Error for TimingError {}

/// Parse a `.timing.tsv` file.
pub fn parse_timing_tsv(text: &str) -> Result<TimingTrace, TimingError> {
    let mut tr = TimingTrace::default();
    let mut last_off = 0u64;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let l = line.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        if let Some(c) = l.strip_prefix('#') {
            let mut parts = c.trim_start().splitn(2, '\t');
            let key = parts.next().unwrap_or("").trim();
            let val = parts.next().unwrap_or("").trim();
            match key {
                "start_unix" => tr.start_unix = val.parse().ok(),
                "cmd" => tr.cmd = Some(val.to_string()),
                "exit" => {
                    let mut it = val.split_whitespace();
                    let rc = it.next().and_then(|x| x.parse().ok());
                    let secs = it.next().and_then(|x| x.parse().ok());
                    if let (Some(rc), Some(s)) = (rc, secs) {
                        tr.exit = Some((rc, s));
                    }
                }
                _ => {}
            }
            continue;
        }
        let mut it = l.split('\t');
        let t = it
            .next()
            .and_then(|x| x.trim().parse::<f64>().ok())
            .filter(|t| t.is_finite());
        let off = it.next().and_then(|x| x.trim().parse::<u64>().ok());
        match (t, off, it.next()) {
            (Some(t), Some(off), None) => {
                if off < last_off {
                    return Err(TimingError::NotMonotonic { line: line_no });
                }
                last_off = off;
                tr.points.push((t, off));
            }
            _ => {
                return Err(TimingError::BadRow {
                    line: line_no,
                    text: l.chars().take(80).collect(),
                });
            }
        }
    }
    if tr.points.is_empty() {
        return Err(TimingError::Empty);
    }
    Ok(tr)
}

/// The log split at the recorded offsets: (arrival seconds, bytes). Bytes
/// past the last recorded offset (if the log is longer) arrive with the
/// last time.
pub fn replay_chunks<'a>(log: &'a [u8], timing: &TimingTrace) -> Vec<(f64, &'a [u8])> {
    let mut out = Vec::with_capacity(timing.points.len() + 1);
    let mut prev = 0usize;
    let mut last_t = 0.0;
    for &(t, off) in &timing.points {
        let end = (off.min(log.len() as u64)) as usize;
        if end > prev {
            out.push((t, &log[prev..end]));
            prev = end;
        }
        last_t = t;
    }
    if prev < log.len() {
        out.push((last_t, &log[prev..]));
    }
    out
}

/// Replay a recorded log into `analyzer` with its arrival times.
pub fn replay_into(analyzer: &mut LogAnalyzer, log: &[u8], timing: &TimingTrace) {
    for (t, chunk) in replay_chunks(log, timing) {
        analyzer.push(chunk, Some(t));
    }
    // (Rows after the last new byte: the log was read, and silent.)
    if let Some(&(t, _)) = timing.points.last() {
        analyzer.observe_time(t);
    }
}

/// Replay a recorded log through a fresh analyzer and return its analysis.
pub fn replay(log: &[u8], timing: &TimingTrace) -> Analysis {
    let mut a = LogAnalyzer::new();
    replay_into(&mut a, log, timing);
    a.finish()
}
