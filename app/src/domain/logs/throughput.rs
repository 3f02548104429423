//! Step-rate measurement from (time, step) observations
//! (EXPECTATIONS_AND_ETA.md §4): intervals between successive distinct
//! timestamps, warm-up excluded, eval/checkpoint pauses detected (marker in
//! the interval, or > 3x the rolling median) and measured.
//!
//! Observations that share a timestamp (several frames in one read) are
//! merged: the interval ends at the last step seen at that time, so steps
//! are never credited with zero duration.
//!
//! A clock that shows whole seconds only (a tqdm bar's elapsed field, log
//! timestamps without a fraction) is measured over spans of at least
//! ten seconds, with evals and saves cut out on their own.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Intervals kept for the recent-percentile window.
pub const WINDOW: usize = 64;
/// Rolling baseline for pause detection.
const BASELINE: usize = 20;
/// An interval this many times slower than the baseline median is a pause.
const PAUSE_FACTOR: f64 = 3.0;
/// Intervals always treated as warm-up.
const WARMUP_INTERVALS: usize = 2;
/// Baseline size needed before intervals are judged against it.
const MIN_BASELINE: usize = 5;
/// A marked interval this much slower than the baseline is a pause.
const MARKED_FACTOR: f64 = 1.3;
/// Marked intervals held while no baseline exists.
const MAX_PENDING: usize = 8;
/// On a whole-second clock (a tqdm bar's elapsed field, log timestamps
/// without a fraction), the shortest interval closed: each end may be off
/// by up to a second, so a one-second interval's rate is a whole number
/// (8 or 9 steps/s for 8.6), and a slow step reads as 1 s or 2 s. Over
/// this span the error is at most a tenth, and averages out across
/// intervals.
const COARSE_SPAN_S: f64 = 10.0;
/// Seconds of a coarse clock remembered one by one, for a run too short
/// for any [`COARSE_SPAN_S`] interval (see `StepTiming::early`).
const EARLY_SECONDS: usize = 64;
/// An interval this many times faster per step than the median skipped
/// its steps rather than ran them: a resumed run's bar jumping to its
/// checkpoint's step, HF's "Skipping the first batches".
const JUMP_FACTOR: f64 = 20.0;
/// `ds` steps in `dt` seconds were skipped, not run, at a median of `m`
/// seconds a step (see [`JUMP_FACTOR`]).
fn is_jump(dt: f64, ds: u64, m: f64) -> bool {
    dt * JUMP_FACTOR < m * ds as f64
}

/// Such jumps remembered (a run resumes a few times at most).
const MAX_JUMPS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// A closed interval before classification.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Raw {
    dt: f64,
    ds: u64,
    kind: Option<PauseKind>,
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
    window: VecDeque<Interval>,
    /// Rolling baseline of accepted per-step times.
    baseline: Baseline,
    warmup_settled: bool,
    unjudged: Vec<Raw>,
    /// Every early interval contained a marker (see `close`).
    pub inseparable: bool,
    pub pause_count: u64,
    pub pause_total_s: f64,
    pub eval_pause_count: u64,
    pub eval_pause_total_s: f64,
    pub ckpt_pause_count: u64,
    pub ckpt_pause_total_s: f64,
    warmup_steps: u64,
    /// A time with a fraction was seen: the clock is finer than a second
    /// (see [`COARSE_SPAN_S`]).
    fine_clock: bool,
    /// On a coarse clock, the last observation of each of the first
    /// seconds: a run shorter than the spans is measured second by second
    /// from them, as a fine clock would be, rather than not at all.
    early: Vec<Obs>,
    /// Warm-up intervals, and later ones far faster than the baseline
    /// (time, steps): the summary takes the steps that were skipped, not
    /// run, out of the overall rate (see [`JUMP_FACTOR`]).
    jumps: Vec<(f64, u64)>,
}

/// Percentiles of per-step time (seconds) over the recent window.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
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
    /// Pauses could not be told apart from steps (every interval had a marker).
    pub inseparable: bool,
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

/// The last [`BASELINE`] accepted per-step times, in arrival order and
/// sorted: the median is read for every closed interval, and keeping a
/// sorted copy costs one short insert instead of a sort each time.
#[derive(Debug, Clone, Default)]
struct Baseline {
    recent: VecDeque<f64>,
    sorted: Vec<f64>,
}

impl Baseline {
    fn len(&self) -> usize {
        self.recent.len()
    }

