//! `RunControl` over Postgres, the Vast client and the watchers.

use std::sync::Arc;

use app::domain::analysis::stats::median;
use app::domain::launch::{LaunchInput, validate};
use app::domain::run_view::{AlertView, RunSummary, RunView, ThroughputHint};
use app::ports::{RunControl, RunError};
use async_trait::async_trait;
use serde_json::json;

use super::supervisor::Supervisor;
use super::{RunsRuntime, destroy_verified, view};
use crate::db::runs::{EventKind, LaunchSpec, NewRun, RunStatus};
use crate::vast::{Offer, SearchQuery};

/// Events shown with a run (the full history stays in the table).
const VIEW_EVENTS: i64 = 200;

#[derive(Clone)]
pub struct RunService {
    rt: Arc<RunsRuntime>,
    supervisor: Supervisor,
}

fn failed(e: impl std::fmt::Display) -> RunError {
    RunError::Failed(e.to_string())
}

impl RunService {
    /// The service and its supervisor (call [`RunService::start`] to begin
    /// adopting orphaned runs).
    pub fn new(rt: Arc<RunsRuntime>, adopt: tokio::sync::mpsc::UnboundedReceiver<i64>) -> Self {
        RunService {
            supervisor: Supervisor::new(rt.clone(), adopt),
            rt,
        }
    }

    pub fn runtime(&self) -> &Arc<RunsRuntime> {
        &self.rt
    }

    /// Starts the supervisor loop (takes over runs whose watcher went away).
    pub fn start(&self) -> tokio::task::JoinHandle<()> {
        self.supervisor.spawn()
    }

    /// Ends a run whose smoke is over (awaiting a decision) as succeeded, its
    /// instance destroyed: for `canopy runs launch --wait` on the built-in
    /// simulator, whose instances stop with the command anyway.
    pub async fn end_after_smoke(&self, id: i64, reason: &str) -> Result<(), RunError> {
        let view = self.show(id).await?;
        if !view.is_live {
            return Ok(());
        }
        self.end_run(
            id,
            view.instance_id,
            RunStatus::Succeeded,
            reason,
            format!("run succeeded: {reason}"),
            None,
        )
        .await
        .map_err(RunError::Failed)
    }

    /// Destroys the run's instance (verified gone), then ends the run with
    /// `status` and records `event`. The run stays live if the destroy fails.
    async fn end_run(
        &self,
        id: i64,
        instance: Option<i64>,
        status: RunStatus,
        reason: &str,
        event: String,
        data: Option<serde_json::Value>,
    ) -> Result<(), String> {
        if let Some(instance) = instance {
            destroy_verified(&self.rt, instance as u64).await?;
            self.rt.prober.forget(&instance.to_string()).await;
        }
        self.rt
            .repo
            .set_status(id, status, Some(reason))
            .await
            .map_err(|e| e.to_string())?;
        let kind = if status == RunStatus::Succeeded {
            EventKind::Status
        } else {
            EventKind::Action
        };
        self.note(id, kind, event, data).await;
        self.rt.bus.publish(id);
        Ok(())
    }

    /// The offer with this id as the marketplace shows it now (`rentable`:
    /// only if it can still be rented).
    async fn find_offer(&self, id: u64, rentable: bool) -> Result<Option<Offer>, RunError> {
        let mut query = serde_json::Map::new();
        query.insert("id".into(), json!({"eq": id}));
        if rentable {
            query.insert("rentable".into(), json!({"eq": true}));
        }
        let offers = self
            .rt
            .vast
            .search_offers(&SearchQuery(query))
            .await
            .map_err(failed)?;
        Ok(offers.into_iter().find(|o| o.id == id))
    }

    /// Stops this server's watchers and releases their leases.
    pub async fn shutdown(&self) {
        self.supervisor.shutdown().await;
    }

    async fn note(
        &self,
        run_id: i64,
        kind: EventKind,
        message: String,
        data: Option<serde_json::Value>,
    ) {
        super::actions::note(&self.rt, run_id, kind, message, data).await;
    }
}

