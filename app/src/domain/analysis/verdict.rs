//! The decision: keep / optimize / switch / kill, from the rules.
//!
//! | rule fired                         | decision |
//! |------------------------------------|----------|
//! | fatal_error, exited_without_progress, repeated_failures | kill (the run is dead or keeps dying: stop paying) |
//! | progress_stalled                   | kill (alive but hung: no step for far longer than any pause it had) |
//! | setup_friction                     | switch (this host blocks progress) |
//! | throughput_low (GPU util not low)  | switch (slow host: same config, next offer) |
//! | gpu_util_low (with or without throughput_low) | optimize (input-bound: fix the pipeline on this host) |
//! | flat_loss                          | optimize (the host is fine, the config is not: change one thing) |
//! | nothing                            | keep |
//!
//! The strongest decision wins (kill > switch > optimize > keep); `Unknown`
//! rules never change the decision, they are listed for the UI.

use serde::{Deserialize, Serialize};

use super::hints::{Hint, hints_for};
use super::history::RunHistory;
use super::rules::{
    EXITED_WITHOUT_PROGRESS, FATAL_ERROR, FLAT_LOSS, Fired, GPU_UTIL_LOW, PROGRESS_STALLED,
    REPEATED_FAILURES, RuleConfig, RuleResult, SETUP_FRICTION, THROUGHPUT_LOW, evaluate_rules,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Keep,
    Optimize,
    Switch,
    Kill,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Optimize => "optimize",
            Decision::Switch => "switch",
            Decision::Kill => "kill",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub decision: Decision,
    /// One line: the decision and the firing rule(s) in words.
    pub summary: String,
    /// Every rule with its outcome and evidence.
    pub rules: Vec<RuleResult>,
    pub hints: Vec<Hint>,
}

impl Verdict {
    pub fn rule(&self, name: &str) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.name == name)
    }
    pub fn fired(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| r.is_fired())
    }
}

fn decision_for(rule: &str, rules: &[RuleResult]) -> Decision {
    let util_low = rules.iter().any(|r| r.name == GPU_UTIL_LOW && r.is_fired());
    match rule {
        FATAL_ERROR | EXITED_WITHOUT_PROGRESS | REPEATED_FAILURES | PROGRESS_STALLED => {
            Decision::Kill
        }
        SETUP_FRICTION => Decision::Switch,
        THROUGHPUT_LOW if util_low => Decision::Optimize,
        THROUGHPUT_LOW => Decision::Switch,
        GPU_UTIL_LOW | FLAT_LOSS => Decision::Optimize,
        _ => Decision::Keep,
    }
}

/// Evaluate the rules on `h` and decide.
pub fn verdict(h: &RunHistory, cfg: &RuleConfig) -> Verdict {
    decide(h, evaluate_rules(h, cfg))
}

/// Decide from already evaluated rules (for callers that tweak the list).
pub fn decide(h: &RunHistory, rules: Vec<RuleResult>) -> Verdict {
    let mut fired: Vec<(&RuleResult, Decision)> = rules
        .iter()
        .filter(|r| r.is_fired())
        .map(|r| (r, decision_for(&r.name, &rules)))
        .collect();
    // Strongest first, rule order otherwise (stable sort).
    fired.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
    let decision = fired.first().map_or(Decision::Keep, |(_, d)| *d);
    let summary = if fired.is_empty() {
        let unknown: Vec<&str> = rules
            .iter()
            .filter(|r| r.fired == Fired::Unknown)
            .map(|r| r.name.as_str())
            .collect();
        if unknown.is_empty() {
            "keep: no kill-fast rule fired".to_string()
        } else {
            format!(
                "keep: no kill-fast rule fired ({} not judged yet: {})",
                unknown.len(),
                unknown.join(", ")
            )
        }
    } else {
        let words: Vec<String> = fired
            .iter()
            .map(|(r, _)| format!("{} — {}", r.name, r.evidence))
            .collect();
        format!("{}: {}", decision.as_str(), words.join("; "))
    };
    let fired_order: Vec<RuleResult> = fired.iter().map(|(r, _)| (*r).clone()).collect();
    let hints = hints_for(h, &fired_order);
    Verdict {
        decision,
        summary,
        rules,
        hints,
    }
}
