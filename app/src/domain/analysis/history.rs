//! The inputs: what the watcher knows about one run, appended once per check.
//!
//! Clock: every time in this module is **seconds on the watcher's clock**,
//! measured from any fixed origin (the watcher uses "seconds since the
//! instance was rented"; tests use trace seconds). Only differences matter.
//!
//! - [`RunSpec`]: what was asked for and what it costs (set once at launch).
//! - [`Attempt`]: one earlier bootstrap command or smoke launch that ended,
//!   with the error classes it died of (for the repeated-failure and setup
//!   rules).
//! - [`Check`]: one watcher check of the *current* attempt: the check time, a
//!   compact [`Progress`] snapshot of the log [`Analysis`], the GPU samples
//!   taken since the previous check, and the training process state.
//! - [`RunHistory`]: the spec, the setup start time, the earlier attempts and
//!   the checks so far. Every rule and projection is a deterministic function
//!   of a `RunHistory` (plus a config), so a verdict can be recomputed and
//!   explained at any time from stored rows.
//!
//! Size: a history holds one entry per check. Smoke runs last minutes, so at
//! the ~2 s smoke cadence that is a few hundred entries; for long runs the
//! watcher checks less often. The rules look back at most
//! `RuleConfig::util_window_s` for telemetry, a few checks for throughput,
//! and at every loss point (a few per check) for the loss rule.

use serde::{Deserialize, Serialize};

use crate::domain::logs::{
    Analysis, CheckpointStats, ErrorClass, EvalStats, EventKind, LossStats, Pauses, Percentiles,
    Rates,
};
use crate::domain::telemetry::{GpuSample, PidStatus};

/// How long the full run is: `total_steps`, or `epochs` × `steps_per_epoch`
/// (rounded up) when no total is given.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct FullTarget {
    pub total_steps: Option<u64>,
    pub epochs: Option<f64>,
    pub steps_per_epoch: Option<u64>,
    /// Data expected to move in or out during the full run (GB), priced at
    /// [`RunSpec::usd_per_gb`] when both are known.
    pub transfer_gb: Option<f64>,
}

/// What was launched and what it costs. Set once per run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunSpec {
    /// The offer's price in dollars per hour, storage included (Vast
    /// `dph_total`). Negative or non-finite → projections are unavailable.
    pub usd_per_hour: f64,
    /// Bandwidth price in dollars per GB where the offer states one.
    pub usd_per_gb: Option<f64>,
    /// Expected training steps per second on this offer (EXPECTATIONS §2),
    /// if any. Missing, zero or absurd → the throughput rule says Unknown.
    pub expected_steps_per_sec: Option<f64>,
    /// Steps the smoke run was configured for (20-100 typically). The log's
    /// own total (bar / banner) wins when it has one.
    pub smoke_steps: Option<u64>,
    /// Data expected to move during the smoke (GB).
    pub smoke_transfer_gb: Option<f64>,
    pub full: FullTarget,
}

/// The kind of an earlier attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptKind {
    /// A bootstrap command (pip install, git clone, data download).
    Bootstrap,
    /// A launch of the training (smoke) command.
    Smoke,
}

/// One earlier attempt that has ended (the current attempt is described by
/// the checks). The watcher records one per bootstrap command run and per
/// relaunch of the smoke command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub kind: AttemptKind,
    pub started_s: f64,
    pub ended_s: Option<f64>,
    /// Exit status; `None` when unknown (SSH dropped, killed by us).
    pub exit_code: Option<i32>,
    /// Classes of the fatal errors found in that attempt's output (each
    /// class once). Empty when it ended cleanly or died without a signature.
    pub error_classes: Vec<ErrorClass>,
    /// Whether it reached a first training step.
    pub progressed: bool,
}

impl Attempt {
    /// Whether it failed: a non-zero exit, or a fatal error in its output.
    pub fn failed(&self) -> bool {
        self.exit_code.is_some_and(|c| c != 0) || !self.error_classes.is_empty()
    }

