use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::not_built::NotBuilt;

#[component]
pub fn OffersPage() -> impl IntoView {
    view! {
        <Title text="Offers" />
        <h1>"Offers"</h1>
        <p class="lede">"Every offer through the pre-rent gate: VRAM fits the run mode, CPU RAM, disk for model + checkpoints, reliability — ranked by expected throughput per dollar."</p>
        <NotBuilt
            what="the offer search, the run profile, the gate verdicts and the ranking."
            meanwhile="The marketplace (real or simulated) is wired in the server; the search page comes next."
        />
    }
}
