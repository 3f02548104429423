//! The bring-up checklist of one smoke run, as a state machine.
//!
//! Seven steps in a fixed order (instance running → SSH reachable → GPUs visible →
//! bootstrap done → smoke started → progressing → first live numbers). The watcher
//! feeds it observations and calls [`Checklist::tick`] every check; each step has a
//! timeout, so a run whose bring-up stalls always ends with a reason in words
//! instead of hanging. Pure: the caller passes the clock (`now_ms`, unix
//! milliseconds) and the whole value is serde, so it is persisted in the run row
//! and a server that takes over the run's lease resumes exactly where the last
//! one stopped.
//!
//! Observations for a step that is not the current one are ignored: they are
//! either late (the step already passed) or premature, and guessing that earlier
//! steps passed would hide the very failure the checklist exists to report.

use serde::{Deserialize, Serialize};

/// The checklist steps, in the order they must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    InstanceRunning,
    SshReachable,
    GpusVisible,
    BootstrapDone,
    SmokeStarted,
    Progressing,
    FirstNumbers,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::InstanceRunning,
        Step::SshReachable,
        Step::GpusVisible,
        Step::BootstrapDone,
        Step::SmokeStarted,
        Step::Progressing,
        Step::FirstNumbers,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The id used in JSON and event rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::InstanceRunning => "instance_running",
            Step::SshReachable => "ssh_reachable",
            Step::GpusVisible => "gpus_visible",
            Step::BootstrapDone => "bootstrap_done",
            Step::SmokeStarted => "smoke_started",
            Step::Progressing => "progressing",
            Step::FirstNumbers => "first_numbers",
        }
    }

    /// What the step checks, for people.
    pub fn label(self) -> &'static str {
        match self {
            Step::InstanceRunning => "Instance running",
            Step::SshReachable => "SSH reachable",
            Step::GpusVisible => "GPUs visible",
            Step::BootstrapDone => "Bootstrap done",
            Step::SmokeStarted => "Smoke run started",
            Step::Progressing => "Progressing",
            Step::FirstNumbers => "First live numbers",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not reached yet, or under way (then `started_ms` is set).
    Pending,
    Passed,
    Failed,
    /// Not needed (no bootstrap command) or never reached because an earlier step failed.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    pub step: Step,
    pub status: StepStatus,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    pub detail: String,
}

/// Per-step timeouts in seconds. Every field has a default, so a stored config
/// from an older version (or `{}`) still reads, and every step has a finite limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChecklistConfig {
    /// Vast boots (image pull included) rarely take longer; past this the host is stuck.
    pub instance_running_secs: u64,
    pub ssh_secs: u64,
    pub gpus_secs: u64,
    pub bootstrap_secs: u64,
    pub smoke_start_secs: u64,
    /// From smoke start to the step counter increasing (model load, compile, data).
    pub first_step_secs: u64,
    pub first_numbers_secs: u64,
    /// How much less memory than the offer claims still counts as a match
    /// (drivers reserve some, and Vast rounds).
    pub gpu_mem_tolerance_pct: u32,
}

impl Default for ChecklistConfig {
    fn default() -> Self {
        Self {
            instance_running_secs: 600,
            ssh_secs: 180,
            gpus_secs: 60,
            bootstrap_secs: 1800,
            smoke_start_secs: 120,
            first_step_secs: 900,
            first_numbers_secs: 300,
            gpu_mem_tolerance_pct: 5,
        }
    }
}

impl ChecklistConfig {
    pub fn timeout_secs(&self, step: Step) -> u64 {
        match step {
            Step::InstanceRunning => self.instance_running_secs,
            Step::SshReachable => self.ssh_secs,
            Step::GpusVisible => self.gpus_secs,
            Step::BootstrapDone => self.bootstrap_secs,
            Step::SmokeStarted => self.smoke_start_secs,
            Step::Progressing => self.first_step_secs,
            Step::FirstNumbers => self.first_numbers_secs,
        }
    }
}

/// What the rented offer promised, checked against `nvidia-smi`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferExpectation {
    pub gpu_count: u32,
    /// Vast's `gpu_name`, e.g. "RTX 4090", "H100 SXM".
    pub gpu_name: String,
    /// Per GPU, as Vast's `gpu_ram` (MB); 0 = unknown, not checked.
    pub gpu_mem_mb: u64,
}

/// One `nvidia-smi` answer, summarised (all GPUs share name and memory on Vast).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuObservation {
    pub count: u32,
    pub name: String,
    /// memory.total of one GPU, MiB.
    pub mem_mb: u64,
    pub driver: Option<String>,
    pub cuda: Option<String>,
}

/// How the bootstrap ended. `output_tail` is kept (capped) for the run page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BootstrapResult {
    pub exit_code: i32,
    pub failing_command: Option<String>,
    /// A `logs::errors::ErrorClass` id ("dependency", "memory", …) when classified.
    pub error_class: Option<String>,
    /// The error line that explains the failure.
    pub error: Option<String>,
    pub output_tail: Option<String>,
}

/// The first live numbers of the smoke run; each is recorded when first seen.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FirstNumbers {
    pub steps_per_sec: Option<f64>,
    pub gpu_util_pct: Option<f64>,
    pub gpu_mem_used_mb: Option<f64>,
    pub eval_every_steps: Option<u64>,
    pub eval_seconds: Option<f64>,
    pub transfer_mb_per_sec: Option<f64>,
}

impl FirstNumbers {
    /// Later observations fill gaps; a value once recorded stays (it is the *first* number).
    fn merge(&mut self, other: &FirstNumbers) {
        fn keep<T: Copy>(slot: &mut Option<T>, new: Option<T>) {
            if slot.is_none() {
                *slot = new;
            }
        }
        keep(
            &mut self.steps_per_sec,
            other.steps_per_sec.filter(|v| v.is_finite()),
        );
        keep(
            &mut self.gpu_util_pct,
            other.gpu_util_pct.filter(|v| v.is_finite()),
        );
        keep(
            &mut self.gpu_mem_used_mb,
            other.gpu_mem_used_mb.filter(|v| v.is_finite()),
        );
        keep(&mut self.eval_every_steps, other.eval_every_steps);
        keep(
            &mut self.eval_seconds,
            other.eval_seconds.filter(|v| v.is_finite()),
        );
        keep(
            &mut self.transfer_mb_per_sec,
            other.transfer_mb_per_sec.filter(|v| v.is_finite()),
        );
    }

    /// The numbers the step cannot pass without (eval and transfer may never occur
    /// in a 20-step smoke run, so they are recorded but not required).
    fn missing_required(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.steps_per_sec.is_none() {
            missing.push("step/s");
        }
        if self.gpu_util_pct.is_none() {
            missing.push("GPU util");
        }
        if self.gpu_mem_used_mb.is_none() {
            missing.push("GPU memory");
        }
        missing
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.steps_per_sec {
            parts.push(format!("{v:.2} step/s"));
        }
        if let Some(v) = self.gpu_util_pct {
            parts.push(format!("GPU util {v:.0}%"));
        }
        if let Some(v) = self.gpu_mem_used_mb {
            parts.push(format!("GPU memory {v:.0} MiB"));
        }
        match (self.eval_every_steps, self.eval_seconds) {
            (Some(every), Some(secs)) => {
                parts.push(format!("eval every {every} steps, {secs:.1} s"))
            }
            (Some(every), None) => parts.push(format!("eval every {every} steps")),
            (None, Some(secs)) => parts.push(format!("eval {secs:.1} s")),
            (None, None) => parts.push("no eval seen yet".into()),
        }
        match self.transfer_mb_per_sec {
            Some(v) => parts.push(format!("transfer {v:.1} MB/s")),
            None => parts.push("transfer speed not measured".into()),
        }
        parts.join(", ")
    }
}

