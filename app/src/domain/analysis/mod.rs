//! Run analysis: ETA / cost projections, kill-fast rules, the keep /
//! optimize / switch / kill verdict and the hints (seed sections "Analyze
//! While Running", "Kill Fast Rules", "Optimization Order";
//! `logs/EXPECTATIONS_AND_ETA.md` §4).
//!
//! Pure: no IO, no clock; std + serde only, so the browser can recompute
//! what the server shows. The watcher appends one [`Check`] per check to a
//! [`RunHistory`] and calls [`assess`]; everything is a deterministic
//! function of that history and the configs.
//!
//! ```text
//! Analysis (logs) ─┐
//! GPU samples ─────┼─> Check ─> RunHistory ─> evaluate_rules ─> verdict ─> hints
//! pid status ──────┘                      └─> project (smoke, full)
//! ```
//!
//! JSON shapes (serde):
//! - [`Verdict`]: `{decision: "keep"|"optimize"|"switch"|"kill", summary,
//!   rules: [{name, fired: "fired"|"not_fired"|"unknown", evidence}],
//!   hints: [{area, order, text, because}]}`
//! - [`Projection`]: `{status: "ok", scope: "smoke"|"full", eta_s: {optimistic,
//!   base, pessimistic}, total_s: {..}, cost_usd: {..}, remaining_cost_usd:
//!   {..}, low_confidence, inputs: {..}, notes: [..]}` or `{status:
//!   "unavailable", scope, reason, inputs}`.

pub mod hints;
pub mod history;
pub mod projection;
pub mod rules;
pub mod stats;
pub mod verdict;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use hints::{Hint, HintArea, hints_for};
pub use history::{
    Attempt, AttemptKind, Check, ErrorFact, FullTarget, GpuPoint, LossPoint, ProcessState,
    Progress, RunHistory, RunSpec,
};
pub use projection::{
    Projection, ProjectionConfig, ProjectionInputs, Projections, Range, Scope, format_usd, project,
};
pub use rules::{Fired, RuleConfig, RuleResult, evaluate_rules};
pub use verdict::{Decision, Verdict, decide, verdict};

/// Both configs, for storing next to a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessConfig {
    pub rules: RuleConfig,
    pub projection: ProjectionConfig,
}

/// What the watcher stores and the Run page shows after each check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Check time the assessment belongs to (null before any check).
    pub at_s: Option<f64>,
    pub verdict: Verdict,
    pub projections: Projections,
}

/// Verdict and projections at the latest check.
pub fn assess(h: &RunHistory, cfg: &AssessConfig) -> Assessment {
    Assessment {
        at_s: h.latest().map(|c| c.t_s),
        verdict: verdict(h, &cfg.rules),
        projections: project(h, &cfg.projection),
    }
}
