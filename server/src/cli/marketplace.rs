//! The marketplace a subcommand talks to: the real API with a key, a given
//! `VAST_URL`, or an in-process simulator on loopback.

use crate::cli::GlobalArgs;
use crate::config::MarketplaceConfig;
use crate::error::CanopyError;
use crate::vast::{ApiKey, SimConfig, SimHandle, Simulator, VAST_BASE_URL, VastClient};

/// A client plus, when simulated in-process, the simulator it talks to (kept
/// alive as long as the client is used).
pub struct Marketplace {
    pub client: VastClient,
    _sim: Option<SimHandle>,
}

pub async fn connect(global: &GlobalArgs) -> Result<Marketplace, CanopyError> {
    let key = |k: &crate::secret::Secret| Some(ApiKey::new(k.expose()));
    let (base_url, api_key, sim) = match (global.marketplace(), &global.vast_url) {
        (MarketplaceConfig::Real { api_key }, url) => (
            url.clone().unwrap_or_else(|| VAST_BASE_URL.to_string()),
            key(&api_key),
            None,
        ),
        (MarketplaceConfig::Simulated, Some(url)) => (
            url.clone(),
            global
                .vast_api_key
                .as_ref()
                .and_then(key)
                .or_else(|| Some(ApiKey::new("canopy-sim"))),
            None,
        ),
        (MarketplaceConfig::Simulated, None) => {
            let sim = Simulator::new(SimConfig::from_env()).map_err(CanopyError::Simulator)?;
            let handle = sim
                .spawn("127.0.0.1:0".parse().expect("literal address"))
                .await
                .map_err(|e| CanopyError::Simulator(e.to_string()))?;
            (
                handle.base_url(),
                Some(ApiKey::new("canopy-sim")),
                Some(handle),
            )
        }
    };
    let client = VastClient::new(base_url, api_key).map_err(CanopyError::Vast)?;
    Ok(Marketplace { client, _sim: sim })
}