/// One row of the run JSON's `checklist` list (also what a transition returns,
/// for the watcher's event row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistRow {
    pub step: Step,
    pub status: StepStatus,
    /// Finished − started; for the step under way, time so far; null if never started.
    pub seconds: Option<f64>,
    pub detail: String,
}

/// Where the checklist as a whole stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    InProgress(Step),
    Passed,
    Failed { step: Step, reason: String },
}

/// Output tails are capped so a noisy bootstrap cannot bloat the run row.
pub const MAX_OUTPUT_TAIL: usize = 4000;
const MAX_DETAIL: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub config: ChecklistConfig,
    pub expect: Option<OfferExpectation>,
    pub steps: [StepState; 7],
    /// The latest clock reading seen; durations of the step under way use it.
    pub last_seen_ms: i64,
    pub instance_status: Option<String>,
    pub last_error: Option<String>,
    pub gpus: Option<GpuObservation>,
    pub bootstrap: Option<BootstrapResult>,
    pub smoke_pid: Option<u32>,
    pub first_train_step: Option<u64>,
    pub last_train_step: Option<u64>,
    pub numbers: FirstNumbers,
}

impl Checklist {
    /// A fresh checklist; the first step (waiting for the instance) starts at `now_ms`.
    pub fn new(config: ChecklistConfig, expect: Option<OfferExpectation>, now_ms: i64) -> Self {
        let steps = Step::ALL.map(|step| StepState {
            step,
            status: StepStatus::Pending,
            started_ms: None,
            finished_ms: None,
            detail: String::new(),
        });
        let mut checklist = Self {
            config,
            expect,
            steps,
            last_seen_ms: now_ms,
            instance_status: None,
            last_error: None,
            gpus: None,
            bootstrap: None,
            smoke_pid: None,
            first_train_step: None,
            last_train_step: None,
            numbers: FirstNumbers::default(),
        };
        checklist.steps[0].started_ms = Some(now_ms);
        checklist
    }

    /// The step under way: None once passed through or failed.
    pub fn current(&self) -> Option<Step> {
        if self.steps.iter().any(|s| s.status == StepStatus::Failed) {
            return None;
        }
        self.steps
            .iter()
            .position(|s| s.status == StepStatus::Pending)
            .map(|i| Step::ALL[i])
    }

    pub fn outcome(&self) -> Outcome {
        if let Some(failed) = self.steps.iter().find(|s| s.status == StepStatus::Failed) {
            return Outcome::Failed {
                step: failed.step,
                reason: failed.detail.clone(),
            };
        }
        match self.current() {
            Some(step) => Outcome::InProgress(step),
            None => Outcome::Passed,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.current().is_none()
    }

    pub fn step(&self, step: Step) -> &StepState {
        &self.steps[step.index()]
    }

    /// Applies the current step's timeout. Call every check: this is what makes a
    /// stalled bring-up end with a reason instead of hanging.
    pub fn tick(&mut self, now_ms: i64) -> Option<ChecklistRow> {
        self.see(now_ms);
        let step = self.current()?;
        // A step with no start (a hand-edited or older stored state) starts its
        // clock now; otherwise it could never time out.
        let started = *self.step_mut(step).started_ms.get_or_insert(now_ms);
        let limit = self.config.timeout_secs(step);
        // i128: no clock or config value can overflow into a false timeout.
        let elapsed_ms = i128::from(now_ms) - i128::from(started);
        if elapsed_ms <= i128::from(limit) * 1000 {
            return None;
        }
        let reason = self.timeout_reason(step, limit);
        self.fail(step, now_ms, reason)
    }

    /// Vast's `actual_status` for the instance (with its `status_msg`, if any).
    pub fn observe_instance_status(
        &mut self,
        now_ms: i64,
        status: &str,
        message: Option<&str>,
    ) -> Option<ChecklistRow> {
        self.see(now_ms);
        let status = status.trim().to_ascii_lowercase();
        self.instance_status = Some(status.clone());
        let current = self.current()?;
        let gone = matches!(
            status.as_str(),
            "exited" | "stopped" | "offline" | "error" | "deleted" | "destroyed"
        );
        if gone {
            // The host is lost at whatever step we are on: nothing later can pass.
            let mut reason = format!("instance is {status}");
            if let Some(msg) = message.map(str::trim).filter(|m| !m.is_empty()) {
                reason.push_str(": ");
                reason.push_str(msg);
            }
            return self.fail(current, now_ms, reason);
        }
        if current == Step::InstanceRunning && status == "running" {
            return self.pass(current, now_ms, "instance is running".into());
        }
        if current == Step::InstanceRunning {
            self.step_mut(current).detail = format!("instance is {status}");
        }
        None
    }

    pub fn ssh_ok(&mut self, now_ms: i64, host: &str, port: u16) -> Option<ChecklistRow> {
        self.see(now_ms);
        self.pass(Step::SshReachable, now_ms, format!("ssh {host}:{port}"))
    }

    /// A failed SSH attempt. Transient ones (refused, timed out: sshd still
    /// starting) are retried until the timeout; permanent ones (key rejected,
    /// host key changed) fail the step now.
    pub fn ssh_failed(
        &mut self,
        now_ms: i64,
        error: &str,
        permanent: bool,
    ) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() != Some(Step::SshReachable) {
            return None;
        }
        self.last_error = Some(cap(error.trim(), MAX_DETAIL));
        if permanent {
            return self.fail(
                Step::SshReachable,
                now_ms,
                format!("SSH refused: {}", cap(error.trim(), MAX_DETAIL)),
            );
        }
        None
    }

