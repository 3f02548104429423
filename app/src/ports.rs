//! The ports the server functions need, implemented by the `server` crate and
//! provided through Leptos context ([`Services`]). Small traits keep this crate
//! free of SQL, HTTP clients and SSH, and make server functions testable with fakes.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::offer::Offer;
use crate::domain::profile::RunProfile;
use crate::domain::status::{DatabaseMode, MarketplaceMode, SystemStatus};

/// Liveness of what the server depends on.
#[async_trait]
pub trait Health: Send + Sync {
    /// True when the database answers a trivial query.
    async fn database_ok(&self) -> bool;
}

/// A marketplace failure, in words a person can act on (the adapter maps its
/// typed errors to this; the page shows `message`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MarketError {
    pub message: String,
    /// Worth trying again shortly (rate limit, 5xx, connection).
    pub transient: bool,
}

/// Offers and instances: the real Vast API or the simulator, same wire protocol.
#[async_trait]
pub trait Marketplace: Send + Sync {
    /// Runs a search with the exact JSON body `vastai search offers` would send.
    async fn search_offers(&self, body: serde_json::Value) -> Result<Vec<Offer>, MarketError>;
}

/// A run profile the team saved under a name.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedProfile {
    pub name: String,
    pub profile: RunProfile,
}

/// A storage failure, in words (the adapter logs the details).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Named run profiles (the Offers page's "save" and "pick").
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Every saved profile, by name.
    async fn list(&self) -> Result<Vec<SavedProfile>, StoreError>;
    /// Saves `profile` under `name`, replacing a profile of that name.
    async fn save(&self, name: &str, profile: &RunProfile) -> Result<(), StoreError>;
}

/// Everything server functions may reach, cloned cheaply into each request.
#[derive(Clone)]
pub struct Services {
    pub health: Arc<dyn Health>,
    pub marketplace: Arc<dyn Marketplace>,
    pub profiles: Arc<dyn ProfileStore>,
    pub database: DatabaseMode,
    pub marketplace_mode: MarketplaceMode,
    pub version: &'static str,
}

impl Services {
    pub async fn status(&self) -> SystemStatus {
        SystemStatus {
            database_ok: self.health.database_ok().await,
            database: self.database,
            marketplace: self.marketplace_mode,
            version: self.version.to_string(),
        }
    }
}
