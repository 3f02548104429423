use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::not_built::NotBuilt;

#[component]
pub fn SpendPage() -> impl IntoView {
    view! {
        <Title text="Spend" />
        <h1>"Spend"</h1>
        <p class="lede">"Live $/h across all instances, idle instances destroyed after a grace period, orphans found, budget caps."</p>
        <NotBuilt what="the spend view and the idle/orphan guard." />
    }
}
