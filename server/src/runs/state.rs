//! What the watcher remembers about a run between checks, stored as
//! `runs.watch_state` (JSONB) next to the checklist, so a server that takes
//! the lease over resumes the run where it stood.

use app::domain::analysis::{Assessment, RunHistory};
use app::domain::run_view::LiveNumbers;
use serde::{Deserialize, Serialize};

/// Lines of the training log the Run page shows.
pub const LOG_TAIL_LINES: usize = 40;
/// Checks kept for the rules (the first one plus the most recent ones): at
/// the smoke cadence this is far more than a smoke run takes.
pub const MAX_HISTORY_CHECKS: usize = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Instance, SSH, GPUs, bootstrap.
    #[default]
    BringUp,
    /// The smoke command runs.
    Smoke,
    /// The smoke is over; the instance is kept (billing!) until a person
    /// promotes or destroys it, or the idle deadline passes.
    AwaitingDecision,
    /// Promoted: the full command runs on the same host, rules still armed.
    Full,
    Ended,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::BringUp => "bring_up",
            Phase::Smoke => "smoke",
            Phase::AwaitingDecision => "awaiting_decision",
            Phase::Full => "full",
            Phase::Ended => "ended",
        }
    }
}

/// A command Canopy started detached on the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Launched {
    pub pid: u32,
    pub started_ms: i64,
    pub log: String,
    pub pid_file: String,
    pub exit_file: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WatchState {
    pub phase: Phase,
    /// Unix ms the history clock counts from (the run's creation).
    pub origin_ms: i64,
    pub launcher_installed: bool,
    pub bootstrap: Option<Launched>,
    pub smoke: Option<Launched>,
    /// Identity (`dev:inode`) of the log file `runs.log_offset` belongs to.
    pub log_id: Option<String>,
    /// The host key pinned on first contact (`key_identity`).
    pub host_key: Option<String>,
    pub transfer_mbps: Option<f64>,
    pub transfer_method: Option<String>,
    pub transfer_attempts: u32,
    pub history: RunHistory,
    pub live: LiveNumbers,
    pub log_tail: Vec<String>,
    pub assessment: Option<Assessment>,
    /// The decision last announced (an alert is sent when it changes).
    pub announced_decision: Option<String>,
    pub idle_deadline_ms: Option<i64>,
    /// First failed check in a row of unreachable ones.
    pub unreachable_since_ms: Option<i64>,
    /// The smoke was stopped by Canopy after its step budget.
    pub stopped_at_step: Option<u64>,
    /// The full run's spending cap (set by promote; `None`: none).
    pub full_budget_usd: Option<f64>,
}

impl WatchState {
    /// The stored state of a run, or the initial one when there is none (or
    /// it does not decode: readers then show the run without live numbers;
    /// the watcher itself refuses an unreadable state).
    pub fn from_row(row: &crate::db::runs::RunRow) -> WatchState {
        row.watch_state
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    pub fn push_tail(&mut self, line: &str) {
        let line: String = line.chars().take(400).collect();
        if line.trim().is_empty() {
            return;
        }
        self.log_tail.push(line);
        if self.log_tail.len() > LOG_TAIL_LINES {
            let extra = self.log_tail.len() - LOG_TAIL_LINES;
            self.log_tail.drain(..extra);
        }
    }

    /// Keeps the history bounded: the first check (first-step time) and the
    /// most recent ones.
    pub fn trim_history(&mut self) {
        let checks = &mut self.history.checks;
        if checks.len() > MAX_HISTORY_CHECKS {
            let extra = checks.len() - MAX_HISTORY_CHECKS;
            checks.drain(1..=extra);
        }
    }
}
