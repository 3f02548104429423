use leptos::prelude::*;
use leptos_meta::Title;

/// The forest-first workflow at a glance; each step links to the page that does it.
#[component]
pub fn HomePage() -> impl IntoView {
    let steps = [
        (
            "/offers",
            "Pick a likely-fit instance",
            "Paste a vastai query, describe the run, and see every offer through the pre-rent gate, ranked by expected throughput per dollar.",
        ),
        (
            "/runs",
            "Start a 20-100 step smoke run",
            "One click from an offer: bring-up checklist, live throughput, GPU use, eval cadence and transfer speed.",
        ),
        (
            "/runs",
            "Decide quickly",
            "Keep, optimize, switch or kill — from the kill-fast rules, with ETA and $ as optimistic / base / pessimistic ranges.",
        ),
        (
            "/spend",
            "Never leave an instance idle",
            "Live $/h across instances, idle guard, orphans, budget caps.",
        ),
        (
            "/history",
            "Learn as a team",
            "Every outcome in a shared history: by GPU model and host, $ per 1k steps, failure reasons.",
        ),
    ];
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Run first, analyze in parallel."</h1>
            <p class="lede">
                "Canopy turns the forest-first playbook for rented GPUs into one place: gate offers, launch a smoke run, watch it, decide, and keep what you learned."
            </p>
        </section>
        <ol class="workflow">
            {steps
                .into_iter()
                .map(|(href, title, body)| {
                    view! {
                        <li class="card">
                            <a href=href>
                                <h2>{title}</h2>
                                <p>{body}</p>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