    /// Add `v`, dropping the oldest value beyond [`BASELINE`].
    fn push(&mut self, v: f64) {
        self.recent.push_back(v);
        let at = self.sorted.partition_point(|x| x.total_cmp(&v).is_lt());
        self.sorted.insert(at, v);
        if self.recent.len() > BASELINE {
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some(v) = self.recent.pop_front() {
            let at = self.sorted.partition_point(|x| x.total_cmp(&v).is_lt());
            self.sorted.remove(at);
        }
    }

    fn median(&self) -> Option<f64> {
        let s = &self.sorted;
        let m = s.len() / 2;
        match s.len() {
            0 => None,
            n if n.is_multiple_of(2) => Some((s[m - 1] + s[m]) / 2.0),
            _ => Some(s[m]),
        }
    }
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
        // (A cast, not `fract`, which is a libm call on baseline x86-64;
        // times are far below 2^53.)
        if !self.fine_clock && t.abs() < 9.0e15 && (t as i64) as f64 != t {
            self.fine_clock = true;
        }
        let o = Obs {
            t,
            step,
            marker_seq,
        };
        if self.first.is_none() {
            self.first = Some(o);
            self.anchor = Some(o);
            return;
        }
        if !self.fine_clock && self.early.len() < EARLY_SECONDS {
            // (A new second: the previous one's last observation.)
            match (self.anchor, self.pending) {
                (_, Some(p)) if t > p.t && step > p.step => self.early.push(p),
                (Some(a), None) if t > a.t && step > a.step => self.early.push(a),
                _ => {}
            }
        }
        match (self.anchor, self.pending) {
            (Some(a), _) if step <= a.step => {}
            (Some(a), None) => {
                if t > a.t {
                    self.pending = Some(o);
                } else {
                    // Same read as the anchor: the anchor itself moves on.
                    self.anchor = Some(Obs {
                        t: a.t,
                        step,
                        marker_seq: a.marker_seq,
                    });
                    // `first` too: steps completed in the same read as the
                    // first observation took no measurable time.
                    if let Some(f) = self.first.as_mut()
                        && f.t == a.t
                    {
                        f.step = step;
                    }
                }
            }
            (Some(a), Some(p)) => {
                if step <= p.step {
                    return;
                }
                if t <= p.t {
                    self.pending = Some(Obs {
                        t: p.t,
                        step,
                        marker_seq,
                    });
                } else if !self.fine_clock && marker_seq != p.marker_seq {
                    // An eval or a save was printed since `p`: on a coarse
                    // clock a long interval would hide it. Measure the
                    // stretch before it (if long enough to measure), and
                    // the pause on its own, up to this first step after it.
                    if p.t - a.t >= COARSE_SPAN_S {
                        self.close(a, p);
                    }
                    self.close(p, o);
                    self.anchor = Some(o);
                    self.pending = None;
                } else if p.t - a.t < self.min_span() {
                    // Too short to measure on this clock: the interval
                    // runs on to this observation.
                    self.pending = Some(o);
                } else {
                    self.close(a, p);
                    self.anchor = Some(p);
                    self.pending = Some(o);
                }
            }
            (None, _) => self.anchor = Some(o),
        }
    }

    /// The shortest interval worth closing on the clock seen so far.
    fn min_span(&self) -> f64 {
        if self.fine_clock { 0.0 } else { COARSE_SPAN_S }
    }

    fn close(&mut self, a: Obs, p: Obs) {
        let ds = p.step.saturating_sub(a.step);
        let dt = p.t - a.t;
        if ds == 0 || dt.is_nan() || dt <= 0.0 {
            return;
        }
        self.n_intervals += 1;
        // (On a whole-second clock one interval already spans ten seconds.)
        let warmup = if self.fine_clock { WARMUP_INTERVALS } else { 1 };
        if self.n_intervals as usize <= warmup {
            self.warmup_steps += ds;
            self.note_jump(dt, ds);
            return;
        }
        // A jump far ahead (a resumed run's bar catching up to its
        // checkpoint): no step time, and kept out of the overall rate.
        if let Some(m) = self.baseline.median()
            && self.baseline.len() >= MIN_BASELINE
            && is_jump(dt, ds, m)
        {
            self.note_jump(dt, ds);
            return;
        }
        // An eval usually comes with a save; count the interval as eval then.
        let kind = if p.marker_seq.0 > a.marker_seq.0 {
            Some(PauseKind::Eval)
        } else if p.marker_seq.1 > a.marker_seq.1 {
            Some(PauseKind::Checkpoint)
        } else {
            None
        };
        let iv = Raw { dt, ds, kind };
        if self.baseline.len() >= MIN_BASELINE {
            self.classify(iv);
            return;
        }
        if kind.is_some() {
            // A marker inside the interval, and no baseline yet to tell how
            // much of it was the pause: decide once there is one.
            self.unjudged.push(iv);
            if self.unjudged.len() >= MAX_PENDING {
                // Every interval so far contains an eval/save (coarse checks,
                // frequent evals): the pause cannot be separated; count them
                // as ordinary intervals and say so.
                self.inseparable = true;
                for iv in std::mem::take(&mut self.unjudged) {
                    self.accept(iv);
                }
            }
            return;
        }
        self.accept(iv);
        if self.baseline.len() >= MIN_BASELINE {
            self.settle_warmup();
            for iv in std::mem::take(&mut self.unjudged) {
                self.classify(iv);
            }
        }
    }

