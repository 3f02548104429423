//! The app's `Marketplace` port over the Vast HTTP client: the real API with a
//! key, otherwise an in-process simulator on loopback (kept alive here).

use app::domain::offer::{Offer, offers_from_value};
use app::ports::{MarketError, Marketplace};

use std::sync::Arc;

use crate::config::MarketplaceConfig;
use crate::sim_hosts::SimHosts;
use crate::vast::{
    ApiKey, SearchQuery, SimConfig, SimHandle, Simulator, VAST_BASE_URL, VastClient, VastError,
};

pub struct VastMarketplace {
    client: VastClient,
    /// The simulated marketplace's clock speed (`None`: the real Vast.ai).
    sim_speed: Option<f64>,
    /// The simulator this client talks to, when simulated; dropping it stops it.
    _sim: Option<SimHandle>,
}

impl VastMarketplace {
    /// Connects to the real API (or `base_url`, e.g. a standalone `canopy sim`),
    /// or starts the built-in simulator.
    pub async fn start(config: &MarketplaceConfig, base_url: Option<&str>) -> Result<Self, String> {
        match (config, base_url) {
            (MarketplaceConfig::Real { api_key }, url) => {
                let url = url.unwrap_or(VAST_BASE_URL);
                let client = VastClient::new(url, Some(ApiKey::new(api_key.expose())))
                    .map_err(|e| e.to_string())?;
                Ok(Self {
                    client,
                    sim_speed: None,
                    _sim: None,
                })
            }
            (MarketplaceConfig::Simulated, Some(url)) => {
                let client = VastClient::new(url, Some(ApiKey::new("canopy-sim")))
                    .map_err(|e| e.to_string())?;
                Ok(Self {
                    client,
                    sim_speed: Some(crate::vast::sim::clock::speed_from_env()),
                    _sim: None,
                })
            }
            (MarketplaceConfig::Simulated, None) => {
                let config = SimConfig::from_env();
                let speed = config.speed;
                let sim = simulator_with_hosts(config)?;
                let handle = sim
                    .spawn("127.0.0.1:0".parse().expect("literal address"))
                    .await
                    .map_err(|e| format!("cannot start the simulated marketplace: {e}"))?;
                let client = VastClient::new(handle.base_url(), Some(ApiKey::new("canopy-sim")))
                    .map_err(|e| e.to_string())?;
                Ok(Self {
                    client,
                    sim_speed: Some(speed),
                    _sim: Some(handle),
                })
            }
        }
    }

    pub fn client(&self) -> &VastClient {
        &self.client
    }

    pub fn sim_speed(&self) -> Option<f64> {
        self.sim_speed
    }
}

/// The marketplace simulator whose running instances are simulated GPU hosts
/// behind real SSH. Without the recorded traces the marketplace still works and
/// its instances have no SSH (a warning says why).
pub fn simulator_with_hosts(config: SimConfig) -> Result<Simulator, String> {
    simulator_with_host_backend(config, crate::sim_hosts::HostBackend::from_env())
}

/// [`simulator_with_hosts`] with the hosts' SSH server chosen explicitly.
pub fn simulator_with_host_backend(
    config: SimConfig,
    backend: crate::sim_hosts::HostBackend,
) -> Result<Simulator, String> {
    // One dir per simulator: instance ids restart at the same number in every
    // simulator, and a process (a test binary) may run several.
    static SIMULATORS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SIMULATORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let hosts_dir =
        std::env::temp_dir().join(format!("canopy-sim-hosts-{}-{n}", std::process::id()));
    let hosts = SimHosts::with_backend(hosts_dir, config.speed, backend);
    let sim = Simulator::new(config)?;
    match hosts {
        Ok(hosts) => sim.set_host_provider(Arc::new(hosts)),
        Err(e) => tracing::warn!("simulated instances will have no SSH host: {e}"),
    }
    Ok(sim)
}

fn market_error(e: VastError) -> MarketError {
    MarketError {
        transient: e.is_transient(),
        message: e.to_string(),
    }
}

#[async_trait::async_trait]
impl Marketplace for VastMarketplace {
    async fn search_offers(&self, body: serde_json::Value) -> Result<Vec<Offer>, MarketError> {
        let query = SearchQuery(body.as_object().cloned().unwrap_or_default());
        let offers = self
            .client
            .search_offers(&query)
            .await
            .map_err(market_error)?;
        // The client's typed offer keeps every raw field; the domain reads its own view.
        let json = serde_json::to_value(&offers).map_err(|e| MarketError {
            message: format!("unexpected offer data: {e}"),
            transient: false,
        })?;
        offers_from_value(json)
            .map(|parsed| parsed.offers)
            .map_err(|e| MarketError {
                message: format!("unexpected offer data: {e}"),
                transient: false,
            })
    }
}
