//! What a run looks like from outside: the Runs list row, the Run page, the
//! SSE stream and `canopy runs show --json` all use these shapes, so the
//! browser, scripts and tests read one format.

use serde::{Deserialize, Serialize};

use crate::domain::analysis::{Projections, Verdict};
use crate::domain::checklist::ChecklistRow;

/// `{p25, p50, p90}` of recent step rates (warm-up and pauses excluded).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct RatePercentiles {
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct UtilStats {
    pub p50: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EvalNumbers {
    pub count: u64,
    pub mean_s: Option<f64>,
    pub every_steps: Option<u64>,
}

/// The live numbers of the current attempt, as of the latest check.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LiveNumbers {
    pub steps_per_sec: RatePercentiles,
    pub gpu_util: UtilStats,
    pub gpu_mem_used_mb: Option<f64>,
    pub eval: EvalNumbers,
    /// MB/s of Canopy's timed transfer to the host (see `transfer_method`).
    pub transfer_mbps: Option<f64>,
    /// How `transfer_mbps` was measured, in words.
    pub transfer_method: Option<String>,
    pub last_step: Option<u64>,
    pub total_steps: Option<u64>,
    pub loss_first: Option<f64>,
    pub loss_last: Option<f64>,
    /// Detected log format (`hf_trainer`, `nanogpt`, …).
    pub format: Option<String>,
    /// Unix ms of the check these numbers come from.
    pub at_ms: Option<i64>,
}

/// The offer a run was bought at (a snapshot: prices change).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OfferBrief {
    pub offer_id: u64,
    pub gpu_name: String,
    pub num_gpus: u32,
    pub gpu_ram_mb: Option<f64>,
    pub dph_total: Option<f64>,
    pub geolocation: Option<String>,
}

impl OfferBrief {
    pub fn gpus(&self) -> String {
        if self.gpu_name.is_empty() {
            return "unknown GPU".into();
        }
        format!("{}× {}", self.num_gpus.max(1), self.gpu_name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    pub at_ms: i64,
    pub kind: String,
    pub message: String,
}

/// The expected step/s the launch form pre-fills: the median of earlier
/// runs' measured p50 on the same GPU model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThroughputHint {
    pub steps_per_sec: f64,
    pub runs: usize,
    pub gpu_name: String,
}

/// One in-app alert (verdict change, fatal error, failed action).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub run_id: i64,
    pub at_ms: i64,
    pub message: String,
}

/// One row of the Runs list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub label: String,
    pub status: String,
    pub live: bool,
    pub offer: OfferBrief,
    pub spend_usd: Option<f64>,
    pub steps_per_sec: Option<f64>,
    /// `keep` / `optimize` / `switch` / `kill`, once there is one.
    pub decision: Option<String>,
    pub created_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

/// Everything the Run page shows; also the run JSON of the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: i64,
    pub label: String,
    /// pending, launching, bringing_up, running, stopping, succeeded, failed, killed, cancelled.
    pub status: String,
    /// Not ended yet (a watcher looks after it).
    pub is_live: bool,
    /// Where a live run is: `bring_up`, `smoke`, `awaiting_decision` (smoke
    /// over, instance kept for a promote until the idle deadline), `ended`.
    pub phase: String,
    pub end_reason: Option<String>,
    pub offer: OfferBrief,
    pub instance_id: Option<i64>,
    pub image: String,
    pub smoke_cmd: String,
    pub smoke_steps: u32,
    pub log_path: String,
    pub kill_policy: String,
    pub budget_usd: f64,
    pub scenario: Option<String>,
    pub checklist: Vec<ChecklistRow>,
    /// The run JSON's `live`.
    pub live: LiveNumbers,
    pub verdict: Option<Verdict>,
    pub projections: Option<Projections>,
    pub spend_usd: Option<f64>,
    /// Unix ms after which an idle instance (smoke over, no decision) is destroyed.
    pub idle_deadline_ms: Option<i64>,
    /// Bytes of the remote log read so far (a resumed watcher continues here).
    pub log_bytes_read: i64,
    /// The last lines of the training log (normalised, newest last).
    pub log_tail: Vec<String>,
    /// Newest last.
    pub events: Vec<EventView>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

/// Short words for a number that may be missing.
pub fn fmt_opt(v: Option<f64>, decimals: usize, unit: &str) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.decimals$}{unit}"),
        _ => "—".to_string(),
    }
}
