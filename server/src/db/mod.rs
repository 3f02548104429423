//! Postgres: the connection pool, migrations, and the private cluster used when
//! no `DATABASE_URL` is given.

pub mod embedded;
pub mod profiles;
pub mod runs;

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use app::domain::status::DatabaseMode;

use crate::config::DatabaseConfig;
use embedded::EmbeddedPostgres;

/// Applied at start-up; the files live in `migrations/` at the repo root.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database ({target}): {source}; check DATABASE_URL")]
    Connect { target: String, source: sqlx::Error },
    #[error(
        "database migration failed: {0}; the database was left as it was before the failing migration"
    )]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Embedded(#[from] embedded::EmbeddedError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
}

/// The pool, plus the private cluster when Canopy runs one (stopped on drop).
pub struct Database {
    pool: PgPool,
    mode: DatabaseMode,
    // Field order matters: the pool closes before the cluster stops.
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects (starting the private cluster if needed) and applies migrations.
    pub async fn open(config: &DatabaseConfig) -> Result<Self, DbError> {
        let (options, mode, embedded) = match config {
            DatabaseConfig::External(url) => {
                let options: PgConnectOptions =
                    url.expose().parse().map_err(|source| DbError::Connect {
                        target: "DATABASE_URL (not a valid postgres URL)".into(),
                        source,
                    })?;
                (options, DatabaseMode::External, None)
            }
            DatabaseConfig::Embedded { data_dir } => {
                let cluster = EmbeddedPostgres::start(data_dir).await?;
                cluster.ensure_database("canopy").await?;
                (
                    cluster.connect_options("canopy"),
                    DatabaseMode::Embedded,
                    Some(cluster),
                )
            }
        };
        let pool = connect(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            mode,
            embedded,
        })
    }

    /// Wraps an existing pool (tests); runs migrations.
    pub async fn from_pool(pool: PgPool, mode: DatabaseMode) -> Result<Self, DbError> {
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            mode,
            embedded: None,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn mode(&self) -> DatabaseMode {
        self.mode
    }

    /// Closes the pool, then stops the private cluster if Canopy started it.
    pub async fn close(mut self) {
        self.pool.close().await;
        if let Some(cluster) = self.embedded.take() {
            cluster.stop().await;
        }
    }
}

/// Connects a pool, naming the target (never the password) if it fails.
pub async fn connect(options: PgConnectOptions) -> Result<PgPool, DbError> {
    let target = describe(&options);
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|source| DbError::Connect { target, source })
}

/// Host/socket, port and database name: enough to debug, nothing secret.
fn describe(options: &PgConnectOptions) -> String {
    format!(
        "host {} port {} database {}",
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or("(default)")
    )
}

/// `SELECT 1` health check behind the app's `Health` port.
pub struct PgHealth(pub PgPool);

#[async_trait::async_trait]
impl app::ports::Health for PgHealth {
    async fn database_ok(&self) -> bool {
        sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(&self.0)
            .await
            .is_ok()
    }
}
