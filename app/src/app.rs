//! The document shell, the router and the page frame (nav + banner).

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::components::{banner::MarketplaceBanner, nav::Nav};
use crate::pages::{
    history::HistoryPage, home::HomePage, not_found::NotFound, offers::OffersPage, run::RunPage,
    runs::RunsPage, settings::SettingsPage, spend::SpendPage,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Pages render fully on the server (Async mode) so every page works with
    // JavaScript off, as a phone on a bad connection or a script would see it.
    let ssr = SsrMode::Async;
    view! {
        <Stylesheet id="leptos" href="/pkg/canopy.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Meta name="theme-color" content="#14532d" />
        <Meta name="description" content="Canopy: run ML smoke runs on rented GPUs, decide fast, never leave an instance idle." />
        <Title formatter=|page: String| if page.is_empty() { "Canopy".to_string() } else { format!("{page} · Canopy") } />
        <Router>
            <Nav />
            <MarketplaceBanner />
            <main class="page">
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=HomePage ssr=ssr.clone() />
                        <Route path=path!("/offers") view=OffersPage ssr=ssr.clone() />
                        <Route path=path!("/runs") view=RunsPage ssr=ssr.clone() />
                        <Route path=path!("/runs/:id") view=RunPage ssr=ssr.clone() />
                        <Route path=path!("/history") view=HistoryPage ssr=ssr.clone() />
                        <Route path=path!("/spend") view=SpendPage ssr=ssr.clone() />
                        <Route path=path!("/settings") view=SettingsPage ssr=ssr.clone() />
                    </Routes>
                </ErrorBoundary>
            </main>
        </Router>
    }
}

/// What a page shows instead of itself when something under it failed.
#[component]
fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <section class="card error-panel" role="alert">
            <h1>"Something went wrong"</h1>
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
            <p>"Nothing was lost. Reload the page; if it keeps happening, the server log says more."</p>
        </section>
    }
}