    /// `nvidia-smi` answered; compared with what the offer promised.
    pub fn gpus_seen(&mut self, now_ms: i64, seen: GpuObservation) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() != Some(Step::GpusVisible) {
            return None;
        }
        let versions = match (&seen.driver, &seen.cuda) {
            (Some(d), Some(c)) => format!(" (driver {d}, CUDA {c})"),
            (Some(d), None) => format!(" (driver {d})"),
            (None, Some(c)) => format!(" (CUDA {c})"),
            (None, None) => String::new(),
        };
        let summary = format!(
            "{} × {} {} MiB{versions}",
            seen.count, seen.name, seen.mem_mb
        );
        let problem = if seen.count == 0 {
            Some("nvidia-smi sees no GPU".to_string())
        } else if let Some(expect) = &self.expect {
            self.mismatch(expect, &seen)
        } else {
            None
        };
        self.gpus = Some(seen);
        match problem {
            Some(problem) => self.fail(
                Step::GpusVisible,
                now_ms,
                format!("{problem}: saw {summary}"),
            ),
            None => self.pass(Step::GpusVisible, now_ms, summary),
        }
    }

    /// `nvidia-smi` failed (driver not loaded, not found, …): retried until the timeout.
    pub fn gpus_failed(&mut self, now_ms: i64, error: &str) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() == Some(Step::GpusVisible) {
            self.last_error = Some(cap(error.trim(), MAX_DETAIL));
        }
        None
    }

    pub fn bootstrap_finished(
        &mut self,
        now_ms: i64,
        result: BootstrapResult,
    ) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() != Some(Step::BootstrapDone) {
            return None;
        }
        let mut result = result;
        result.output_tail = result.output_tail.map(|t| tail(&t, MAX_OUTPUT_TAIL));
        let change = if result.exit_code == 0 {
            self.pass(Step::BootstrapDone, now_ms, "bootstrap exited 0".into())
        } else {
            let mut reason = format!("bootstrap failed (exit {})", result.exit_code);
            if let Some(class) = result.error_class.as_deref().filter(|c| !c.is_empty()) {
                reason.push_str(&format!(", {class} error"));
            }
            if let Some(cmd) = result.failing_command.as_deref().filter(|c| !c.is_empty()) {
                reason.push_str(&format!(" in `{}`", cap(cmd.trim(), 200)));
            }
            if let Some(err) = result.error.as_deref().filter(|e| !e.is_empty()) {
                reason.push_str(": ");
                reason.push_str(&cap(err.trim(), 300));
            }
            self.fail(Step::BootstrapDone, now_ms, reason)
        };
        self.bootstrap = Some(result);
        change
    }

    /// The launch spec has no bootstrap command.
    pub fn skip_bootstrap(&mut self, now_ms: i64) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() != Some(Step::BootstrapDone) {
            return None;
        }
        let now = now_ms;
        let state = self.step_mut(Step::BootstrapDone);
        state.status = StepStatus::Skipped;
        state.finished_ms = Some(now);
        state.detail = "no bootstrap command".into();
        self.start_next(Step::BootstrapDone, now);
        Some(self.row(Step::BootstrapDone))
    }

    pub fn smoke_started(&mut self, now_ms: i64, pid: u32, log_path: &str) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() != Some(Step::SmokeStarted) {
            return None;
        }
        self.smoke_pid = Some(pid);
        self.pass(
            Step::SmokeStarted,
            now_ms,
            format!("detached as pid {pid}, logging to {log_path}"),
        )
    }

    /// The launcher could not start the smoke command at all.
    pub fn smoke_failed(&mut self, now_ms: i64, error: &str) -> Option<ChecklistRow> {
        self.see(now_ms);
        if self.current() != Some(Step::SmokeStarted) {
            return None;
        }
        self.fail(
            Step::SmokeStarted,
            now_ms,
            format!("smoke run did not start: {}", cap(error.trim(), MAX_DETAIL)),
        )
    }

    /// The training step parsed from the log, and a fatal error (traceback, OOM…)
    /// if the log shows one. Passes "progressing" once the step counter increases.
    pub fn progress(
        &mut self,
        now_ms: i64,
        step: Option<u64>,
        fatal: Option<&str>,
    ) -> Option<ChecklistRow> {
        self.see(now_ms);
        let current = self.current()?;
        if !matches!(current, Step::Progressing | Step::FirstNumbers) {
            return None;
        }
        if let Some(fatal) = fatal {
            let at = step
                .or(self.last_train_step)
                .map(|s| format!(" at step {s}"))
                .unwrap_or_default();
            return self.fail(
                current,
                now_ms,
                format!("fatal error{at}: {}", cap(fatal.trim(), MAX_DETAIL)),
            );
        }
        let step = step?;
        if self.first_train_step.is_none() {
            self.first_train_step = Some(step);
        }
        self.last_train_step = Some(self.last_train_step.map_or(step, |s| s.max(step)));
        if current != Step::Progressing {
            return None;
        }
        // A log may open on a resumed step or print step 0 before training: only an
        // increase proves the loop runs.
        match self.first_train_step {
            Some(first) if step > first => {
                self.pass(Step::Progressing, now_ms, format!("step {first} → {step}"))
            }
            _ => {
                self.step_mut(Step::Progressing).detail = format!("at step {step}");
                None
            }
        }
    }

    /// Live numbers as the watcher derives them; merged, so they may come in pieces.
    pub fn first_numbers(&mut self, now_ms: i64, numbers: &FirstNumbers) -> Option<ChecklistRow> {
        self.see(now_ms);
        let current = self.current()?;
        if !matches!(current, Step::Progressing | Step::FirstNumbers) {
            return None;
        }
        // Numbers can arrive in the same check that proves progress: keep them.
        self.numbers.merge(numbers);
        if current != Step::FirstNumbers || !self.numbers.missing_required().is_empty() {
            return None;
        }
        let detail = self.numbers.describe();
        self.pass(Step::FirstNumbers, now_ms, detail)
    }

    /// The smoke process exited (seen by pid liveness or its exit code file).
    pub fn smoke_exited(
        &mut self,
        now_ms: i64,
        exit_code: Option<i32>,
        error_class: Option<&str>,
    ) -> Option<ChecklistRow> {
        self.see(now_ms);
        let current = self.current()?;
        if current < Step::SmokeStarted {
            return None;
        }
        let code = exit_code.map_or("an unknown code".to_string(), |c| c.to_string());
        let class = error_class
            .filter(|c| !c.is_empty())
            .map(|c| format!(" ({c} error)"))
            .unwrap_or_default();
        if current == Step::FirstNumbers && exit_code == Some(0) {
            // A short smoke run may finish before every number is in: pass on what
            // was recorded if that is enough.
            if self.numbers.missing_required().is_empty() {
                let detail = format!("{} (run finished)", self.numbers.describe());
                return self.pass(Step::FirstNumbers, now_ms, detail);
            }
            let missing = self.numbers.missing_required().join(", ");
            return self.fail(
                current,
                now_ms,
                format!(
                    "smoke run finished before live numbers were recorded (missing: {missing})"
                ),
            );
        }
        let when = match current {
            Step::SmokeStarted => "before it was seen running",
            Step::Progressing => "before the step counter increased",
            _ => "before live numbers were recorded",
        };
        self.fail(
            current,
            now_ms,
            format!("smoke run exited with {code}{class} {when}"),
        )
    }

    /// Ends the bring-up from outside (user kill, budget cap, lease lost for good).
    pub fn abort(&mut self, now_ms: i64, reason: &str) -> Option<ChecklistRow> {
        self.see(now_ms);
        let current = self.current()?;
        self.fail(current, now_ms, reason.trim().to_string())
    }

    /// The run JSON's `checklist`: one row per step, in order.
    pub fn to_json_rows(&self) -> Vec<ChecklistRow> {
        Step::ALL.iter().map(|&step| self.row(step)).collect()
    }

    // ---- internals ----

    fn see(&mut self, now_ms: i64) {
        // Observations may arrive out of order across servers; the clock only moves forward.
        self.last_seen_ms = self.last_seen_ms.max(now_ms);
    }

    fn step_mut(&mut self, step: Step) -> &mut StepState {
        &mut self.steps[step.index()]
    }

    fn row(&self, step: Step) -> ChecklistRow {
        let state = self.step(step);
        let seconds = state.started_ms.map(|start| {
            let end = state.finished_ms.unwrap_or(self.last_seen_ms);
            let ms = end.saturating_sub(start).max(0);
            (ms as f64 / 100.0).round() / 10.0
        });
        ChecklistRow {
            step,
            status: state.status,
            seconds,
            detail: state.detail.clone(),
        }
    }

    fn pass(&mut self, step: Step, now_ms: i64, detail: String) -> Option<ChecklistRow> {
        if self.current() != Some(step) {
            return None;
        }
        let state = self.step_mut(step);
        state.status = StepStatus::Passed;
        state.finished_ms = Some(now_ms.max(state.started_ms.unwrap_or(now_ms)));
        state.detail = cap(&detail, MAX_DETAIL);
        self.last_error = None;
        self.start_next(step, now_ms);
        Some(self.row(step))
    }

    fn fail(&mut self, step: Step, now_ms: i64, reason: String) -> Option<ChecklistRow> {
        if self.current() != Some(step) {
            return None;
        }
        let state = self.step_mut(step);
        state.status = StepStatus::Failed;
        state.finished_ms = Some(now_ms.max(state.started_ms.unwrap_or(now_ms)));
        state.detail = cap(&reason, MAX_DETAIL);
        let label = step.label();
        for later in &mut self.steps[step.index() + 1..] {
            later.status = StepStatus::Skipped;
            later.detail = format!("not reached: {label} failed");
        }
        Some(self.row(step))
    }

    fn start_next(&mut self, step: Step, now_ms: i64) {
        if let Some(next) = self.steps.get_mut(step.index() + 1) {
            next.started_ms = Some(now_ms);
        }
    }

    fn timeout_reason(&self, step: Step, limit: u64) -> String {
        let limit_words = duration_words(limit);
        let last_error = self
            .last_error
            .as_deref()
            .map(|e| format!(" (last error: {e})"))
            .unwrap_or_default();
        match step {
            Step::InstanceRunning => match self.instance_status.as_deref() {
                Some("loading") => format!("stuck in loading for more than {limit_words}"),
                Some(status) => {
                    format!("instance not running after {limit_words} (last status: {status})")
                }
                None => format!("instance not running after {limit_words} (no status reported)"),
            },
            Step::SshReachable => format!("SSH not reachable within {limit_words}{last_error}"),
            Step::GpusVisible => {
                format!("nvidia-smi did not list the GPUs within {limit_words}{last_error}")
            }
            Step::BootstrapDone => format!("bootstrap still running after {limit_words}"),
            Step::SmokeStarted => format!("smoke run not started within {limit_words}"),
            Step::Progressing => match self.last_train_step {
                Some(at) => {
                    format!("stuck at step {at}: no progress within {limit_words} of starting")
                }
                None => format!("no training step logged within {limit_words} of starting"),
            },
            Step::FirstNumbers => format!(
                "live numbers not recorded within {limit_words} (missing: {})",
                self.numbers.missing_required().join(", ")
            ),
        }
    }

    fn mismatch(&self, expect: &OfferExpectation, seen: &GpuObservation) -> Option<String> {
        if expect.gpu_count > 0 && seen.count != expect.gpu_count {
            return Some(format!(
                "offer promised {} GPU(s), nvidia-smi sees {}",
                expect.gpu_count, seen.count
            ));
        }
        if !expect.gpu_name.trim().is_empty() && !gpu_name_matches(&expect.gpu_name, &seen.name) {
            return Some(format!(
                "offer promised {}, host has {}",
                expect.gpu_name, seen.name
            ));
        }
        let tolerance = u64::from(self.config.gpu_mem_tolerance_pct.min(100));
        if expect.gpu_mem_mb > 0
            && seen.mem_mb.saturating_mul(100) < expect.gpu_mem_mb.saturating_mul(100 - tolerance)
        {
            return Some(format!(
                "offer promised {} MB per GPU, host has {} MiB",
                expect.gpu_mem_mb, seen.mem_mb
            ));
        }
        None
    }
}

