//! One run: the bring-up checklist with durations, the live numbers, the
//! verdict and projections, the last log lines and the event log.
//!
//! The server renders the run as it is; once hydrated, the page subscribes to
//! `/api/runs/{id}/stream` (server-sent events, one whole run JSON after every
//! watcher check) and re-renders in place — no reload, no polling.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::runs::get_run::get_run;
use crate::api::runs::kill_run::KillRun;
use crate::api::runs::promote_run::PromoteRun;
use crate::api::runs::relaunch_run::RelaunchRun;
use crate::api::runs::switch_run::SwitchRun;
use crate::domain::analysis::stats::duration_words;
use crate::domain::analysis::{Projection, Range};
use crate::domain::checklist::StepStatus;
use crate::domain::run_view::{RunView, fmt_opt};

#[component]
pub fn RunPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let fetched = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_run(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // The latest view: from the stream once it has spoken, else as fetched.
    let live = RwSignal::new(None::<RunView>);
    let kill = ServerAction::<KillRun>::new();
    Effect::new(move |_| {
        if let Some(Ok(view)) = kill.value().get() {
            live.set(Some(view));
        }
    });
    #[cfg(feature = "hydrate")]
    stream::follow(id, live);

    view! {
        <Title text="Run" />
        <Suspense fallback=|| view! { <p class="muted">"Loading the run…"</p> }>
            {move || Suspend::new(async move {
                match fetched.await {
                    Ok(Some(first)) => {
                        let view = Memo::new(move |_| live.get().unwrap_or_else(|| first.clone()));
                        view! { <RunDetail view kill /> }.into_any()
                    }
                    Ok(None) => view! {
                        <h1>"Run"</h1>
                        <p class="card notice notice-bad" role="alert">"No such run."</p>
                    }
                        .into_any(),
                    Err(e) => view! {
                        <h1>"Run"</h1>
                        <p class="card notice notice-bad" role="alert" data-testid="run-error">
                            {e.to_string()}
                        </p>
                    }
                        .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RunDetail(view: Memo<RunView>, kill: ServerAction<KillRun>) -> impl IntoView {
    let v = move || view.get();
    view! {
        <div class="run-page" data-testid="run-page" data-status=move || v().status data-phase=move || v().phase>
            <h1>{move || v().label}</h1>
            <p class="run-head">
                <span class=move || format!("badge status-{}", v().status) data-testid="run-status">
                    {move || v().status.replace('_', " ")}
                </span>
                " "
                <span>{move || v().offer.gpus()}</span>
                " · "
                <span>{move || format!("${}/h", fmt_opt(v().offer.dph_total, 3, ""))}</span>
                " · spent "
                <span data-testid="run-spend">{move || format!("${}", fmt_opt(v().spend_usd, 2, ""))}</span>
                {move || v().instance_id.map(|i| format!(" · instance {i}"))}
                {move || v().scenario.map(|s| format!(" · simulated scenario {s}"))}
            </p>
            {move || v().end_reason.map(|r| view! { <p class="card notice" data-testid="end-reason">{r}</p> })}
            <Actions view kill />
            <div class="run-grid">
                <section class="card" aria-labelledby="checklist-h">
                    <h2 id="checklist-h">"Bring-up checklist"</h2>
                    <ol class="checklist" data-testid="checklist">
                        {move || {
                            v()
                                .checklist
                                .into_iter()
                                .map(|row| {
                                    let status = match row.status {
                                        StepStatus::Passed => "passed",
                                        StepStatus::Failed => "failed",
                                        StepStatus::Skipped => "skipped",
                                        StepStatus::Pending => "pending",
                                    };
                                    view! {
                                        <li class=format!("step step-{status}") data-step=format!("{:?}", row.step) data-status=status>
                                            <span class="step-mark" aria-hidden="true">
                                                {match status {
                                                    "passed" => "✓",
                                                    "failed" => "✗",
                                                    "skipped" => "–",
                                                    _ => "…",
                                                }}
                                            </span>
                                            <span class="step-name">{row.step.label()}</span>
                                            <span class="step-time">{fmt_opt(row.seconds, 1, " s")}</span>
                                            <span class="step-detail">{row.detail}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ol>
                </section>
                <LiveNumbers view />
                <VerdictCard view />
                <ProjectionsCard view />
            </div>
            <section class="card" aria-labelledby="log-h">
                <h2 id="log-h">"Log tail"</h2>
                <p class="muted">
                    {move || format!("{} — {} bytes read", v().log_path, v().log_bytes_read)}
                </p>
                <pre class="log-tail" data-testid="log-tail">{move || v().log_tail.join("\n")}</pre>
            </section>
            <section class="card" aria-labelledby="events-h">
                <h2 id="events-h">"Events"</h2>
                <ol class="events" data-testid="events" reversed>
                    {move || {
                        v()
                            .events
                            .into_iter()
                            .rev()
                            .map(|e| {
                                let class = format!("event event-{}", e.kind);
                                view! {
                                    <li class=class>
                                        <span class="event-kind">{e.kind}</span>
                                        " "
                                        <span>{e.message}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
            </section>
        </div>
    }
}

#[component]
fn Actions(view: Memo<RunView>, kill: ServerAction<KillRun>) -> impl IntoView {
    let promote = ServerAction::<PromoteRun>::new();
    let switch = ServerAction::<SwitchRun>::new();
    let relaunch = ServerAction::<RelaunchRun>::new();
    let v = move || view.get();
    let error = move || {
        let kill = match kill.value().get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        let promote = match promote.value().get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        let switch = match switch.value().get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        let relaunch = match relaunch.value().get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        kill.or(promote).or(switch).or(relaunch)
    };
    let promoted = move || matches!(promote.value().get(), Some(Ok(())));
    let waiting = move || v().is_live && v().phase == "awaiting_decision";
    let hints = move || {
        v().verdict
            .map(|x| x.hints.into_iter().map(|h| h.text).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    view! {
        <div class="card run-actions" data-testid="run-actions">
            <Show when=waiting>
                <p>
                    "The smoke is over. The instance is kept (and billed) until you decide"
                    {move || v().idle_deadline_ms.map(|_| ", then destroyed automatically")} "."
                </p>
                <ActionForm action=promote>
                    <input type="hidden" name="id" value=move || v().id.to_string() />
                    <label>
                        "Full-run budget ($, optional) "
                        <input type="text" name="budget_usd" inputmode="decimal" size="6" data-testid="promote-budget" />
                    </label>
                    " "
                    <button class="button primary" type="submit" data-testid="promote-button" disabled=move || promote.pending().get() || promoted()>
                        {move || if promoted() { "Promoting…" } else { "Promote to full run" }}
                    </button>
                </ActionForm>
            </Show>
            <Show when=move || v().is_live>
                <ActionForm action=switch>
                    <input type="hidden" name="id" value=move || v().id.to_string() />
                    <button class="button" type="submit" data-testid="switch-button" disabled=move || switch.pending().get()>
                        "Switch to another host"
                    </button>
                </ActionForm>
                <ActionForm action=kill>
                    <input type="hidden" name="id" value=move || v().id.to_string() />
                    <input type="hidden" name="why" value="from the Run page" />
                    <button class="button" type="submit" data-testid="kill-button" disabled=move || kill.pending().get()>
                        {move || if v().phase == "awaiting_decision" { "Destroy instance" } else { "Kill run" }}
                    </button>
                </ActionForm>
            </Show>
            <details class="relaunch" data-testid="relaunch">
                <summary>"Apply a hint: relaunch with an edited command or environment"</summary>
                <ActionForm action=relaunch>
                    <input type="hidden" name="id" value=move || v().id.to_string() />
                    <label for="relaunch-cmd">"Smoke command"</label>
                    <textarea id="relaunch-cmd" name="edits[smoke_cmd]" rows="2" spellcheck="false" prop:value=move || v().smoke_cmd></textarea>
                    <label for="relaunch-env">"Environment to add (KEY=VALUE per line)"</label>
                    <textarea id="relaunch-env" name="edits[env]" rows="2" spellcheck="false"></textarea>
                    <label for="relaunch-why">"Hint applied"</label>
                    <select id="relaunch-why" name="edits[why]">
                        <option value="edited by hand">"edited by hand"</option>
                        {move || hints().into_iter().map(|h| view! { <option value=h.clone()>{h.clone()}</option> }).collect_view()}
                    </select>
                    <button class="button" type="submit" data-testid="relaunch-button" disabled=move || relaunch.pending().get()>
                        "Relaunch as a new run"
                    </button>
                    <p class="muted">"A new instance with the same GPUs on another host; this run ends and its instance is destroyed."</p>
                </ActionForm>
            </details>
            {move || error().map(|e| view! { <p class="notice notice-bad" role="alert" data-testid="action-error">{e}</p> })}
        </div>
    }
}

#[component]
fn LiveNumbers(view: Memo<RunView>) -> impl IntoView {
    let l = move || view.get().live;
    view! {
        <section class="card" aria-labelledby="live-h" data-testid="live-numbers">
            <h2 id="live-h">"Live numbers"</h2>
            <dl class="facts numbers">
                <dt>"Step"</dt>
                <dd data-testid="live-step">
                    {move || {
                        let l = l();
                        match (l.last_step, l.total_steps) {
                            (Some(s), Some(t)) => format!("{s} / {t}"),
                            (Some(s), None) => s.to_string(),
                            _ => "—".into(),
                        }
                    }}
                </dd>
                <dt>"Step/s (p25 · p50 · p90)"</dt>
                <dd data-testid="live-steps-per-sec">
                    {move || {
                        let r = l().steps_per_sec;
                        format!(
                            "{} · {} · {}",
                            fmt_opt(r.p25, 2, ""),
                            fmt_opt(r.p50, 2, ""),
                            fmt_opt(r.p90, 2, ""),
                        )
                    }}
                </dd>
                <dt>"GPU util (p50)"</dt>
                <dd data-testid="live-gpu-util">{move || fmt_opt(l().gpu_util.p50, 0, "%")}</dd>
                <dt>"GPU memory"</dt>
                <dd>{move || fmt_opt(l().gpu_mem_used_mb, 0, " MiB")}</dd>
                <dt>"Eval"</dt>
                <dd>
                    {move || {
                        let e = l().eval;
                        if e.count == 0 {
                            "none seen yet".to_string()
                        } else {
                            format!(
                                "{} × {} every {} steps",
                                e.count,
                                fmt_opt(e.mean_s, 1, " s"),
                                e.every_steps.map_or("?".into(), |s| s.to_string())
                            )
                        }
                    }}
                </dd>
                <dt>"Transfer"</dt>
                <dd title=move || l().transfer_method.unwrap_or_default()>
                    {move || fmt_opt(l().transfer_mbps, 1, " MB/s")}
                </dd>
                <dt>"Loss"</dt>
                <dd>
                    {move || format!("{} → {}", fmt_opt(l().loss_first, 4, ""), fmt_opt(l().loss_last, 4, ""))}
                </dd>
                <dt>"Log format"</dt>
                <dd>{move || l().format.unwrap_or_else(|| "—".into())}</dd>
            </dl>
        </section>
    }
}

#[component]
fn VerdictCard(view: Memo<RunView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="verdict-h" data-testid="verdict">
            <h2 id="verdict-h">"Verdict"</h2>
            {move || match view.get().verdict {
                None => view! { <p class="muted">"No verdict until the smoke runs."</p> }.into_any(),
                Some(v) => {
                    let decision = v.decision.as_str();
                    view! {
                        <p>
                            <span class=format!("badge decision-{decision}") data-testid="decision">{decision}</span>
                        </p>
                        <p>{v.summary.clone()}</p>
                        <ul class="rules">
                            {v
                                .rules
                                .iter()
                                .map(|r| {
                                    let fired = serde_json::to_value(r.fired)
                                        .ok()
                                        .and_then(|x| x.as_str().map(str::to_string))
                                        .unwrap_or_default();
                                    view! {
                                        <li class=format!("rule rule-{fired}")>
                                            <strong>{r.name.clone()}</strong> " " {fired.replace('_', " ")} ": " {r.evidence.clone()}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {(!v.hints.is_empty())
                            .then(|| {
                                view! {
                                    <h3>"Hints"</h3>
                                    <ol class="hints">
                                        {v.hints.iter().map(|h| view! { <li>{h.text.clone()}</li> }).collect_view()}
                                    </ol>
                                }
                            })}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn range_text(r: &Range, f: impl Fn(f64) -> String) -> String {
    format!("{} · {} · {}", f(r.optimistic), f(r.base), f(r.pessimistic))
}

fn projection_view(label: &'static str, p: &Projection) -> impl IntoView + use<> {
    let (body, inputs) = match p {
        Projection::Ok {
            eta_s,
            cost_usd,
            low_confidence,
            inputs,
            ..
        } => (
            format!(
                "ETA {} — cost {}{}",
                range_text(eta_s, duration_words),
                range_text(cost_usd, |x| format!("${x:.2}")),
                if *low_confidence {
                    " (low confidence)"
                } else {
                    ""
                }
            ),
            inputs,
        ),
        Projection::Unavailable { reason, inputs, .. } => (format!("not yet: {reason}"), inputs),
    };
    // The numbers each range is made of, in words.
    let i = inputs;
    let opt = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    let mut parts = vec![format!(
        "{} of {} steps done ({}), {} left",
        i.done_steps,
        opt(i.target_steps),
        if i.target_source.is_empty() {
            "no target"
        } else {
            i.target_source.as_str()
        },
        opt(i.remaining_steps)
    )];
    if let Some(st) = &i.step_time_s {
        parts.push(format!(
            "step time {:.3} · {:.3} · {:.3} s over {} timed intervals",
            st.optimistic, st.base, st.pessimistic, i.timing_intervals
        ));
    }
    if let (Some(n), Some(c)) = (i.remaining_evals, i.eval_cost_s) {
        parts.push(format!("{n} evals left × {c:.1} s"));
    }
    if let (Some(n), Some(c)) = (i.remaining_checkpoints, i.checkpoint_cost_s) {
        parts.push(format!("{n} checkpoints left × {c:.1} s"));
    }
    if let Some(setup) = i.setup_s {
        parts.push(format!("setup so far {}", duration_words(setup)));
    }
    parts.push(format!("${:.3}/h", i.usd_per_hour));
    if i.bandwidth_usd > 0.0 {
        parts.push(format!("bandwidth ${:.2}", i.bandwidth_usd));
    }
    view! {
        <dt>{label}</dt>
        <dd>
            {body}
            <details class="inputs">
                <summary>"inputs"</summary>
                <ul>{parts.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </details>
        </dd>
    }
}

#[component]
fn ProjectionsCard(view: Memo<RunView>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="proj-h" data-testid="projections">
            <h2 id="proj-h">"ETA and cost"</h2>
            <p class="muted">"optimistic · base · pessimistic, from p25 / p50 / p90 step times"</p>
            {move || match view.get().projections {
                None => view! { <p class="muted">"Projections start with the first measured steps."</p> }.into_any(),
                Some(p) => view! {
                    <dl class="facts">
                        {projection_view("Smoke", &p.smoke)}
                        {projection_view("Full run", &p.full)}
                    </dl>
                }
                    .into_any(),
            }}
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod stream {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    use crate::domain::run_view::RunView;

    /// Follows the run's SSE stream while the page is open.
    pub fn follow(id: Memo<Option<i64>>, live: RwSignal<Option<RunView>>) {
        Effect::new(move |_| {
            let Some(id) = id.get() else {
                return;
            };
            let Ok(source) = web_sys::EventSource::new(&format!("/api/runs/{id}/stream")) else {
                return;
            };
            let on_run = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    let Some(text) = ev.data().as_string() else {
                        return;
                    };
                    if let Ok(view) = serde_json::from_str::<RunView>(&text) {
                        let ended = !view.is_live;
                        live.set(Some(view));
                        if ended
                            && let Some(src) = ev
                                .target()
                                .and_then(|t| t.dyn_into::<web_sys::EventSource>().ok())
                        {
                            src.close();
                        }
                    }
                },
            );
            let _ = source.add_event_listener_with_callback("run", on_run.as_ref().unchecked_ref());
            // Browser objects are not Send: kept in a local store the
            // cleanup (which must be Send) can reach by handle.
            let held = StoredValue::new_local(Some((source, on_run)));
            on_cleanup(move || {
                held.update_value(|h| {
                    if let Some((source, _closure)) = h.take() {
                        source.close();
                    }
                });
            });
        });
    }
}
