//! Step-rate measurement from (time, step) observations
//! (EXPECTATIONS_AND_ETA.md §4): intervals between successive distinct
//! timestamps, warm-up excluded, eval/checkpoint pauses detected (marker in
//! the interval, or > 3x the rolling median) and measured.
//!
//! Observations that share a timestamp (several frames in one read) are
//! merged: the interval ends at the last step seen at that time, so steps
//! are never credited with zero duration.

use serde::Serialize;

/// Intervals kept for the recent-percentile window.
pub const WINDOW: usize = 64;
/// Rolling baseline for pause detection.
const BASELINE: usize = 20;
/// An interval this many times slower than the baseline median is a pause.
const PAUSE_FACTOR: f64 = 3.0;
/// Intervals always treated as warm-up.
const WARMUP_INTERVALS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    Eval,
    Checkpoint,
    /// Slow interval with no marker (GC, data stall, unlogged save).
    Unmarked,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Obs {
    t: f64,
    step: u64,
    /// Marker counters (eval, checkpoint) when this observation was (last)
    /// updated: a difference between two observations means a marker was
    /// printed inside the interval.
    marker_seq: (u64, u64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    /// Seconds per step.
    per_step: f64,
    steps: u64,
}

/// Online timing state for one step source.
#[derive(Debug, Clone, Default)]
pub struct StepTiming {
    first: Option<Obs>,
    anchor: Option<Obs>,
    pending: Option<Obs>,
    n_intervals: u64,
    /// Accepted (non-warm-up, non-pause) intervals, most recent last.
    window: Vec<Interval>,
    /// Rolling baseline of accepted per-step times.
    baseline: Vec<f64>,
    warmup_settled: bool,
    pub pause_count: u64,
    pub pause_total_s: f64,
    pub eval_pause_count: u64,
    pub eval_pause_total_s: f64,
    pub ckpt_pause_count: u64,
    pub ckpt_pause_total_s: f64,
    warmup_steps: u64,
}

/// Percentiles of per-step time (seconds) over the recent window.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Percentiles {
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimingSummary {
    pub step_time: Percentiles,
    /// 10th/75th percentile step time (for rate percentiles).
    pub step_time_p10: Option<f64>,
    pub step_time_p75: Option<f64>,
    /// Steps/s including pauses and warm-up, first to last observation.
    pub overall_steps_per_sec: Option<f64>,
    pub intervals: u64,
    pub window_intervals: usize,
    pub pause_count: u64,
    pub pause_total_s: f64,
    pub eval_pause_count: u64,
    pub eval_pause_total_s: f64,
    pub ckpt_pause_count: u64,
    pub ckpt_pause_total_s: f64,
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
}

/// Weighted percentile (weights = steps per interval).
fn weighted_percentile(sorted: &[(f64, u64)], q: f64) -> Option<f64> {
    let total: u64 = sorted.iter().map(|x| x.1).sum();
    if total == 0 {
        return None;
    }
    let target = (q * total as f64).ceil().max(1.0) as u64;
    let mut acc = 0;
    for &(v, w) in sorted {
        acc += w;
        if acc >= target {
            return Some(v);
        }
    }
    sorted.last().map(|x| x.0)
}

fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let m = s.len() / 2;
    Some(if s.len().is_multiple_of(2) { (s[m - 1] + s[m]) / 2.0 } else { s[m] })
}

impl StepTiming {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record that `step` had been reached at time `t`. `marker_seq` is the
    /// analyzer's count of (eval, checkpoint) markers printed so far.
    pub fn observe(&mut self, t: f64, step: u64, marker_seq: (u64, u64)) {
        if !t.is_finite() {
            return;
        }
        let o = Obs { t, step, marker_seq };
        if self.first.is_none() {
            self.first = Some(o);
            self.anchor = Some(o);
            return;
        }
        match (self.anchor, self.pending) {
            (Some(a), _) if step <= a.step => {}
            (Some(a), None) => {
                if t > a.t {
                    self.pending = Some(o);
                } else {
                    // Same read as the anchor: the anchor itself moves on.
                    self.anchor = Some(Obs { t: a.t, step, marker_seq: a.marker_seq });
                    // `first` too: steps completed in the same read as the
                    // first observation took no measurable time.
                    if let Some(f) = self.first.as_mut() {
                        if f.t == a.t {
                            f.step = step;
                        }
                    }
                }
            }
            (Some(a), Some(p)) => {
                if step <= p.step {
                    return;
                }
                if t <= p.t {
                    self.pending = Some(Obs { t: p.t, step, marker_seq });
                } else {
                    self.close(a, p);
                    self.anchor = Some(p);
                    self.pending = Some(o);
                }
            }
            (None, _) => self.anchor = Some(o),
        }
    }