/// Vast names ("RTX 4090", "H100 SXM", "A100 SXM4") against nvidia-smi names
/// ("NVIDIA GeForce RTX 4090", "NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB").
/// Every model token of the offer must appear; form factors (SXM, PCIe, NVL) must
/// agree only when both names state one, because nvidia-smi often omits SXM.
pub fn gpu_name_matches(offer: &str, smi: &str) -> bool {
    fn tokens(name: &str) -> Vec<String> {
        name.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty() && !matches!(*t, "nvidia" | "geforce" | "tesla"))
            .map(|t| match t {
                "quadro" => "q".to_string(),
                _ => t.to_string(),
            })
            .collect()
    }
    fn form_factor(token: &str) -> Option<&'static str> {
        if token.starts_with("sxm") {
            Some("sxm")
        } else if token == "pcie" {
            Some("pcie")
        } else if token == "nvl" {
            Some("nvl")
        } else {
            None
        }
    }
    let offer = tokens(offer);
    let smi = tokens(smi);
    if offer.is_empty() || smi.is_empty() {
        return false;
    }
    let smi_form = smi.iter().find_map(|t| form_factor(t));
    for token in &offer {
        match form_factor(token) {
            Some(form) => {
                if smi_form.is_some_and(|f| f != form) {
                    return false;
                }
            }
            None => {
                if !smi.contains(token) {
                    return false;
                }
            }
        }
    }
    true
}

