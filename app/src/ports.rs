//! The ports the server functions need, implemented by the `server` crate and
//! provided through Leptos context ([`Services`]). Small traits keep this crate
//! free of SQL, HTTP clients and SSH, and make server functions testable with fakes.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::status::{DatabaseMode, MarketplaceMode, SystemStatus};

/// Liveness of what the server depends on.
#[async_trait]
pub trait Health: Send + Sync {
    /// True when the database answers a trivial query.
    async fn database_ok(&self) -> bool;
}

/// Everything server functions may reach, cloned cheaply into each request.
#[derive(Clone)]
pub struct Services {
    pub health: Arc<dyn Health>,
    pub database: DatabaseMode,
    pub marketplace: MarketplaceMode,
    pub version: &'static str,
}

impl Services {
    pub async fn status(&self) -> SystemStatus {
        SystemStatus {
            database_ok: self.health.database_ok().await,
            database: self.database,
            marketplace: self.marketplace,
            version: self.version.to_string(),
        }
    }
}