    fn close(&mut self, a: Obs, p: Obs) {
        let ds = p.step.saturating_sub(a.step);
        let dt = p.t - a.t;
        if ds == 0 || dt.is_nan() || dt <= 0.0 {
            return;
        }
        self.n_intervals += 1;
        let per = dt / ds as f64;
        if self.n_intervals as usize <= WARMUP_INTERVALS {
            self.warmup_steps += ds;
            return;
        }
        let eval_marked = p.marker_seq.0 > a.marker_seq.0;
        let ckpt_marked = p.marker_seq.1 > a.marker_seq.1;
        let marked = eval_marked || ckpt_marked;
        let base = median(&self.baseline);
        let slow = base.is_some_and(|m| self.baseline.len() >= 5 && per > PAUSE_FACTOR * m);
        if marked || slow {
            let m = base.unwrap_or(per);
            let cost = (dt - m * ds as f64).max(0.0);
            // An eval usually comes with a save; count the pause as eval then.
            let kind = if eval_marked {
                PauseKind::Eval
            } else if ckpt_marked {
                PauseKind::Checkpoint
            } else {
                PauseKind::Unmarked
            };
            self.pause_count += 1;
            self.pause_total_s += cost;
            match kind {
                PauseKind::Eval => {
                    self.eval_pause_count += 1;
                    self.eval_pause_total_s += cost;
                }
                PauseKind::Checkpoint => {
                    self.ckpt_pause_count += 1;
                    self.ckpt_pause_total_s += cost;
                }
                PauseKind::Unmarked => {}
            }
            return;
        }
        self.baseline.push(per);
        if self.baseline.len() > BASELINE {
            self.baseline.remove(0);
        }
        self.window.push(Interval { per_step: per, steps: ds });
        if self.window.len() > WINDOW {
            self.window.remove(0);
        }
        // Warm-up that outlasts the first intervals (torch.compile, cuDNN
        // autotune, cold caches): once 5 intervals exist, drop the leading
        // ones that are > 2x the median of those five.
        if !self.warmup_settled && self.baseline.len() >= 5 {
            self.warmup_settled = true;
            if let Some(m) = median(&self.baseline) {
                while self.window.first().is_some_and(|i| i.per_step > 2.0 * m) {
                    let i = self.window.remove(0);
                    self.warmup_steps += i.steps;
                    self.baseline.remove(0);
                }
            }
        }
    }

    /// Summary including the still-open interval (does not mutate).
    pub fn summary(&self) -> TimingSummary {
        let mut me = self.clone();
        if let (Some(a), Some(p)) = (me.anchor, me.pending) {
            me.close(a, p);
        }
        let mut pairs: Vec<(f64, u64)> = me.window.iter().map(|i| (i.per_step, i.steps)).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let last = match (self.pending, self.anchor) {
            (Some(p), _) => Some(p),
            (None, a) => a,
        };
        let overall = match (self.first, last) {
            (Some(f), Some(l)) if l.t > f.t && l.step > f.step => Some((l.step - f.step) as f64 / (l.t - f.t)),
            _ => None,
        };
        TimingSummary {
            step_time: Percentiles {
                p25: weighted_percentile(&pairs, 0.25),
                p50: weighted_percentile(&pairs, 0.50),
                p90: weighted_percentile(&pairs, 0.90),
            },
            step_time_p10: weighted_percentile(&pairs, 0.10),
            step_time_p75: weighted_percentile(&pairs, 0.75),
            overall_steps_per_sec: overall,
            intervals: me.n_intervals,
            window_intervals: me.window.len(),
            pause_count: me.pause_count,
            pause_total_s: me.pause_total_s,
            eval_pause_count: me.eval_pause_count,
            eval_pause_total_s: me.eval_pause_total_s,
            ckpt_pause_count: me.ckpt_pause_count,
            ckpt_pause_total_s: me.ckpt_pause_total_s,
            first_time: self.first.map(|f| f.t),
            last_time: last.map(|l| l.t),
        }
    }

    pub fn has_data(&self) -> bool {
        self.first.is_some()
    }
}
