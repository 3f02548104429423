//! Builds the whole application: listener first (a busy port fails before
//! anything else starts), then the database, then the router.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use app::ports::Services;
use tokio::net::TcpListener;

use crate::config::{DatabaseConfig, MarketplaceConfig};
use crate::db::profiles::PgProfiles;
use crate::db::{Database, PgHealth};
use crate::error::CanopyError;
use crate::http;
use crate::market::VastMarketplace;
use crate::runs::{RunBus, RunService, RunsRuntime, WatchConfig, identity};
use crate::ssh::{MemoryPins, Prober, ProberConfig, Scenario};

#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub database: DatabaseConfig,
    pub marketplace: MarketplaceConfig,
    pub options: RunOptions,
}

/// How runs are launched and watched.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Where Canopy's SSH key lives (`None`: a per-process temp dir, for tests).
    pub data_dir: Option<PathBuf>,
    /// A Vast-compatible API to use instead of the default (a standalone
    /// `canopy sim`, or a test's simulator that outlives the app).
    pub vast_url: Option<String>,
    /// Watcher timings (`None`: defaults, scaled to the simulator's speed).
    pub watch: Option<WatchConfig>,
    /// Slack-compatible webhook for alerts (a secret: it carries a token).
    pub alert_webhook: Option<crate::secret::Secret>,
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    database: Database,
    supervisor: tokio::task::JoinHandle<()>,
    runs: RunService,
}

impl Application {
    pub async fn build(config: ServeConfig) -> Result<Self, CanopyError> {
        let listener = bind(config.addr).await?;
        let database = Database::open(&config.database).await?;
        Self::assemble(listener, database, &config.marketplace, &config.options).await
    }

    /// For tests: an already-open database (e.g. a fresh one per test).
    pub async fn build_with_database(
        addr: SocketAddr,
        database: Database,
        marketplace: &MarketplaceConfig,
    ) -> Result<Self, CanopyError> {
        Self::build_with_options(addr, database, marketplace, &RunOptions::default()).await
    }

    /// For tests: an open database and explicit run options.
    pub async fn build_with_options(
        addr: SocketAddr,
        database: Database,
        marketplace: &MarketplaceConfig,
        options: &RunOptions,
    ) -> Result<Self, CanopyError> {
        let listener = bind(addr).await?;
        Self::assemble(listener, database, marketplace, options).await
    }

    async fn assemble(
        listener: TcpListener,
        database: Database,
        marketplace: &MarketplaceConfig,
        options: &RunOptions,
    ) -> Result<Self, CanopyError> {
        let market = VastMarketplace::start(marketplace, options.vast_url.as_deref())
            .await
            .map_err(CanopyError::Simulator)?;
        let runs = build_runs(&database, &market, options)?;
        let supervisor = runs.start();
        let bus = runs.runtime().bus.clone();
        let services = Services {
            health: Arc::new(PgHealth(database.pool().clone())),
            marketplace: Arc::new(market),
            profiles: Arc::new(PgProfiles(database.pool().clone())),
            runs: Arc::new(runs.clone()),
            database: database.mode(),
            marketplace_mode: marketplace.mode(),
            version: env!("CARGO_PKG_VERSION"),
        };
        let router = http::router(services, runs.clone(), bus)?;
        Ok(Self {
            listener,
            router,
            database,
            supervisor,
            runs,
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
        // Watchers stop with the process; their leases expire and another
        // server (or this one, restarted) takes the runs over.
        self.supervisor.abort();
        self.runs.shutdown().await;
        self.database.close().await;
        served.map_err(CanopyError::Serve)
    }
}

/// The run service: Canopy's SSH identity, the prober, and the watchers'
/// shared runtime. Used by the web app and by `canopy runs`.
pub fn build_runs(
    database: &Database,
    market: &VastMarketplace,
    options: &RunOptions,
) -> Result<RunService, CanopyError> {
    let data_dir = options.data_dir.clone().unwrap_or_else(|| {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        std::env::temp_dir().join(format!(
            "canopy-app-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ))
    });
    let identity = identity::load_or_create(&data_dir).map_err(CanopyError::Identity)?;
    let pins = Arc::new(MemoryPins::new());
    let prober = Prober::new(identity.key, pins.clone(), ProberConfig::default());
    let simulated = market.sim_speed().is_some();
    let watch = options
        .watch
        .clone()
        .unwrap_or_else(|| WatchConfig::scaled(market.sim_speed().unwrap_or(1.0)));
    let (adopt, adopt_rx) = tokio::sync::mpsc::unbounded_channel();
    let rt = RunsRuntime {
        adopt,
        repo: crate::db::runs::PgRuns::new(database.pool().clone()),
        vast: market.client().clone(),
        prober,
        pins,
        bus: RunBus::new(),
        alerts: match &options.alert_webhook {
            Some(url) if !url.expose().trim().is_empty() => {
                crate::runs::alerts::Alerts::webhook(url.clone())
            }
            _ => crate::runs::alerts::Alerts::in_app_only(),
        },
        cfg: watch,
        holder: holder_id(),
        public_key: identity.public,
        simulated,
        scenarios: if simulated {
            Scenario::names()
        } else {
            Vec::new()
        },
    };
    Ok(RunService::new(Arc::new(rt), adopt_rx))
}

/// `host:pid:random`: unique per process, readable in the lease table.
fn holder_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "canopy".into());
    let mut r = [0u8; 4];
    let _ = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut r));
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        u32::from_le_bytes(r)
    )
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
