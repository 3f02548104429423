//! Fault injection and per-instance scenarios.
//!
//! * [`FaultRule`]: "the next N calls of endpoint E fail like this" — 429 storms (with or
//!   without `Retry-After`), the daily search quota, 5xx, hangs (client timeouts), and a
//!   create that rents the offer and then errors. Rules come from [`SimConfig`] /
//!   `CANOPY_SIM_FAULTS` (see [`parse_fault_spec`]), [`Simulator::inject`] or
//!   `POST /_sim/faults`.
//! * [`ScenarioSpec`]: how one instance behaves in the marketplace (boot delays, stuck in
//!   loading, container exits, host goes offline, create error). Host-side scenarios
//!   (`hf_oom`, `loader_bound`, ...) boot normally here and are passed on to the
//!   [`HostProvider`].
//!
//! [`SimConfig`]: super::SimConfig
//! [`Simulator::inject`]: super::Simulator::inject
//! [`HostProvider`]: super::HostProvider

use serde::{Deserialize, Serialize};

/// Which calls a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Any,
    /// `POST /bundles/`, `GET /bundles?q=`, `PUT /search/asks/`.
    Search,
    /// `PUT /asks/{id}/`.
    Create,
    /// `GET /api/v1/instances/` and the legacy v0 list.
    ListInstances,
    /// `GET /api/v0/instances/{id}/`.
    ShowInstance,
    /// `PUT /api/v0/instances/{id}/` (stop/start/label) and reboot.
    ManageInstance,
    /// `DELETE /api/v0/instances/{id}/` and bulk destroy.
    Destroy,
    /// `PUT /api/v0/instances/request_logs/{id}/`.
    Logs,
    /// `GET /api/v0/users/current`.
    User,
    /// SSH key endpoints.
    Ssh,
}

impl Endpoint {
    pub fn matches(self, other: Endpoint) -> bool {
        self == Endpoint::Any || self == other
    }

    fn parse(s: &str) -> Option<Endpoint> {
        Some(match s.trim() {
            "any" | "*" => Endpoint::Any,
            "search" => Endpoint::Search,
            "create" => Endpoint::Create,
            "list" | "list_instances" => Endpoint::ListInstances,
            "show" | "show_instance" => Endpoint::ShowInstance,
            "manage" | "manage_instance" => Endpoint::ManageInstance,
            "destroy" => Endpoint::Destroy,
            "logs" => Endpoint::Logs,
            "user" => Endpoint::User,
            "ssh" => Endpoint::Ssh,
            _ => return None,
        })
    }
}

/// How a call fails.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 429 `API requests too frequent` (plain text, as the gateway sends it), with a
    /// `Retry-After` header when `retry_after_s` is set.
    RateLimited {
        #[serde(default)]
        retry_after_s: Option<f64>,
    },
    /// HTTP 429 `{"error": "search_quota_exceeded"}` with `X-RateLimit-Reset` = next UTC
    /// midnight of the simulated clock.
    SearchQuota,
    /// HTTP `status` (500/502/503/504) with a Vast-style error body.
    ServerError { status: u16 },
    /// The server holds the request for `secs` real seconds before answering normally
    /// (long enough and the client times out).
    Timeout { secs: f64 },
    /// Only for create: the instance IS created, then the reply is HTTP `status`.
    CreateThenError { status: u16 },
    /// Only for create: the instance IS created, then the reply is held for `secs`.
    CreateThenTimeout { secs: f64 },
}

/// "The next `times` calls to `endpoint` fail with `kind`" (`times: 0` = every call).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    pub endpoint: Endpoint,
    #[serde(flatten)]
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    pub fn new(endpoint: Endpoint, kind: FaultKind) -> Self {
        FaultRule {
            endpoint,
            kind,
            times: 1,
        }
    }
    /// Applies to the next `n` matching calls (0 = forever).
    pub fn times(mut self, n: u32) -> Self {
        self.times = n;
        self
    }
}

