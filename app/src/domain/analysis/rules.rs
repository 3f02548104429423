//! Kill-fast rules (seed "Kill Fast Rules", EXPECTATIONS §2 and §4.8).
//!
//! Each rule is a deterministic function of a [`RunHistory`] and a
//! [`RuleConfig`] and answers [`RuleResult`]: fired / not fired / unknown,
//! with the evidence in words and numbers. Missing data is `Unknown` with the
//! reason, never `Fired`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::history::{AttemptKind, Check, ProcessState, RunHistory};
use super::stats::{duration_words, mean, positive, rate_words, std_dev};
use crate::domain::logs::ErrorClass;

/// Rule names (stable identifiers for the UI, events and alerts).
pub const THROUGHPUT_LOW: &str = "throughput_low";
pub const GPU_UTIL_LOW: &str = "gpu_util_low";
pub const FLAT_LOSS: &str = "flat_loss";
pub const SETUP_FRICTION: &str = "setup_friction";
pub const REPEATED_FAILURES: &str = "repeated_failures";
pub const FATAL_ERROR: &str = "fatal_error";
pub const EXITED_WITHOUT_PROGRESS: &str = "exited_without_progress";
pub const PROGRESS_STALLED: &str = "progress_stalled";

/// Thresholds of the rules. Every field has a default (serde fills missing
/// fields), so a stored config survives new knobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleConfig {
    /// (a) Fire below this fraction of the expected steps/s ...
    pub throughput_min_ratio: f64,
    /// ... on this many consecutive evaluated checks.
    pub throughput_checks: usize,
    /// A check is evaluated only once the analyzer has this many timed
    /// (post-warm-up) intervals, and only if the step advanced since the
    /// previous check.
    pub throughput_min_intervals: u64,
    /// An expectation above this many steps/s is not believable.
    pub max_expected_steps_per_sec: f64,
    /// Observed/expected below this is more likely a unit mistake (samples/s
    /// typed as steps/s) than a slow host: Unknown, "check the units".
    pub min_plausible_ratio: f64,
    /// (b) Fire when mean GPU util over the window is below this (%).
    pub util_min_pct: f64,
    /// Seconds of active-training telemetry averaged (anchored at the
    /// latest active check).
    pub util_window_s: f64,
    /// Minimum samples and active checks in the window before judging.
    pub util_min_samples: usize,
    pub util_min_checks: usize,
    /// (c) Loss points needed before judging loss movement.
    pub loss_min_points: usize,
    /// Size of the first/last windows as a fraction of the points
    /// (clamped to 3..=50 points).
    pub loss_window_frac: f64,
    /// The decrease must exceed this many standard errors of the window
    /// means (pooled within-window std × sqrt(2/k)) ...
    pub loss_noise_z: f64,
    /// ... and this relative decrease of the first-window mean.
    pub loss_min_rel_change: f64,
    /// (d) Setup (setup start → first step) budget: the larger of this ...
    pub setup_budget_min_s: f64,
    /// ... and this multiple of the smoke's expected duration.
    pub setup_budget_factor: f64,
    /// Failed bootstrap attempts that count as friction on their own.
    pub max_failed_bootstraps: usize,
    /// (e) Attempts failing with the same error class that fire the rule.
    pub repeat_min_attempts: usize,
    /// (f) Fire when the step has not advanced for this long while the
    /// process runs (after training started) ...
    pub stall_min_s: f64,
    /// ... and for this many times the longest stretch without a new step
    /// the run has already shown and gone on after (an evaluation, a
    /// checkpoint), or its mean evaluation or checkpoint pause.
    pub stall_pause_factor: f64,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            throughput_min_ratio: 0.7,
            throughput_checks: 2,
            throughput_min_intervals: 5,
            max_expected_steps_per_sec: 1000.0,
            min_plausible_ratio: 0.02,
            util_min_pct: 60.0,
            util_window_s: 30.0,
            util_min_samples: 10,
            util_min_checks: 3,
            loss_min_points: 10,
            loss_window_frac: 0.25,
            loss_noise_z: 3.0,
            loss_min_rel_change: 0.01,
            setup_budget_min_s: 600.0,
            setup_budget_factor: 2.0,
            max_failed_bootstraps: 2,
            repeat_min_attempts: 2,
            stall_min_s: 1800.0,
            stall_pause_factor: 3.0,
        }
    }
}

/// Outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fired {
    Fired,
    NotFired,
    /// Not enough (or not believable) data to judge; the evidence says why.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleResult {
    pub name: String,
    pub fired: Fired,
    /// Words with the numbers behind the outcome.
    pub evidence: String,
}

impl RuleResult {
    fn new(name: &str, fired: Fired, evidence: impl Into<String>) -> RuleResult {
        RuleResult {
            name: name.to_string(),
            fired,
            evidence: evidence.into(),
        }
    }
    pub fn is_fired(&self) -> bool {
        self.fired == Fired::Fired
    }
}

/// All rules, in a fixed order (most decisive first).
pub fn evaluate_rules(h: &RunHistory, cfg: &RuleConfig) -> Vec<RuleResult> {
    vec![
        fatal_error(h),
        exited_without_progress(h),
        progress_stalled(h, cfg),
        repeated_failures(h, cfg),
        setup_friction(h, cfg),
        throughput_low(h, cfg),
        gpu_util_low(h, cfg),
        flat_loss(h, cfg),
    ]
}

fn step_words(c: &Check) -> String {
    match (c.progress.last_step, c.progress.total_steps) {
        (Some(s), Some(t)) => format!("step {s} of {t}"),
        (Some(s), None) => format!("step {s}"),
        (None, _) => "before the first step".to_string(),
    }
}

fn exit_words(p: ProcessState) -> String {
    match p {
        ProcessState::Exited { code: Some(c) } => format!("exited with code {c}"),
        ProcessState::Exited { code: None } => "exited".to_string(),
        ProcessState::Running => "still running".to_string(),
        ProcessState::NotStarted => "not started".to_string(),
        ProcessState::Unknown => "process state unknown".to_string(),
    }
}

// ---------------------------------------------------------------------------
// fatal errors and exits

/// A fatal error in the log (CUDA OOM, a traceback that ended the process,
/// a dependency failure), or a non-zero exit after training had started.
pub fn fatal_error(h: &RunHistory) -> RuleResult {
    let Some(c) = h.latest() else {
        return RuleResult::new(FATAL_ERROR, Fired::Unknown, "no check yet");
    };
    let fatal: Vec<&str> = c
        .progress
        .fatal_errors()
        .map(|e| e.label.as_str())
        .collect();
    if let Some(first) = fatal.first() {
        let more = if fatal.len() > 1 {
            format!(" (+{} more)", fatal.len() - 1)
        } else {
            String::new()
        };
        return RuleResult::new(
            FATAL_ERROR,
            Fired::Fired,
            format!(
                "{first}{more} at {}; process {}",
                step_words(c),
                exit_words(c.process)
            ),
        );
    }
    if let Some(code) = c.process.exit_code()
        && code != 0
        && c.progress.has_progress()
        && !c.progress.finished
    {
        return RuleResult::new(
            FATAL_ERROR,
            Fired::Fired,
            format!(
                "process exited with code {code} at {} before finishing (no error signature in the log{})",
                step_words(c),
                if code == 137 || code == -9 {
                    "; 137 = SIGKILL, often the host's OOM killer"
                } else {
                    ""
                }
            ),
        );
    }
    RuleResult::new(
        FATAL_ERROR,
        Fired::NotFired,
        format!(
            "no fatal error in the log; process {}",
            exit_words(c.process)
        ),
    )
}

/// The process is gone and never made a training step.
pub fn exited_without_progress(h: &RunHistory) -> RuleResult {
    let Some(c) = h.latest() else {
        return RuleResult::new(EXITED_WITHOUT_PROGRESS, Fired::Unknown, "no check yet");
    };
    match c.process {
        ProcessState::Exited { code } if !c.progress.has_progress() => {
            let code = code.map_or("unknown code".to_string(), |c| format!("code {c}"));
            let why = c
                .progress
                .fatal_errors()
                .next()
                .map_or(String::new(), |e| format!(": {}", e.label));
            let ran = duration_words((c.t_s - h.setup_started_s).max(0.0));
            RuleResult::new(
                EXITED_WITHOUT_PROGRESS,
                Fired::Fired,
                format!(
                    "process exited ({code}) without a single training step{why}; {ran} since setup start"
                ),
            )
        }
        ProcessState::Exited { .. } => RuleResult::new(
            EXITED_WITHOUT_PROGRESS,
            Fired::NotFired,
            format!(
                "process {} after reaching {}",
                exit_words(c.process),
                step_words(c)
            ),
        ),
        ProcessState::Unknown => RuleResult::new(
            EXITED_WITHOUT_PROGRESS,
            Fired::Unknown,
            "process state not reported at the latest check",
        ),
        p => RuleResult::new(
            EXITED_WITHOUT_PROGRESS,
            Fired::NotFired,
            format!("process {}", exit_words(p)),
        ),
    }
}

