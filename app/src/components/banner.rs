use leptos::prelude::*;

use crate::api::status::get_system_status;
use crate::domain::status::MarketplaceMode;

/// Says plainly when offers and instances are simulated, so nobody mistakes the
/// offline world for the real marketplace.
#[component]
pub fn MarketplaceBanner() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_system_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.marketplace == MarketplaceMode::Simulated => Some(view! {
                        <div class="banner banner-sim" role="status" data-testid="sim-banner">
                            <strong>"Simulated marketplace."</strong>
                            " No VAST_API_KEY is set (or CANOPY_SIM=1): offers are real captured offers, instances and GPU hosts are simulated. Nothing here costs money."
                        </div>
                    }.into_any()),
                    Ok(_) => None,
                    Err(e) => Some(view! {
                        <div class="banner banner-error" role="alert">
                            "Cannot reach the Canopy server: " {e.to_string()}
                        </div>
                    }.into_any()),
                }
            })}
        </Suspense>
    }
}
