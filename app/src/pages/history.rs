use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::not_built::NotBuilt;

#[component]
pub fn HistoryPage() -> impl IntoView {
    view! {
        <Title text="History" />
        <h1>"History"</h1>
        <p class="lede">"Every outcome the team recorded: by GPU model and host, $ per 1k steps, boot times, failure reasons."</p>
        <NotBuilt what="the shared history: it fills once runs are recorded." />
    }
}