/// Parses a compact fault list, e.g. for `CANOPY_SIM_FAULTS` or a CLI flag:
///
/// `search=429@1*3,create=create_then_500,any=503*2,user=timeout@5,search=quota`
///
/// Each item is `ENDPOINT=KIND[*N]` (N = how many calls, default 1, 0 = always).
/// KIND: `429` (no Retry-After), `429@S` (Retry-After S seconds), `quota`, `500`/`502`/
/// `503`/`504`, `timeout@S`, `create_then_500` (any status), `create_then_timeout@S`.
/// ENDPOINT: any, search, create, list, show, manage, destroy, logs, user, ssh.
pub fn parse_fault_spec(spec: &str) -> Result<Vec<FaultRule>, String> {
    let mut out = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (ep, rest) = item
            .split_once('=')
            .ok_or_else(|| format!("fault {item:?}: expected ENDPOINT=KIND"))?;
        let endpoint = Endpoint::parse(ep)
            .ok_or_else(|| format!("fault {item:?}: unknown endpoint {ep:?}"))?;
        let (kind_s, times) = match rest.split_once('*') {
            Some((k, n)) => (
                k,
                n.trim()
                    .parse::<u32>()
                    .map_err(|_| format!("fault {item:?}: bad count {n:?}"))?,
            ),
            None => (rest, 1),
        };
        let (name, arg) = match kind_s.split_once('@') {
            Some((n, a)) => (
                n.trim(),
                Some(
                    a.trim()
                        .parse::<f64>()
                        .map_err(|_| format!("fault {item:?}: bad number {a:?}"))?,
                ),
            ),
            None => (kind_s.trim(), None),
        };
        let kind = match name {
            "429" => FaultKind::RateLimited { retry_after_s: arg },
            "quota" => FaultKind::SearchQuota,
            "timeout" => FaultKind::Timeout {
                secs: arg.unwrap_or(60.0),
            },
            "create_then_timeout" => FaultKind::CreateThenTimeout {
                secs: arg.unwrap_or(60.0),
            },
            n if n.starts_with("create_then_") => {
                let st = n["create_then_".len()..]
                    .parse::<u16>()
                    .map_err(|_| format!("fault {item:?}: bad status"))?;
                FaultKind::CreateThenError { status: st }
            }
            n => match n.parse::<u16>() {
                Ok(st) if (400..600).contains(&st) => FaultKind::ServerError { status: st },
                _ => return Err(format!("fault {item:?}: unknown kind {n:?}")),
            },
        };
        out.push(FaultRule {
            endpoint,
            kind,
            times,
        });
    }
    Ok(out)
}

/// What the container does after the offer is rented.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BootOutcome {
    /// loading → running.
    Running,
    /// Never leaves `loading` (image pull hangs).
    StuckLoading,
    /// The container exits during start-up: `actual_status` `exited`.
    Exited { msg: String },
}

/// Marketplace-side behaviour of one instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSpec {
    /// Seconds with `actual_status: null` (being scheduled on the host).
    pub provision_s: f64,
    /// Seconds in `loading` (pulling the image, starting the container). Jittered ±25%
    /// per instance, deterministically.
    pub loading_s: f64,
    pub outcome: BootOutcome,
    /// If set: seconds after reaching `running` when the host disconnects
    /// (`actual_status: offline`, SSH endpoint released, GPU no longer billed).
    pub offline_after_s: Option<f64>,
    /// If set: the create call rents the offer and then answers with this HTTP status.
    pub create_error: Option<u16>,
    /// Seconds a restart (stopped → running) spends in `loading`.
    pub restart_s: f64,
    /// API faults switched on when an instance with this scenario is created (e.g. a 429
    /// storm on the instance endpoints while a watcher polls it).
    #[serde(default)]
    pub api_faults: Vec<FaultRule>,
}

impl Default for ScenarioSpec {
    fn default() -> Self {
        ScenarioSpec {
            provision_s: 4.0,
            loading_s: 45.0,
            outcome: BootOutcome::Running,
            offline_after_s: None,
            create_error: None,
            restart_s: 12.0,
            api_faults: Vec::new(),
        }
    }
}

