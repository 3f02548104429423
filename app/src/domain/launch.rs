//! The launch form: what a person (or `canopy runs launch`) types, and the
//! validated plan the server acts on.
//!
//! Every field arrives as text ([`LaunchInput`]) so a bad value becomes a
//! message next to its field instead of a deserialisation error; [`validate`]
//! turns it into a typed [`LaunchPlan`] or the list of every problem at once.
//! User commands are kept exactly as typed (quotes, newlines, `$()`): they
//! travel to the host as one quoted word and are never interpreted by Canopy.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Smoke runs are short on purpose (seed: "20-100 steps").
pub const SMOKE_STEPS_MIN: u32 = 20;
pub const SMOKE_STEPS_MAX: u32 = 100;
pub const SMOKE_STEPS_DEFAULT: u32 = 50;
pub const DISK_GB_DEFAULT: u32 = 40;
pub const BUDGET_USD_DEFAULT: f64 = 5.0;
pub const LOG_PATH_DEFAULT: &str = "smoke.log";
/// Commands longer than this are a pasted file, not a command.
pub const MAX_COMMAND_BYTES: usize = 16 * 1024;
const MAX_ENV_VARS: usize = 64;

/// The form as typed. Empty strings mean "use the default".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LaunchInput {
    pub offer_id: String,
    pub image: String,
    pub disk_gb: String,
    /// `KEY=VALUE`, one per line.
    pub env: String,
    /// Shell commands run before the smoke (clone, install); may be empty.
    pub bootstrap: String,
    pub smoke_cmd: String,
    pub smoke_steps: String,
    pub log_path: String,
    pub expected_steps_per_sec: String,
    /// Budget cap for the smoke in dollars.
    pub budget_usd: String,
    /// `ask` or `auto`.
    pub kill_policy: String,
    pub label: String,
    /// Steps of the full run, for its ETA and cost (optional).
    pub full_steps: String,
    /// The full run's command, started on the same host by "promote"
    /// (optional: the smoke command).
    pub full_cmd: String,
    /// Simulated marketplace only: the simulated host's scenario.
    pub scenario: String,
    /// The run profile the offer was chosen for (JSON of `RunProfile`, from
    /// the Offers page), recorded with the run.
    pub profile: String,
}

/// Ask a person before destroying, or let Canopy act on a kill verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KillPolicy {
    #[default]
    Ask,
    Auto,
}

impl KillPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            KillPolicy::Ask => "ask",
            KillPolicy::Auto => "auto",
        }
    }
}

/// A validated launch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchPlan {
    pub offer_id: u64,
    pub image: String,
    pub disk_gb: u32,
    pub env: BTreeMap<String, String>,
    pub bootstrap: Option<String>,
    pub smoke_cmd: String,
    pub smoke_steps: u32,
    pub log_path: String,
    pub expected_steps_per_sec: Option<f64>,
    pub budget_usd: f64,
    pub kill_policy: KillPolicy,
    pub label: Option<String>,
    pub full_steps: Option<u64>,
    pub full_cmd: Option<String>,
    pub scenario: Option<String>,
    pub profile: Option<crate::domain::profile::RunProfile>,
}

pub use crate::domain::offer_search::FieldError;