    fn note_jump(&mut self, dt: f64, ds: u64) {
        if self.jumps.len() < MAX_JUMPS {
            self.jumps.push((dt, ds));
        }
    }

    /// With a baseline: a pause if much slower than usual, or somewhat
    /// slower with an eval/checkpoint marker inside.
    fn classify(&mut self, iv: Raw) {
        let per = iv.dt / iv.ds as f64;
        let m = self.baseline.median();
        let pause = match m {
            Some(m) => per > PAUSE_FACTOR * m || (iv.kind.is_some() && per > MARKED_FACTOR * m),
            None => iv.kind.is_some(),
        };
        if !pause {
            self.accept(iv);
            return;
        }
        // Without any baseline the whole interval counts as lost time.
        let cost = (iv.dt - m.unwrap_or(0.0) * iv.ds as f64).max(0.0);
        self.pause_count += 1;
        self.pause_total_s += cost;
        match iv.kind {
            Some(PauseKind::Eval) => {
                self.eval_pause_count += 1;
                self.eval_pause_total_s += cost;
            }
            Some(PauseKind::Checkpoint) => {
                self.ckpt_pause_count += 1;
                self.ckpt_pause_total_s += cost;
            }
            _ => {}
        }
    }

    fn accept(&mut self, iv: Raw) {
        let per = iv.dt / iv.ds as f64;
        self.baseline.push(per);
        self.window.push_back(Interval {
            per_step: per,
            steps: iv.ds,
        });
        if self.window.len() > WINDOW {
            self.window.pop_front();
        }
    }

    /// Warm-up that outlasts the first intervals (torch.compile, cuDNN
    /// autotune, cold caches): once a baseline exists, drop the leading
    /// intervals that are > 2x its median.
    fn settle_warmup(&mut self) {
        if self.warmup_settled {
            return;
        }
        self.warmup_settled = true;
        if let Some(m) = self.baseline.median() {
            while let Some(i) = self
                .window
                .front()
                .copied()
                .filter(|i| i.per_step > 2.0 * m)
            {
                self.window.pop_front();
                self.warmup_steps += i.steps;
                self.baseline.pop_oldest();
            }
        }
    }