    /// Summarise an attempt from the analysis of its output.
    pub fn from_analysis(
        kind: AttemptKind,
        started_s: f64,
        ended_s: Option<f64>,
        exit_code: Option<i32>,
        analysis: &Analysis,
    ) -> Attempt {
        let mut error_classes: Vec<ErrorClass> = analysis
            .errors
            .iter()
            .filter(|e| e.fatal)
            .map(|e| e.class)
            .collect();
        error_classes.sort();
        error_classes.dedup();
        Attempt {
            kind,
            started_s,
            ended_s,
            exit_code,
            error_classes,
            progressed: analysis.last_step.is_some_and(|s| s >= 1) || analysis.loss.count > 0,
        }
    }
}

/// State of the training process at a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ProcessState {
    /// Not reported (probe section missing, SSH trouble).
    #[default]
    Unknown,
    /// Not launched yet (bootstrap still running).
    NotStarted,
    Running,
    /// Gone; the exit code when the launcher recorded it.
    Exited {
        code: Option<i32>,
    },
}

impl ProcessState {
    /// From the probe's `pid` section.
    pub fn from_pid_status(p: &PidStatus) -> ProcessState {
        match (p.alive, p.exit_code) {
            (Some(true), _) => ProcessState::Running,
            (Some(false), code) => ProcessState::Exited { code },
            (None, Some(code)) => ProcessState::Exited { code: Some(code) },
            (None, None) => ProcessState::Unknown,
        }
    }

    pub fn exited(self) -> bool {
        matches!(self, ProcessState::Exited { .. })
    }

    pub fn exit_code(self) -> Option<i32> {
        match self {
            ProcessState::Exited { code } => code,
            _ => None,
        }
    }
}

/// One GPU sample (one GPU, one `nvidia-smi` row) taken since the previous
/// check. Multi-GPU hosts: one point per GPU per poll; the rules average them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuPoint {
    /// Sample time on the watcher's clock.
    pub t_s: f64,
    /// `utilization.gpu` (or dmon `sm`, see `telemetry::effective_util`).
    pub util_pct: Option<f64>,
    pub mem_used_mib: Option<f64>,
    pub mem_total_mib: Option<f64>,
}

impl GpuPoint {
    pub fn from_sample(t_s: f64, s: &GpuSample) -> GpuPoint {
        GpuPoint {
            t_s,
            util_pct: s.util_gpu.filter(|u| u.is_finite()),
            mem_used_mib: s.mem_used_mib.filter(|m| m.is_finite()),
            mem_total_mib: s.mem_total_mib.filter(|m| m.is_finite()),
        }
    }
}

/// One logged training loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    pub step: u64,
    pub loss: f64,
}

/// One error found in the log (compact form of `logs::LogError`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorFact {
    pub class: ErrorClass,
    pub fatal: bool,
    /// Short human summary ("CUDA out of memory (tried to allocate 12.00 GiB)").
    pub label: String,
}

/// The fields of a log [`Analysis`] the rules and projections use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Progress {
    pub last_step: Option<u64>,
    pub total_steps: Option<u64>,
    pub finished: bool,
    /// Recent step rates, warm-up and pauses excluded.
    pub steps_per_sec: Rates,
    /// Recent step time percentiles (s), warm-up and pauses excluded.
    pub step_time_s: Percentiles,
    /// Timed intervals seen so far (confidence of the rates).
    pub timing_intervals: u64,
    pub eval: EvalStats,
    pub checkpoints: CheckpointStats,
    pub pauses: Pauses,
    pub loss: LossStats,
    /// Training losses logged since the previous check (steps increasing).
    pub new_losses: Vec<LossPoint>,
    /// Highest step with a loss seen up to this check (carried forward).
    pub last_loss_step: Option<u64>,
    /// Step of the latest eval / checkpoint event seen (carried forward):
    /// an eval that finished after the last train line is not counted again.
    pub last_eval_step: Option<u64>,
    pub last_checkpoint_step: Option<u64>,
    pub errors: Vec<ErrorFact>,
}