// ---------------------------------------------------------------------------
// (f) a run that stopped advancing

/// The process runs, training had started, and no new step came for
/// `stall_min_s` and `stall_pause_factor` times the longest stretch the run
/// already went on after: a hang (a collective waiting on a dead rank, a
/// DataLoader deadlock, a stuck download) that bills the GPU for nothing.
pub fn progress_stalled(h: &RunHistory, cfg: &RuleConfig) -> RuleResult {
    let Some(c) = h.latest() else {
        return RuleResult::new(PROGRESS_STALLED, Fired::Unknown, "no check yet");
    };
    match c.process {
        ProcessState::Running => {}
        ProcessState::Unknown => {
            return RuleResult::new(
                PROGRESS_STALLED,
                Fired::Unknown,
                "process state not reported at the latest check",
            );
        }
        p => {
            return RuleResult::new(
                PROGRESS_STALLED,
                Fired::NotFired,
                format!("process {}", exit_words(p)),
            );
        }
    }
    if c.progress.finished {
        return RuleResult::new(PROGRESS_STALLED, Fired::NotFired, "the run finished");
    }
    // (Before the first step, setup_friction judges the wait.)
    let Some(first) = h.checks.iter().find(|c| c.progress.has_progress()) else {
        return RuleResult::new(
            PROGRESS_STALLED,
            Fired::Unknown,
            "no training step yet (setup_friction judges the time to the first one)",
        );
    };
    // When the step advanced, and the longest wait between two advances.
    let mut since = first.t_s;
    let mut longest_gap: f64 = 0.0;
    for w in h.checks.windows(2) {
        if w[1].progress.step() > w[0].progress.step() && w[1].t_s >= first.t_s {
            if w[0].t_s >= first.t_s {
                longest_gap = longest_gap.max(w[1].t_s - since);
            }
            since = w[1].t_s;
        }
    }
    let quiet = (c.t_s - since).max(0.0);
    let pause = [c.progress.eval.mean_s, c.progress.checkpoints.mean_pause_s]
        .into_iter()
        .flatten()
        .filter(|p| p.is_finite())
        .fold(longest_gap, f64::max);
    let factor = if cfg.stall_pause_factor.is_finite() && cfg.stall_pause_factor > 0.0 {
        cfg.stall_pause_factor
    } else {
        RuleConfig::default().stall_pause_factor
    };
    let limit = cfg.stall_min_s.max(factor * pause);
    if quiet >= limit {
        RuleResult::new(
            PROGRESS_STALLED,
            Fired::Fired,
            format!(
                "no new step for {} at {} while the process runs (the longest wait it went on after so far: {}): a hang bills the GPU for nothing",
                duration_words(quiet),
                step_words(c),
                duration_words(pause)
            ),
        )
    } else {
        RuleResult::new(
            PROGRESS_STALLED,
            Fired::NotFired,
            format!(
                "last new step {} ago (fires after {})",
                duration_words(quiet),
                duration_words(limit)
            ),
        )
    }
}

// ---------------------------------------------------------------------------
// (e) repeated failures

