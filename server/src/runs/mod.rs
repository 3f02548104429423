//! Smoke runs: launching one, the watcher that follows it, and the service
//! the pages, the SSE stream and the CLI use.
//!
//! ```text
//! launch (service) ─ validate ─ runs row ─ rent (label canopy-run-ID) ─┐
//!                                                                     ▼
//! supervisor ─ lease ─ watcher: checklist → smoke → verdict → end ─ bus ─ SSE
//! ```
//!
//! - [`service`]: `RunControl` (launch / list / show / kill).
//! - [`watcher`]: one task per live run.
//! - [`supervisor`]: starts watchers for runs this server leases, and takes
//!   over runs whose lease expired (a crashed or stopped server).
//! - [`state`]: what the watcher persists between checks.
//! - [`view`]: the run JSON (`RunView`) from the stored rows.

pub mod actions;
pub mod alerts;
pub mod bus;
pub mod identity;
pub mod service;
pub mod state;
pub mod supervisor;
pub mod view;
pub mod watcher;

use std::sync::Arc;
use std::time::Duration;

use app::domain::analysis::AssessConfig;
use app::domain::checklist::ChecklistConfig;

use crate::db::runs::{LaunchSpec, PgRuns};
use crate::ssh::{MemoryPins, Prober};
use crate::vast::{CreateInstanceRequest, VastClient, VastError};

pub use bus::RunBus;
pub use service::RunService;

/// The watcher's timings and thresholds.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Between checks during bring-up and the smoke run.
    pub cadence: Duration,
    /// Between checks while a finished smoke waits for a decision.
    pub idle_cadence: Duration,
    /// A lease not renewed for this long is taken over by another server.
    pub lease_ttl: Duration,
    /// How often the supervisor looks for runs without a watcher.
    pub supervise_every: Duration,
    pub checklist: ChecklistConfig,
    /// How long a finished smoke's instance waits for promote / destroy.
    pub idle_grace: Duration,
    /// A running smoke whose host stays unreachable this long has failed.
    pub unreachable_limit: Duration,
    pub assess: AssessConfig,
    pub transfer_probe_bytes: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            cadence: Duration::from_secs(2),
            idle_cadence: Duration::from_secs(10),
            lease_ttl: Duration::from_secs(30),
            supervise_every: Duration::from_secs(5),
            checklist: ChecklistConfig::default(),
            idle_grace: Duration::from_secs(15 * 60),
            unreachable_limit: Duration::from_secs(120),
            assess: AssessConfig::default(),
            transfer_probe_bytes: 4 * 1024 * 1024,
        }
    }
}

impl WatchConfig {
    /// The simulated marketplace runs `speed` times faster than real time:
    /// timeouts and waits shrink with it (never below a second), so a stuck
    /// boot is reported in simulated minutes, not real ones.
    pub fn scaled(speed: f64) -> WatchConfig {
        let d = WatchConfig::default();
        if !(speed.is_finite() && speed > 1.0) {
            return d;
        }
        let s = |secs: u64| ((secs as f64 / speed).ceil() as u64).max(1);
        // Checks keep pace with the faster clock, within what SSH and the
        // database comfortably take.
        let every = |d: Duration| d.div_f64(speed).max(Duration::from_millis(250));
        let c = &d.checklist;
        WatchConfig {
            checklist: ChecklistConfig {
                instance_running_secs: s(c.instance_running_secs),
                ssh_secs: s(c.ssh_secs),
                gpus_secs: s(c.gpus_secs),
                bootstrap_secs: s(c.bootstrap_secs),
                smoke_start_secs: s(c.smoke_start_secs),
                first_step_secs: s(c.first_step_secs),
                first_numbers_secs: s(c.first_numbers_secs),
                gpu_mem_tolerance_pct: c.gpu_mem_tolerance_pct,
            },
            cadence: every(d.cadence),
            idle_cadence: every(d.idle_cadence),
            idle_grace: Duration::from_secs(s(d.idle_grace.as_secs())),
            assess: {
                let mut a = d.assess.clone();
                a.rules.util_window_s /= speed;
                a.rules.setup_budget_min_s /= speed;
                a
            },
            unreachable_limit: Duration::from_secs(s(d.unreachable_limit.as_secs())),
            ..d.clone()
        }
    }
}

/// What every watcher and the service share.
pub struct RunsRuntime {
    pub repo: PgRuns,
    pub vast: VastClient,
    pub prober: Prober,
    pub pins: Arc<MemoryPins>,
    pub bus: RunBus,
    /// Runs created here (switch, relaunch) for the supervisor to watch now.
    pub adopt: tokio::sync::mpsc::UnboundedSender<i64>,
    pub alerts: alerts::Alerts,
    pub cfg: WatchConfig,
    /// This server's lease holder id (`host:pid:random`).
    pub holder: String,
    /// Canopy's public key, attached to every instance.
    pub public_key: String,
    pub simulated: bool,
    /// Scenario names of the simulated hosts (empty on the real marketplace).
    pub scenarios: Vec<&'static str>,
}

/// The instance label carrying the run id: creating again after a retry or a
/// restart finds this instance instead of renting a second one.
pub fn instance_label(run_id: i64) -> String {
    format!("canopy-run-{run_id}")
}

/// Rents the run's offer at most once (idempotent by label) with Canopy's key
/// attached. Returns the instance id.
pub async fn rent(
    rt: &RunsRuntime,
    run_id: i64,
    offer_id: u64,
    spec: &LaunchSpec,
) -> Result<u64, VastError> {
    let mut env = spec.env.clone();
    if let Some(s) = &spec.scenario {
        env.insert("CANOPY_SCENARIO".into(), s.clone());
    }
    let request = CreateInstanceRequest {
        env,
        ..CreateInstanceRequest::new(spec.image.clone(), f64::from(spec.disk_gb))
    };
    // The account key is attached by Vast to every new instance; adding it
    // twice is refused by Vast, which is fine.
    let _ = rt.vast.add_account_ssh_key(&rt.public_key).await;
    let outcome = rt
        .vast
        .create_idempotent(offer_id, &request, &instance_label(run_id))
        .await?;
    if let Err(e) = rt
        .vast
        .attach_ssh_key(outcome.instance_id, &rt.public_key)
        .await
    {
        tracing::debug!(run_id, "attach key (account key should cover it): {e}");
    }
    Ok(outcome.instance_id)
}

/// Destroys the instance and checks that it is gone (a destroy that
/// "succeeded" while the instance still bills is the expensive failure).
pub async fn destroy_verified(rt: &RunsRuntime, instance_id: u64) -> Result<(), String> {
    let mut last = String::new();
    for attempt in 0..5u32 {
        let destroy_error = match rt.vast.destroy_instance(instance_id).await {
            Ok(()) | Err(VastError::NotFound { .. }) => None,
            Err(e) => Some(e.to_string()),
        };
        match rt.vast.show_instance(instance_id).await {
            Ok(None) => return Ok(()),
            Ok(Some(i)) => {
                last = destroy_error.unwrap_or_else(|| {
                    format!(
                        "still listed ({})",
                        i.actual_status.as_deref().unwrap_or("no status")
                    )
                })
            }
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt + 1))).await;
    }
    Err(last)
}
