//! The ports the server functions need, implemented by the `server` crate and
//! provided through Leptos context ([`Services`]). Small traits keep this crate
//! free of SQL, HTTP clients and SSH, and make server functions testable with fakes.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::launch::{FieldError, LaunchInput};
use crate::domain::offer::Offer;
use crate::domain::profile::RunProfile;
use crate::domain::run_view::{AlertView, RunSummary, RunView, ThroughputHint};
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

/// Why a run operation failed, in words a person can act on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The launch form has problems; every one is listed.
    #[error("{}", crate::domain::launch::describe_errors(.0))]
    Invalid(Vec<FieldError>),
    #[error("run {0} not found")]
    NotFound(i64),
    /// The action does not apply to the run as it is now.
    #[error("{0}")]
    Conflict(String),
    /// The marketplace, the database or a host failed.
    #[error("{0}")]
    Failed(String),
}

/// Launching, listing, showing and stopping smoke runs.
#[async_trait]
pub trait RunControl: Send + Sync {
    /// Validates, rents the offer (at most once per run) and hands the run to
    /// a watcher. Returns the run id.
    async fn launch(&self, input: LaunchInput) -> Result<i64, RunError>;
    async fn list(&self, limit: i64) -> Result<Vec<RunSummary>, RunError>;
    async fn show(&self, id: i64) -> Result<RunView, RunError>;
    /// Stops the run and destroys its instance (verified gone). `who` is
    /// recorded on the event.
    async fn kill(&self, id: i64, who: &str, why: &str) -> Result<RunView, RunError>;
    /// Starts the full command on the same host (a finished smoke only).
    async fn promote(&self, id: i64, who: &str, budget_usd: Option<f64>) -> Result<(), RunError>;
    /// The same launch on another host with the same GPUs; the old instance
    /// is destroyed. Returns the new run's id.
    async fn switch(&self, id: i64, who: &str) -> Result<i64, RunError>;
    /// Apply a hint: the same launch with an edited command / environment,
    /// as a new run (the old one ends). Returns the new run's id.
    async fn relaunch(
        &self,
        id: i64,
        who: &str,
        edits: &crate::domain::actions::RelaunchEdits,
    ) -> Result<i64, RunError>;
    /// The latest alerts of every run, newest first.
    async fn alerts(&self, limit: i64) -> Result<Vec<AlertView>, RunError>;
    /// What earlier runs measured on this offer's GPU model (for the form).
    async fn throughput_history(&self, offer_id: u64) -> Result<Option<ThroughputHint>, RunError>;
    /// The simulated hosts' scenario names (empty on the real marketplace).
    fn scenarios(&self) -> Vec<&'static str>;
}

/// For unit tests of other server functions: every run call fails.
#[cfg(test)]
pub struct NoRuns;

#[cfg(test)]
#[async_trait]
impl RunControl for NoRuns {
    async fn launch(&self, _: LaunchInput) -> Result<i64, RunError> {
        Err(RunError::Failed("no runs in this test".into()))
    }
    async fn list(&self, _: i64) -> Result<Vec<RunSummary>, RunError> {
        Ok(Vec::new())
    }
    async fn show(&self, id: i64) -> Result<RunView, RunError> {
        Err(RunError::NotFound(id))
    }
    async fn kill(&self, id: i64, _: &str, _: &str) -> Result<RunView, RunError> {
        Err(RunError::NotFound(id))
    }
    async fn promote(&self, id: i64, _: &str, _: Option<f64>) -> Result<(), RunError> {
        Err(RunError::NotFound(id))
    }
    async fn switch(&self, id: i64, _: &str) -> Result<i64, RunError> {
        Err(RunError::NotFound(id))
    }
    async fn relaunch(
        &self,
        id: i64,
        _: &str,
        _: &crate::domain::actions::RelaunchEdits,
    ) -> Result<i64, RunError> {
        Err(RunError::NotFound(id))
    }
    async fn alerts(&self, _: i64) -> Result<Vec<AlertView>, RunError> {
        Ok(Vec::new())
    }
    async fn throughput_history(&self, _: u64) -> Result<Option<ThroughputHint>, RunError> {
        Ok(None)
    }
    fn scenarios(&self) -> Vec<&'static str> {
        Vec::new()
    }
}

/// Everything server functions may reach, cloned cheaply into each request.
#[derive(Clone)]
pub struct Services {
    pub health: Arc<dyn Health>,
    pub marketplace: Arc<dyn Marketplace>,
    pub profiles: Arc<dyn ProfileStore>,
    pub runs: Arc<dyn RunControl>,
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
