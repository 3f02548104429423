use leptos::prelude::*;
use leptos_router::components::A;

/// The app's sections, in the order of the forest-first workflow.
const SECTIONS: [(&str, &str, &str); 5] = [
    ("/offers", "Offers", "◎"),
    ("/runs", "Runs", "▶"),
    ("/history", "History", "☰"),
    ("/spend", "Spend", "$"),
    ("/settings", "Settings", "⚙"),
];

/// Top bar on wide screens; on a phone the same links become a bottom tab bar
/// (pure CSS, so it works without JavaScript).
#[component]
pub fn Nav() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <img src="/favicon.svg" alt="" width="24" height="24" />
                <span>"Canopy"</span>
            </a>
            <nav class="sections" aria-label="Sections">
                {SECTIONS
                    .iter()
                    .map(|(href, label, icon)| {
                        view! {
                            <A href=*href attr:class="section-link">
                                <span class="icon" aria-hidden="true">{*icon}</span>
                                <span class="label">{*label}</span>
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
        </header>
    }
}
