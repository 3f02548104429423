//! Hints: what to change next, following the seed's "Optimization Order"
//! (1 batch / micro-batch and gradient accumulation, 2 data pipeline,
//! 3 logging / checkpoint overhead, 4 precision and checkpointing trade-offs,
//! 5 compile / distributed last) — but led by the evidence: an input-bound
//! run gets the data pipeline first, an OOM gets the batch first.

use serde::{Deserialize, Serialize};

use super::history::RunHistory;
use super::rules::{
    EXITED_WITHOUT_PROGRESS, FATAL_ERROR, FLAT_LOSS, GPU_UTIL_LOW, PROGRESS_STALLED,
    REPEATED_FAILURES, RuleResult, SETUP_FRICTION, THROUGHPUT_LOW, active_interval,
};
use crate::domain::logs::ErrorClass;

/// What a hint is about. The first five are the seed's optimisation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HintArea {
    Batch,
    DataPipeline,
    LoggingCheckpoint,
    Precision,
    CompileDistributed,
    /// Another offer / host.
    Instance,
    /// Image, requirements, bootstrap.
    Dependencies,
    /// lr, schedule, data, labels.
    TrainingConfig,
}

impl HintArea {
    /// Position in the seed's optimisation order (1-5), if it is one.
    pub fn seed_order(self) -> Option<u8> {
        match self {
            HintArea::Batch => Some(1),
            HintArea::DataPipeline => Some(2),
            HintArea::LoggingCheckpoint => Some(3),
            HintArea::Precision => Some(4),
            HintArea::CompileDistributed => Some(5),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    pub area: HintArea,
    /// Seed optimisation-order position (1-5) or null.
    pub order: Option<u8>,
    pub text: String,
    /// The rule (or observation) this hint answers.
    pub because: String,
}

fn hint(area: HintArea, because: &str, text: impl Into<String>) -> Hint {
    Hint {
        area,
        order: area.seed_order(),
        text: text.into(),
        because: because.to_string(),
    }
}

/// Observation names for hints on healthy runs.
pub const MEMORY_HEADROOM: &str = "memory_headroom";
pub const PAUSE_OVERHEAD: &str = "pause_overhead";

/// Hints for the fired rules (in the order given) and, when nothing is
/// wrong, for the next optimisation step the evidence supports.
pub fn hints_for(h: &RunHistory, rules: &[RuleResult]) -> Vec<Hint> {
    let mut out: Vec<Hint> = Vec::new();
    let fired = |n: &str| rules.iter().any(|r| r.name == n && r.is_fired());
    let latest = h.latest();
    let fatal_classes: Vec<ErrorClass> = latest
        .map(|c| c.progress.fatal_errors().map(|e| e.class).collect())
        .unwrap_or_default();
    let attempt_classes: Vec<ErrorClass> = h
        .attempts
        .iter()
        .flat_map(|a| a.error_classes.iter().copied())
        .collect();
    let has_class = |cl: ErrorClass| fatal_classes.contains(&cl) || attempt_classes.contains(&cl);

    if fired(FATAL_ERROR) || fired(EXITED_WITHOUT_PROGRESS) || fired(REPEATED_FAILURES) {
        let because = if fired(FATAL_ERROR) {
            FATAL_ERROR
        } else if fired(REPEATED_FAILURES) {
            REPEATED_FAILURES
        } else {
            EXITED_WITHOUT_PROGRESS
        };
        if has_class(ErrorClass::Memory) {
            out.push(hint(
                HintArea::Batch,
                because,
                "Out of GPU memory: halve the per-device micro-batch (e.g. per_device_train_batch_size / batch_size) and raise gradient accumulation to keep the effective batch; relaunch.",
            ));
            out.push(hint(
                HintArea::Precision,
                because,
                "If it still does not fit: bf16/fp16 mixed precision and activation (gradient) checkpointing; set PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True against fragmentation.",
            ));
            out.push(hint(
                HintArea::Instance,
                because,
                "Or switch to an offer with more VRAM per GPU.",
            ));
        }
        if has_class(ErrorClass::Dependency) {
            out.push(hint(
                HintArea::Dependencies,
                because,
                "Dependency failure: fix the image or requirements (install or pin the missing package, use an image that ships it), then relaunch — do not retry unchanged.",
            ));
        }
        if has_class(ErrorClass::Killed) {
            out.push(hint(
                HintArea::DataPipeline,
                because,
                "Killed (host RAM): fewer DataLoader workers or a streaming dataset, or an offer with more CPU RAM.",
            ));
        }
        if has_class(ErrorClass::Cuda) || has_class(ErrorClass::Distributed) {
            out.push(hint(
                HintArea::Instance,
                because,
                "CUDA / NCCL failure: check the driver and CUDA versions of the image against the host; if it repeats, switch host.",
            ));
        }
        if has_class(ErrorClass::Data) {
            out.push(hint(
                HintArea::DataPipeline,
                because,
                "Data error: check the dataset path, format and download step before relaunching.",
            ));
        }
        if out.is_empty() {
            out.push(hint(
                HintArea::Dependencies,
                because,
                "The process died before or during training: read the last lines of the log, fix the command or environment, then relaunch once.",
            ));
        }
    }
    if fired(PROGRESS_STALLED) {
        out.push(hint(
            HintArea::CompileDistributed,
            PROGRESS_STALLED,
            "Hung: see where it waits before killing it (`py-spy dump --pid <pid>`; the last log lines). A collective waiting on a dead rank wants NCCL_DEBUG=INFO and a timeout (TORCH_NCCL_ASYNC_ERROR_HANDLING=1); a DataLoader deadlock wants num_workers=0 to confirm; then relaunch once.",
        ));
    }
    if fired(SETUP_FRICTION) {
        out.push(hint(
            HintArea::Dependencies,
            SETUP_FRICTION,
            "Setup dominates: use an image with the dependencies preinstalled and cache the data/model on a volume.",
        ));
        out.push(hint(
            HintArea::Instance,
            SETUP_FRICTION,
            "If downloads are slow, switch to an offer with faster network (inet_down) or a closer region.",
        ));
    }
    let util_low = fired(GPU_UTIL_LOW);
    if util_low {
        out.push(hint(
            HintArea::DataPipeline,
            GPU_UTIL_LOW,
            "Input-bound: data pipeline first — raise DataLoader num_workers (toward the vCPU count), pin_memory=True, prefetch_factor 2-4, persistent_workers=True; pre-tokenize / cache the dataset.",
        ));
        out.push(hint(
            HintArea::Batch,
            GPU_UTIL_LOW,
            "Then a larger micro-batch so each step does more GPU work per loaded batch.",
        ));
        out.push(hint(
            HintArea::Instance,
            GPU_UTIL_LOW,
            "If the host has few or slow CPU cores or slow disk, switch to an offer with more vCPUs per GPU.",
        ));
    }
    if fired(THROUGHPUT_LOW) && !util_low {
        out.push(hint(
            HintArea::Instance,
            THROUGHPUT_LOW,
            "Slow host: the GPU is busy but slower than expected (throttling, PCIe, a slower variant) — relaunch the same config on the next offer.",
        ));
    }
    if fired(FLAT_LOSS) {
        out.push(hint(
            HintArea::TrainingConfig,
            FLAT_LOSS,
            "Loss is not moving: check the learning rate (not 0, warm-up not stuck), the schedule, that the optimizer steps (gradient accumulation, frozen parameters), and that inputs/labels are not constant.",
        ));
    }
    if out.is_empty() {
        healthy_hints(h, &mut out);
    }
    out
}

/// Next optimisation steps for a run with nothing wrong, in seed order.
fn healthy_hints(h: &RunHistory, out: &mut Vec<Hint>) {
    let checks = &h.checks;
    let mut mem_frac: Option<f64> = None;
    for i in 0..checks.len() {
        if !active_interval(checks, i) {
            continue;
        }
        for g in &checks[i].gpu {
            if let (Some(u), Some(t)) = (g.mem_used_mib, g.mem_total_mib)
                && t > 0.0
            {
                let f = u / t;
                mem_frac = Some(mem_frac.map_or(f, |m: f64| m.max(f)));
            }
        }
    }
    if let Some(f) = mem_frac
        && f < 0.5
    {
        out.push(hint(
            HintArea::Batch,
            MEMORY_HEADROOM,
            format!(
                "GPU memory peaked at {:.0}% while training: room for a larger micro-batch (fewer accumulation steps) before anything else.",
                100.0 * f
            ),
        ));
    }
    if let Some(c) = h.latest() {
        let p = &c.progress;
        if let (Some(first), true) = (h.first_step_s(), p.pauses.total_s > 0.0) {
            let training = (c.t_s - first).max(1e-9);
            let share = p.pauses.total_s / training;
            if share > 0.1 {
                out.push(hint(
                    HintArea::LoggingCheckpoint,
                    PAUSE_OVERHEAD,
                    format!(
                        "Eval/checkpoint pauses take {:.0}% of training time ({:.1} s): evaluate or save less often, or on a smaller eval set.",
                        100.0 * share,
                        p.pauses.total_s
                    ),
                ));
            }
        }
    }
}