/// Two or more attempts (earlier ones plus the current one) that died of the
/// same error class.
pub fn repeated_failures(h: &RunHistory, cfg: &RuleConfig) -> RuleResult {
    // class -> (attempts, a label to quote)
    let mut by_class: BTreeMap<ErrorClass, (usize, String)> = BTreeMap::new();
    for a in &h.attempts {
        let mut classes = a.error_classes.clone();
        classes.sort();
        classes.dedup();
        for cl in classes {
            by_class.entry(cl).or_insert((0, String::new())).0 += 1;
        }
    }
    if let Some(c) = h.latest() {
        let mut classes: Vec<(ErrorClass, &str)> = c
            .progress
            .fatal_errors()
            .map(|e| (e.class, e.label.as_str()))
            .collect();
        classes.sort_by_key(|x| x.0);
        classes.dedup_by_key(|x| x.0);
        for (cl, label) in classes {
            let e = by_class.entry(cl).or_insert((0, String::new()));
            e.0 += 1;
            e.1 = label.to_string();
        }
    }
    let need = cfg.repeat_min_attempts.max(2);
    let worst = by_class
        .iter()
        .max_by_key(|(cl, (n, _))| (*n, std::cmp::Reverse(**cl)));
    let total_attempts = h.attempts.len() + usize::from(!h.checks.is_empty());
    match worst {
        None => RuleResult::new(
            REPEATED_FAILURES,
            Fired::NotFired,
            format!("no runtime or dependency failure in {total_attempts} attempt(s)"),
        ),
        Some((cl, (n, label))) => {
            let quote = if label.is_empty() {
                String::new()
            } else {
                format!(" (latest: {label})")
            };
            if *n >= need {
                RuleResult::new(
                    REPEATED_FAILURES,
                    Fired::Fired,
                    format!(
                        "{} failure in {n} of {total_attempts} attempts{quote}: retrying unchanged burns GPU time",
                        cl.as_str()
                    ),
                )
            } else {
                RuleResult::new(
                    REPEATED_FAILURES,
                    Fired::NotFired,
                    format!(
                        "{} failure in {n} attempt so far{quote}; fires at {need}",
                        cl.as_str()
                    ),
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------
// (d) setup friction

/// Expected smoke duration: smoke steps at the expected rate, else at the
/// observed median rate. Returns (seconds, how it was derived).
pub(crate) fn expected_smoke_s(h: &RunHistory) -> Option<(f64, String)> {
    let steps = h
        .latest()
        .and_then(|c| c.progress.total_steps)
        .or(h.spec.smoke_steps)
        .filter(|s| *s > 0)?;
    if let Some(r) = positive(h.spec.expected_steps_per_sec) {
        return Some((
            steps as f64 / r,
            format!("{steps} steps at the expected {} steps/s", rate_words(r)),
        ));
    }
    let r = positive(h.latest().and_then(|c| c.progress.steps_per_sec.p50))?;
    Some((
        steps as f64 / r,
        format!("{steps} steps at the observed {} steps/s", rate_words(r)),
    ))
}

/// Time to first step (or failed bootstrap attempts) beyond a budget
/// relative to the smoke's expected duration.
pub fn setup_friction(h: &RunHistory, cfg: &RuleConfig) -> RuleResult {
    let failed_boot = h
        .attempts
        .iter()
        .filter(|a| a.kind == AttemptKind::Bootstrap && a.failed())
        .count();
    let Some(now) = h.latest().map(|c| c.t_s) else {
        return RuleResult::new(SETUP_FRICTION, Fired::Unknown, "no check yet");
    };
    let factor = if cfg.setup_budget_factor.is_finite() && cfg.setup_budget_factor > 0.0 {
        cfg.setup_budget_factor
    } else {
        RuleConfig::default().setup_budget_factor
    };
    let min_budget = if cfg.setup_budget_min_s.is_finite() && cfg.setup_budget_min_s >= 0.0 {
        cfg.setup_budget_min_s
    } else {
        RuleConfig::default().setup_budget_min_s
    };
    let (budget, basis) = match expected_smoke_s(h) {
        Some((e, how)) if factor * e > min_budget => (
            factor * e,
            format!(
                "{factor}× the smoke's expected {} ({how})",
                duration_words(e)
            ),
        ),
        Some((e, _)) => (
            min_budget,
            format!(
                "the {} minimum (smoke expected {})",
                duration_words(min_budget),
                duration_words(e)
            ),
        ),
        None => (
            min_budget,
            format!(
                "the {} minimum; smoke duration unknown",
                duration_words(min_budget)
            ),
        ),
    };
    let boot_words = if failed_boot > 0 {
        format!("; {failed_boot} failed bootstrap attempt(s)")
    } else {
        String::new()
    };
    if cfg.max_failed_bootstraps > 0 && failed_boot >= cfg.max_failed_bootstraps {
        return RuleResult::new(
            SETUP_FRICTION,
            Fired::Fired,
            format!(
                "{failed_boot} failed bootstrap attempts (limit {}) before training",
                cfg.max_failed_bootstraps
            ),
        );
    }
    match h.first_step_s() {
        Some(first) => {
            let setup = (first - h.setup_started_s).max(0.0);
            let fired = if setup > budget {
                Fired::Fired
            } else {
                Fired::NotFired
            };
            RuleResult::new(
                SETUP_FRICTION,
                fired,
                format!(
                    "first step after {} of setup (budget {}: {basis}){boot_words}",
                    duration_words(setup),
                    duration_words(budget)
                ),
            )
        }
        None => {
            let waited = (now - h.setup_started_s).max(0.0);
            let fired = if waited > budget {
                Fired::Fired
            } else {
                Fired::NotFired
            };
            RuleResult::new(
                SETUP_FRICTION,
                fired,
                format!(
                    "no training step after {} of setup (budget {}: {basis}){boot_words}",
                    duration_words(waited),
                    duration_words(budget)
                ),
            )
        }
    }
}

// ---------------------------------------------------------------------------
// (a) throughput vs expectation

/// Throughput below `throughput_min_ratio` of the expectation on
/// `throughput_checks` consecutive evaluated checks. A check is evaluated
/// when the step advanced since the previous check and the analyzer has
/// enough post-warm-up intervals; its rate is the median recent step rate
/// (pauses excluded).
pub fn throughput_low(h: &RunHistory, cfg: &RuleConfig) -> RuleResult {
    let exp = match h.spec.expected_steps_per_sec {
        None => {
            return RuleResult::new(
                THROUGHPUT_LOW,
                Fired::Unknown,
                "no throughput expectation for this offer (expected steps/s not set)",
            );
        }
        Some(e) if !e.is_finite() || e <= 0.0 => {
            return RuleResult::new(
                THROUGHPUT_LOW,
                Fired::Unknown,
                format!("expectation {e} steps/s is not a positive number; set a real expectation"),
            );
        }
        Some(e) if e > cfg.max_expected_steps_per_sec => {
            return RuleResult::new(
                THROUGHPUT_LOW,
                Fired::Unknown,
                format!(
                    "expectation {e} steps/s is implausible (above {} steps/s); check the units",
                    cfg.max_expected_steps_per_sec
                ),
            );
        }
        Some(e) => e,
    };
    let ratio_min = if cfg.throughput_min_ratio.is_finite() && cfg.throughput_min_ratio > 0.0 {
        cfg.throughput_min_ratio
    } else {
        RuleConfig::default().throughput_min_ratio
    };
    let need = cfg.throughput_checks.max(1);
    // (check time, observed rate) of evaluated checks, oldest first.
    let mut evaluated: Vec<(f64, f64)> = Vec::new();
    for w in h.checks.windows(2) {
        let (prev, cur) = (&w[0], &w[1]);
        let advanced = cur.progress.step() > prev.progress.step();
        let rate = positive(cur.progress.steps_per_sec.p50);
        if let Some(r) = rate
            && advanced
            && cur.progress.timing_intervals >= cfg.throughput_min_intervals
        {
            evaluated.push((cur.t_s, r));
        }
    }
    let Some(&(_, latest)) = evaluated.last() else {
        return RuleResult::new(
            THROUGHPUT_LOW,
            Fired::Unknown,
            format!(
                "no post-warm-up step timing yet (need {} timed intervals while steps advance)",
                cfg.throughput_min_intervals
            ),
        );
    };
    let latest_ratio = latest / exp;
    if latest_ratio < cfg.min_plausible_ratio {
        return RuleResult::new(
            THROUGHPUT_LOW,
            Fired::Unknown,
            format!(
                "observed {} steps/s is {:.1}% of the expected {} steps/s: too far off to be a slow host; check the expectation's units",
                rate_words(latest),
                100.0 * latest_ratio,
                rate_words(exp)
            ),
        );
    }
    let below: Vec<&(f64, f64)> = evaluated
        .iter()
        .rev()
        .take_while(|(_, r)| r / exp < ratio_min)
        .collect();
    let pct = |r: f64| format!("{:.0}%", 100.0 * r / exp);
    if below.len() >= need {
        let list: Vec<String> = below
            .iter()
            .take(need)
            .rev()
            .map(|(_, r)| format!("{} steps/s ({})", rate_words(*r), pct(*r)))
            .collect();
        RuleResult::new(
            THROUGHPUT_LOW,
            Fired::Fired,
            format!(
                "throughput below {:.0}% of the expected {} steps/s on {} consecutive checks (latest: {})",
                100.0 * ratio_min,
                rate_words(exp),
                below.len(),
                list.join(", ")
            ),
        )
    } else if below.is_empty() {
        RuleResult::new(
            THROUGHPUT_LOW,
            Fired::NotFired,
            format!(
                "throughput {} steps/s = {} of the expected {} steps/s ({} checks evaluated)",
                rate_words(latest),
                pct(latest),
                rate_words(exp),
                evaluated.len()
            ),
        )
    } else {
        RuleResult::new(
            THROUGHPUT_LOW,
            Fired::NotFired,
            format!(
                "throughput {} steps/s = {} of the expected {} steps/s: {} of {need} checks below {:.0}% so far",
                rate_words(latest),
                pct(latest),
                rate_words(exp),
                below.len(),
                100.0 * ratio_min
            ),
        )
    }
}

// ---------------------------------------------------------------------------
// (b) GPU utilisation

/// Whether the interval ending at `checks[i]` was active training: the
/// previous check had already seen a step (startup is over), the step
/// advanced, no eval or checkpoint finished inside it, the run had not
/// finished and the process was not gone.
pub(crate) fn active_interval(checks: &[Check], i: usize) -> bool {
    if i == 0 || i >= checks.len() {
        return false;
    }
    let (prev, cur) = (&checks[i - 1].progress, &checks[i].progress);
    prev.has_progress()
        && cur.step() > prev.step()
        && cur.eval.count == prev.eval.count
        && cur.checkpoints.count == prev.checkpoints.count
        && !cur.finished
        && !checks[i].process.exited()
}

/// Mean GPU util below `util_min_pct` over the last `util_window_s` seconds
/// of active training (see [`active_interval`]).
pub fn gpu_util_low(h: &RunHistory, cfg: &RuleConfig) -> RuleResult {
    let checks = &h.checks;
    let active: Vec<usize> = (1..checks.len())
        .filter(|&i| active_interval(checks, i))
        .collect();
    let Some(&last) = active.last() else {
        let why = if checks.iter().any(|c| c.progress.has_progress()) {
            "no check interval of active training yet (steps must advance outside eval/checkpoint)"
        } else {
            "training has not started (startup, before the first step)"
        };
        return RuleResult::new(GPU_UTIL_LOW, Fired::Unknown, why);
    };
    let t_end = checks[last].t_s;
    let window: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&i| checks[i].t_s >= t_end - cfg.util_window_s.max(0.0))
        .collect();
    let mut utils: Vec<f64> = Vec::new();
    let mut checks_with = 0usize;
    for &i in &window {
        let before = utils.len();
        utils.extend(
            checks[i]
                .gpu
                .iter()
                .filter_map(|g| g.util_pct)
                .filter(|u| u.is_finite()),
        );
        if utils.len() > before {
            checks_with += 1;
        }
    }
    let all_util = checks
        .iter()
        .flat_map(|c| &c.gpu)
        .filter(|g| g.util_pct.is_some())
        .count();
    if all_util == 0 {
        return RuleResult::new(
            GPU_UTIL_LOW,
            Fired::Unknown,
            format!(
                "no GPU utilisation telemetry (nvidia-smi reported no utilization.gpu in {} checks)",
                checks.len()
            ),
        );
    }
    if window.is_empty()
        || utils.is_empty()
        || utils.len() < cfg.util_min_samples
        || checks_with < cfg.util_min_checks
    {
        return RuleResult::new(
            GPU_UTIL_LOW,
            Fired::Unknown,
            format!(
                "not enough telemetry while training yet: {} samples in {checks_with} active checks (need {} in {})",
                utils.len(),
                cfg.util_min_samples,
                cfg.util_min_checks
            ),
        );
    }
    let m = mean(&utils).unwrap_or(0.0);
    let span = t_end - checks[window[0]].t_s;
    let (s0, s1) = (
        checks[window[0] - 1].progress.step(),
        checks[last].progress.step(),
    );
    let base = format!(
        "GPU util {m:.0}% (mean of {} samples, {checks_with} checks over {} while steps advanced {s0}→{s1})",
        utils.len(),
        duration_words(span)
    );
    if m < cfg.util_min_pct {
        RuleResult::new(
            GPU_UTIL_LOW,
            Fired::Fired,
            format!(
                "{base}, below {:.0}% while training: input-bound; see hints",
                cfg.util_min_pct
            ),
        )
    } else {
        RuleResult::new(GPU_UTIL_LOW, Fired::NotFired, base)
    }
}

// ---------------------------------------------------------------------------
// (c) loss movement

/// No meaningful loss decrease by an early checkpoint. With n finite losses
/// (n ≥ `loss_min_points`), compare the mean of the first k and the last k
/// points (k = n × `loss_window_frac`, 3..=50): the decrease is meaningful
/// when it exceeds `loss_noise_z` standard errors (pooled within-window std
/// × sqrt(2/k)) AND `loss_min_rel_change` of the first mean. A significant
/// rise fires too (divergence), as does any NaN/inf loss.
pub fn flat_loss(h: &RunHistory, cfg: &RuleConfig) -> RuleResult {
    let pts: Vec<(u64, f64)> = h.losses().map(|p| (p.step, p.loss)).collect();
    let bad = pts.iter().filter(|(_, l)| !l.is_finite()).count() as u64;
    let nan = bad.max(h.latest().map_or(0, |c| c.progress.loss.nan_count));
    if nan > 0 {
        return RuleResult::new(
            FLAT_LOSS,
            Fired::Fired,
            format!("loss became NaN/inf ({nan} logged values)"),
        );
    }
    let n = pts.len();
    let need = cfg.loss_min_points.max(4);
    if n < need {
        return RuleResult::new(
            FLAT_LOSS,
            Fired::Unknown,
            format!("{n} loss points so far; judged from {need}"),
        );
    }
    let frac = if cfg.loss_window_frac.is_finite() && cfg.loss_window_frac > 0.0 {
        cfg.loss_window_frac.min(0.5)
    } else {
        RuleConfig::default().loss_window_frac
    };
    let k = ((n as f64 * frac) as usize).clamp(3, 50).min(n / 2);
    let first: Vec<f64> = pts[..k].iter().map(|p| p.1).collect();
    let last: Vec<f64> = pts[n - k..].iter().map(|p| p.1).collect();
    let (m1, m2) = (mean(&first).unwrap_or(0.0), mean(&last).unwrap_or(0.0));
    // Noise from second differences of the whole series: a steady trend
    // cancels out of x[i+1] - 2x[i] + x[i-1] (whose variance is 6σ² for
    // white noise), so a loss that falls fast is not mistaken for a noisy
    // one — the spread inside a window would count the trend as noise.
    let values: Vec<f64> = pts.iter().map(|p| p.1).collect();
    let sigma = second_difference_sigma(&values).unwrap_or_else(|| {
        let (s1, s2) = (
            std_dev(&first).unwrap_or(0.0),
            std_dev(&last).unwrap_or(0.0),
        );
        ((s1 * s1 + s2 * s2) / 2.0).sqrt()
    });
    let se = sigma * (2.0 / k as f64).sqrt();
    let drop = m1 - m2;
    let scale = m1.abs().max(1e-12);
    let rel = drop / scale;
    let significant = drop.abs() > cfg.loss_noise_z * se;
    let (sa, sb) = (pts[0].0, pts[n - 1].0);
    let facts = format!(
        "loss {m1:.4} → {m2:.4} (mean of first vs last {k} of {n} points, steps {sa}–{sb}): change {:+.2}%, noise ±{se:.4}",
        -100.0 * rel
    );
    if drop > 0.0 && significant && rel >= cfg.loss_min_rel_change {
        RuleResult::new(FLAT_LOSS, Fired::NotFired, format!("{facts}: moving"))
    } else if drop < 0.0 && significant && -rel >= cfg.loss_min_rel_change {
        RuleResult::new(
            FLAT_LOSS,
            Fired::Fired,
            format!("{facts}: loss is rising, not learning"),
        )
    } else {
        RuleResult::new(
            FLAT_LOSS,
            Fired::Fired,
            format!(
                "{facts}: no meaningful movement (a drop must exceed {:.0}σ = {:.4} and {:.0}%)",
                cfg.loss_noise_z,
                cfg.loss_noise_z * se,
                100.0 * cfg.loss_min_rel_change
            ),
        )
    }
}

/// σ of white noise on top of a smooth series, from its second differences.
fn second_difference_sigma(v: &[f64]) -> Option<f64> {
    if v.len() < 3 {
        return None;
    }
    let d2: Vec<f64> = v.windows(3).map(|w| w[2] - 2.0 * w[1] + w[0]).collect();
    let mean_sq = d2.iter().map(|d| d * d).sum::<f64>() / d2.len() as f64;
    Some((mean_sq / 6.0).sqrt())
}