    /// Summary including the still-open interval (does not mutate).
    pub fn summary(&self) -> TimingSummary {
        let mut me = self.clone();
        // (On a coarse clock a short last stretch would only add its
        // rounding, unless there is nothing else.)
        if let (Some(a), Some(p)) = (me.anchor, me.pending)
            && (p.t - a.t >= me.min_span() || me.window.is_empty())
        {
            me.close(a, p);
        }
        // A coarse clock over a run too short for its spans (a smoke
        // test's few seconds of bar): second by second, as before.
        if me.window.is_empty() && !me.fine_clock && !self.early.is_empty() {
            let mut by_second = StepTiming {
                fine_clock: true,
                ..StepTiming::default()
            };
            let last = self.pending.or(self.anchor);
            for o in self.early.iter().chain(last.as_ref()) {
                by_second.observe(o.t, o.step, o.marker_seq);
            }
            if let (Some(a), Some(p)) = (by_second.anchor, by_second.pending) {
                by_second.close(a, p);
            }
            me.window = by_second.window;
        }
        // Marked intervals still waiting for a baseline: judge them with
        // what exists now.
        for iv in std::mem::take(&mut me.unjudged) {
            me.classify(iv);
        }
        let mut pairs: Vec<(f64, u64)> = me.window.iter().map(|i| (i.per_step, i.steps)).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let last = match (self.pending, self.anchor) {
            (Some(p), _) => Some(p),
            (None, a) => a,
        };
        // Steps a jump skipped: those its time does not account for at
        // the median step time.
        let median = weighted_percentile(&pairs, 0.50);
        let skipped: f64 = median
            .filter(|m| *m > 0.0)
            .map(|m| {
                me.jumps
                    .iter()
                    .filter(|&&(dt, ds)| is_jump(dt, ds, m))
                    .map(|&(dt, ds)| ds as f64 - dt / m)
                    .sum()
            })
            .unwrap_or(0.0);
        let overall = match (self.first, last) {
            (Some(f), Some(l)) if l.t > f.t && l.step > f.step => {
                Some(((l.step - f.step) as f64 - skipped).max(0.0) / (l.t - f.t))
            }
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
            inseparable: me.inseparable,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps every `period` seconds for `steps` steps, seen on a clock that
    /// shows whole seconds (tqdm's elapsed field), with an eval marker of
    /// `pause` seconds after each step in `evals`.
    fn whole_second_run(period: f64, steps: u64, evals: &[u64], pause: f64) -> TimingSummary {
        let mut timing = StepTiming::new();
        let mut t = 0.0;
        let mut seq = 0;
        for step in 1..=steps {
            t += period;
            timing.observe(t.floor(), step, (seq, 0));
            if evals.contains(&step) {
                seq += 1;
                t += pause;
            }
        }
        timing.summary()
    }

    fn rate(s: &TimingSummary) -> f64 {
        1.0 / s.step_time.p50.expect("a median")
    }

    #[test]
    fn steps_a_resumed_run_skipped_are_not_in_its_overall_rate() {
        // A bar created at 0, then at its checkpoint's step 3001 a read
        // later, then 3 steps/s; later a second jump (HF's skipping bar).
        let mut timing = StepTiming::new();
        timing.observe(100.0, 0, (0, 0));
        timing.observe(100.5, 3001, (0, 0));
        let mut t = 100.5;
        for step in 3002..=3600 {
            t += 1.0 / 3.0;
            timing.observe(t, step, (0, 0));
        }
        t += 0.2;
        timing.observe(t, 5600, (0, 0));
        for step in 5601..=6000 {
            t += 1.0 / 3.0;
            timing.observe(t, step, (0, 0));
        }
        let s = timing.summary();
        assert!((rate(&s) - 3.0).abs() < 0.01, "{}", rate(&s));
        let overall = s.overall_steps_per_sec.expect("an overall rate");
        assert!((overall - 3.0).abs() < 0.05, "{overall}");
    }

    #[test]
    fn a_whole_second_clock_measures_over_ten_second_spans() {
        // 8.6 steps/s: one-second intervals hold 8 or 9 steps, so their
        // median is a whole number; ten-second spans come within 2%.
        let s = whole_second_run(1.0 / 8.6, 1200, &[], 0.0);
        assert!((rate(&s) / 8.6 - 1.0).abs() < 0.02, "{}", rate(&s));
        // 1.2 s a step: one-second intervals read 1 s or 2 s a step.
        let s = whole_second_run(1.2, 200, &[], 0.0);
        assert!((rate(&s) * 1.2 - 1.0).abs() < 0.05, "{}", rate(&s));
    }

    #[test]
    fn on_a_whole_second_clock_an_eval_is_measured_on_its_own() {
        // Three 4-second evals in a 140-second run at 8.6 steps/s.
        let s = whole_second_run(1.0 / 8.6, 1200, &[300, 600, 900], 4.0);
        assert!((rate(&s) / 8.6 - 1.0).abs() < 0.02, "{}", rate(&s));
        assert_eq!(s.eval_pause_count, 3);
        // Each pause to within the clock's second.
        let mean = s.eval_pause_total_s / 3.0;
        assert!((mean - 4.0).abs() <= 1.0, "{mean}");
    }

    #[test]
    fn a_short_run_on_a_whole_second_clock_still_has_a_step_time() {
        // Four seconds of bar: no ten-second span; measured second by
        // second (8 or 9 steps each), as on a fine clock.
        let s = whole_second_run(1.0 / 8.2, 33, &[], 0.0);
        let r = rate(&s);
        assert!(r == 8.0 || r == 9.0, "{r}");
        assert!(s.window_intervals >= 1);
    }

    #[test]
    fn a_fraction_of_a_second_keeps_every_interval() {
        let mut timing = StepTiming::new();
        for step in 1..=40 {
            timing.observe(step as f64 * 0.25 + 0.001, step, (0, 0));
        }
        let s = timing.summary();
        // Every interval but the two of warm-up.
        assert_eq!(s.intervals, 39);
        assert!((s.step_time.p50.expect("median") - 0.25).abs() < 1e-9);
    }
}
