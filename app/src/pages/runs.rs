//! Runs: every run, live ones first; and the launch form when the page is
//! opened from an offer (`/runs?launch=OFFER_ID`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::runs::launch_options::launch_options;
use crate::api::runs::launch_run::{LaunchOutcome, LaunchRun};
use crate::api::runs::list_alerts::list_alerts;
use crate::api::runs::list_runs::list_runs;
use crate::domain::launch::{
    BUDGET_USD_DEFAULT, DISK_GB_DEFAULT, FieldError, LOG_PATH_DEFAULT, SMOKE_STEPS_DEFAULT,
    SMOKE_STEPS_MAX, SMOKE_STEPS_MIN,
};
use crate::domain::offer_search::OffersForm;
use crate::domain::run_view::{RunSummary, fmt_opt};

/// How often the list refreshes itself while open (JS on).
#[cfg(feature = "hydrate")]
const REFRESH_MS: u64 = 3000;

#[component]
pub fn RunsPage() -> impl IntoView {
    let query = use_query_map();
    let launch_offer =
        Memo::new(move |_| query.with(|q| q.get("launch")).filter(|s| !s.is_empty()));
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t = t.wrapping_add(1)),
            std::time::Duration::from_millis(REFRESH_MS),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    }
    let runs = Resource::new(move || tick.get(), |_| list_runs());
    let alerts = Resource::new(move || tick.get(), |_| list_alerts());

    view! {
        <Title text="Runs" />
        <h1>"Runs"</h1>
        <p class="lede">"Smoke runs, live ones first: status, GPU, $/h, spend so far, step/s and verdict."</p>
        {move || {
            launch_offer
                .get()
                .map(|offer| {
                    // The run profile the Offers page gated this offer with
                    // (its fields ride along in the link; defaults otherwise).
                    let profile = query
                        .with_untracked(|q| OffersForm::from_lookup(|k| q.get(k)))
                        .check()
                        .profile
                        .and_then(|p| serde_json::to_string(&p).ok())
                        .unwrap_or_default();
                    view! { <LaunchForm offer profile /> }
                })
        }}
        <section aria-labelledby="runs-h">
            <h2 id="runs-h" class="visually-hidden">"All runs"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading runs…"</p> }>
                {move || Suspend::new(async move {
                    match runs.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="card muted" data-testid="no-runs">
                                "No runs yet. Pick an offer on the " <a href="/offers">"Offers"</a> " page and launch a smoke run."
                            </p>
                        }
                            .into_any(),
                        Ok(list) => view! { <RunsTable list /> }.into_any(),
                        Err(e) => view! {
                            <p class="card notice notice-bad" role="alert">"Runs unavailable: " {e.to_string()}</p>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="card alerts" aria-labelledby="alerts-h" data-testid="alerts">
            <h2 id="alerts-h">"Alerts"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match alerts.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">"No alerts: verdict changes and fatal errors show up here (and on the webhook, when one is set)."</p>
                        }
                            .into_any(),
                        Ok(list) => view! {
                            <ul class="alert-list">
                                {list
                                    .into_iter()
                                    .map(|a| {
                                        view! {
                                            <li>
                                                <a href=format!("/runs/{}", a.run_id)>{format!("#{}", a.run_id)}</a>
                                                " "
                                                {a.message}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any(),
                        Err(e) => view! { <p class="notice notice-bad">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RunsTable(list: Vec<RunSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="runs-table" data-testid="runs-table">
                <thead>
                    <tr>
                        <th scope="col">"Run"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"GPU"</th>
                        <th scope="col">"$/h"</th>
                        <th scope="col">"Spent"</th>
                        <th scope="col">"Step/s"</th>
                        <th scope="col">"Verdict"</th>
                    </tr>
                </thead>
                <tbody>
                    {list
                        .into_iter()
                        .map(|r| {
                            let href = format!("/runs/{}", r.id);
                            view! {
                                <tr class:live=r.live data-testid="run-row" data-run=r.id.to_string()>
                                    <td data-label="Run">
                                        <a href=href>{format!("#{} ", r.id)} {r.label}</a>
                                    </td>
                                    <td data-label="Status">
                                        <span class=format!("badge status-{}", r.status)>{r.status.replace('_', " ")}</span>
                                    </td>
                                    <td data-label="GPU">{r.offer.gpus()}</td>
                                    <td data-label="$/h">{fmt_opt(r.offer.dph_total, 3, "")}</td>
                                    <td data-label="Spent">{fmt_opt(r.spend_usd, 2, "")}</td>
                                    <td data-label="Step/s">{fmt_opt(r.steps_per_sec, 2, "")}</td>
                                    <td data-label="Verdict">
                                        {r
                                            .decision
                                            .map(|d| view! { <span class=format!("badge decision-{d}")>{d.clone()}</span> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The launch form. Fields are named `input[...]` for the `launch_run`
/// server function; without JavaScript the form posts and the server
/// redirects to the new run.
#[component]
fn LaunchForm(offer: String, profile: String) -> impl IntoView {
    let launch = ServerAction::<LaunchRun>::new();
    let options = {
        let offer = offer.clone();
        Resource::new(move || offer.clone(), launch_options)
    };
    let has_profile = !profile.is_empty();
    let errors = move || match launch.value().get() {
        Some(Ok(LaunchOutcome::Invalid { fields })) => fields,
        _ => Vec::new(),
    };
    let failure = move || match launch.value().get() {
        Some(Ok(LaunchOutcome::Failed { message })) => Some(message),
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let error_for = move |field: &'static str| {
        move || {
            errors()
                .into_iter()
                .filter(|e: &FieldError| e.field == field)
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    let field = move |name: &'static str,
                      label: &'static str,
                      value: String,
                      hint: &'static str|
          -> AnyView {
        let err = error_for(name);
        view! {
            <div class="field" class:field-bad=move || !err().is_empty()>
                <label for=format!("launch-{name}")>{label}</label>
                <input
                    id=format!("launch-{name}")
                    name=format!("input[{name}]")
                    type="text"
                    value=value
                    autocomplete="off"
                    spellcheck="false"
                    aria-invalid=move || (!err().is_empty()).then_some("true")
                />
                <span class="hint">{hint}</span>
                <span class="field-error" role="alert" data-testid=format!("error-{name}")>{err}</span>
            </div>
        }
        .into_any()
    };
    let area = move |name: &'static str, label: &'static str, hint: &'static str| -> AnyView {
        let err = error_for(name);
        view! {
            <div class="field" class:field-bad=move || !err().is_empty()>
                <label for=format!("launch-{name}")>{label}</label>
                <textarea id=format!("launch-{name}") name=format!("input[{name}]") rows="3" spellcheck="false"></textarea>
                <span class="hint">{hint}</span>
                <span class="field-error" role="alert" data-testid=format!("error-{name}")>{err}</span>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card launch" aria-labelledby="launch-h" data-testid="launch-form">
            <h2 id="launch-h">{format!("Launch a smoke run on offer {offer}")}</h2>
            <ActionForm action=launch>
                <input type="hidden" name="input[offer_id]" value=offer.clone() />
                <input type="hidden" name="input[profile]" value=profile />
                {has_profile
                    .then(|| {
                        view! {
                            <p class="muted" data-testid="launch-profile">
                                "The run profile this offer was gated with on the Offers page is recorded with the run."
                            </p>
                        }
                    })}
                <div class="launch-grid">
                    {field("image", "Image", "pytorch/pytorch:latest".into(), "Docker image (no spaces)")}
                    {field("smoke_steps", "Smoke steps", SMOKE_STEPS_DEFAULT.to_string(), "20–100; Canopy stops the run after these")}
                    {area("smoke_cmd", "Smoke command", "Runs detached on the host, logging to the file below; kept exactly as typed")}
                    {area("bootstrap", "Bootstrap commands", "Optional: clone, install; one per line")}
                    {field("log_path", "Log file", LOG_PATH_DEFAULT.into(), "Relative to the work dir")}
                    {area("env", "Environment", "KEY=VALUE per line (not for secrets)")}
                    {field("disk_gb", "Disk (GB)", DISK_GB_DEFAULT.to_string(), "")}
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let hint = options.await.ok().and_then(|o| o.expected);
                            let err = error_for("expected_steps_per_sec");
                            let (value, note) = match &hint {
                                Some(h) => (
                                    format!("{}", h.steps_per_sec),
                                    format!(
                                        "Median of {} earlier run(s) on {} (any command): edit it for this model. Used by the 70% rule.",
                                        h.runs, h.gpu_name
                                    ),
                                ),
                                None => (
                                    String::new(),
                                    "No earlier runs on this GPU model: none pre-filled. Used by the 70% rule.".to_string(),
                                ),
                            };
                            view! {
                                <div class="field" class:field-bad=move || !err().is_empty()>
                                    <label for="launch-expected_steps_per_sec">"Expected step/s"</label>
                                    <input
                                        id="launch-expected_steps_per_sec"
                                        name="input[expected_steps_per_sec]"
                                        type="text"
                                        value=value
                                        autocomplete="off"
                                        data-testid="expected-input"
                                    />
                                    <span class="hint">{note}</span>
                                    <span class="field-error" role="alert" data-testid="error-expected_steps_per_sec">{err}</span>
                                </div>
                            }
                        })}
                    </Suspense>
                    {field("budget_usd", "Budget cap ($)", format!("{BUDGET_USD_DEFAULT}"), "The run is killed when spend reaches it")}
                    {field("full_steps", "Full run steps", String::new(), "Optional: for the full run's ETA and cost")}
                    {area("full_cmd", "Full-run command", "Optional: what Promote starts on the same host (default: the smoke command)")}
                    {field("label", "Label", String::new(), "Optional")}
                    <div class="field">
                        <label for="launch-kill_policy">"When a kill rule fires"</label>
                        <select id="launch-kill_policy" name="input[kill_policy]">
                            <option value="ask" selected>"Ask me"</option>
                            <option value="auto">"Kill automatically"</option>
                        </select>
                    </div>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            options
                                .await
                                .ok()
                                .filter(|o| o.simulated)
                                .map(|o| {
                                    view! {
                                        <div class="field">
                                            <label for="launch-scenario">"Simulated host scenario"</label>
                                            <select id="launch-scenario" name="input[scenario]" data-testid="scenario">
                                                {o
                                                    .scenarios
                                                    .into_iter()
                                                    .map(|s| view! { <option value=s.clone()>{s.clone()}</option> })
                                                    .collect_view()}
                                            </select>
                                            <span class="hint">"The marketplace is simulated: the host replays a recorded H200 run"</span>
                                        </div>
                                    }
                                })
                        })}
                    </Suspense>
                </div>
                <p class="muted">{format!("Smoke runs take {SMOKE_STEPS_MIN}–{SMOKE_STEPS_MAX} steps.")}</p>
                <div class="form-actions">
                    <button class="button primary" type="submit" data-testid="launch-button" disabled=move || launch.pending().get()>
                        {move || if launch.pending().get() { "Renting…" } else { "Rent and start the smoke" }}
                    </button>
                </div>
                {move || failure().map(|m| view! { <p class="notice notice-bad" role="alert" data-testid="launch-failed">{m}</p> })}
                {move || {
                    (!errors().is_empty())
                        .then(|| view! { <p class="notice" role="alert" data-testid="launch-invalid">"Nothing rented: fix the fields marked above."</p> })
                }}
            </ActionForm>
        </section>
    }
}
