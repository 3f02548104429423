use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::status::get_system_status;
use crate::domain::status::{DatabaseMode, MarketplaceMode};

/// How this server is wired: marketplace, database, version. Secrets are never
/// shown: the API key stays in the server's environment.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_system_status());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                status.await.map(|s| {
                    let marketplace = match s.marketplace {
                        MarketplaceMode::Real => "Vast.ai (real API, key from VAST_API_KEY)",
                        MarketplaceMode::Simulated => "Built-in simulator (set VAST_API_KEY to use Vast.ai)",
                    };
                    let database = match s.database {
                        DatabaseMode::Embedded => "Private PostgreSQL cluster started by Canopy",
                        DatabaseMode::External => "PostgreSQL from DATABASE_URL",
                    };
                    view! {
                        <dl class="card facts" data-testid="settings-facts">
                            <dt>"Marketplace"</dt>
                            <dd data-testid="marketplace">{marketplace}</dd>
                            <dt>"Database"</dt>
                            <dd>{database} {if s.database_ok { " — answering" } else { " — NOT answering" }}</dd>
                            <dt>"Version"</dt>
                            <dd>{s.version}</dd>
                        </dl>
                    }
                })
            })}
        </Suspense>
        <section class="card">
            <h2>"Keys"</h2>
            <p>"The Vast API key is read from the server's environment (VAST_API_KEY). It is never stored in the database and never sent to the browser."</p>
        </section>
    }
}