/// Every problem of a form, joined for a one-line error.
pub fn describe_errors(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Validates the whole form; `scenarios` are the names the simulated hosts
/// know (empty when the marketplace is real: then a scenario is an error).
pub fn validate(input: &LaunchInput, scenarios: &[&str]) -> Result<LaunchPlan, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            message,
        })
    };

    let offer_id = match input.offer_id.trim().parse::<u64>() {
        Ok(id) if id > 0 => id,
        _ if input.offer_id.trim().is_empty() => {
            err("offer_id", "pick an offer".into());
            0
        }
        _ => {
            err("offer_id", "must be a positive whole number".into());
            0
        }
    };

    let image = input.image.trim().to_string();
    if image.is_empty() {
        err("image", "required (e.g. pytorch/pytorch:latest)".into());
    } else if image.len() > 200 {
        err("image", "longer than 200 characters".into());
    } else if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        err("image", "an image name cannot contain spaces".into());
    } else if !image
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "./:_-@".contains(c))
    {
        err(
            "image",
            "only letters, digits and . / : _ - @ belong in an image name".into(),
        );
    }

    let disk_gb = match number::<u32>(&input.disk_gb, DISK_GB_DEFAULT) {
        Some(d) if (1..=4000).contains(&d) => d,
        _ => {
            err("disk_gb", "a whole number of GB from 1 to 4000".into());
            DISK_GB_DEFAULT
        }
    };

    let mut env = BTreeMap::new();
    for (i, line) in input.env.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            err("env", format!("line {}: expected KEY=VALUE", i + 1));
            continue;
        };
        let key = key.trim();
        let valid_key = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            err(
                "env",
                format!("line {}: {key:?} is not a variable name", i + 1),
            );
        } else if key.starts_with("CANOPY_") {
            err(
                "env",
                format!("line {}: CANOPY_* variables are Canopy's own", i + 1),
            );
        } else {
            env.insert(key.to_string(), value.to_string());
        }
    }
    if env.len() > MAX_ENV_VARS {
        err("env", format!("at most {MAX_ENV_VARS} variables"));
    }

    let bootstrap = command_field(&input.bootstrap);
    if let Err(m) = &bootstrap {
        err("bootstrap", m.clone());
    }
    let smoke = command_field(&input.smoke_cmd);
    let smoke_cmd = match smoke {
        Ok(Some(c)) => c,
        Ok(None) => {
            err(
                "smoke_cmd",
                "required: the command that trains for a few steps".into(),
            );
            String::new()
        }
        Err(m) => {
            err("smoke_cmd", m);
            String::new()
        }
    };

    let smoke_steps = match number::<u32>(&input.smoke_steps, SMOKE_STEPS_DEFAULT) {
        Some(n) if (SMOKE_STEPS_MIN..=SMOKE_STEPS_MAX).contains(&n) => n,
        Some(n) => {
            err(
                "smoke_steps",
                format!("{n} steps is not a smoke run: use {SMOKE_STEPS_MIN} to {SMOKE_STEPS_MAX}"),
            );
            SMOKE_STEPS_DEFAULT
        }
        None => {
            err(
                "smoke_steps",
                format!("a whole number from {SMOKE_STEPS_MIN} to {SMOKE_STEPS_MAX}"),
            );
            SMOKE_STEPS_DEFAULT
        }
    };

    let log_path = match input.log_path.trim() {
        "" => LOG_PATH_DEFAULT.to_string(),
        p if p.len() > 500 => {
            err("log_path", "longer than 500 characters".into());
            String::new()
        }
        p if p.chars().any(char::is_control) => {
            err("log_path", "contains control characters".into());
            String::new()
        }
        p if p.ends_with('/') => {
            err("log_path", "is a directory; name the log file".into());
            String::new()
        }
        p => p.to_string(),
    };

    let expected_steps_per_sec = match input.expected_steps_per_sec.trim() {
        "" => None,
        s => match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 && v <= 100_000.0 => Some(v),
            _ => {
                err(
                    "expected_steps_per_sec",
                    "a positive number of steps per second (or leave empty)".into(),
                );
                None
            }
        },
    };

    let budget_usd = match input.budget_usd.trim() {
        "" => BUDGET_USD_DEFAULT,
        s => match s.trim_start_matches('$').parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 && v <= 10_000.0 => v,
            _ => {
                err(
                    "budget_usd",
                    "a dollar amount above 0 and at most 10000".into(),
                );
                BUDGET_USD_DEFAULT
            }
        },
    };

    let kill_policy = match input.kill_policy.trim() {
        "" | "ask" => KillPolicy::Ask,
        "auto" | "automatic" => KillPolicy::Auto,
        other => {
            err(
                "kill_policy",
                format!("{other:?}: choose \"ask\" or \"auto\""),
            );
            KillPolicy::Ask
        }
    };

    let label = match input.label.trim() {
        "" => None,
        l if l.chars().count() > 120 => {
            err("label", "at most 120 characters".into());
            None
        }
        l if l.chars().any(char::is_control) => {
            err("label", "contains control characters".into());
            None
        }
        l => Some(l.to_string()),
    };

    let full_steps = match input.full_steps.trim() {
        "" => None,
        s => match s.replace('_', "").parse::<u64>() {
            Ok(n) if n >= u64::from(smoke_steps) && n <= 1_000_000_000 => Some(n),
            Ok(_) => {
                err(
                    "full_steps",
                    "the full run must be at least as long as the smoke".into(),
                );
                None
            }
            Err(_) => {
                err(
                    "full_steps",
                    "a whole number of steps (or leave empty)".into(),
                );
                None
            }
        },
    };

    let full_cmd = match command_field(&input.full_cmd) {
        Ok(c) => c,
        Err(m) => {
            err("full_cmd", m);
            None
        }
    };

    let scenario = match input.scenario.trim() {
        "" => None,
        s if scenarios.is_empty() => {
            err(
                "scenario",
                format!("{s:?}: scenarios exist only on the simulated marketplace"),
            );
            None
        }
        s if scenarios.contains(&s) => Some(s.to_string()),
        s => {
            err(
                "scenario",
                format!("{s:?} is not one of: {}", scenarios.join(", ")),
            );
            None
        }
    };

    let profile = match input.profile.trim() {
        "" => None,
        p => match serde_json::from_str::<crate::domain::profile::RunProfile>(p) {
            Ok(p) => Some(p),
            Err(e) => {
                err("profile", format!("not a run profile: {e}"));
                None
            }
        },
    };

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LaunchPlan {
        offer_id,
        image,
        disk_gb,
        env,
        bootstrap: bootstrap.ok().flatten(),
        smoke_cmd,
        smoke_steps,
        log_path,
        expected_steps_per_sec,
        budget_usd,
        kill_policy,
        label,
        full_steps,
        full_cmd,
        scenario,
        profile,
    })
}

