use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::not_built::NotBuilt;

#[component]
pub fn RunsPage() -> impl IntoView {
    view! {
        <Title text="Runs" />
        <h1>"Runs"</h1>
        <p class="lede">"Smoke runs and full runs, live ones first: status, GPU, $/h, spend so far, step/s and verdict."</p>
        <NotBuilt what="launching a smoke run, the bring-up checklist and the run watcher." />
    }
}