/// "45 s", "3 min", "3 min 5 s", "1 h 2 min".
pub fn duration_words(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    s[start..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1000;
    const T0: i64 = 1_700_000_000_000;

    fn expect_4090x2() -> OfferExpectation {
        OfferExpectation {
            gpu_count: 2,
            gpu_name: "RTX 4090".into(),
            gpu_mem_mb: 24564,
        }
    }

    fn seen_4090(count: u32, mem_mb: u64) -> GpuObservation {
        GpuObservation {
            count,
            name: "NVIDIA GeForce RTX 4090".into(),
            mem_mb,
            driver: Some("550.54.15".into()),
            cuda: Some("12.4".into()),
        }
    }

    fn fresh() -> Checklist {
        Checklist::new(ChecklistConfig::default(), Some(expect_4090x2()), T0)
    }

    fn numbers_all() -> FirstNumbers {
        FirstNumbers {
            steps_per_sec: Some(3.5),
            gpu_util_pct: Some(97.0),
            gpu_mem_used_mb: Some(20_000.0),
            eval_every_steps: Some(50),
            eval_seconds: Some(12.5),
            transfer_mb_per_sec: Some(180.0),
        }
    }

    /// Drives a checklist up to (not into) `step`, one second per step.
    fn at_step(step: Step) -> (Checklist, i64) {
        let mut c = fresh();
        let mut t = T0;
        for s in Step::ALL {
            if s == step {
                break;
            }
            t += S;
            let change = match s {
                Step::InstanceRunning => c.observe_instance_status(t, "running", None),
                Step::SshReachable => c.ssh_ok(t, "1.2.3.4", 2222),
                Step::GpusVisible => c.gpus_seen(t, seen_4090(2, 24564)),
                Step::BootstrapDone => c.bootstrap_finished(t, BootstrapResult::default()),
                Step::SmokeStarted => c.smoke_started(t, 4242, "/root/smoke.log"),
                Step::Progressing => {
                    c.progress(t, Some(1), None);
                    c.progress(t, Some(2), None)
                }
                Step::FirstNumbers => c.first_numbers(t, &numbers_all()),
            };
            assert_eq!(change.map(|r| r.status), Some(StepStatus::Passed), "{s:?}");
        }
        assert_eq!(c.current(), Some(step));
        (c, t)
    }

    fn failed_reason(c: &Checklist) -> (Step, String) {
        match c.outcome() {
            Outcome::Failed { step, reason } => (step, reason),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn a_new_checklist_waits_for_the_instance_and_nothing_else_has_started() {
        let c = fresh();
        assert_eq!(c.current(), Some(Step::InstanceRunning));
        let rows = c.to_json_rows();
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[0].seconds, Some(0.0));
        assert!(rows.iter().all(|r| r.status == StepStatus::Pending));
        assert!(rows[1..].iter().all(|r| r.seconds.is_none()));
    }

    #[test]
    fn happy_path_passes_every_step_with_durations() {
        let mut c = fresh();
        assert!(
            c.observe_instance_status(T0 + 30 * S, "loading", None)
                .is_none()
        );
        let r = c
            .observe_instance_status(T0 + 95 * S, "running", None)
            .expect("passes");
        assert_eq!(
            (r.step, r.status, r.seconds),
            (Step::InstanceRunning, StepStatus::Passed, Some(95.0))
        );
        assert!(
            c.ssh_failed(T0 + 100 * S, "connection refused", false)
                .is_none()
        );
        let r = c.ssh_ok(T0 + 110 * S, "1.2.3.4", 2222).expect("passes");
        assert_eq!(r.seconds, Some(15.0));
        let r = c
            .gpus_seen(T0 + 112 * S, seen_4090(2, 24564))
            .expect("passes");
        assert!(
            r.detail.contains("driver 550.54.15, CUDA 12.4"),
            "{}",
            r.detail
        );
        assert_eq!(
            c.gpus.as_ref().and_then(|g| g.cuda.clone()).as_deref(),
            Some("12.4")
        );
        let r = c
            .bootstrap_finished(
                T0 + 412 * S,
                BootstrapResult {
                    output_tail: Some("Successfully installed torch".into()),
                    ..Default::default()
                },
            )
            .expect("passes");
        assert_eq!(r.seconds, Some(300.0));
        assert!(
            c.bootstrap
                .as_ref()
                .and_then(|b| b.output_tail.as_deref())
                .is_some()
        );
        c.smoke_started(T0 + 413 * S, 4242, "/root/smoke.log")
            .expect("passes");
        assert_eq!(c.smoke_pid, Some(4242));
        assert!(c.progress(T0 + 450 * S, Some(0), None).is_none());
        assert!(c.progress(T0 + 460 * S, Some(0), None).is_none());
        let r = c.progress(T0 + 470 * S, Some(5), None).expect("passes");
        assert_eq!(r.detail, "step 0 → 5");
        assert!(
            c.first_numbers(
                T0 + 480 * S,
                &FirstNumbers {
                    steps_per_sec: Some(3.5),
                    ..Default::default()
                }
            )
            .is_none()
        );
        let r = c
            .first_numbers(
                T0 + 490 * S,
                &FirstNumbers {
                    steps_per_sec: Some(9.0), // later value: the first one stays
                    gpu_util_pct: Some(97.0),
                    gpu_mem_used_mb: Some(20_000.0),
                    ..Default::default()
                },
            )
            .expect("passes");
        assert_eq!(r.seconds, Some(20.0));
        assert!(r.detail.contains("3.50 step/s"), "{}", r.detail);
        assert!(r.detail.contains("no eval seen yet"), "{}", r.detail);
        assert_eq!(c.outcome(), Outcome::Passed);
        assert!(c.is_finished());
        let rows = c.to_json_rows();
        assert!(rows.iter().all(|r| r.status == StepStatus::Passed));
        let total: f64 = rows.iter().filter_map(|r| r.seconds).sum();
        assert_eq!(total, 490.0);
        // Nothing times out once passed.
        assert!(c.tick(T0 + 100_000 * S).is_none());
        assert_eq!(c.outcome(), Outcome::Passed);
    }

    #[test]
    fn json_rows_have_the_documented_shape() {
        let (mut c, t) = at_step(Step::GpusVisible);
        c.tick(t + 2500);
        let json = serde_json::to_value(c.to_json_rows()).expect("serialises");
        assert_eq!(
            json[0],
            serde_json::json!({"step": "instance_running", "status": "passed", "seconds": 1.0, "detail": "instance is running"})
        );
        assert_eq!(json[2]["status"], "pending");
        assert_eq!(json[2]["seconds"], 2.5);
        assert_eq!(json[3]["seconds"], serde_json::Value::Null);
        for (row, step) in json.as_array().expect("list").iter().zip(Step::ALL) {
            assert_eq!(row["step"], step.as_str());
            let keys: Vec<_> = row.as_object().expect("object").keys().cloned().collect();
            assert_eq!(keys.len(), 4, "{keys:?}");
        }
    }

    // ---- instance running ----

    #[test]
    fn loading_past_ten_minutes_is_stuck_in_loading() {
        let mut c = fresh();
        c.observe_instance_status(T0 + 5 * S, "loading", None);
        assert!(
            c.tick(T0 + 600 * S).is_none(),
            "exactly the limit is still allowed"
        );
        let r = c.tick(T0 + 600 * S + 1).expect("times out");
        assert_eq!(r.status, StepStatus::Failed);
        assert_eq!(r.detail, "stuck in loading for more than 10 min");
        let (step, _) = failed_reason(&c);
        assert_eq!(step, Step::InstanceRunning);
        assert!(
            c.to_json_rows()[1..]
                .iter()
                .all(|r| r.status == StepStatus::Skipped
                    && r.detail == "not reached: Instance running failed")
        );
    }

    #[test]
    fn instance_timeout_names_the_last_status_or_its_absence() {
        let mut c = fresh();
        c.observe_instance_status(T0, "created", None);
        let r = c.tick(T0 + 601 * S).expect("times out");
        assert_eq!(
            r.detail,
            "instance not running after 10 min (last status: created)"
        );
        let mut c = fresh();
        let r = c.tick(T0 + 601 * S).expect("times out");
        assert_eq!(
            r.detail,
            "instance not running after 10 min (no status reported)"
        );
    }

    #[test]
    fn an_exited_instance_fails_at_once_with_vasts_message() {
        let mut c = fresh();
        let r = c
            .observe_instance_status(
                T0 + 40 * S,
                "Exited",
                Some("Error response from daemon: no space left"),
            )
            .expect("fails");
        assert_eq!(
            r.detail,
            "instance is exited: Error response from daemon: no space left"
        );
        assert_eq!(r.seconds, Some(40.0));
    }

    #[test]
    fn losing_the_instance_later_fails_the_step_under_way() {
        let (mut c, t) = at_step(Step::BootstrapDone);
        assert!(c.observe_instance_status(t, "running", None).is_none());
        let r = c
            .observe_instance_status(t + 5 * S, "offline", None)
            .expect("fails");
        assert_eq!(
            (r.step, r.detail.as_str()),
            (Step::BootstrapDone, "instance is offline")
        );
    }

    // ---- SSH ----

    #[test]
    fn ssh_retries_transient_errors_then_times_out_naming_the_last_one() {
        let (mut c, t) = at_step(Step::SshReachable);
        assert!(
            c.ssh_failed(t + 10 * S, "connection refused", false)
                .is_none()
        );
        assert!(
            c.ssh_failed(t + 20 * S, "connection timed out", false)
                .is_none()
        );
        assert!(c.tick(t + 180 * S).is_none());
        let r = c.tick(t + 181 * S).expect("times out");
        assert_eq!(
            r.detail,
            "SSH not reachable within 3 min (last error: connection timed out)"
        );
    }

    #[test]
    fn a_rejected_key_fails_ssh_at_once() {
        let (mut c, t) = at_step(Step::SshReachable);
        let r = c
            .ssh_failed(t + S, "Permission denied (publickey)", true)
            .expect("fails");
        assert_eq!(r.detail, "SSH refused: Permission denied (publickey)");
    }

    #[test]
    fn a_late_success_wins_over_a_timeout_not_yet_applied() {
        let (mut c, t) = at_step(Step::SshReachable);
        let r = c.ssh_ok(t + 200 * S, "h", 22).expect("passes");
        assert_eq!((r.status, r.seconds), (StepStatus::Passed, Some(200.0)));
    }

    // ---- GPUs ----

    #[test]
    fn gpu_count_mismatch_fails() {
        let (mut c, t) = at_step(Step::GpusVisible);
        let r = c.gpus_seen(t + S, seen_4090(1, 24564)).expect("fails");
        assert_eq!(r.status, StepStatus::Failed);
        assert!(
            r.detail.starts_with(
                "offer promised 2 GPU(s), nvidia-smi sees 1: saw 1 × NVIDIA GeForce RTX 4090"
            ),
            "{}",
            r.detail
        );
    }

    #[test]
    fn gpu_name_mismatch_fails() {
        let (mut c, t) = at_step(Step::GpusVisible);
        let mut seen = seen_4090(2, 24564);
        seen.name = "NVIDIA GeForce RTX 3090".into();
        let r = c.gpus_seen(t + S, seen).expect("fails");
        assert!(
            r.detail
                .starts_with("offer promised RTX 4090, host has NVIDIA GeForce RTX 3090"),
            "{}",
            r.detail
        );
    }

    #[test]
    fn gpu_memory_below_tolerance_fails_within_tolerance_passes() {
        let (mut c, t) = at_step(Step::GpusVisible);
        let r = c.gpus_seen(t + S, seen_4090(2, 23_400)).expect("passes");
        assert_eq!(r.status, StepStatus::Passed, "{}", r.detail);
        let (mut c, t) = at_step(Step::GpusVisible);
        let r = c.gpus_seen(t + S, seen_4090(2, 12_000)).expect("fails");
        assert_eq!(r.status, StepStatus::Failed);
        assert!(
            r.detail
                .contains("offer promised 24564 MB per GPU, host has 12000 MiB"),
            "{}",
            r.detail
        );
    }

    #[test]
    fn no_gpu_at_all_fails_even_without_an_expectation() {
        let mut c = Checklist::new(ChecklistConfig::default(), None, T0);
        c.observe_instance_status(T0, "running", None);
        c.ssh_ok(T0, "h", 22);
        let r = c.gpus_seen(T0 + S, seen_4090(0, 0)).expect("fails");
        assert!(
            r.detail.starts_with("nvidia-smi sees no GPU"),
            "{}",
            r.detail
        );
        let mut c = Checklist::new(ChecklistConfig::default(), None, T0);
        c.observe_instance_status(T0, "running", None);
        c.ssh_ok(T0, "h", 22);
        let r = c.gpus_seen(T0 + S, seen_4090(3, 1)).expect("passes");
        assert_eq!(r.status, StepStatus::Passed);
    }

    #[test]
    fn nvidia_smi_errors_are_retried_then_time_out_with_the_error() {
        let (mut c, t) = at_step(Step::GpusVisible);
        assert!(
            c.gpus_failed(
                t + S,
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"
            )
            .is_none()
        );
        let r = c.tick(t + 61 * S).expect("times out");
        assert!(
            r.detail.starts_with(
                "nvidia-smi did not list the GPUs within 1 min (last error: NVIDIA-SMI has failed"
            ),
            "{}",
            r.detail
        );
    }

    #[test]
    fn gpu_names_match_across_vast_and_nvidia_smi_spellings() {
        for (offer, smi) in [
            ("RTX 4090", "NVIDIA GeForce RTX 4090"),
            ("H100 SXM", "NVIDIA H100 80GB HBM3"),
            ("H100 PCIE", "NVIDIA H100 PCIe"),
            ("H100 NVL", "NVIDIA H100 NVL"),
            ("A100 SXM4", "NVIDIA A100-SXM4-80GB"),
            ("A100 PCIE", "NVIDIA A100 80GB PCIe"),
            ("H200", "NVIDIA H200"),
            ("RTX A6000", "NVIDIA RTX A6000"),
            ("Tesla V100", "Tesla V100-SXM2-16GB"),
            ("Q RTX 8000", "Quadro RTX 8000"),
            ("RTX_4090", "NVIDIA GeForce RTX 4090"),
        ] {
            assert!(gpu_name_matches(offer, smi), "{offer} vs {smi}");
        }
        for (offer, smi) in [
            ("RTX 4090", "NVIDIA GeForce RTX 3090"),
            ("H100 SXM", "NVIDIA H100 PCIe"),
            ("H100 NVL", "NVIDIA H100 PCIe"),
            ("A100 SXM4", "NVIDIA H100 80GB HBM3"),
            ("RTX A6000", "NVIDIA RTX A5000"),
            ("H200", ""),
            ("", "NVIDIA H200"),
        ] {
            assert!(!gpu_name_matches(offer, smi), "{offer} vs {smi}");
        }
    }

    // ---- bootstrap ----

    #[test]
    fn a_failed_bootstrap_names_the_command_and_error_class() {
        let (mut c, t) = at_step(Step::BootstrapDone);
        let r = c
            .bootstrap_finished(
                t + 42 * S,
                BootstrapResult {
                    exit_code: 1,
                    failing_command: Some("pip install -r requirements.txt".into()),
                    error_class: Some("dependency".into()),
                    error: Some("ERROR: No matching distribution found for torch==9.9".into()),
                    output_tail: Some("x".repeat(10_000)),
                },
            )
            .expect("fails");
        assert_eq!(
            r.detail,
            "bootstrap failed (exit 1), dependency error in `pip install -r requirements.txt`: ERROR: No matching distribution found for torch==9.9"
        );
        assert_eq!(r.seconds, Some(42.0));
        let kept = c
            .bootstrap
            .as_ref()
            .and_then(|b| b.output_tail.as_ref())
            .expect("kept");
        assert_eq!(kept.len(), MAX_OUTPUT_TAIL);
    }

    #[test]
    fn a_bootstrap_failure_without_details_still_reads() {
        let (mut c, t) = at_step(Step::BootstrapDone);
        let r = c
            .bootstrap_finished(
                t,
                BootstrapResult {
                    exit_code: 137,
                    ..Default::default()
                },
            )
            .expect("fails");
        assert_eq!(r.detail, "bootstrap failed (exit 137)");
    }

    #[test]
    fn no_bootstrap_command_skips_the_step() {
        let (mut c, t) = at_step(Step::BootstrapDone);
        let r = c.skip_bootstrap(t + S).expect("skips");
        assert_eq!(
            (r.status, r.detail.as_str()),
            (StepStatus::Skipped, "no bootstrap command")
        );
        assert_eq!(c.current(), Some(Step::SmokeStarted));
        assert!(c.skip_bootstrap(t + S).is_none(), "only once");
    }

    #[test]
    fn a_bootstrap_that_runs_forever_times_out() {
        let (mut c, t) = at_step(Step::BootstrapDone);
        assert!(c.tick(t + 1800 * S).is_none());
        let r = c.tick(t + 1801 * S).expect("times out");
        assert_eq!(r.detail, "bootstrap still running after 30 min");
    }

    // ---- smoke start ----

    #[test]
    fn smoke_start_failure_and_timeout() {
        let (mut c, t) = at_step(Step::SmokeStarted);
        let r = c
            .smoke_failed(t, "nohup: cannot run command 'python': No such file")
            .expect("fails");
        assert_eq!(
            r.detail,
            "smoke run did not start: nohup: cannot run command 'python': No such file"
        );
        let (mut c, t) = at_step(Step::SmokeStarted);
        let r = c.tick(t + 121 * S).expect("times out");
        assert_eq!(r.detail, "smoke run not started within 2 min");
    }

    #[test]
    fn smoke_exit_before_running_fails_the_start() {
        let (mut c, t) = at_step(Step::SmokeStarted);
        let r = c.smoke_exited(t, Some(127), None).expect("fails");
        assert_eq!(
            r.detail,
            "smoke run exited with 127 before it was seen running"
        );
    }

    // ---- progressing ----

    #[test]
    fn the_same_step_twice_is_not_progress_an_increase_is() {
        let (mut c, t) = at_step(Step::Progressing);
        assert!(c.progress(t + S, Some(10), None).is_none());
        assert!(c.progress(t + 2 * S, Some(10), None).is_none());
        assert!(c.progress(t + 3 * S, None, None).is_none());
        let r = c.progress(t + 4 * S, Some(11), None).expect("passes");
        assert_eq!((r.detail.as_str(), r.seconds), ("step 10 → 11", Some(4.0)));
    }

    #[test]
    fn a_traceback_fails_progressing_with_the_error() {
        let (mut c, t) = at_step(Step::Progressing);
        c.progress(t + S, Some(3), None);
        let r = c
            .progress(
                t + 2 * S,
                None,
                Some("torch.OutOfMemoryError: CUDA out of memory"),
            )
            .expect("fails");
        assert_eq!(
            r.detail,
            "fatal error at step 3: torch.OutOfMemoryError: CUDA out of memory"
        );
    }

    #[test]
    fn no_step_within_fifteen_minutes_times_out() {
        let (mut c, t) = at_step(Step::Progressing);
        assert!(c.tick(t + 900 * S).is_none());
        let r = c.tick(t + 901 * S).expect("times out");
        assert_eq!(
            r.detail,
            "no training step logged within 15 min of starting"
        );
    }

    #[test]
    fn a_step_that_never_advances_times_out_as_stuck() {
        let (mut c, t) = at_step(Step::Progressing);
        c.progress(t + 60 * S, Some(7), None);
        let r = c.tick(t + 901 * S).expect("times out");
        assert_eq!(
            r.detail,
            "stuck at step 7: no progress within 15 min of starting"
        );
    }

    #[test]
    fn a_smoke_run_dying_before_progress_fails_with_its_class() {
        let (mut c, t) = at_step(Step::Progressing);
        let r = c
            .smoke_exited(t + S, Some(1), Some("dependency"))
            .expect("fails");
        assert_eq!(
            r.detail,
            "smoke run exited with 1 (dependency error) before the step counter increased"
        );
        let (mut c, t) = at_step(Step::Progressing);
        let r = c.smoke_exited(t + S, None, None).expect("fails");
        assert_eq!(
            r.detail,
            "smoke run exited with an unknown code before the step counter increased"
        );
    }

    // ---- first numbers ----

    #[test]
    fn numbers_seen_while_progressing_count_toward_the_next_step() {
        let (mut c, t) = at_step(Step::Progressing);
        c.progress(t, Some(1), None);
        assert!(c.first_numbers(t, &numbers_all()).is_none());
        c.progress(t + S, Some(2), None).expect("progress passes");
        // The next numbers call (any, even empty) passes on what was kept.
        let r = c
            .first_numbers(t + 2 * S, &FirstNumbers::default())
            .expect("passes");
        assert!(
            r.detail.contains("eval every 50 steps, 12.5 s"),
            "{}",
            r.detail
        );
        assert!(r.detail.contains("transfer 180.0 MB/s"), "{}", r.detail);
    }

    #[test]
    fn missing_numbers_time_out_naming_what_is_missing() {
        let (mut c, t) = at_step(Step::FirstNumbers);
        c.first_numbers(
            t + S,
            &FirstNumbers {
                steps_per_sec: Some(f64::NAN), // not a number: not recorded
                gpu_util_pct: Some(80.0),
                ..Default::default()
            },
        );
        let r = c.tick(t + 301 * S).expect("times out");
        assert_eq!(
            r.detail,
            "live numbers not recorded within 5 min (missing: step/s, GPU memory)"
        );
    }

    #[test]
    fn a_short_run_finishing_first_passes_on_what_it_recorded() {
        let (mut c, t) = at_step(Step::FirstNumbers);
        c.first_numbers(
            t,
            &FirstNumbers {
                steps_per_sec: Some(2.0),
                ..Default::default()
            },
        );
        // Util and memory come in a later sample of the same check.
        c.first_numbers(
            t,
            &FirstNumbers {
                gpu_util_pct: Some(90.0),
                gpu_mem_used_mb: Some(1.0),
                ..Default::default()
            },
        )
        .expect("passes");
        let (mut c, t) = at_step(Step::FirstNumbers);
        c.first_numbers(
            t,
            &FirstNumbers {
                steps_per_sec: Some(2.0),
                gpu_util_pct: Some(90.0),
                gpu_mem_used_mb: Some(1.0),
                eval_every_steps: None,
                ..Default::default()
            },
        );
        assert_eq!(c.outcome(), Outcome::Passed);
        let (mut c, t) = at_step(Step::FirstNumbers);
        c.numbers.steps_per_sec = Some(2.0);
        c.numbers.gpu_util_pct = Some(50.0);
        c.numbers.gpu_mem_used_mb = Some(5.0);
        let r = c.smoke_exited(t + S, Some(0), None).expect("passes");
        assert_eq!(r.status, StepStatus::Passed);
        assert!(r.detail.ends_with("(run finished)"), "{}", r.detail);
        let (mut c, t) = at_step(Step::FirstNumbers);
        let r = c.smoke_exited(t + S, Some(0), None).expect("fails");
        assert_eq!(
            r.detail,
            "smoke run finished before live numbers were recorded (missing: step/s, GPU util, GPU memory)"
        );
    }

    #[test]
    fn a_crash_after_progress_fails_first_numbers() {
        let (mut c, t) = at_step(Step::FirstNumbers);
        let r = c
            .progress(t + S, Some(9), Some("Traceback (most recent call last):"))
            .expect("fails");
        assert_eq!(
            (r.step, r.detail.as_str()),
            (
                Step::FirstNumbers,
                "fatal error at step 9: Traceback (most recent call last):"
            )
        );
        let (mut c, t) = at_step(Step::FirstNumbers);
        let r = c
            .smoke_exited(t + S, Some(-9), Some("killed"))
            .expect("fails");
        assert_eq!(
            r.detail,
            "smoke run exited with -9 (killed error) before live numbers were recorded"
        );
    }

    // ---- the machine as a whole ----

    #[test]
    fn after_a_failure_nothing_changes_any_more() {
        let (mut c, t) = at_step(Step::GpusVisible);
        c.abort(t + S, "killed by alice").expect("fails");
        let frozen = c.clone();
        assert!(c.gpus_seen(t + 2 * S, seen_4090(2, 24564)).is_none());
        assert!(
            c.observe_instance_status(t + 2 * S, "offline", None)
                .is_none()
        );
        assert!(c.progress(t + 2 * S, Some(5), Some("boom")).is_none());
        assert!(c.smoke_exited(t + 2 * S, Some(1), None).is_none());
        assert!(c.abort(t + 2 * S, "again").is_none());
        assert!(c.tick(t + 1_000_000 * S).is_none());
        assert_eq!(c.steps, frozen.steps);
        assert_eq!(
            failed_reason(&c),
            (Step::GpusVisible, "killed by alice".to_string())
        );
    }

    #[test]
    fn observations_for_other_steps_are_ignored() {
        let mut c = fresh();
        assert!(c.ssh_ok(T0, "h", 22).is_none());
        assert!(c.gpus_seen(T0, seen_4090(2, 24564)).is_none());
        assert!(
            c.bootstrap_finished(T0, BootstrapResult::default())
                .is_none()
        );
        assert!(c.smoke_started(T0, 1, "/x").is_none());
        assert!(c.progress(T0, Some(3), None).is_none());
        assert!(c.first_numbers(T0, &numbers_all()).is_none());
        assert!(c.smoke_exited(T0, Some(1), None).is_none());
        assert!(c.ssh_failed(T0, "refused", true).is_none());
        assert_eq!(c.current(), Some(Step::InstanceRunning));
        let (mut c, t) = at_step(Step::BootstrapDone);
        assert!(
            c.observe_instance_status(t, "running", None).is_none(),
            "already passed"
        );
        assert!(c.ssh_ok(t, "h", 22).is_none());
    }

    #[test]
    fn every_step_times_out_when_nothing_is_observed() {
        for step in Step::ALL {
            let (mut c, t) = at_step(step);
            let limit = ChecklistConfig::default().timeout_secs(step) as i64;
            assert!(c.tick(t + limit * S).is_none(), "{step:?}");
            let r = c.tick(t + limit * S + 1).expect("times out");
            assert_eq!((r.step, r.status), (step, StepStatus::Failed));
            assert!(!r.detail.is_empty());
            assert!(c.is_finished());
        }
    }

    /// The promise that matters: whatever the observations, ticking with a moving
    /// clock ends the checklist no later than the sum of the step timeouts.
    #[test]
    fn no_sequence_of_observations_can_hang_the_checklist() {
        let config = ChecklistConfig::default();
        let bound_ms: i64 = Step::ALL
            .iter()
            .map(|&s| (config.timeout_secs(s) as i64 + 1) * S)
            .sum();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let mut c = Checklist::new(config.clone(), Some(expect_4090x2()), T0);
            let mut t = T0;
            while !c.is_finished() {
                t += (next() % 30_000) as i64;
                let step = next() % 50;
                match next() % 12 {
                    0 => c.observe_instance_status(
                        t,
                        ["loading", "created", "running"][(next() % 3) as usize],
                        None,
                    ),
                    1 => c.ssh_failed(t, "refused", false),
                    2 if next() % 4 == 0 => c.ssh_ok(t, "h", 22),
                    3 => c.gpus_failed(t, "no driver"),
                    4 if next() % 4 == 0 => c.gpus_seen(t, seen_4090(2, 24564)),
                    5 if next() % 8 == 0 => c.bootstrap_finished(t, BootstrapResult::default()),
                    6 if next() % 4 == 0 => c.smoke_started(t, 7, "/log"),
                    7 => c.progress(t, Some(step), None),
                    8 => c.first_numbers(
                        t,
                        &FirstNumbers {
                            steps_per_sec: Some(1.0),
                            ..Default::default()
                        },
                    ),
                    _ => None,
                };
                c.tick(t);
                assert!(
                    t - T0 <= bound_ms + 30_000,
                    "checklist still open after {} ms: {:?}",
                    t - T0,
                    c.outcome()
                );
            }
            for row in c.to_json_rows() {
                assert!(row.seconds.is_none_or(|s| s >= 0.0));
            }
        }
    }

    #[test]
    fn a_clock_that_goes_backwards_never_gives_negative_durations() {
        let mut c = fresh();
        let r = c
            .observe_instance_status(T0 - 5 * S, "running", None)
            .expect("passes");
        assert_eq!(r.seconds, Some(0.0));
        let r = c.ssh_ok(T0 - 10 * S, "h", 22).expect("passes");
        assert_eq!(r.seconds, Some(0.0));
    }

    #[test]
    fn zero_timeouts_fail_on_the_next_tick_rather_than_never() {
        let config = ChecklistConfig {
            ssh_secs: 0,
            ..Default::default()
        };
        let mut c = Checklist::new(config, None, T0);
        c.observe_instance_status(T0, "running", None);
        assert!(c.tick(T0).is_none());
        assert!(c.tick(T0 + 1).is_some());
    }

    #[test]
    fn a_stored_step_without_a_start_still_times_out() {
        let (mut c, t) = at_step(Step::SshReachable);
        c.steps[Step::SshReachable.index()].started_ms = None;
        assert!(c.tick(t + 1000 * S).is_none(), "the clock starts here");
        assert!(c.tick(t + 1181 * S).is_some());
    }

    #[test]
    fn huge_timeouts_do_not_overflow() {
        let config = ChecklistConfig {
            instance_running_secs: u64::MAX,
            ..Default::default()
        };
        let mut c = Checklist::new(config, None, i64::MIN + 1);
        assert!(c.tick(i64::MAX).is_none());
    }

    // ---- persistence ----

    #[test]
    fn config_defaults_fill_missing_fields() {
        let empty: ChecklistConfig = serde_json::from_str("{}").expect("reads");
        assert_eq!(empty, ChecklistConfig::default());
        assert_eq!(empty.instance_running_secs, 600);
        assert_eq!(empty.ssh_secs, 180);
        assert_eq!(empty.gpus_secs, 60);
        assert_eq!(empty.bootstrap_secs, 1800);
        assert_eq!(empty.first_step_secs, 900);
        let partial: ChecklistConfig = serde_json::from_str(r#"{"ssh_secs": 30}"#).expect("reads");
        assert_eq!(partial.ssh_secs, 30);
        assert_eq!(partial.bootstrap_secs, 1800);
    }

    #[test]
    fn a_persisted_checklist_resumes_on_another_server() {
        let (mut c, t) = at_step(Step::BootstrapDone);
        c.tick(t + 100 * S);
        let stored = serde_json::to_string(&c).expect("serialises");
        let mut resumed: Checklist = serde_json::from_str(&stored).expect("reads back");
        assert_eq!(resumed, c);
        // The step keeps its original start: the timeout is not reset by a takeover.
        let r = resumed.tick(t + 1801 * S).expect("times out");
        assert_eq!(r.seconds, Some(1801.0));
    }

    #[test]
    fn duration_words_read_naturally() {
        assert_eq!(duration_words(0), "0 s");
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(180), "3 min");
        assert_eq!(duration_words(185), "3 min 5 s");
        assert_eq!(duration_words(3600), "1 h");
        assert_eq!(duration_words(3720), "1 h 2 min");
    }

    #[test]
    fn long_details_are_capped_on_a_char_boundary() {
        let (mut c, t) = at_step(Step::SshReachable);
        let r = c.ssh_failed(t, &"é".repeat(1000), true).expect("fails");
        assert!(r.detail.len() <= MAX_DETAIL + 4, "{}", r.detail.len());
        assert!(r.detail.ends_with('…'));
    }
}
