//! ETA and cost projections (EXPECTATIONS_AND_ETA.md §4) for the smoke run
//! and for the full run, as optimistic / base / pessimistic.
//!
//! For k in {optimistic, base, pessimistic} with step time p25 / p50 / p90
//! of the recent post-warm-up, non-pause intervals:
//!
//! ```text
//! remaining_k = R × step_k                       R = target − done
//!             + n_eval × eval_cost [× pause_pessimism for k = pessimistic]
//!             + n_ckpt × ckpt_cost [× pause_pessimism]
//!             + (pessimistic only) unseen_pause_frac × R × step_p90
//!                   for each of eval / checkpoint whose cost and cadence
//!                   are not measured yet
//!             + (pessimistic only) shutdown_allowance_s
//! total_k     = elapsed since setup start + remaining_k        (smoke)
//!             = observed setup (setup start → first step) + remaining_k
//!                                                     (full run, R = full target)
//! cost_k      = total_k / 3600 × $/h (storage included) + transfer GB × $/GB
//! ```
//!
//! Eval / checkpoint costs and cadences are the analyzer's measurements
//! (pause beyond the normal step time; median steps between events); the
//! remaining counts are multiples of the cadence still ahead, plus one final
//! save when the target is not a multiple of the checkpoint cadence.
//! Projections exist only after real step timing (seed: "Only after real
//! measurements, do detailed ETA/$ projections"); before that, and for bad
//! inputs, the answer is `unavailable` with the reason.

use serde::{Deserialize, Serialize};

use super::history::{Check, RunHistory};
use super::stats::{non_negative, positive};

/// Knobs of the estimator (serde, with defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectionConfig {
    /// Pessimistic pause cost multiplier (measured pauses vary).
    pub pause_pessimism: f64,
    /// Pessimistic allowance for a pause kind (eval or checkpoint) not yet
    /// observed, as a fraction of the remaining step time.
    pub unseen_pause_frac: f64,
    /// Pessimistic allowance for the end of the run (final metrics, final
    /// save flush, interpreter exit).
    pub shutdown_allowance_s: f64,
    /// Timed intervals below which the projection is flagged low-confidence.
    pub min_confident_intervals: u64,
}

impl Default for ProjectionConfig {
    fn default() -> Self {
        ProjectionConfig {
            pause_pessimism: 1.25,
            unseen_pause_frac: 0.1,
            shutdown_allowance_s: 5.0,
            min_confident_intervals: 20,
        }
    }
}

/// Three-point estimate. Money in dollars (round to cents only at display,
/// see [`format_usd`]).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Range {
    pub optimistic: f64,
    pub base: f64,
    pub pessimistic: f64,
}

impl Range {
    pub fn width(&self) -> f64 {
        self.pessimistic - self.optimistic
    }
    pub fn contains(&self, x: f64) -> bool {
        self.optimistic <= x && x <= self.pessimistic
    }
    fn map(self, f: impl Fn(f64) -> f64) -> Range {
        Range {
            optimistic: f(self.optimistic),
            base: f(self.base),
            pessimistic: f(self.pessimistic),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Smoke,
    Full,
}

/// The numbers behind a projection, for the UI to show next to it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProjectionInputs {
    pub target_steps: Option<u64>,
    /// Where the target came from ("log", "spec", "epochs × steps/epoch").
    pub target_source: String,
    pub done_steps: u64,
    pub remaining_steps: Option<u64>,
    /// p25 / p50 / p90 step time (s), warm-up and pauses excluded.
    pub step_time_s: Option<Range>,
    pub timing_intervals: u64,
    pub eval_every_steps: Option<u64>,
    pub eval_cost_s: Option<f64>,
    pub remaining_evals: Option<u64>,
    pub checkpoint_every_steps: Option<u64>,
    pub checkpoint_cost_s: Option<f64>,
    pub remaining_checkpoints: Option<u64>,
    /// Setup start → this check.
    pub elapsed_s: f64,
    /// Setup start → first step (setup already spent), when seen.
    pub setup_s: Option<f64>,
    pub usd_per_hour: f64,
    pub transfer_gb: Option<f64>,
    pub usd_per_gb: Option<f64>,
    pub bandwidth_usd: f64,
    pub pause_pessimism: f64,
    pub unseen_pause_frac: f64,
    pub shutdown_allowance_s: f64,
}

/// A projection or the reason there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Projection {
    Ok {
        scope: Scope,
        /// Seconds from this check until the run ends (full run: its whole
        /// duration, setup included).
        eta_s: Range,
        /// Wall time from setup start to the end of the run.
        total_s: Range,
        /// Dollars for `total_s` plus bandwidth.
        cost_usd: Range,
        /// Dollars still to be spent (smoke: from this check on).
        remaining_cost_usd: Range,
        /// Fewer timed intervals than `min_confident_intervals`.
        low_confidence: bool,
        inputs: ProjectionInputs,
        notes: Vec<String>,
    },
    Unavailable {
        scope: Scope,
        reason: String,
        inputs: ProjectionInputs,
    },
}

