//! The run JSON (`RunView`, `RunSummary`) from the stored rows: one shape for
//! the Run page, its SSE stream and `canopy runs show --json`.

use app::domain::checklist::Checklist;
use app::domain::run_view::{EventView, OfferBrief, RunSummary, RunView};

use super::state::{Phase, WatchState};
use super::watcher::{now_ms, offer_price, spend_usd};
use crate::db::runs::{RunEvent, RunRow};

pub fn offer_brief(row: &RunRow) -> OfferBrief {
    let o = &row.offer;
    OfferBrief {
        offer_id: row.offer_id.max(0) as u64,
        gpu_name: o
            .get("gpu_name")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
        num_gpus: o.get("num_gpus").and_then(|v| v.as_u64()).unwrap_or(0) as u32,
        gpu_ram_mb: o.get("gpu_ram").and_then(|v| v.as_f64()),
        dph_total: offer_price(o),
        geolocation: o
            .get("geolocation")
            .and_then(|v| v.as_str())
            .map(str::to_string),
    }
}

/// Dollars spent so far (none before an instance was rented).
fn spend(row: &RunRow) -> Option<f64> {
    row.instance_id?;
    let end = row.ended_at_ms.unwrap_or_else(now_ms);
    spend_usd(&row.offer, row.created_at_ms, end)
}

pub fn summary(row: &RunRow) -> RunSummary {
    let state = WatchState::from_row(row);
    RunSummary {
        id: row.id,
        label: row.label.clone(),
        status: row.status.as_str().to_string(),
        live: row.is_live(),
        offer: offer_brief(row),
        spend_usd: spend(row),
        steps_per_sec: state.live.steps_per_sec.p50,
        decision: state
            .assessment
            .as_ref()
            .map(|a| a.verdict.decision.as_str().to_string()),
        created_at_ms: row.created_at_ms,
        ended_at_ms: row.ended_at_ms,
    }
}

pub fn run_view(row: &RunRow, events: &[RunEvent]) -> RunView {
    let state = WatchState::from_row(row);
    let spec = row.launch_spec().ok();
    let checklist: Option<Checklist> = row.checklist_state().ok().flatten();
    let phase = if row.is_live() {
        state.phase
    } else {
        Phase::Ended
    };
    RunView {
        id: row.id,
        label: row.label.clone(),
        status: row.status.as_str().to_string(),
        is_live: row.is_live(),
        phase: phase.as_str().to_string(),
        end_reason: row.end_reason.clone(),
        offer: offer_brief(row),
        instance_id: row.instance_id,
        image: spec.as_ref().map(|s| s.image.clone()).unwrap_or_default(),
        smoke_cmd: spec
            .as_ref()
            .map(|s| s.smoke_cmd.clone())
            .unwrap_or_default(),
        smoke_steps: spec.as_ref().map_or(0, |s| s.steps),
        log_path: spec
            .as_ref()
            .map(|s| s.log_path.clone())
            .unwrap_or_default(),
        kill_policy: row.kill_policy.as_str().to_string(),
        budget_usd: row.budget_cap_micro_usd as f64 / 1e6,
        scenario: spec.as_ref().and_then(|s| s.scenario.clone()),
        // Before the watcher's first save: every step still pending.
        checklist: checklist
            .unwrap_or_else(|| Checklist::new(Default::default(), None, row.created_at_ms))
            .to_json_rows(),
        live: state.live.clone(),
        verdict: state.assessment.as_ref().map(|a| a.verdict.clone()),
        projections: state.assessment.as_ref().map(|a| a.projections.clone()),
        spend_usd: spend(row),
        idle_deadline_ms: if row.is_live() {
            state.idle_deadline_ms
        } else {
            None
        },
        log_bytes_read: row.log_offset,
        log_tail: state.log_tail.clone(),
        events: events
            .iter()
            .map(|e| EventView {
                id: e.id,
                at_ms: e.at_ms,
                kind: e.kind.as_str().to_string(),
                message: e.message.clone(),
            })
            .collect(),
        created_at_ms: row.created_at_ms,
        updated_at_ms: row.updated_at_ms,
        ended_at_ms: row.ended_at_ms,
    }
}