#[async_trait]
impl RunControl for RunService {
    async fn launch(&self, input: LaunchInput) -> Result<i64, RunError> {
        let plan = validate(&input, &self.rt.scenarios).map_err(RunError::Invalid)?;
        // The offer as it is now: the run keeps what it was bought at.
        let Some(offer) = self.find_offer(plan.offer_id, true).await? else {
            return Err(RunError::Invalid(vec![app::domain::launch::FieldError {
                field: "offer_id".into(),
                message: format!(
                    "offer {} is not available any more (rented or withdrawn): pick another",
                    plan.offer_id
                ),
            }]));
        };
        let offer = serde_json::to_value(&offer).map_err(failed)?;
        let gpu = offer
            .get("gpu_name")
            .and_then(|v| v.as_str())
            .unwrap_or("GPU")
            .to_string();
        let label = plan
            .label
            .clone()
            .unwrap_or_else(|| format!("smoke on {gpu} (offer {})", plan.offer_id));
        let spec = LaunchSpec::from_plan(&plan);
        let run_id = self
            .rt
            .repo
            .create(&NewRun {
                label,
                offer_id: plan.offer_id as i64,
                offer,
                profile: plan
                    .profile
                    .as_ref()
                    .and_then(|p| serde_json::to_value(p).ok()),
                launch: spec.clone(),
            })
            .await
            .map_err(failed)?;
        self.note(
            run_id,
            EventKind::Action,
            format!("launch requested: offer {} ({gpu})", plan.offer_id),
            Some(json!({"who": "user", "smoke_steps": plan.smoke_steps})),
        )
        .await;
        let _ = self
            .rt
            .repo
            .set_status(run_id, RunStatus::Launching, None)
            .await;
        super::actions::rent_and_record(&self.rt, run_id, plan.offer_id, &spec).await?;
        self.supervisor.watch_new(run_id).await;
        self.rt.bus.publish(run_id);
        Ok(run_id)
    }

    async fn list(&self, limit: i64) -> Result<Vec<RunSummary>, RunError> {
        let rows = self
            .rt
            .repo
            .list(limit.clamp(1, 500))
            .await
            .map_err(failed)?;
        Ok(rows.iter().map(view::summary).collect())
    }

    async fn show(&self, id: i64) -> Result<RunView, RunError> {
        let row = self
            .rt
            .repo
            .get(id)
            .await
            .map_err(failed)?
            .ok_or(RunError::NotFound(id))?;
        let events = self
            .rt
            .repo
            .recent_events(id, VIEW_EVENTS)
            .await
            .map_err(failed)?;
        Ok(view::run_view(&row, &events))
    }

    async fn kill(&self, id: i64, who: &str, why: &str) -> Result<RunView, RunError> {
        let row = self
            .rt
            .repo
            .get(id)
            .await
            .map_err(failed)?
            .ok_or(RunError::NotFound(id))?;
        if !row.is_live() {
            return Err(RunError::Conflict(format!(
                "run {id} has already ended ({})",
                row.status.as_str()
            )));
        }
        let why = why.trim();
        let reason = if why.is_empty() {
            format!("killed by {who}")
        } else {
            format!("killed by {who}: {why}")
        };
        let what = row.instance_id.map_or("no instance".to_string(), |i| {
            format!("instance {i} destroyed (verified gone)")
        });
        let ended = self
            .end_run(
                id,
                row.instance_id,
                RunStatus::Killed,
                &reason,
                format!("kill: {what}"),
                Some(json!({"who": who, "why": why})),
            )
            .await;
        if let Err(e) = ended {
            self.note(
                id,
                EventKind::Alert,
                format!("could not destroy instance: {e} — the run stays live; try again or destroy it in Vast"),
                None,
            )
            .await;
            self.rt.bus.publish(id);
            return Err(RunError::Failed(format!(
                "could not destroy the instance: {e}"
            )));
        }
        self.show(id).await
    }

    async fn promote(&self, id: i64, who: &str, budget_usd: Option<f64>) -> Result<(), RunError> {
        super::actions::promote(&self.rt, id, who, budget_usd).await
    }

    async fn switch(&self, id: i64, who: &str) -> Result<i64, RunError> {
        super::actions::relaunch(&self.rt, id, who, None).await
    }

    async fn relaunch(
        &self,
        id: i64,
        who: &str,
        edits: &app::domain::actions::RelaunchEdits,
    ) -> Result<i64, RunError> {
        super::actions::relaunch(&self.rt, id, who, Some(edits)).await
    }

    async fn alerts(&self, limit: i64) -> Result<Vec<AlertView>, RunError> {
        let rows = self
            .rt
            .repo
            .recent_alerts(limit.clamp(1, 200))
            .await
            .map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|e| AlertView {
                run_id: e.run_id,
                at_ms: e.at_ms,
                message: e.message,
            })
            .collect())
    }

    async fn throughput_history(&self, offer_id: u64) -> Result<Option<ThroughputHint>, RunError> {
        let Some(gpu) = self.find_offer(offer_id, false).await?.map(|o| o.gpu_name) else {
            return Ok(None);
        };
        let rows = self.rt.repo.list(500).await.map_err(failed)?;
        let rates: Vec<f64> = rows
            .iter()
            .map(view::summary)
            .filter(|r| r.offer.gpu_name == gpu)
            .filter_map(|r| r.steps_per_sec)
            .filter(|r| r.is_finite() && *r > 0.0)
            .collect();
        let Some(median) = median(&rates) else {
            return Ok(None);
        };
        Ok(Some(ThroughputHint {
            steps_per_sec: (median * 100.0).round() / 100.0,
            runs: rates.len(),
            gpu_name: gpu,
        }))
    }

    fn scenarios(&self) -> Vec<&'static str> {
        self.rt.scenarios.clone()
    }
}
