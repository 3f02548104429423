//! The one-tap actions besides kill: promote (the watcher starts the full
//! command on the same host), switch (the same launch on another host with
//! the same GPUs, the old instance destroyed) and apply-hint (the same launch
//! with an edited command / environment). Every action is an event with who,
//! what and why. Used by the service (a person) and by the watcher (the
//! automatic policy).

use app::domain::actions::{HostAction, RelaunchEdits};
use app::domain::analysis::{Attempt, AttemptKind, ProcessState};
use app::domain::launch::validate;
use app::ports::RunError;
use serde_json::json;

use super::state::{Phase, WatchState};
use super::{RunsRuntime, destroy_verified, rent};
use crate::db::runs::{EventKind, InstanceInfo, LaunchSpec, NewEvent, NewRun, RunRow, RunStatus};
use crate::vast::SearchQuery;

fn failed(e: impl std::fmt::Display) -> RunError {
    RunError::Failed(e.to_string())
}

pub async fn note(
    rt: &RunsRuntime,
    run_id: i64,
    kind: EventKind,
    message: String,
    data: Option<serde_json::Value>,
) {
    let event = NewEvent {
        kind,
        step: None,
        message: message.clone(),
        data,
        at_ms: None,
    };
    if let Err(e) = rt.repo.append_event(run_id, &event).await {
        tracing::warn!(run_id, "cannot record an event: {e}");
    }
    if kind == EventKind::Alert {
        rt.alerts.send(super::alerts::Alert {
            run_id,
            text: format!("Canopy run #{run_id}: {message}"),
        });
    }
}

/// Rents the run's offer (at most once, by label) and records the instance;
/// an ambiguous failure is left to the watcher, which retries by label; a
/// clear refusal ends the run as failed with the reason.
pub async fn rent_and_record(
    rt: &RunsRuntime,
    run_id: i64,
    offer_id: u64,
    spec: &LaunchSpec,
) -> Result<(), RunError> {
    let _ = rt.repo.set_status(run_id, RunStatus::Launching, None).await;
    match rent(rt, run_id, offer_id, spec).await {
        Ok(instance) => {
            rt.repo
                .set_instance(
                    run_id,
                    &InstanceInfo {
                        instance_id: instance as i64,
                        ssh_host: None,
                        ssh_port: None,
                        host_key_fingerprint: None,
                    },
                )
                .await
                .map_err(failed)?;
            let _ = rt
                .repo
                .set_status(run_id, RunStatus::BringingUp, None)
                .await;
            note(
                rt,
                run_id,
                EventKind::Action,
                format!(
                    "rented instance {instance} (label {})",
                    super::instance_label(run_id)
                ),
                None,
            )
            .await;
            Ok(())
        }
        Err(e) if e.is_transient() => {
            note(
                rt,
                run_id,
                EventKind::Note,
                format!("renting did not complete ({e}); the watcher will retry by label"),
                None,
            )
            .await;
            Ok(())
        }
        Err(e) => {
            let reason = format!("could not rent the offer: {e}");
            let _ = rt
                .repo
                .set_status(run_id, RunStatus::Failed, Some(&reason))
                .await;
            note(rt, run_id, EventKind::Status, reason.clone(), None).await;
            rt.bus.publish(run_id);
            Err(RunError::Failed(reason))
        }
    }
}

async fn live_row(rt: &RunsRuntime, id: i64) -> Result<RunRow, RunError> {
    rt.repo
        .get(id)
        .await
        .map_err(failed)?
        .ok_or(RunError::NotFound(id))
}

/// Promote: asks the watcher to start the full command on the same host.
pub async fn promote(
    rt: &RunsRuntime,
    id: i64,
    who: &str,
    budget_usd: Option<f64>,
) -> Result<(), RunError> {
    let row = live_row(rt, id).await?;
    if !row.is_live() || WatchState::from_row(&row).phase != Phase::AwaitingDecision {
        return Err(RunError::Conflict(format!(
            "run {id} cannot be promoted now: only a finished smoke waiting for a decision can"
        )));
    }
    let action = serde_json::to_value(HostAction::Promote {
        who: who.to_string(),
        budget_usd,
    })
    .map_err(failed)?;
    if !rt.repo.request_action(id, &action).await.map_err(failed)? {
        return Err(RunError::Conflict(format!("run {id} has ended")));
    }
    note(
        rt,
        id,
        EventKind::Action,
        format!("promote requested by {who}"),
        Some(json!({"who": who, "budget_usd": budget_usd})),
    )
    .await;
    rt.bus.publish(id);
    Ok(())
}

/// The attempt a run ended with, for the next run's repeated-failure rule.
fn final_attempt(state: &WatchState) -> Option<Attempt> {
    let last = state.history.checks.last()?;
    let mut classes: Vec<_> = last.progress.fatal_errors().map(|e| e.class).collect();
    classes.sort();
    classes.dedup();
    Some(Attempt {
        kind: AttemptKind::Smoke,
        started_s: state.history.checks.first().map_or(0.0, |c| c.t_s),
        ended_s: Some(last.t_s),
        exit_code: match last.process {
            ProcessState::Exited { code } => code,
            _ => None,
        },
        error_classes: classes,
        progressed: last.progress.has_progress(),
    })
}

