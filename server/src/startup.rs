//! Builds the whole application: listener first (a busy port fails before
//! anything else starts), then the database, then the router.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use app::ports::Services;
use tokio::net::TcpListener;

use crate::config::{DatabaseConfig, MarketplaceConfig};
use crate::db::profiles::PgProfiles;
use crate::db::{Database, PgHealth};
use crate::error::CanopyError;
use crate::http;
use crate::market::VastMarketplace;

#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub database: DatabaseConfig,
    pub marketplace: MarketplaceConfig,
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    database: Database,
}

impl Application {
    pub async fn build(config: ServeConfig) -> Result<Self, CanopyError> {
        let listener = bind(config.addr).await?;
        let database = Database::open(&config.database).await?;
        Self::assemble(listener, database, &config.marketplace).await
    }

    /// For tests: an already-open database (e.g. a fresh one per test).
    pub async fn build_with_database(
        addr: SocketAddr,
        database: Database,
        marketplace: &MarketplaceConfig,
    ) -> Result<Self, CanopyError> {
        let listener = bind(addr).await?;
        Self::assemble(listener, database, marketplace).await
    }

    async fn assemble(
        listener: TcpListener,
        database: Database,
        marketplace: &MarketplaceConfig,
    ) -> Result<Self, CanopyError> {
        let market = VastMarketplace::start(marketplace, None)
            .await
            .map_err(CanopyError::Simulator)?;
        let services = Services {
            health: Arc::new(PgHealth(database.pool().clone())),
            marketplace: Arc::new(market),
            profiles: Arc::new(PgProfiles(database.pool().clone())),
            database: database.mode(),
            marketplace_mode: marketplace.mode(),
            version: env!("CARGO_PKG_VERSION"),
        };
        let router = http::router(services)?;
        Ok(Self {
            listener,
            router,
            database,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound TCP listener has a local address")
    }

    /// Serves until `shutdown` resolves, then closes the database (and stops
    /// the private cluster if Canopy started it).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), CanopyError> {
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await;
        self.database.close().await;
        served.map_err(CanopyError::Serve)
    }
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, CanopyError> {
    TcpListener::bind(addr).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            CanopyError::AddrInUse { addr }
        } else {
            CanopyError::Bind { addr, source }
        }
    })
}