impl Projection {
    pub fn eta_s(&self) -> Option<Range> {
        match self {
            Projection::Ok { eta_s, .. } => Some(*eta_s),
            Projection::Unavailable { .. } => None,
        }
    }
    pub fn total_s(&self) -> Option<Range> {
        match self {
            Projection::Ok { total_s, .. } => Some(*total_s),
            Projection::Unavailable { .. } => None,
        }
    }
    pub fn cost_usd(&self) -> Option<Range> {
        match self {
            Projection::Ok { cost_usd, .. } => Some(*cost_usd),
            Projection::Unavailable { .. } => None,
        }
    }
    pub fn reason(&self) -> Option<&str> {
        match self {
            Projection::Ok { .. } => None,
            Projection::Unavailable { reason, .. } => Some(reason),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projections {
    pub smoke: Projection,
    pub full: Projection,
}

/// "$1.23" (rounded to cents; "-" for a non-finite amount).
pub fn format_usd(x: f64) -> String {
    if !x.is_finite() {
        return "-".to_string();
    }
    let cents = (x * 100.0).round();
    let sign = if cents < 0.0 { "-" } else { "" };
    let cents = cents.abs();
    format!("{sign}${:.2}", cents / 100.0)
}

/// Smoke and full-run projections at the latest check.
pub fn project(h: &RunHistory, cfg: &ProjectionConfig) -> Projections {
    Projections {
        smoke: project_scope(h, cfg, Scope::Smoke),
        full: project_scope(h, cfg, Scope::Full),
    }
}

/// Remaining events at multiples of `every` in (done, target].
fn remaining_multiples(done: u64, target: u64, every: u64) -> u64 {
    if every == 0 || target <= done {
        return 0;
    }
    target / every - done / every
}

fn full_target(h: &RunHistory) -> Result<(u64, String), String> {
    let f = &h.spec.full;
    if let Some(t) = f.total_steps {
        if t == 0 {
            return Err("full-run total steps is 0".to_string());
        }
        return Ok((t, "spec total steps".to_string()));
    }
    match (f.epochs, f.steps_per_epoch) {
        (Some(e), Some(spe)) => {
            if !e.is_finite() || e <= 0.0 {
                return Err(format!("full-run epochs {e} is not a positive number"));
            }
            if spe == 0 {
                return Err("full-run steps per epoch is 0".to_string());
            }
            let t = (e * spe as f64).ceil();
            if t > u64::MAX as f64 / 2.0 {
                return Err(format!("full-run length {e} × {spe} steps is absurd"));
            }
            Ok((t as u64, format!("{e} epochs × {spe} steps/epoch")))
        }
        (Some(_), None) => Err("full-run epochs given without steps per epoch".to_string()),
        _ => Err("no full-run length given (total steps, or epochs × steps/epoch)".to_string()),
    }
}

fn project_scope(h: &RunHistory, cfg: &ProjectionConfig, scope: Scope) -> Projection {
    let mut inputs = ProjectionInputs {
        usd_per_hour: h.spec.usd_per_hour,
        usd_per_gb: h.spec.usd_per_gb,
        transfer_gb: match scope {
            Scope::Smoke => h.spec.smoke_transfer_gb,
            Scope::Full => h.spec.full.transfer_gb,
        },
        pause_pessimism: cfg.pause_pessimism,
        unseen_pause_frac: cfg.unseen_pause_frac,
        shutdown_allowance_s: cfg.shutdown_allowance_s,
        ..ProjectionInputs::default()
    };
    let unavailable = |reason: String, inputs: ProjectionInputs| Projection::Unavailable {
        scope,
        reason,
        inputs,
    };
    let Some(c) = h.latest() else {
        return unavailable("no check yet".to_string(), inputs);
    };
    inputs.elapsed_s = (c.t_s - h.setup_started_s).max(0.0);
    inputs.setup_s = h.first_step_s().map(|t| (t - h.setup_started_s).max(0.0));
    inputs.done_steps = c.progress.step();
    inputs.timing_intervals = c.progress.timing_intervals;

    // Price and bandwidth.
    let price = h.spec.usd_per_hour;
    if !price.is_finite() || price < 0.0 {
        return unavailable(
            format!("offer price {price} $/h is not a valid price (negative or not a number)"),
            inputs,
        );
    }
    let mut notes = Vec::new();
    inputs.bandwidth_usd = match (inputs.transfer_gb, h.spec.usd_per_gb) {
        (Some(gb), Some(p)) => {
            if !gb.is_finite() || gb < 0.0 || !p.is_finite() || p < 0.0 {
                return unavailable(
                    format!(
                        "bandwidth {gb} GB at {p} $/GB is not valid (negative or not a number)"
                    ),
                    inputs,
                );
            }
            gb * p
        }
        (Some(_), None) => {
            notes.push("bandwidth price unknown: transfer cost not included".to_string());
            0.0
        }
        _ => 0.0,
    };

    // Target.
    let done = inputs.done_steps;
    let target = match scope {
        Scope::Smoke => match (c.progress.total_steps, h.spec.smoke_steps) {
            (Some(t), spec) => {
                if let Some(s) = spec
                    && s != t
                {
                    notes.push(format!(
                        "the log says {t} steps, the launch said {s}: using the log"
                    ));
                }
                Ok((t, "log".to_string()))
            }
            (None, Some(s)) => Ok((s, "spec smoke steps".to_string())),
            (None, None) => {
                Err("smoke length unknown (no total in the log or the launch)".to_string())
            }
        },
        Scope::Full => full_target(h),
    };
    let (target, source) = match target {
        Ok(t) => t,
        Err(e) => return unavailable(e, inputs),
    };
    inputs.target_steps = Some(target);
    inputs.target_source = source;
    if target == 0 {
        return unavailable("target is 0 steps".to_string(), inputs);
    }
    let (from, remaining) = match scope {
        Scope::Smoke => {
            if target < done {
                return unavailable(
                    format!(
                        "target {target} steps is below the {done} steps already done (wrong total, or the log restarted)"
                    ),
                    inputs,
                );
            }
            (done, target - done)
        }
        Scope::Full => (0, target),
    };
    let ended = scope == Scope::Smoke && c.process.exited();
    let remaining = if ended {
        notes.push(format!(
            "the process has exited ({}): nothing remains, the total is the time so far",
            c.process
                .exit_code()
                .map_or("code unknown".to_string(), |x| format!("code {x}"))
        ));
        0
    } else {
        remaining
    };
    inputs.remaining_steps = Some(remaining);

    // Step time.
    let st = c.progress.step_time_s;
    let (Some(a), Some(b), Some(p)) = (positive(st.p25), positive(st.p50), positive(st.p90)) else {
        let reason = if ended {
            "the process exited before any step timing: nothing to project from".to_string()
        } else {
            "no post-warm-up step timing yet: projections start after real measurements".to_string()
        };
        return unavailable(reason, inputs);
    };
    let mut v = [a, b, p];
    v.sort_by(f64::total_cmp);
    let step = Range {
        optimistic: v[0],
        base: v[1],
        pessimistic: v[2],
    };
    inputs.step_time_s = Some(step);

    // Pauses.
    let smoke_state = match (scope, ended) {
        (Scope::Full, _) => SmokeState::NotSmoke,
        (Scope::Smoke, true) => SmokeState::Ended,
        (Scope::Smoke, false) => SmokeState::Running,
    };
    let (eval_rem, eval_cost, eval_seen) = pause_plan(
        c,
        smoke_state,
        from,
        target,
        PauseKind::Eval,
        &mut inputs,
        &mut notes,
    );
    let (ckpt_rem, ckpt_cost, ckpt_seen) = pause_plan(
        c,
        smoke_state,
        from,
        target,
        PauseKind::Checkpoint,
        &mut inputs,
        &mut notes,
    );
    let known_pauses = eval_rem as f64 * eval_cost + ckpt_rem as f64 * ckpt_cost;
    let pess_factor = positive(Some(cfg.pause_pessimism)).unwrap_or(1.0).max(1.0);
    let unseen_kinds = u8::from(!eval_seen) + u8::from(!ckpt_seen);
    let unseen_frac = non_negative(Some(cfg.unseen_pause_frac)).unwrap_or(0.0);
    let shutdown = if ended {
        0.0
    } else {
        non_negative(Some(cfg.shutdown_allowance_s)).unwrap_or(0.0)
    };
    let steps_s = step.map(|s| remaining as f64 * s);
    let allowance = f64::from(unseen_kinds) * unseen_frac * steps_s.pessimistic;
    if unseen_kinds > 0 && remaining > 0 {
        notes.push(format!(
            "pessimistic case allows {:.0}% extra for {} not measured yet",
            100.0 * f64::from(unseen_kinds) * unseen_frac,
            match (eval_seen, ckpt_seen) {
                (false, false) => "evals and checkpoints",
                (false, true) => "evals",
                _ => "checkpoints",
            }
        ));
    }
    let mut eta = Range {
        optimistic: steps_s.optimistic + known_pauses,
        base: steps_s.base + known_pauses,
        pessimistic: steps_s.pessimistic + known_pauses * pess_factor + allowance + shutdown,
    };
    let already = match scope {
        Scope::Smoke => inputs.elapsed_s,
        Scope::Full => {
            let setup = inputs.setup_s.unwrap_or(inputs.elapsed_s);
            eta = eta.map(|x| x + setup);
            notes.push(format!(
                "full run = setup as observed ({setup:.0} s) + {target} steps at the smoke's step time"
            ));
            0.0
        }
    };
    if eta.optimistic > 1e12 {
        return unavailable(format!("projection overflows ({target} steps)"), inputs);
    }
    let total = eta.map(|x| x + already);
    let bw = inputs.bandwidth_usd;
    let cost = total.map(|s| s / 3600.0 * price + bw);
    let remaining_cost = match scope {
        Scope::Smoke => eta.map(|s| s / 3600.0 * price + bw),
        Scope::Full => cost,
    };
    let low_confidence = c.progress.timing_intervals < cfg.min_confident_intervals;
    if low_confidence {
        notes.push(format!(
            "low confidence: {} timed intervals (confident from {})",
            c.progress.timing_intervals, cfg.min_confident_intervals
        ));
    }
    Projection::Ok {
        scope,
        eta_s: eta,
        total_s: total,
        cost_usd: cost,
        remaining_cost_usd: remaining_cost,
        low_confidence,
        inputs,
        notes,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SmokeState {
    Running,
    Ended,
    NotSmoke,
}

#[derive(Clone, Copy)]
enum PauseKind {
    Eval,
    Checkpoint,
}

/// (remaining count, cost per event, measured?) for one pause kind, and
/// fill the matching inputs. "Measured" needs both a timed pause and a
/// cadence; otherwise the pessimistic case carries the unseen allowance.
fn pause_plan(
    c: &Check,
    smoke: SmokeState,
    from: u64,
    target: u64,
    kind: PauseKind,
    inputs: &mut ProjectionInputs,
    notes: &mut Vec<String>,
) -> (u64, f64, bool) {
    let p = &c.progress;
    let (count, every, cost, name, last) = match kind {
        PauseKind::Eval => (
            p.eval.count,
            p.eval.every_steps,
            p.eval.mean_s,
            "eval",
            p.last_eval_step,
        ),
        PauseKind::Checkpoint => (
            p.checkpoints.count,
            p.checkpoints.every_steps,
            p.checkpoints.mean_pause_s,
            "checkpoint",
            p.last_checkpoint_step,
        ),
    };
    // Smoke: an event already seen past the last train line is not ahead
    // any more, and nothing is ahead once the process has exited.
    let from = match smoke {
        SmokeState::Ended => target,
        SmokeState::Running => last.map_or(from, |l| l.max(from)).min(target),
        SmokeState::NotSmoke => from,
    };
    if count == 0 {
        return (0, 0.0, false);
    }
    let every = every.filter(|e| *e > 0);
    let mut rem = every.map_or(0, |e| remaining_multiples(from, target, e));
    if let (PauseKind::Checkpoint, Some(e)) = (kind, every)
        && !target.is_multiple_of(e)
        && target > from
    {
        rem += 1; // the final save
    }
    let measured_cost = non_negative(cost);
    let cost = match measured_cost {
        Some(x) => x,
        None => {
            notes.push(format!(
                "{name}s seen but their pause not separately timed: covered by the pessimistic allowance"
            ));
            0.0
        }
    };
    if every.is_none() {
        notes.push(format!(
            "{name} cadence unknown yet: covered by the pessimistic allowance"
        ));
    }
    match kind {
        PauseKind::Eval => {
            inputs.eval_every_steps = every;
            inputs.eval_cost_s = Some(cost);
            inputs.remaining_evals = Some(rem);
        }
        PauseKind::Checkpoint => {
            inputs.checkpoint_every_steps = every;
            inputs.checkpoint_cost_s = Some(cost);
            inputs.remaining_checkpoints = Some(rem);
        }
    }
    (rem, cost, measured_cost.is_some() && every.is_some())
}