/// Another rentable offer with the same GPUs (model and count) on another
/// machine, cheapest first: the "next-best fitting offer" when the host is
/// what went wrong.
async fn alternative_offer(rt: &RunsRuntime, row: &RunRow) -> Result<serde_json::Value, RunError> {
    let gpu = row
        .offer
        .get("gpu_name")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let n = row
        .offer
        .get("num_gpus")
        .and_then(|v| v.as_u64())
        .unwrap_or(1);
    let machine = row.offer.get("machine_id").and_then(|v| v.as_u64());
    let mut q = serde_json::Map::new();
    q.insert("gpu_name".into(), json!({"eq": gpu}));
    q.insert("num_gpus".into(), json!({"eq": n}));
    q.insert("rentable".into(), json!({"eq": true}));
    q.insert("order".into(), json!([["dph_total", "asc"]]));
    let offers = rt
        .vast
        .search_offers(&SearchQuery(q))
        .await
        .map_err(failed)?;
    let pick = offers
        .into_iter()
        .find(|o| o.id as i64 != row.offer_id && (machine.is_none() || o.machine_id != machine))
        .ok_or_else(|| {
            RunError::Conflict(format!("no other rentable offer with {n}× {gpu} right now"))
        })?;
    serde_json::to_value(&pick).map_err(failed)
}

/// Switch (`edits` = None) or apply-hint (`edits` = Some): a new run from
/// this one's launch on another host with the same GPUs, carrying its
/// attempts; the old run is ended and its instance destroyed. Returns the new
/// run id.
pub async fn relaunch(
    rt: &RunsRuntime,
    id: i64,
    who: &str,
    edits: Option<&RelaunchEdits>,
) -> Result<i64, RunError> {
    let row = live_row(rt, id).await?;
    let mut spec: LaunchSpec = row.launch_spec().map_err(failed)?;
    let what = match edits {
        None => "switch".to_string(),
        Some(e) => {
            if !e.smoke_cmd.trim().is_empty() {
                spec.smoke_cmd = e.smoke_cmd.trim_end().to_string();
            }
            // The edits go through the launch form's own checks.
            let env_text = e.env.clone();
            let check = validate(
                &app::domain::launch::LaunchInput {
                    offer_id: row.offer_id.to_string(),
                    image: spec.image.clone(),
                    smoke_cmd: spec.smoke_cmd.clone(),
                    env: env_text,
                    smoke_steps: spec.steps.to_string(),
                    ..Default::default()
                },
                &rt.scenarios,
            )
            .map_err(RunError::Invalid)?;
            spec.env.extend(check.env);
            format!("apply hint ({})", e.why.trim())
        }
    };
    let offer = alternative_offer(rt, &row).await?;
    let offer_id = offer.get("id").and_then(|v| v.as_i64()).unwrap_or_default();
    let gpu = offer
        .get("gpu_name")
        .and_then(|v| v.as_str())
        .unwrap_or("GPU")
        .to_string();
    let new_id = rt
        .repo
        .create(&NewRun {
            label: format!(
                "{} — {what} from #{id}",
                row.label.split(" — ").next().unwrap_or(&row.label)
            ),
            offer_id,
            offer,
            profile: row.profile.clone(),
            launch: spec.clone(),
        })
        .await
        .map_err(failed)?;
    // The new run remembers how the old one went (repeated-failure rule).
    let old = WatchState::from_row(&row);
    let mut seeded = WatchState::default();
    seeded.history.attempts = old.history.attempts.clone();
    seeded.history.attempts.extend(final_attempt(&old));
    let seeded = serde_json::to_value(&seeded).map_err(failed)?;
    rt.repo
        .link_parent(new_id, id, &seeded)
        .await
        .map_err(failed)?;
    note(
        rt,
        new_id,
        EventKind::Action,
        format!("{what} by {who}: launched from run #{id} on offer {offer_id} ({gpu})"),
        Some(json!({"who": who, "from_run": id})),
    )
    .await;
    rent_and_record(rt, new_id, offer_id as u64, &spec).await?;
    let _ = rt.adopt.send(new_id);
    // The old run ends: its instance is not needed any more.
    if row.is_live() {
        let destroyed = match row.instance_id {
            Some(instance) => destroy_verified(rt, instance as u64).await,
            None => Ok(()),
        };
        let reason = format!("{what} by {who}: continued as run #{new_id}");
        match destroyed {
            Ok(()) => {
                let _ = rt
                    .repo
                    .set_status(id, RunStatus::Killed, Some(&reason))
                    .await;
                note(
                    rt,
                    id,
                    EventKind::Action,
                    reason,
                    Some(json!({"who": who, "to_run": new_id})),
                )
                .await;
            }
            Err(e) => {
                note(
                    rt,
                    id,
                    EventKind::Alert,
                    format!("{reason}, but its instance could not be destroyed: {e}"),
                    None,
                )
                .await;
            }
        }
        rt.prober
            .forget(&row.instance_id.unwrap_or_default().to_string())
            .await;
    } else {
        note(
            rt,
            id,
            EventKind::Action,
            format!("{what} by {who}: continued as run #{new_id}"),
            Some(json!({"who": who, "to_run": new_id})),
        )
        .await;
    }
    rt.bus.publish(id);
    rt.bus.publish(new_id);
    Ok(new_id)
}
