//! What a person can ask of a run besides killing it, and what the watcher
//! is asked to do on the host. Every action is recorded as an event with
//! who, what and why.

use serde::{Deserialize, Serialize};

/// Asked of a live run's watcher (stored until it is taken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostAction {
    /// Start the full command on the same host; the kill-fast rules stay
    /// armed (under the automatic policy a kill verdict stops it) and the
    /// run stops when its spend reaches `budget_usd`, if one is given.
    Promote {
        who: String,
        budget_usd: Option<f64>,
    },
}

/// Edits for "apply hint": a new smoke with these instead of the old ones.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RelaunchEdits {
    /// Empty: keep the command.
    pub smoke_cmd: String,
    /// `KEY=VALUE` lines added to (or replacing in) the old environment.
    pub env: String,
    /// Why (the hint applied), recorded with the action.
    pub why: String,
}

/// A promote budget as typed: empty = none; else a positive dollar amount.
pub fn parse_budget(s: &str) -> Result<Option<f64>, String> {
    let s = s.trim().trim_start_matches('$');
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1_000_000.0 => Ok(Some(v)),
        _ => Err(format!("{s:?} is not a dollar amount above 0")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets() {
        assert_eq!(parse_budget(""), Ok(None));
        assert_eq!(parse_budget(" $12.5 "), Ok(Some(12.5)));
        assert!(parse_budget("-1").is_err());
        assert!(parse_budget("lots").is_err());
    }

    #[test]
    fn actions_are_tagged_json() {
        let a = HostAction::Promote {
            who: "user".into(),
            budget_usd: Some(3.0),
        };
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["kind"], "promote");
        assert_eq!(serde_json::from_value::<HostAction>(v).unwrap(), a);
    }
}