/// Empty → default; otherwise the number or `None` when it does not parse.
fn number<T: std::str::FromStr>(s: &str, default: T) -> Option<T> {
    let s = s.trim().replace([',', '_'], "");
    if s.is_empty() {
        Some(default)
    } else {
        s.parse().ok()
    }
}

/// A user command: kept verbatim (trailing blank lines dropped); `None` when empty.
fn command_field(s: &str) -> Result<Option<String>, String> {
    let trimmed = s.trim_end();
    if trimmed.trim().is_empty() {
        return Ok(None);
    }
    if trimmed.len() > MAX_COMMAND_BYTES {
        return Err(format!(
            "longer than {} KiB; put it in a script",
            MAX_COMMAND_BYTES / 1024
        ));
    }
    if trimmed.contains('\0') {
        return Err("contains a NUL byte".into());
    }
    Ok(Some(trimmed.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> LaunchInput {
        LaunchInput {
            offer_id: "123".into(),
            image: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime".into(),
            smoke_cmd: "python train.py --max_steps 50".into(),
            ..LaunchInput::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn defaults_fill_what_was_left_empty() {
        let plan = validate(&good(), &[]).unwrap();
        assert_eq!(plan.offer_id, 123);
        assert_eq!(plan.smoke_steps, SMOKE_STEPS_DEFAULT);
        assert_eq!(plan.disk_gb, DISK_GB_DEFAULT);
        assert_eq!(plan.log_path, LOG_PATH_DEFAULT);
        assert_eq!(plan.kill_policy, KillPolicy::Ask);
        assert_eq!(plan.bootstrap, None);
        assert_eq!(plan.budget_usd, BUDGET_USD_DEFAULT);
    }

    #[test]
    fn commands_are_kept_verbatim_with_quotes_newlines_and_substitutions() {
        let cmd = "echo \"$(id)\" 'it''s'; rm -rf / # not run by canopy\npython x.py";
        let plan = validate(
            &LaunchInput {
                smoke_cmd: format!("{cmd}\n\n"),
                bootstrap: "git clone 'https://x/y z'\npip install -r req.txt".into(),
                ..good()
            },
            &[],
        )
        .unwrap();
        assert_eq!(plan.smoke_cmd, cmd);
        assert!(plan.bootstrap.unwrap().contains('\n'));
    }

    #[test]
    fn smoke_steps_outside_20_to_100_are_refused_with_the_range() {
        for bad in ["0", "10000", "19", "101", "-5", "fifty"] {
            let errs = validate(
                &LaunchInput {
                    smoke_steps: bad.into(),
                    ..good()
                },
                &[],
            )
            .unwrap_err();
            assert_eq!(fields(errs.clone()), vec!["smoke_steps"], "{bad}");
            assert!(errs[0].message.contains("20"), "{bad}: {}", errs[0].message);
        }
        for ok in ["20", "100", " 64 "] {
            assert!(
                validate(
                    &LaunchInput {
                        smoke_steps: ok.into(),
                        ..good()
                    },
                    &[]
                )
                .is_ok()
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errs = validate(
            &LaunchInput {
                offer_id: "".into(),
                image: "my image".into(),
                smoke_cmd: "  ".into(),
                env: "GOOD=1\nnot a var\n1BAD=2\nCANOPY_X=1".into(),
                budget_usd: "-3".into(),
                kill_policy: "sometimes".into(),
                expected_steps_per_sec: "0".into(),
                ..LaunchInput::default()
            },
            &[],
        )
        .unwrap_err();
        let f = fields(errs.clone());
        for field in [
            "offer_id",
            "image",
            "smoke_cmd",
            "env",
            "budget_usd",
            "kill_policy",
            "expected_steps_per_sec",
        ] {
            assert!(
                f.contains(&field.to_string()),
                "{field} missing in {errs:?}"
            );
        }
        assert_eq!(f.iter().filter(|x| *x == "env").count(), 3);
        assert!(describe_errors(&errs).contains("cannot contain spaces"));
    }

    #[test]
    fn env_lines_become_a_map() {
        let plan = validate(
            &LaunchInput {
                env: "# comment\nHF_HOME=/workspace/hf\n\nWANDB_MODE = offline\nX=a=b".into(),
                ..good()
            },
            &[],
        )
        .unwrap();
        assert_eq!(plan.env["HF_HOME"], "/workspace/hf");
        assert_eq!(plan.env["WANDB_MODE"], " offline");
        assert_eq!(plan.env["X"], "a=b");
    }

    #[test]
    fn scenarios_only_where_the_marketplace_is_simulated() {
        let input = LaunchInput {
            scenario: "oom".into(),
            ..good()
        };
        assert_eq!(
            validate(&input, &["healthy_hf", "oom"]).unwrap().scenario,
            Some("oom".into())
        );
        assert_eq!(fields(validate(&input, &[]).unwrap_err()), vec!["scenario"]);
        assert_eq!(
            fields(validate(&input, &["healthy_hf"]).unwrap_err()),
            vec!["scenario"]
        );
    }

    #[test]
    fn oversized_or_nul_commands_are_refused() {
        let errs = validate(
            &LaunchInput {
                smoke_cmd: "x".repeat(MAX_COMMAND_BYTES + 1),
                bootstrap: "a\0b".into(),
                ..good()
            },
            &[],
        )
        .unwrap_err();
        assert_eq!(fields(errs), vec!["bootstrap", "smoke_cmd"]);
    }

    #[test]
    fn full_steps_must_cover_the_smoke() {
        let short = LaunchInput {
            full_steps: "10".into(),
            ..good()
        };
        assert_eq!(
            fields(validate(&short, &[]).unwrap_err()),
            vec!["full_steps"]
        );
        let long = LaunchInput {
            full_steps: "100_000".into(),
            ..good()
        };
        assert_eq!(validate(&long, &[]).unwrap().full_steps, Some(100_000));
    }
}