/// Names with marketplace-side effects (plus `api_storm`, which turns on API faults). Every other name (`healthy_hf`, `healthy_nanogpt`,
/// `loader_bound`, `hf_oom`, `import_error`, `pip_fail`, `lightning`, `slow_host`,
/// `hf_flat_loss`, `ssh_drops`, `log_rotated`, ...) boots like `healthy_hf` here; its
/// behaviour lives on the simulated host.
pub const MARKETPLACE_SCENARIOS: &[&str] = &[
    "healthy_hf",
    "stuck_loading",
    "host_offline",
    "container_exited",
    "create_error",
    "slow_boot",
    "fast_boot",
    "api_storm",
];

/// The spec for a scenario name.
pub fn scenario_spec(name: &str) -> ScenarioSpec {
    let d = ScenarioSpec::default();
    match name {
        "stuck_loading" => ScenarioSpec {
            outcome: BootOutcome::StuckLoading,
            ..d
        },
        "host_offline" => ScenarioSpec {
            offline_after_s: Some(180.0),
            ..d
        },
        "container_exited" => ScenarioSpec {
            loading_s: 30.0,
            outcome: BootOutcome::Exited {
                msg:
                    "Error response from daemon: failed to create task for container: exit status 1"
                        .into(),
            },
            ..d
        },
        "create_error" => ScenarioSpec {
            create_error: Some(500),
            ..d
        },
        "slow_boot" => ScenarioSpec {
            loading_s: 900.0,
            ..d
        },
        "fast_boot" => ScenarioSpec {
            provision_s: 0.5,
            loading_s: 2.0,
            restart_s: 1.0,
            ..d
        },
        // The marketplace API misbehaves while this instance boots: 429 storms (with
        // Retry-After 1) on show/list and a few 503s on the account endpoint.
        "api_storm" => ScenarioSpec {
            api_faults: vec![
                FaultRule::new(
                    Endpoint::ShowInstance,
                    FaultKind::RateLimited {
                        retry_after_s: Some(1.0),
                    },
                )
                .times(3),
                FaultRule::new(
                    Endpoint::ListInstances,
                    FaultKind::RateLimited {
                        retry_after_s: None,
                    },
                )
                .times(2),
                FaultRule::new(Endpoint::User, FaultKind::ServerError { status: 503 }).times(2),
            ],
            ..d
        },
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spec() {
        let r = parse_fault_spec(
            "search=429@1*3, create=create_then_500, any=503*0,user=timeout@2.5,search=quota",
        )
        .unwrap();
        assert_eq!(r.len(), 5);
        assert_eq!(
            r[0],
            FaultRule {
                endpoint: Endpoint::Search,
                kind: FaultKind::RateLimited {
                    retry_after_s: Some(1.0)
                },
                times: 3
            }
        );
        assert_eq!(r[1].kind, FaultKind::CreateThenError { status: 500 });
        assert_eq!(r[2].times, 0);
        assert_eq!(r[3].kind, FaultKind::Timeout { secs: 2.5 });
        assert_eq!(r[4].kind, FaultKind::SearchQuota);
        assert!(parse_fault_spec("nope=429").is_err());
        assert!(parse_fault_spec("search=299").is_err());
        assert!(parse_fault_spec("search").is_err());
    }

    #[test]
    fn rule_json_roundtrip() {
        let r: FaultRule = serde_json::from_str(
            r#"{"endpoint":"create","kind":"create_then_error","status":502}"#,
        )
        .unwrap();
        assert_eq!(r.times, 1);
        assert_eq!(r.kind, FaultKind::CreateThenError { status: 502 });
    }

    #[test]
    fn scenarios() {
        assert_eq!(
            scenario_spec("stuck_loading").outcome,
            BootOutcome::StuckLoading
        );
        assert_eq!(scenario_spec("hf_oom"), ScenarioSpec::default());
    }
}