impl Progress {
    /// Snapshot `a`; `prev` is the previous check's snapshot (for the loss
    /// points that are new since then). Loss points come from the
    /// analysis' recent events; at the smoke cadence (a few log lines per
    /// check) none are missed.
    pub fn from_analysis(a: &Analysis, prev: Option<&Progress>) -> Progress {
        let mut last_loss_step = prev.and_then(|p| p.last_loss_step);
        let mut new_losses = Vec::new();
        let mut last_eval_step = prev.and_then(|p| p.last_eval_step);
        let mut last_checkpoint_step = prev.and_then(|p| p.last_checkpoint_step);
        for e in &a.recent {
            let slot = match e.kind {
                EventKind::Eval => Some(&mut last_eval_step),
                EventKind::Checkpoint => Some(&mut last_checkpoint_step),
                _ => None,
            };
            if let (Some(slot), Some(step)) = (slot, e.step) {
                *slot = Some(slot.map_or(step, |s| s.max(step)));
            }
            if e.kind != EventKind::Train {
                continue;
            }
            if let (Some(step), Some(loss)) = (e.step, e.loss)
                && last_loss_step.is_none_or(|l| step > l)
            {
                new_losses.push(LossPoint { step, loss });
                last_loss_step = Some(step);
            }
        }
        Progress {
            last_step: a.last_step,
            total_steps: a.total_steps,
            finished: a.finished,
            steps_per_sec: a.steps_per_sec,
            step_time_s: a.step_time_s,
            timing_intervals: a.timing_intervals,
            eval: a.eval,
            checkpoints: a.checkpoints,
            pauses: a.pauses,
            loss: a.loss,
            new_losses,
            last_loss_step,
            last_eval_step,
            last_checkpoint_step,
            errors: a
                .errors
                .iter()
                .map(|e| ErrorFact {
                    class: e.class,
                    fatal: e.fatal,
                    label: e.label.clone(),
                })
                .collect(),
        }
    }

    /// Training has produced at least one step: a step ≥ 1, or a logged
    /// training loss (nanoGPT prints `iter 0` after the first step; a tqdm
    /// `0/50` bar alone is not progress).
    pub fn has_progress(&self) -> bool {
        self.last_step.is_some_and(|s| s >= 1) || self.loss.count > 0
    }

    pub fn step(&self) -> u64 {
        self.last_step.unwrap_or(0)
    }

    pub fn fatal_errors(&self) -> impl Iterator<Item = &ErrorFact> {
        self.errors.iter().filter(|e| e.fatal)
    }
}

/// One watcher check of the current attempt.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Check {
    /// Check time on the watcher's clock.
    pub t_s: f64,
    pub progress: Progress,
    /// GPU samples taken since the previous check (empty = no telemetry).
    pub gpu: Vec<GpuPoint>,
    pub process: ProcessState,
}

/// Everything the rules and projections read. See the module docs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunHistory {
    pub spec: RunSpec,
    /// When setup began (instance running, first SSH command).
    pub setup_started_s: f64,
    /// Earlier attempts that have ended (not the current one).
    pub attempts: Vec<Attempt>,
    /// Checks of the current attempt, oldest first.
    pub checks: Vec<Check>,
}

impl RunHistory {
    pub fn new(spec: RunSpec, setup_started_s: f64) -> RunHistory {
        RunHistory {
            spec,
            setup_started_s,
            attempts: Vec::new(),
            checks: Vec::new(),
        }
    }

    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    pub fn latest(&self) -> Option<&Check> {
        self.checks.last()
    }

    /// Time of the first check that saw training progress (the first-step
    /// time, to the resolution of the check cadence).
    pub fn first_step_s(&self) -> Option<f64> {
        self.checks
            .iter()
            .find(|c| c.progress.has_progress())
            .map(|c| c.t_s)
    }

    /// Every loss logged in the current attempt, oldest first.
    pub fn losses(&self) -> impl Iterator<Item = LossPoint> + '_ {
        self.checks
            .iter()
            .flat_map(|c| c.progress.new_losses.iter().copied())
    }
}
